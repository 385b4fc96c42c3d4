"""Errors of messaging: conversations, messages, blocks, reports, WebSocket tickets and frames.

Editing or deleting someone else's message is `core.errors.NotOwner` (`not_owner`). The frame
errors (`invalid_frame`, `unknown_type`, `unsupported_frame`) come in `error` frames on the
WebSockets, in the HTTP error format; the socket stays open.
"""

from __future__ import annotations

from reelbyte.core.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    ServiceUnavailable,
)


class ConversationNotFound(NotFound):
    code = "conversation_not_found"
    message = "No such conversation."


class MessageNotFound(NotFound):
    code = "message_not_found"
    message = "No such message."


class CannotMessageYourself(BadRequest):
    code = "cannot_message_yourself"
    message = "You cannot start a conversation with yourself."


class NotInContext(BadRequest):
    code = "not_in_context"
    message = "The participants do not match the order or project the conversation is about."


class RecipientUnavailable(Forbidden):
    code = "recipient_unavailable"
    message = "This account is closed: it cannot receive messages."


class BlockedByUser(Forbidden):
    code = "blocked_by_user"
    message = "This user does not accept messages from you."


class UserBlocked(Forbidden):
    code = "user_blocked"
    message = "You blocked this user: unblock them to send messages."


class MessageDeleted(Conflict):
    code = "message_deleted"
    message = "A deleted message cannot be edited."


class ClientIdReused(Conflict):
    code = "client_id_reused"
    message = "You already sent a different message with this client_id; choose a new one for a new message."


class MessageRateLimited(RateLimited):
    code = "message_rate_limited"
    message = "You are sending messages too fast: try again later."


class CannotBlockYourself(BadRequest):
    code = "cannot_block_yourself"
    message = "You cannot block yourself."


class CannotReportYourself(BadRequest):
    code = "cannot_report_yourself"
    message = "You cannot report yourself or what you posted."


class InvalidTargetId(BadRequest):
    code = "invalid_target_id"
    message = "The target id is not valid for this target type."


class AlreadyReported(Conflict):
    code = "already_reported"
    message = "You already reported this."


class RealtimeUnavailable(ServiceUnavailable):
    """Redis (tickets, presence, live delivery) cannot be reached: the client retries shortly and
    meanwhile reads over HTTP."""

    code = "realtime_unavailable"
    message = "Live updates are unavailable right now: retry shortly."


# --- WebSocket frames (sent as `error` frames; the socket stays open) ---------------------


class InvalidFrame(BadRequest):
    code = "invalid_frame"
    message = 'The frame is not valid: send JSON text {"type": ..., "data": {...}}.'


class UnknownFrameType(BadRequest):
    code = "unknown_type"
    message = "Unknown frame type."


class UnsupportedFrame(BadRequest):
    code = "unsupported_frame"
    message = "This socket only receives notifications."

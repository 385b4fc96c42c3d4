"""What other domains may hook into, without messaging importing them.

Emitted inside the transaction, after the change is flushed: a handler's writes (a
notification, say) commit or roll back with the message or the read mark.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from reelbyte.core.events import Signal
from reelbyte.messaging.models import Message


@dataclass(frozen=True)
class MessageSent:
    message: Message
    recipient_id: uuid.UUID


message_sent: Signal[MessageSent] = Signal("message_sent")


@dataclass(frozen=True)
class ConversationRead:
    """The user has now read everything in the conversation."""

    user_id: uuid.UUID
    conversation_id: uuid.UUID


conversation_read: Signal[ConversationRead] = Signal("conversation_read")

"""Request and response bodies of conversations, messages, blocks, reports and socket frames."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from reelbyte.core.schemas import PublicUrl, RequestModel, ResponseModel
from reelbyte.identity.models import Role, User
from reelbyte.media.schemas import AttachedFile
from reelbyte.messaging.models import MESSAGE_CLIENT_ID_LENGTH, Message, ReportStatus, ReportTarget

MAX_MESSAGE_CHARS = 5000


def _printable(text: str) -> str:
    """PostgreSQL cannot store NUL; other control characters (but tab and newlines) are noise."""
    if any((ord(ch) < 32 and ch not in "\t\n\r") or ord(ch) == 127 for ch in text):
        raise ValueError("must not contain control characters")
    return text


PRINTABLE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # _printable, for the OpenAPI
MessageText = Annotated[
    str,
    Field(min_length=1, max_length=MAX_MESSAGE_CHARS, pattern=PRINTABLE_PATTERN),
    AfterValidator(_printable),
]
MessageClientId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MESSAGE_CLIENT_ID_LENGTH,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="An id your client chooses for this message (a UUID, say), unique among the "
        "messages you send: sending again with the same client_id returns the message already "
        "sent instead of posting it twice.",
    ),
]


# --- requests -----------------------------------------------------------------------------


class ConversationStart(RequestModel):
    participant_id: uuid.UUID
    order_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = None
    message: MessageText | None = None

    @model_validator(mode="after")
    def _one_context(self) -> ConversationStart:
        if self.order_id is not None and self.project_id is not None:
            raise ValueError("a conversation is about an order or a project, not both")
        return self

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "participant_id": "0b9f5f0e-8a4a-4a53-9c1e-2f7a1d3c9b10",
                    "message": "Hi! Could you cut a 30-second teaser from my wedding footage?",
                }
            ]
        }
    }


class MessageCreate(RequestModel):
    content: MessageText
    attachment_url: PublicUrl | None = Field(default=None, description="a link to a file kept elsewhere")
    attachment_upload_id: uuid.UUID | None = Field(
        default=None,
        description="a file you uploaded for this conversation (purpose `message_attachment`, "
        "target_id = the conversation), once it is ready; instead of `attachment_url`",
    )
    client_id: MessageClientId | None = None

    @model_validator(mode="after")
    def _one_attachment(self) -> Self:
        if self.attachment_url is not None and self.attachment_upload_id is not None:
            raise ValueError(
                "attach a link (attachment_url) or an uploaded file (attachment_upload_id), not both"
            )
        return self

    model_config = {
        "json_schema_extra": {
            # Not both: one of the two is left out or null.
            "anyOf": [
                {"properties": {"attachment_url": {"type": "null"}}},
                {"properties": {"attachment_upload_id": {"type": "null"}}},
            ],
            "examples": [
                {
                    "content": "Here is the raw footage.",
                    "attachment_url": "https://example.com/raw.mp4",
                    "client_id": "9b2f6c1e-2d1b-4c6e-8f0a-5a7d3e1c2b4f",
                }
            ],
        }
    }


class MessageUpdate(RequestModel):
    content: MessageText


class ReportCreate(RequestModel):
    target_type: ReportTarget
    target_id: Annotated[str, Field(min_length=1, max_length=64)]
    reason: Annotated[
        str, Field(min_length=1, max_length=2000, pattern=PRINTABLE_PATTERN), AfterValidator(_printable)
    ]


# --- responses ----------------------------------------------------------------------------


class Participant(ResponseModel):
    """Public fields of the other side of a conversation."""

    id: uuid.UUID
    username: str
    full_name: str
    avatar_url: str | None
    role: Role

    @classmethod
    def of(cls, user: User) -> Participant:
        return cls(
            id=user.id,
            username=user.username,
            full_name=user.full_name,
            avatar_url=user.avatar_url,
            role=user.role,
        )


class MessageOut(ResponseModel):
    id: int
    conversation_id: uuid.UUID
    sender_id: uuid.UUID
    content: str | None = Field(
        description="null once the message is deleted, and for the recipient of a hidden message"
    )
    attachment_url: str | None
    attachment: AttachedFile | None = Field(
        description="the uploaded file attached (its URLs signed for the participants); null once "
        "the message is deleted or the file is"
    )
    client_id: str | None = Field(description="the sender's client_id, if it sent one")
    created_at: datetime
    edited: bool
    edited_at: datetime | None
    deleted: bool
    deleted_at: datetime | None
    hidden: bool = Field(
        description="a moderator hid the message: its sender still reads it, the other participant "
        "gets it without its content and attachments"
    )

    @classmethod
    def of(
        cls, message: Message, attachment: AttachedFile | None = None, *, viewer_id: uuid.UUID | None = None
    ) -> MessageOut:
        """The message as `viewer_id` sees it; `attachment`: the file of
        `message.attachment_upload_id`, if it has one."""
        deleted = message.deleted_at is not None
        withheld = deleted or is_withheld(message, viewer_id)
        return cls(
            id=message.id,
            conversation_id=message.conversation_id,
            sender_id=message.sender_id,
            content=None if withheld else message.content,
            attachment_url=None if withheld else message.attachment_url,
            attachment=None if withheld else attachment,
            client_id=message.client_id,
            created_at=message.created_at,
            edited=message.edited_at is not None,
            edited_at=message.edited_at,
            deleted=deleted,
            deleted_at=message.deleted_at,
            hidden=message.hidden_at is not None,
        )


def is_withheld(message: Message, viewer_id: uuid.UUID | None) -> bool:
    """A message the moderators hid is shown in full to its sender only."""
    return message.hidden_at is not None and viewer_id != message.sender_id


class PresenceOut(BaseModel):
    """Whether a user has a chat or notification socket open, and when one was last alive; the
    same data as the `presence` frames."""

    user_id: uuid.UUID
    online: bool
    last_seen_at: datetime | None


class ConversationOut(ResponseModel):
    id: uuid.UUID
    participant: Participant
    order_id: uuid.UUID | None
    project_id: uuid.UUID | None
    created_at: datetime
    last_activity_at: datetime
    last_message: MessageOut | None
    unread_count: int
    archived: bool
    participant_last_read_message_id: int | None = Field(
        description="how far the other participant has read (read receipts)"
    )
    participant_presence: PresenceOut = Field(
        description="the other participant's presence as the conversation was read; `presence` "
        "frames on the chat socket follow it. With a block between the two (either way), offline "
        "and never seen, as no presence frames cross a block"
    )


class ConversationPage(BaseModel):
    items: list[ConversationOut]
    next_cursor: str | None


class MessagePage(BaseModel):
    items: list[MessageOut]
    next_cursor: str | None


class UnreadCount(BaseModel):
    total: int
    conversations: dict[str, int] = Field(description="unread messages per conversation id (only those > 0)")


class ReadState(BaseModel):
    conversation_id: uuid.UUID
    last_read_message_id: int
    last_read_at: datetime
    unread_count: int


class BlockedUser(BaseModel):
    user: Participant
    blocked_at: datetime


class BlockedList(BaseModel):
    items: list[BlockedUser]


class ReportOut(ResponseModel):
    id: uuid.UUID
    target_type: ReportTarget
    target_id: str
    reason: str
    status: ReportStatus
    created_at: datetime


class WsTicket(BaseModel):
    ticket: str
    expires_in: int = Field(description="seconds the ticket stays valid; it works once")


# --- socket frames ------------------------------------------------------------------------

FrameType = Literal["message", "notification", "typing", "read", "edit", "delete", "presence", "error"]


def frame(type_: FrameType, data: Any) -> dict[str, Any]:
    """A server frame: `{"type": ..., "data": {...}}` with JSON-ready data."""
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    return {"type": type_, "data": data}


class _ClientFrame(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TypingData(_ClientFrame):
    conversation_id: uuid.UUID


class ReadData(_ClientFrame):
    message_id: Annotated[int, Field(ge=1, le=2**63 - 1)]


class TypingFrame(_ClientFrame):
    type: Literal["typing"]
    data: TypingData


class ReadFrame(_ClientFrame):
    type: Literal["read"]
    data: ReadData


class MessageData(MessageCreate):
    conversation_id: uuid.UUID


class MessageFrame(_ClientFrame):
    """Send a message over the socket: the same as `POST /v1/conversations/{id}/messages`."""

    type: Literal["message"]
    data: MessageData


ClientFrame = Annotated[TypingFrame | ReadFrame | MessageFrame, Field(discriminator="type")]
CLIENT_FRAME_TYPES = ("typing", "read", "message")

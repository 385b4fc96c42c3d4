"""Request and response bodies of timecoded review comments on deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, model_validator

from reelbyte.core.schemas import RequestModel, ResponseModel
from reelbyte.orders.models import DeliveryComment
from reelbyte.orders.schemas import Message

MAX_TIMECODE_MS = 2**31 - 1  # the column is a 32-bit integer: about 24 days of video
Timecode = Annotated[int, Field(ge=0, le=MAX_TIMECODE_MS, description="milliseconds from the video's start")]
Position = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class CommentCreate(RequestModel):
    """A new comment (`timecode_ms` required) or a reply (`parent_id`; it shares its thread's
    timecode, and has no position of its own)."""

    timecode_ms: Timecode | None = None
    text: Message = Field(description="1 to 5,000 characters, not only spaces")
    x: Position | None = Field(default=None, description="where on the frame, 0 (left) .. 1 (right)")
    y: Position | None = Field(default=None, description="where on the frame, 0 (top) .. 1 (bottom)")
    parent_id: uuid.UUID | None = Field(default=None, description="the top-level comment replied to")

    @model_validator(mode="after")
    def _shape(self) -> CommentCreate:
        if (self.x is None) != (self.y is None):
            raise ValueError("send both x and y, or neither")
        if self.parent_id is None and self.timecode_ms is None:
            raise ValueError("timecode_ms is required on a comment that is not a reply")
        if self.parent_id is not None and self.x is not None:
            raise ValueError("a reply has no position of its own: it belongs to its thread's")
        return self

    model_config = {
        "json_schema_extra": {
            "examples": [{"timecode_ms": 12_480, "text": "Cut a beat earlier here.", "x": 0.42, "y": 0.61}]
        }
    }


class CommentEdit(RequestModel):
    text: Message


class CommentOut(ResponseModel):
    id: uuid.UUID
    delivery_id: uuid.UUID
    order_id: uuid.UUID
    author_id: uuid.UUID
    parent_id: uuid.UUID | None
    timecode_ms: int
    x: float | None
    y: float | None
    text: str | None = Field(description="null once deleted (a placeholder kept for its replies)")
    deleted: bool
    edited_at: datetime | None
    resolved: bool
    resolved_at: datetime | None
    resolved_by: uuid.UUID | None
    addressed_by_delivery_id: uuid.UUID | None = Field(
        description="the later delivery that says it addresses this comment"
    )
    created_at: datetime

    @classmethod
    def of(cls, comment: DeliveryComment) -> CommentOut:
        return cls(
            id=comment.id,
            delivery_id=comment.delivery_id,
            order_id=comment.order_id,
            author_id=comment.author_id,
            parent_id=comment.parent_id,
            timecode_ms=comment.timecode_ms,
            x=comment.x,
            y=comment.y,
            text=comment.text,
            deleted=comment.deleted_at is not None,
            edited_at=comment.edited_at,
            resolved=comment.resolved_at is not None,
            resolved_at=comment.resolved_at,
            resolved_by=comment.resolved_by,
            addressed_by_delivery_id=comment.addressed_by_delivery_id,
            created_at=comment.created_at,
        )


class CommentThread(CommentOut):
    replies: list[CommentOut] = Field(description="oldest first")

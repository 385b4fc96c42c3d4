"""Notification responses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from reelbyte.core.schemas import ResponseModel
from reelbyte.notifications.models import Notification


class NotificationOut(ResponseModel):
    id: int
    type: str
    title: str
    content: str
    link: str | None = Field(description="a path in the web app, e.g. /orders/<id>")
    reference_type: str | None
    reference_id: str | None
    is_read: bool
    read_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, notification: Notification) -> NotificationOut:
        return cls.model_validate(notification)

    def frame_data(self) -> dict[str, Any]:
        """The `data` of the live `notification` frame (JSON-ready)."""
        return self.model_dump(mode="json")


class NotificationPage(ResponseModel):
    items: list[NotificationOut]
    next_cursor: int | None = Field(description="pass as `cursor` for the next (older) page; null at the end")


class UnreadNotifications(ResponseModel):
    count: int


class ReadAllResult(ResponseModel):
    updated: int = Field(description="how many notifications were unread and are now read")

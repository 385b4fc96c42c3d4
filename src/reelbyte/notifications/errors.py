"""Errors of notifications."""

from __future__ import annotations

from reelbyte.core.errors import NotFound


class NotificationNotFound(NotFound):
    code = "notification_not_found"
    message = "No such notification."

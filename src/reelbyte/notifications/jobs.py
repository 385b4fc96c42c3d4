"""The live push of a notification, run only once the transaction that created it committed."""

from __future__ import annotations

import uuid
from typing import Any

from reelbyte.core.jobs import job_app
from reelbyte.messaging import hub


@job_app.task(name="notifications.push", queue="notifications")
async def push_notification(user_id: str, data: dict[str, Any]) -> None:
    """Send `{"type": "notification", "data": …}` to the user's /ws/notifications sockets."""
    await hub.publish(uuid.UUID(user_id), {"type": "notification", "data": data})

"""Durable order timers, as procrastinate jobs in PostgreSQL (they survive restarts).

Deferred by name (`service.AUTO_COMPLETE_TASK`), so that the service does not import this module.
"""

from __future__ import annotations

import uuid

import structlog

from reelbyte.core.db import transaction
from reelbyte.core.jobs import job_app
from reelbyte.orders import service

log = structlog.get_logger(__name__)


@job_app.task(name=service.AUTO_COMPLETE_TASK, queue="orders", retry=5)
async def auto_complete_order(order_id: str, delivery_id: str) -> None:
    """Complete a delivered order nobody approved or contested within AUTO_COMPLETE_DAYS."""
    completed = await transaction(
        lambda session: service.auto_complete(session, uuid.UUID(order_id), uuid.UUID(delivery_id))
    )
    log.info("auto_complete_order", order_id=order_id, completed=completed)

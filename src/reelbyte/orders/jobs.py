"""Durable order timers, as procrastinate jobs in PostgreSQL (they survive restarts)."""

from __future__ import annotations

import uuid

import structlog

from reelbyte.core.db import get_database
from reelbyte.core.jobs import job_app
from reelbyte.orders import service

log = structlog.get_logger(__name__)


@job_app.task(name="auto_complete_order", queue="orders", retry=5)
async def auto_complete_order(order_id: str, delivery_id: str) -> None:
    """Complete a delivered order nobody approved or contested within AUTO_COMPLETE_DAYS."""
    async with get_database().sessions() as session:
        completed = await service.auto_complete(session, uuid.UUID(order_id), uuid.UUID(delivery_id))
    log.info("auto_complete_order", order_id=order_id, completed=completed)

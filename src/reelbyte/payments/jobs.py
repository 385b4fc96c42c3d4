"""Payment jobs: refunds and payouts through the provider, retried until they go through."""

from __future__ import annotations

import uuid

import procrastinate
import structlog

from reelbyte.core.db import get_database
from reelbyte.core.jobs import job_app
from reelbyte.payments import service

log = structlog.get_logger(__name__)

RETRY = procrastinate.RetryStrategy(max_attempts=20, exponential_wait=2)


@job_app.task(name="send_refund", queue="payments", retry=RETRY)
async def send_refund(refund_id: str) -> None:
    async with get_database().sessions() as session:
        await service.send_refund(session, uuid.UUID(refund_id))
    log.info("refund_sent", refund_id=refund_id)


@job_app.task(name="pay_out", queue="payments", retry=RETRY)
async def pay_out(withdrawal_id: str) -> None:
    async with get_database().sessions() as session:
        status = await service.pay_out(session, uuid.UUID(withdrawal_id))
    log.info("withdrawal_paid_out", withdrawal_id=withdrawal_id, status=status.value)

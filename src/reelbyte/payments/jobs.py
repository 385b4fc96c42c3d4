"""Payment jobs: refunds and payouts through the provider, retried until they go through.

Deferred by name (`service.SEND_REFUND_TASK`, `service.PAY_OUT_TASK`), so that the service does
not import this module. Each run is one unit of work; the provider call inside it is keyed by
the refund or withdrawal, so a run repeated after a crash or a serialization retry pays once.
"""

from __future__ import annotations

import uuid

import procrastinate
import structlog

from reelbyte.core.db import transaction
from reelbyte.core.jobs import job_app
from reelbyte.payments import service
from reelbyte.payments.ledger_check import check_and_record

log = structlog.get_logger(__name__)

RETRY = procrastinate.RetryStrategy(max_attempts=20, exponential_wait=2)


@job_app.task(name=service.SEND_REFUND_TASK, queue="payments", retry=RETRY)
async def send_refund(refund_id: str) -> None:
    await transaction(lambda session: service.send_refund(session, uuid.UUID(refund_id)))
    log.info("refund_sent", refund_id=refund_id)


@job_app.task(name=service.PAY_OUT_TASK, queue="payments", retry=RETRY)
async def pay_out(withdrawal_id: str) -> None:
    status = await transaction(lambda session: service.pay_out(session, uuid.UUID(withdrawal_id)))
    log.info("withdrawal_paid_out", withdrawal_id=withdrawal_id, status=status.value)


@job_app.periodic(cron="41 * * * *", periodic_id="hourly")
@job_app.task(name="payments.check_ledger", queue="payments", queueing_lock="payments.check_ledger")
async def check_ledger(timestamp: int) -> None:
    """Every hour, the same check as `reelbyte ledger check`: /metrics shows its result and a
    broken invariant is logged as an error (the dashboard and alerts watch both)."""
    await check_and_record()

"""The periodic job that makes the scheduled payouts due (payments/schedules.py).

Deferred by the long-running workers every five minutes. No queueing lock: a run put back in
the queue after its worker died (`recover_stalled_jobs`) must not collide with the next tick's
run, and two runs at once are safe. Each creator is a unit of work of their own, so one creator
refused (a manual withdrawal took the money a moment before, a fee larger than the balance)
holds up no one else, and a run killed halfway leaves every creator paid or not, never half:
the next run (or this one again, put back in the queue) finishes the rest, once.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

import structlog

from reelbyte.core.db import transaction, utcnow
from reelbyte.core.errors import AppError
from reelbyte.core.jobs import job_app
from reelbyte.payments import schedules

log = structlog.get_logger(__name__)

BATCH = 200
RUN_SCHEDULED_PAYOUTS_TASK = "payments.run_scheduled_payouts"


@job_app.periodic(cron="*/5 * * * *", periodic_id="every-five-minutes")
@job_app.task(name=RUN_SCHEDULED_PAYOUTS_TASK, queue="payments")
async def run_scheduled_payouts(timestamp: int) -> None:
    await run_schedules(utcnow())


async def run_schedules(now: datetime) -> dict[str, int]:
    """Every payout due at `now`: how many creators ended how."""
    outcomes: dict[str, int] = {}
    after = None
    while creators := await transaction(
        partial(schedules.due_creators, now=now, after=after, limit=BATCH), read_only=True
    ):
        for user_id in creators:
            try:
                outcome = await transaction(partial(schedules.pay_scheduled, user_id=user_id, now=now))
            except AppError as error:  # refused by `withdraw`: tried again at the next run
                log.warning("scheduled_payout_postponed", user_id=str(user_id), reason=error.code)
                outcome = error.code
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        after = creators[-1]
    if outcomes:
        log.info("scheduled_payouts_run", **outcomes)
    return outcomes

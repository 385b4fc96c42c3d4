"""The admin domain's scheduled job: suspensions end by themselves when their `until` passes.

A periodic procrastinate task (every minute), deferred by the long-running workers; the queueing
lock keeps at most one waiting."""

from __future__ import annotations

import structlog

from reelbyte.admin.service import lift_ended_suspensions
from reelbyte.core.db import transaction
from reelbyte.core.jobs import job_app

log = structlog.get_logger(__name__)


@job_app.periodic(cron="* * * * *", periodic_id="every-minute")
@job_app.task(
    name="admin.lift_ended_suspensions", queue="admin", queueing_lock="admin.lift_ended_suspensions"
)
async def lift_suspensions(timestamp: int) -> None:
    lifted = await transaction(lift_ended_suspensions)
    if lifted:
        log.info("suspensions_lifted", users=lifted)

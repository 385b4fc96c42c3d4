"""The admin domain's scheduled jobs: suspensions end by themselves when their `until` passes;
the analytics cache's default views are recomputed ahead of the admins who read them.

Periodic procrastinate tasks, deferred by the long-running workers; each queueing lock keeps at
most one waiting."""

from __future__ import annotations

from functools import partial

import structlog

from reelbyte.admin import analytics
from reelbyte.admin.service import lift_ended_suspensions
from reelbyte.core.db import transaction, utcnow
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


@job_app.periodic(cron="*/5 * * * *", periodic_id="every-five-minutes")
@job_app.task(name="admin.refresh_analytics", queue="admin", queueing_lock="admin.refresh_analytics")
async def refresh_analytics(timestamp: int) -> None:
    """Recompute the admin page's default views (last 30 days, 26 weeks, 12 months) into the cache."""
    for window in analytics.default_windows(utcnow().date()):
        report = await transaction(partial(analytics.compute, window=window), read_only=True)
        await analytics.keep(report, analytics.WARM_TTL_SECONDS)

"""Scheduled catalog jobs: the view-count flush (every minute) and the creator levels (daily).

Both are periodic procrastinate tasks, deferred by the long-running workers (`reelbyte worker`,
or the in-process worker of `reelbyte serve`). The queueing lock keeps at most one of each
waiting, so a stopped worker does not come back to a pile of them.
"""

from __future__ import annotations

import structlog
from redis.exceptions import RedisError

from reelbyte.catalog.levels import recompute_levels
from reelbyte.catalog.views import gig_views
from reelbyte.core.db import transaction
from reelbyte.core.jobs import job_app
from reelbyte.core.redis import get_redis

log = structlog.get_logger(__name__)


@job_app.periodic(cron="* * * * *", periodic_id="every-minute")
@job_app.task(name="catalog.flush_gig_views", queue="catalog", queueing_lock="catalog.flush_gig_views")
async def flush_gig_views(timestamp: int) -> None:
    """One unit of work per sealed batch (core/views.py). With Redis away the counted views
    wait there for the next minute's run: not an error worth a failed job."""
    try:
        await gig_views.flush_views(get_redis())
    except RedisError as error:
        log.warning("views_not_flushed", counter=gig_views.name, error=str(error))


@job_app.periodic(cron="17 3 * * *", periodic_id="daily")
@job_app.task(
    name="catalog.recompute_creator_levels", queue="catalog", queueing_lock="catalog.recompute_creator_levels"
)
async def recompute_creator_levels(timestamp: int) -> None:
    changes = await transaction(recompute_levels)
    log.info("creator_levels_recomputed", users=changes.users, gigs=changes.gigs)

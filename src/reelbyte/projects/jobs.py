"""Scheduled projects jobs: the view-count flush (every minute).

A periodic procrastinate task, deferred by the long-running workers (`reelbyte worker`, or the
in-process worker of `reelbyte serve`); the queueing lock keeps at most one waiting.
"""

from __future__ import annotations

import structlog
from redis.exceptions import RedisError

from reelbyte.core.jobs import job_app
from reelbyte.core.redis import get_redis
from reelbyte.projects.views import project_views

log = structlog.get_logger(__name__)


@job_app.periodic(cron="* * * * *", periodic_id="every-minute")
@job_app.task(
    name="projects.flush_project_views", queue="projects", queueing_lock="projects.flush_project_views"
)
async def flush_project_views(timestamp: int) -> None:
    """Each batch is its own unit of work (core/views.py). With Redis away the counted views
    wait there for the next minute's run: not an error worth a failed job."""
    try:
        await project_views.flush_views(get_redis())
    except RedisError as error:
        log.warning("views_not_flushed", counter=project_views.name, error=str(error))

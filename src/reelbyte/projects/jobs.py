"""Scheduled projects jobs: the view-count flush (every minute).

A periodic procrastinate task, deferred by the long-running workers (`reelbyte worker`, or the
in-process worker of `reelbyte serve`); the queueing lock keeps at most one waiting.
"""

from __future__ import annotations

from reelbyte.core.jobs import job_app
from reelbyte.core.redis import get_redis
from reelbyte.projects.views import project_views


@job_app.periodic(cron="* * * * *", periodic_id="every-minute")
@job_app.task(
    name="projects.flush_project_views", queue="projects", queueing_lock="projects.flush_project_views"
)
async def flush_project_views(timestamp: int) -> None:
    """Each batch is its own unit of work (core/views.py)."""
    await project_views.flush_views(get_redis())

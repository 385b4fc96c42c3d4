"""Background jobs with procrastinate; jobs live in PostgreSQL next to the data they follow.

`defer()` enqueues a job on the session's own connection, inside the caller's transaction:
if the transaction rolls back the job never existed, and once it commits the job survives
any crash until a worker runs it.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import procrastinate
import structlog
from procrastinate.worker import Worker
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import get_settings
from reelbyte.core.db import driver_connection
from reelbyte.core.telemetry import TRACE_CONTEXT_KWARG, run_job, trace_context

log = structlog.get_logger(__name__)

# Tasks register themselves on import; `reelbyte.registry.load()` imports them all, in the API and the worker.
job_app = procrastinate.App(connector=procrastinate.PsycopgConnector())


def libpq_url(sqlalchemy_url: str) -> str:
    """`postgresql+psycopg://…` → the plain `postgresql://…` that psycopg and libpq read."""
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


async def open_jobs(database_url: str, max_connections: int = 4) -> None:
    pool = AsyncConnectionPool(
        libpq_url(database_url),
        min_size=1,
        max_size=max_connections,
        open=False,
        check=AsyncConnectionPool.check_connection,
    )
    await pool.open(wait=True)
    await job_app.open_async(pool)


async def close_jobs() -> None:
    connector = job_app.connector
    assert isinstance(connector, procrastinate.PsycopgConnector)
    pool = connector._async_pool
    if pool is not None:
        await pool.close()
        connector._async_pool = None


async def defer(
    session: AsyncSession,
    task_name: str,
    *,
    schedule_at: datetime | None = None,
    queueing_lock: str | None = None,
    priority: int | None = None,
    **task_kwargs: Any,
) -> int:
    """Enqueue the task named `task_name` inside the session's current transaction.

    By name, so that a service never imports the module that holds its jobs (those import the
    service); the worker knows every task through `reelbyte.registry`. A higher `priority` is
    run first among the jobs waiting in its queue (None: procrastinate's default, 0)."""
    connection = await driver_connection(session)
    deferrer = job_app.configure_task(
        task_name,
        connection=connection,
        schedule_at=schedule_at,
        queueing_lock=queueing_lock,
        priority=priority,
    )
    carrier = trace_context()
    if carrier is not None:  # the job's span continues this request's trace (core/telemetry.py)
        task_kwargs[TRACE_CONTEXT_KWARG] = carrier
    return await deferrer.defer_async(**task_kwargs)


class _DrainWorker(Worker):
    """A worker that runs what is queued and stops. It defers no periodic job: that is the
    long-running workers' job, and a drain that did would race itself and leave one behind."""

    async def _periodic_deferrer(self) -> None:
        return None


# Jobs left "doing" by a worker that is gone (pruned, so no worker any more) go back to the queue.
# SKIP LOCKED and the status check inside procrastinate's retry make two recoverers safe. One
# whose queueing lock a waiting copy already holds (a periodic job's next tick) cannot wait beside
# it (the lock is unique among waiting jobs): it is closed as aborted, and the copy runs instead.
_ABORT_SUPERSEDED_ORPHANS = """
SELECT orphaned.id, procrastinate_finish_job_v1(orphaned.id, 'aborted', false)
FROM (SELECT job.id FROM procrastinate_jobs AS job
      WHERE job.status = 'doing' AND job.worker_id IS NULL AND job.queueing_lock IS NOT NULL
        AND EXISTS (SELECT FROM procrastinate_jobs AS waiting
                    WHERE waiting.queueing_lock = job.queueing_lock AND waiting.status = 'todo')
      FOR UPDATE OF job SKIP LOCKED) AS orphaned
"""
_RETRY_ORPHANED_JOBS = """
SELECT orphaned.id, procrastinate_retry_job_v2(orphaned.id, now(), NULL, NULL, NULL)
FROM (SELECT id FROM procrastinate_jobs WHERE status = 'doing' AND worker_id IS NULL
      FOR UPDATE SKIP LOCKED) AS orphaned
"""


async def recover_stalled_jobs() -> list[int]:
    """Put back in the queue the jobs of workers that died (no heartbeat for
    WORKER_STALLED_AFTER_SECONDS); returns their ids.

    procrastinate 3.10 deletes such workers when a worker starts, but leaves the jobs they were
    running "doing" for good. Every job here is safe to run again: they lock what they change
    and move money under idempotency keys."""
    await job_app.job_manager.prune_stalled_workers(get_settings().worker_stalled_after_seconds)
    superseded = await job_app.connector.execute_query_all_async(_ABORT_SUPERSEDED_ORPHANS)
    if superseded:
        log.warning("stalled_jobs_superseded", job_ids=[int(row["id"]) for row in superseded])
    rows = await job_app.connector.execute_query_all_async(_RETRY_ORPHANED_JOBS)
    recovered = [int(row["id"]) for row in rows]
    if recovered:
        log.warning("stalled_jobs_recovered", job_ids=recovered)
    return recovered


@job_app.periodic(cron="* * * * *", periodic_id="every-minute")
@job_app.task(name="recover_stalled_jobs", queue="maintenance", queueing_lock="recover_stalled_jobs")
async def recover_stalled_jobs_every_minute(timestamp: int) -> None:
    """Also while workers run: a worker that dies is noticed without waiting for a restart."""
    await recover_stalled_jobs()


MEDIA_QUEUE = "media"


def queues_besides(excluded: str) -> list[str]:
    """Every queue a registered task uses, but `excluded`: what a worker beside a dedicated
    one listens to (procrastinate names the queues to listen to, never those to leave out)."""
    return sorted({task.queue for task in job_app.tasks.values()} - {excluded})


async def run_split_workers(*, concurrency: int, media_concurrency: int, name: str) -> None:
    """Two workers in this process: one for the media queue (transcodes take minutes and the
    CPU) and one for every other queue, so a long transcode never holds up an e-mail or a
    payout waiting for a free slot."""
    async with asyncio.TaskGroup() as group:
        group.create_task(run_worker(concurrency=concurrency, name=name, queues=queues_besides(MEDIA_QUEUE)))
        group.create_task(
            run_worker(concurrency=media_concurrency, name=f"{name}-media", queues=[MEDIA_QUEUE])
        )


async def run_worker(
    *, wait: bool = True, concurrency: int = 4, name: str = "worker", queues: list[str] | None = None
) -> None:
    """Run a worker in this process, on `queues` (all of them by default). `wait=False` returns
    once no job is left to do (a drain: periodic jobs are not scheduled by it; tests run those
    by deferring or calling them).

    A long-running worker first puts back the jobs of workers that died, and beats its heart
    often enough (three times per WORKER_STALLED_AFTER_SECONDS) never to be taken for dead."""
    options: dict[str, Any] = {
        "concurrency": concurrency,
        "name": name,
        "queues": queues,
        "install_signal_handlers": False,
        "delete_jobs": "successful",
        "worker_middleware": [run_job],
    }
    if wait:
        stalled_after = get_settings().worker_stalled_after_seconds
        await recover_stalled_jobs()
        await job_app.run_worker_async(
            wait=True,
            update_heartbeat_interval=stalled_after / 3,
            stalled_worker_timeout=stalled_after,
            **options,
        )
        return
    await _DrainWorker(app=job_app, wait=False, **options).run()  # type: ignore[no-untyped-call]

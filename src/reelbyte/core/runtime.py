"""Start and stop the process-wide resources: database, Redis, the job queue, the worker."""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from reelbyte.core.config import Settings
from reelbyte.core.db import get_database, init_database
from reelbyte.core.jobs import close_jobs, open_jobs, run_split_workers
from reelbyte.core.redis import close_redis, get_redis, init_redis
from reelbyte.core.telemetry import instrument_database
from reelbyte.core.views import send_all_views

log = structlog.get_logger(__name__)


class Runtime:
    def __init__(self, settings: Settings, *, with_worker: bool = False) -> None:
        if settings.database_url is None or settings.redis_url is None:
            raise RuntimeError("resolve DATABASE_URL and REDIS_URL (or start the embedded ones) first")
        self.settings = settings
        self.with_worker = with_worker
        self._worker: asyncio.Task[None] | None = None

    async def start(self) -> None:
        database_url, redis_url = self.settings.database_url, self.settings.redis_url
        assert database_url is not None
        assert redis_url is not None
        database = init_database(
            database_url, pool_size=self.settings.db_pool_size, replica_url=self.settings.database_replica_url
        )
        instrument_database(database)
        init_redis(redis_url)
        await open_jobs(database_url)
        if self.with_worker:
            self._worker = asyncio.create_task(
                run_split_workers(
                    concurrency=self.settings.worker_concurrency,
                    media_concurrency=self.settings.media_worker_concurrency,
                    name="in-process",
                ),
                name="job-worker",
            )
            log.info("worker_started", mode="in-process")

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        await close_jobs()
        await send_all_views(get_redis())
        await close_redis()
        await get_database().dispose()

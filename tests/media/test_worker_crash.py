"""A media worker killed (SIGKILL, with its ffmpeg) in the middle of a transcode: after a
restart the upload's job runs again from the start and completes once, and the store holds the
original and exactly the derived files the upload lists, nothing half-written beside them.

Real processes: `python -m reelbyte.cli worker --queues media` against the test database and S3
server. The killed worker's job is left "doing"; the next worker finds the dead one (no heartbeat
for WORKER_STALLED_AFTER_SECONDS) and puts the job back in the queue.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path, PurePosixPath
from typing import Any

import boto3
import httpx
import psutil
import pytest
from sqlalchemy import text

from reelbyte.core.config import Settings
from reelbyte.core.db import get_database
from reelbyte.media.service import derived_keys
from tests.conftest import PROJECT_ROOT, Mailbox, s3_env
from tests.factories import Headers, register, signed_up
from tests.media import clips
from tests.media.uploading import complete, fetched, send, start, upload_body

STALLED_AFTER = 2.0
WAIT_SECONDS = 120.0
PROCESS_TASK = "media.process_upload"


class MediaWorker:
    """`reelbyte worker --queues media` (or other arguments) in a process group of its own, so
    that its ffmpeg dies with it."""

    def __init__(self, settings: Settings, log: Path, *arguments: str) -> None:
        assert settings.database_url is not None
        assert settings.redis_url is not None
        env = {
            **os.environ,
            **s3_env(settings),
            "DATABASE_URL": settings.database_url,
            "REDIS_URL": settings.redis_url,
            "WORKER_STALLED_AFTER_SECONDS": str(STALLED_AFTER),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
            "WORKER_CONCURRENCY": "1",
            "MEDIA_WORKER_CONCURRENCY": "1",
        }
        self.log = log
        with log.open("wb") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "reelbyte.cli", "worker", *(arguments or ("--queues", "media"))],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )

    def ffmpeg_running(self) -> bool:
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
            return any("ffmpeg" in child.name() for child in children)
        except psutil.NoSuchProcess:
            return False

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def events(self, name: str) -> list[dict[str, Any]]:
        return [
            entry
            for line in self.log.read_text().splitlines()
            if line.startswith("{") and (entry := json.loads(line)).get("event") == name
        ]


@pytest.fixture
async def workers(settings: Settings, tmp_path: Path) -> AsyncIterator[list[MediaWorker]]:
    started: list[MediaWorker] = []
    yield started
    for worker in started:
        worker.stop()


async def _until(condition: Callable[[], Awaitable[bool]], what: str, worker: MediaWorker) -> None:
    try:
        async with asyncio.timeout(WAIT_SECONDS):
            while not await condition():
                assert worker.process.poll() is None, f"the worker exited: {worker.log.read_text()[-2000:]}"
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"{what} did not happen within {WAIT_SECONDS:.0f}s") from None


async def _process_jobs() -> list[tuple[int, str]]:
    async with get_database().engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT id, status::text FROM procrastinate_jobs WHERE task_name = :task"),
            {"task": PROCESS_TASK},
        )
        return [(int(row[0]), str(row[1])) for row in rows]


def _stored_keys(settings: Settings, prefix: str) -> set[str]:
    s3 = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        aws_access_key_id=settings.s3_access_key_id,
        aws_secret_access_key=settings.s3_secret_access_key,
        region_name=settings.s3_region,
    )
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=settings.s3_bucket, Prefix=prefix)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


async def _storage_key(upload_id: str) -> str:
    async with get_database().engine.connect() as connection:
        key = await connection.scalar(
            text("SELECT storage_key FROM uploads WHERE id = :id"), {"id": upload_id}
        )
        return str(key)


async def _uploaded_unprocessed(client: httpx.AsyncClient, video: Path) -> tuple[Headers, str]:
    """A portfolio video uploaded and completed: its processing job waits in the media queue."""
    _, creator = await signed_up(client, "creator")
    started = await start(client, creator, upload_body(video, "portfolio"))
    assert started.status_code == 201, started.text
    upload_id = started.json()["upload"]["id"]
    assert (await send(started.json(), video.read_bytes())).status_code in (200, 201, 204)
    assert (await complete(client, creator, upload_id)).status_code == 200
    return creator, upload_id


@pytest.mark.slow
async def test_a_worker_killed_mid_transcode_completes_the_job_once_after_a_restart(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path, workers: list[MediaWorker]
) -> None:
    video = clips.make_video(tmp_path / "long.mp4", width=1280, height=720, seconds=40.0)
    creator, upload_id = await _uploaded_unprocessed(client, video)

    first = MediaWorker(settings, tmp_path / "worker-1.log")
    workers.append(first)

    async def transcoding() -> bool:
        return first.ffmpeg_running()

    await _until(transcoding, "a transcode", first)
    first.kill()
    [(job_id, status)] = await _process_jobs()
    assert status == "doing"  # left behind by the dead worker

    second = MediaWorker(settings, tmp_path / "worker-2.log")
    workers.append(second)

    async def processed() -> bool:
        return (await fetched(client, creator, upload_id))["state"] != "processing"

    await _until(processed, "the upload processed", second)
    upload = await fetched(client, creator, upload_id)
    assert upload["state"] == "ready", upload
    assert await _process_jobs() == []  # done, and not queued again
    assert [job_id] == [jid for entry in second.events("stalled_jobs_recovered") for jid in entry["job_ids"]]

    key = await _storage_key(upload_id)
    folder = f"{PurePosixPath(key).with_suffix('')}/"
    async with get_database().engine.connect() as connection:
        derived = await connection.scalar(
            text("SELECT derived FROM uploads WHERE id = :id"), {"id": upload_id}
        )
    # Every object the row names: each derived file's key and an HLS ladder's other files.
    listed = set(derived_keys(derived))
    assert listed, "the upload lists its derived files"
    assert _stored_keys(settings, folder) | _stored_keys(settings, key) == listed | {key}


@pytest.mark.slow
async def test_an_email_goes_out_while_a_transcode_holds_the_media_worker(
    client: httpx.AsyncClient,
    settings: Settings,
    tmp_path: Path,
    workers: list[MediaWorker],
    mailbox: Mailbox,
) -> None:
    video = clips.make_video(tmp_path / "long.mp4", width=1280, height=720, seconds=40.0)
    await _uploaded_unprocessed(client, video)
    worker = MediaWorker(
        settings, tmp_path / "worker.log", "--concurrency", "1"
    )  # every queue, one slot each
    workers.append(worker)

    async def transcoding() -> bool:
        return worker.ffmpeg_running()

    await _until(transcoding, "a transcode", worker)
    user = await register(client, "client", verified=False)  # a confirmation e-mail, as a job

    async def mailed() -> bool:
        return bool(mailbox.to(user["email"]))

    await _until(mailed, "the e-mail sent", worker)
    [(_, status)] = await _process_jobs()
    assert status == "doing"  # the transcode still runs: the e-mail did not wait for it

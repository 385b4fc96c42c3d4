"""How long an e-mail waits while four transcodes run: media jobs in a worker of their own (what
`serve` and `reelbyte worker` run) beside one worker for every queue (what they ran before).

    uv run python -m bench.media_queue [--rounds 3] [--seconds 10] [--no-write]

Each round runs three set-ups in a turning order, in this process as `serve` runs its worker, on
the embedded PostgreSQL, Redis and S3 of .reelbyte/bench (or DATABASE_URL, REDIS_URL and
S3_ENDPOINT_URL when set):

- split: `run_split_workers(concurrency=4, media_concurrency=4)`: four transcodes in the media
  worker, e-mails in the other;
- shared: one `run_worker(concurrency=4)` on every queue, as before the split;
- idle: the split workers with no transcode at all (the floor).

A transcode is the real upload job (`media.process_upload`: probe, poster, preview, storyboard
and the HLS ladder) of a 1080p portfolio clip of `--seconds`, stored once in S3. Once the four
are running (or, idle, at once), an e-mail job (`send_email`, console backend) is deferred, and
its delay is the time from its commit to its row leaving the queue (done). Figures are medians
over the rounds; the ratio is the median of each round's ratio. Written to docs/benchmarks.md
("Media: an e-mail's wait while four transcodes run").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bench._common import bench_settings, machine, median, write_section
from bench.media import clip
from reelbyte import registry
from reelbyte.core.db import get_database, transaction
from reelbyte.core.jobs import defer, run_split_workers, run_worker
from reelbyte.core.runtime import Runtime
from reelbyte.identity.models import Role, User
from reelbyte.media.models import Upload, UploadKind, UploadPurpose, UploadState
from reelbyte.media.service import PROCESS_TASK
from reelbyte.media.storage import get_storage

TITLE = "Media: an e-mail's wait while four transcodes run"
TRANSCODES = 4
SPLIT = "split: media in a worker of its own (4 + 4 slots)"
SHARED = "shared: one worker for every queue (4 slots)"
IDLE = "idle: no transcode (the floor)"
POLL_SECONDS = 0.005
WAIT_SECONDS = 900.0


async def _queued(task: str, status: str | None = None) -> int:
    sql = "SELECT count(*) FROM procrastinate_jobs WHERE task_name = :task"
    sql += " AND status = :status" if status else ""
    async with get_database().engine.connect() as connection:
        return int((await connection.execute(text(sql), {"task": task, "status": status})).scalar_one())


async def _gone(job_id: int) -> bool:
    async with get_database().engine.connect() as connection:
        row = await connection.execute(
            text("SELECT 1 FROM procrastinate_jobs WHERE id = :id"), {"id": job_id}
        )
        return row.first() is None


async def _until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    try:
        async with asyncio.timeout(WAIT_SECONDS):
            while not await condition():  # noqa: ASYNC110 (a database row to watch, no event to wait on)
                await asyncio.sleep(POLL_SECONDS)
    except TimeoutError:
        raise SystemExit(f"{what} did not happen within {WAIT_SECONDS:.0f} s") from None


async def _owner() -> uuid.UUID:
    async def make(session: AsyncSession) -> uuid.UUID:
        user = User(
            email=f"bench-queue-{uuid.uuid4().hex[:8]}@bench.invalid",
            username=f"benchq{uuid.uuid4().hex[:8]}",
            password_hash="!",
            full_name="Bench Queue",
            role=Role.CREATOR,
        )
        session.add(user)
        await session.flush()
        return user.id

    return await transaction(make)


async def _transcodes(owner: uuid.UUID, source: Path, size: int) -> None:
    """Four uploads of the clip, stored (each under a key of its own, as uploads are) and
    processing, their jobs deferred with them."""
    keys = [f"bench/queue/{uuid.uuid4().hex}.mp4" for _ in range(TRANSCODES)]
    for key in keys:
        await get_storage().put_file(key, source, "video/mp4")

    async def make(session: AsyncSession) -> None:
        for key in keys:
            upload = Upload(
                owner_id=owner,
                kind=UploadKind.VIDEO,
                purpose=UploadPurpose.PORTFOLIO,
                filename="bench.mp4",
                content_type="video/mp4",
                size=size,
                storage_key=key,
                state=UploadState.PROCESSING,
                stored_bytes=size,
            )
            session.add(upload)
            await session.flush()
            await defer(session, PROCESS_TASK, upload_id=str(upload.id))

    await transaction(make)


async def _email_delay() -> float:
    async def enqueue(session: AsyncSession) -> int:
        context = {"name": "Bench", "link": "http://bench.invalid/"}
        return await defer(
            session, "send_email", to="bench@bench.invalid", template="password_changed", context=context
        )

    job_id = await transaction(enqueue)
    started = time.perf_counter()

    async def done() -> bool:
        return await _gone(job_id)

    await _until(done, "the e-mail")
    return time.perf_counter() - started


async def _one(setup: str, owner: uuid.UUID, source: Path, size: int) -> float:
    if setup == SHARED:
        workers = run_worker(concurrency=4, name="bench-shared")
    else:
        workers = run_split_workers(concurrency=4, media_concurrency=TRANSCODES, name="bench-split")
    task = asyncio.create_task(workers)
    try:
        if setup != IDLE:
            await _transcodes(owner, source, size)

            async def all_running() -> bool:
                return await _queued(PROCESS_TASK, "doing") == TRANSCODES

            await _until(all_running, "four transcodes running")
        delay = await _email_delay()

        async def drained() -> bool:
            return await _queued(PROCESS_TASK) == 0

        await _until(drained, "the transcodes done")
        return delay
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def run(rounds: int, source: Path, size: int) -> dict[str, list[float]]:
    owner = await _owner()
    results: dict[str, list[float]] = defaultdict(list)
    setups = [SPLIT, SHARED, IDLE]
    for number in range(rounds):
        turn = number % len(setups)
        for setup in setups[turn:] + setups[:turn]:
            results[setup].append(await _one(setup, owner, source, size))
        print(
            f"round {number + 1}: "
            + ", ".join(f"{s.split(':')[0]} {results[s][-1] * 1000:.0f} ms" for s in setups),
            flush=True,
        )
    return results


def report(results: dict[str, list[float]], seconds: float, rounds: int) -> str:
    def ratio(setup: str) -> float:
        return median([a / b for a, b in zip(results[setup], results[IDLE], strict=True)])

    lines = [
        f"Command: `uv run python -m bench.media_queue --rounds {rounds} --seconds {seconds:g}` ({machine()}; "
        f"medians of {rounds} interleaved rounds). Four transcodes: the upload job of a {seconds:g} s "
        "1080p portfolio clip each (probe, poster, preview, storyboard, HLS ladder).",
        "",
        "| set-up | an e-mail's wait (median) | times the idle floor |",
        "| --- | --- | --- |",
        *(f"| {s} | {median(results[s]) * 1000:.0f} ms | {ratio(s):.1f} |" for s in (SPLIT, SHARED, IDLE)),
        "",
        "With one worker for every queue, four transcodes take its four slots and the e-mail waits "
        "for the first to end; with media in a worker of its own, it is sent as on an idle "
        "worker, give or take the CPU the transcodes leave the event loop. The wait is from the "
        "e-mail job's commit to its row leaving the queue, polled every 5 ms.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    registry.load()
    source = clip(args.seconds)
    with bench_settings(storage=True) as settings:

        async def go() -> dict[str, list[float]]:
            runtime = Runtime(settings)
            await runtime.start()
            try:
                return await run(args.rounds, source, source.stat().st_size)
            finally:
                await runtime.stop()

        results = asyncio.run(go())
    body = report(results, args.seconds, args.rounds)
    print(body)
    if not args.no_write:
        write_section(TITLE, body)


if __name__ == "__main__":
    main()

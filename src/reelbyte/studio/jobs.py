"""The video tools' jobs: run a trim or auto-hooks job, and sweep expired jobs.

A job runs in the "media" queue like upload processing: a short unit of work marks it running
and reads what it needs, ffmpeg works on a copy of the source in a worker thread (never on the
event loop), progress is written now and then in short units of work (which also tell it
whether it was cancelled), the clips go to storage under the job's own keys (a retry after a
crash overwrites them), and one last unit of work stores the results with the processing
seconds used. A failure gives the plan's use back in the unit of work that records it.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import procrastinate
import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.billing import webhooks
from reelbyte.billing.models import UsageMetric
from reelbyte.billing.usage import record_usage, release_usage
from reelbyte.billing.webhook_schemas import VideoJobData, WebhookEventType
from reelbyte.core.db import lock_one, transaction, utcnow
from reelbyte.core.jobs import defer, job_app
from reelbyte.media.models import Upload, UploadState
from reelbyte.media.processing import ProcessingError
from reelbyte.media.service import DELETE_OBJECTS_TASK
from reelbyte.media.storage import get_storage
from reelbyte.studio import processing
from reelbyte.studio.models import VideoJob, VideoJobKind, VideoJobState
from reelbyte.studio.processing import Cancelled, Clip, ProgressCallback
from reelbyte.studio.schemas import Aspect
from reelbyte.studio.scoring import configured_scorer
from reelbyte.studio.service import (
    METRIC_OF,
    RUN_TASK,
    processing_key,
    result_key,
    sweep_expired,
    usage_key,
)

log = structlog.get_logger(__name__)

MAX_ATTEMPTS = 5
RETRY = procrastinate.RetryStrategy(max_attempts=MAX_ATTEMPTS, exponential_wait=2)
SWEEP_BATCH = 100
PROGRESS_WRITE_TIMEOUT = 30.0
SOURCE_GONE = "The source video is no longer available: it was deleted."
GAVE_UP = "The job could not be completed: please try again later."


@dataclass(frozen=True, slots=True)
class Work:
    """What the job reads of its row before it leaves the database alone for the long part."""

    job_id: uuid.UUID
    owner_id: uuid.UUID
    kind: VideoJobKind
    params: dict[str, Any]
    source_key: str
    source_seconds: float


@job_app.task(name=RUN_TASK, queue="media", retry=RETRY, pass_context=True)
async def run_video_job(context: procrastinate.JobContext, job_id: str) -> None:
    try:
        await _run(uuid.UUID(job_id))
    except Exception:
        # Retried by procrastinate while attempts are left; after the last, the job is failed
        # (and its use given back) rather than left running for ever.
        if context.job.attempts + 1 >= MAX_ATTEMPTS:
            await transaction(lambda session: _fail(session, uuid.UUID(job_id), GAVE_UP))
        raise


async def _run(job_id: uuid.UUID) -> None:
    work = await transaction(lambda session: _start(session, job_id))
    if work is None:
        return  # cancelled, deleted, failed at the start or done by an earlier run
    storage = get_storage()
    if await storage.stat(work.source_key) is None:
        await transaction(lambda session: _fail(session, job_id, SOURCE_GONE))
        return
    report = _progress_reporter(job_id, asyncio.get_running_loop())
    written: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="reelbyte-studio-") as name:
        folder = Path(name)
        source = folder / f"source{PurePosixPath(work.source_key).suffix}"
        await storage.download(work.source_key, source)
        try:
            clips = await asyncio.to_thread(make_clips, work, source, folder, report)
        except Cancelled:
            log.info("video_job_stopped", job_id=str(job_id))
            return  # its row already says cancelled (or is gone); nothing was stored
        except ProcessingError as error:
            reason = error.reason
            await transaction(lambda session: _fail(session, job_id, reason))
            return
        for index, clip in enumerate(clips):
            key = result_key(work.owner_id, job_id, index)
            await storage.put_file(key, clip.path, "video/mp4")
            written.append(_describe(key, clip))
    await transaction(lambda session: _finish(session, work, written))


def make_clips(work: Work, source: Path, folder: Path, on_progress: ProgressCallback) -> list[Clip]:
    """The job's ffmpeg work (runs in a thread)."""
    params = work.params
    if work.kind is VideoJobKind.TRIM:
        aspect = Aspect(params["aspect"]).ratio if params.get("aspect") else None
        clip = processing.cut(
            source,
            folder / "trim.mp4",
            params["start_ms"] / 1000,
            params["end_ms"] / 1000,
            aspect=aspect,
            crop=params.get("crop", "centre"),
            on_progress=on_progress,
            timeout=processing.job_timeout(work.source_seconds),
        )
        return [clip]
    return processing.find_and_render_hooks(
        source,
        folder,
        count=params["count"],
        min_seconds=params["min_seconds"],
        max_seconds=params["max_seconds"],
        scorer=configured_scorer(),
        crop=params.get("crop", "centre"),
        on_progress=on_progress,
    )


def _describe(key: str, clip: Clip) -> dict[str, Any]:
    return {
        "key": key,
        "start_ms": round(clip.start_seconds * 1000),
        "end_ms": round(clip.end_seconds * 1000),
        "score": clip.score,
        "reason": clip.reason,
        "scorer": clip.scorer,
        "width": clip.width,
        "height": clip.height,
        "duration_seconds": clip.duration_seconds,
        "size": clip.path.stat().st_size,
    }


# --- units of work ------------------------------------------------------------------------


async def _locked(session: AsyncSession, job_id: uuid.UUID) -> VideoJob | None:
    return await lock_one(session, select(VideoJob).where(VideoJob.id == job_id))


async def _start(session: AsyncSession, job_id: uuid.UUID) -> Work | None:
    """Mark the job running (again, after a crash) and read its source; a source deleted or no
    longer ready fails it here."""
    job = await _locked(session, job_id)
    if job is None or job.state not in (VideoJobState.QUEUED, VideoJobState.RUNNING):
        return None
    upload = await session.get(Upload, job.upload_id) if job.upload_id is not None else None
    if upload is None or upload.state is not UploadState.READY:
        await _fail_job(session, job, SOURCE_GONE)
        return None
    job.state = VideoJobState.RUNNING
    job.started_at = job.started_at or utcnow()
    return Work(job.id, job.owner_id, job.kind, dict(job.params), upload.storage_key, job.source_seconds)


async def _fail(session: AsyncSession, job_id: uuid.UUID, reason: str) -> None:
    job = await _locked(session, job_id)
    if job is not None and job.state in (VideoJobState.QUEUED, VideoJobState.RUNNING):
        await _fail_job(session, job, reason)


async def _fail_job(session: AsyncSession, job: VideoJob, reason: str) -> None:
    """Failed, and the plan's use given back (once: the usage record goes with it)."""
    job.state = VideoJobState.FAILED
    job.failure_reason = reason
    job.finished_at = utcnow()
    await release_usage(session, job.owner_id, METRIC_OF[job.kind], usage_key(job.id))
    await _announce(session, job, WebhookEventType.VIDEO_JOB_FAILED)
    log.info("video_job_failed", job_id=str(job.id), reason=reason)


async def _finish(session: AsyncSession, work: Work, written: list[dict[str, Any]]) -> None:
    job = await _locked(session, work.job_id)
    if job is None or job.state is not VideoJobState.RUNNING:
        # Cancelled or deleted while its clips were stored: they go too.
        if written:
            await defer(session, DELETE_OBJECTS_TASK, keys=[r["key"] for r in written], multipart=None)
        return
    job.results = written
    job.state = VideoJobState.SUCCEEDED
    job.progress = 100
    job.finished_at = utcnow()
    await record_usage(
        session,
        job.owner_id,
        UsageMetric.PROCESSING_SECONDS,
        max(1, math.ceil(processed_seconds(work))),
        idempotency_key=processing_key(job.id),
    )
    await _announce(session, job, WebhookEventType.VIDEO_JOB_COMPLETED)


async def _announce(session: AsyncSession, job: VideoJob, event_type: WebhookEventType) -> None:
    """The job's end to its owner's webhook endpoints (and admins'), once per job."""
    data = VideoJobData(
        job_id=job.id,
        upload_id=job.upload_id,
        kind=job.kind.value,
        status=job.state.value,
        error=job.failure_reason,
    )
    await webhooks.emit(session, event_type, data, parties=(job.owner_id,), event_key=f"video_job:{job.id}")


def processed_seconds(work: Work) -> float:
    """Seconds of source processed: the cut of a trim, the whole source for hooks (analysed)."""
    if work.kind is VideoJobKind.TRIM:
        return float(work.params["end_ms"] - work.params["start_ms"]) / 1000
    return work.source_seconds


# --- progress -----------------------------------------------------------------------------


def _progress_reporter(job_id: uuid.UUID, loop: asyncio.AbstractEventLoop) -> ProgressCallback:
    """A callback for the ffmpeg thread: writes the percentage in a short unit of work on the
    event loop and answers whether to go on (False once the job was cancelled or deleted)."""

    def report(fraction: float) -> bool:
        percent = max(0, min(99, int(fraction * 100)))
        unit = transaction(lambda session: _write_progress(session, job_id, percent))
        return asyncio.run_coroutine_threadsafe(unit, loop).result(timeout=PROGRESS_WRITE_TIMEOUT)

    return report


async def _write_progress(session: AsyncSession, job_id: uuid.UUID, percent: int) -> bool:
    still_running = await session.scalar(
        update(VideoJob)
        .where(VideoJob.id == job_id, VideoJob.state == VideoJobState.RUNNING)
        .values(progress=func.greatest(VideoJob.progress, percent))
        .returning(VideoJob.id)
        .execution_options(synchronize_session=False)
    )
    return still_running is not None


# --- retention ----------------------------------------------------------------------------


@job_app.periodic(cron="17 * * * *", periodic_id="hourly")
@job_app.task(name="studio.sweep_expired", queue="media", queueing_lock="studio.sweep_expired")
async def sweep_expired_video_jobs(timestamp: int) -> None:
    """Finished jobs older than VIDEO_JOB_RETENTION_DAYS go, with their clips."""
    while await transaction(lambda session: sweep_expired(session, SWEEP_BATCH)) == SWEEP_BATCH:
        pass

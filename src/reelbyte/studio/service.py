"""The video tools' rules: who may cut what, what the plan allows, and the jobs' lifecycle.

A job is created, its use metered (`billing.usage.record_usage`, the plan's limit enforced by
one conditional upsert) and its work deferred in one unit of work: refused, nothing exists;
committed, the worker will run it. Premium plans' jobs are deferred with a higher procrastinate
priority, so they are taken first from the media queue. A job that fails gives the use back
(jobs.py), as does one cancelled before it started.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.billing.models import Plan, UsageMetric
from reelbyte.billing.plans import plan_of
from reelbyte.billing.usage import record_usage, release_usage, upgrade_url
from reelbyte.core.config import get_settings
from reelbyte.core.db import lock_one, utcnow
from reelbyte.core.jobs import defer
from reelbyte.core.pagination import PageParams
from reelbyte.identity.models import User
from reelbyte.media.errors import UploadKindMismatch, UploadNotFound, UploadNotReady
from reelbyte.media.models import Upload, UploadKind, UploadState
from reelbyte.media.service import DELETE_OBJECTS_TASK
from reelbyte.media.storage import get_storage
from reelbyte.studio.errors import (
    InvalidHookLengths,
    InvalidTrimRange,
    SourceLengthUnknown,
    SourceTooLong,
    VideoJobNotFound,
    VideoJobNotSucceeded,
    VideoJobResultNotFound,
)
from reelbyte.studio.models import FINISHED_STATES, VideoJob, VideoJobKind, VideoJobState
from reelbyte.studio.schemas import (
    AutoHooksRequest,
    DownloadOut,
    TrimRequest,
    VideoJobOut,
    VideoJobPage,
    VideoJobResult,
)

RUN_TASK = "studio.run_video_job"
PRIORITY_PROCESSING = 10  # procrastinate runs higher priorities first; others get the default 0
METRIC_OF = {VideoJobKind.TRIM: UsageMetric.TRIM, VideoJobKind.AUTO_HOOKS: UsageMetric.AUTO_HOOK}


def usage_key(job_id: uuid.UUID) -> str:
    """The idempotency key the job's use is counted (and given back) under."""
    return f"video_job:{job_id}"


def processing_key(job_id: uuid.UUID) -> str:
    return f"video_job:{job_id}:processing"


def result_key(owner_id: uuid.UUID, job_id: uuid.UUID, index: int) -> str:
    """Where a job's result goes: the same key on every run of the job, so a retry overwrites."""
    return f"users/{owner_id}/video-jobs/{job_id}/result-{index}.mp4"


# --- creating -----------------------------------------------------------------------------


async def create_trim(session: AsyncSession, user: User, data: TrimRequest) -> VideoJobOut:
    upload = await _source(session, user, data.upload_id)
    source_ms = math.floor(_seconds_of(upload) * 1000)
    if data.start_ms >= data.end_ms or data.end_ms > source_ms:
        raise InvalidTrimRange(
            f"The trim must start before it ends and end by the video's end ({source_ms} ms).",
            details={"start_ms": data.start_ms, "end_ms": data.end_ms, "source_ms": source_ms},
        )
    aspect = data.aspect.value if data.aspect is not None else None
    params = {"start_ms": data.start_ms, "end_ms": data.end_ms, "aspect": aspect, "crop": data.crop.value}
    return await _create(session, user, upload, VideoJobKind.TRIM, params)


async def create_auto_hooks(session: AsyncSession, user: User, data: AutoHooksRequest) -> VideoJobOut:
    upload = await _source(session, user, data.upload_id)
    seconds = _seconds_of(upload)
    if data.min_seconds > data.max_seconds or data.min_seconds >= seconds:
        raise InvalidHookLengths(
            f"Hooks need min_seconds <= max_seconds, and min_seconds below the video's length "
            f"({seconds:.1f} s).",
            details={
                "min_seconds": data.min_seconds,
                "max_seconds": data.max_seconds,
                "source_seconds": round(seconds, 3),
            },
        )
    params = {
        "count": data.count,
        "min_seconds": data.min_seconds,
        "max_seconds": data.max_seconds,
        "crop": data.crop.value,
    }
    return await _create(session, user, upload, VideoJobKind.AUTO_HOOKS, params)


async def _source(session: AsyncSession, user: User, upload_id: uuid.UUID) -> Upload:
    """The caller's own ready video (another's is 404, as if it did not exist)."""
    upload = await session.scalar(select(Upload).where(Upload.id == upload_id, Upload.owner_id == user.id))
    if upload is None:
        raise UploadNotFound()
    if upload.kind is not UploadKind.VIDEO:
        raise UploadKindMismatch("Only videos can be trimmed or searched for hooks.")
    if upload.state is not UploadState.READY:
        raise UploadNotReady(details={"state": upload.state.value})
    return upload


def _seconds_of(upload: Upload) -> float:
    seconds = (upload.probe or {}).get("duration_seconds")
    if not seconds or seconds <= 0:
        raise SourceLengthUnknown()
    return float(seconds)


async def _create(
    session: AsyncSession, user: User, upload: Upload, kind: VideoJobKind, params: dict[str, Any]
) -> VideoJobOut:
    plan = await plan_of(session, user.id)
    seconds = _seconds_of(upload)
    _check_length(plan, seconds)
    job = VideoJob(
        id=uuid.uuid4(),
        owner_id=user.id,
        upload_id=upload.id,
        kind=kind,
        state=VideoJobState.QUEUED,
        params=params,
        source_seconds=seconds,
        progress=0,
        results=[],
    )
    session.add(job)
    await session.flush()
    # Raises PlanLimitReached at the limit: the unit of work rolls back, and the job is gone.
    await record_usage(session, user.id, METRIC_OF[kind], 1, idempotency_key=usage_key(job.id))
    priority = PRIORITY_PROCESSING if plan.priority_processing else None
    await defer(session, RUN_TASK, priority=priority, job_id=str(job.id))
    return view(job)


def _check_length(plan: Plan, seconds: float) -> None:
    if seconds > plan.max_source_seconds:
        raise SourceTooLong(
            f"The video is {seconds:.0f} s long and your {plan.name} plan processes videos of up to "
            f"{plan.max_source_seconds} s: upgrade, or trim it shorter first.",
            details={
                "source_seconds": round(seconds, 3),
                "limit_seconds": plan.max_source_seconds,
                "upgrade_url": upgrade_url(),
            },
        )


# --- reading ------------------------------------------------------------------------------


async def list_jobs(session: AsyncSession, user: User, params: PageParams) -> VideoJobPage:
    mine = VideoJob.owner_id == user.id
    total = int(await session.scalar(select(func.count()).select_from(VideoJob).where(mine)) or 0)
    rows = await session.scalars(
        select(VideoJob)
        .where(mine)
        .order_by(VideoJob.created_at.desc(), VideoJob.id)
        .offset(params.offset)
        .limit(params.page_size)
    )
    return VideoJobPage.of([view(job) for job in rows], total, params)


async def get_job(session: AsyncSession, user: User, job_id: uuid.UUID) -> VideoJobOut:
    return view(await own_job(session, user, job_id))


async def download(session: AsyncSession, user: User, job_id: uuid.UUID, index: int) -> DownloadOut:
    """A signed URL of one result, for the job's owner only."""
    job = await own_job(session, user, job_id)
    result = result_of(job, index)
    seconds = get_settings().media_url_expire_seconds
    url = get_storage().signed_url(result["key"], seconds, download_name=result_filename(job, index))
    return DownloadOut(url=url, expires_at=utcnow() + timedelta(seconds=seconds))


def result_of(job: VideoJob, index: int) -> dict[str, Any]:
    """One clip of a succeeded job (409 before it succeeded, 404 for a number it has not)."""
    if job.state is not VideoJobState.SUCCEEDED:
        raise VideoJobNotSucceeded(details={"state": job.state.value})
    if not 0 <= index < len(job.results):
        raise VideoJobResultNotFound(details={"results": len(job.results)})
    return job.results[index]


def result_filename(job: VideoJob, index: int) -> str:
    return f"{job.kind.value.replace('_', '-')}-{str(job.id)[:8]}-{index}.mp4"


def view(job: VideoJob) -> VideoJobOut:
    return VideoJobOut(
        id=job.id,
        kind=job.kind,
        state=job.state,
        progress=job.progress,
        upload_id=job.upload_id,
        params=job.params,
        source_seconds=job.source_seconds,
        results=[
            VideoJobResult(index=index, **{k: v for k, v in result.items() if k != "key"})
            for index, result in enumerate(job.results)
        ],
        failure_reason=job.failure_reason,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        expires_at=expires_at(job.finished_at),
    )


def expires_at(finished_at: datetime | None) -> datetime | None:
    if finished_at is None:
        return None
    return finished_at + timedelta(days=get_settings().video_job_retention_days)


async def own_job(session: AsyncSession, user: User, job_id: uuid.UUID, *, lock: bool = False) -> VideoJob:
    query = select(VideoJob).where(VideoJob.id == job_id, VideoJob.owner_id == user.id)
    job = await lock_one(session, query) if lock else await session.scalar(query)
    if job is None:
        raise VideoJobNotFound()
    return job


# --- cancelling and deleting --------------------------------------------------------------


async def delete_job(session: AsyncSession, user: User, job_id: uuid.UUID) -> None:
    """A queued or running job is cancelled (a running one stops its ffmpeg at its next
    progress check; one not started gives its use back); a finished one is deleted with its
    clips (the objects by the media delete job, after commit)."""
    job = await own_job(session, user, job_id, lock=True)
    if job.state is VideoJobState.QUEUED:
        await release_usage(session, job.owner_id, METRIC_OF[job.kind], usage_key(job.id))
    if job.state in (VideoJobState.QUEUED, VideoJobState.RUNNING):
        job.state = VideoJobState.CANCELLED
        job.finished_at = utcnow()
        return
    await remove(session, job)


async def remove(session: AsyncSession, job: VideoJob) -> None:
    """Delete the row; its clips go by a job once this commits."""
    keys = [result["key"] for result in job.results]
    await session.delete(job)
    await session.flush()
    if keys:
        await defer(session, DELETE_OBJECTS_TASK, keys=keys, multipart=None)


async def erase_jobs(session: AsyncSession, owner_id: uuid.UUID) -> None:
    """An erased account's jobs go with their clips; one still running finds its row gone at its
    end and deletes what it wrote."""
    for job in await session.scalars(select(VideoJob).where(VideoJob.owner_id == owner_id).with_for_update()):
        await remove(session, job)


async def sweep_expired(session: AsyncSession, batch: int) -> int:
    """Finished jobs past VIDEO_JOB_RETENTION_DAYS go, rows and clips; how many went."""
    cutoff = utcnow() - timedelta(days=get_settings().video_job_retention_days)
    expired = await session.scalars(
        select(VideoJob)
        .where(VideoJob.state.in_(FINISHED_STATES), VideoJob.finished_at < cutoff)
        .order_by(VideoJob.finished_at)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    count = 0
    for job in list(expired):
        await remove(session, job)
        count += 1
    return count

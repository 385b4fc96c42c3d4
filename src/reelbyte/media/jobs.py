"""The media jobs: process a completed upload (probe, derived files), delete objects, and sweep
uploads never completed.

Processing runs ffmpeg and PyAV in a worker thread (never on the event loop), on a copy of the
object in a temporary folder; derived files are written under keys of their own, so a job run
again after a crash overwrites what the first run left, and the row changes in one last unit of
work.

Videos shown publicly (portfolio, gig gallery) also get an HLS ladder (`hls`, under
`<key without suffix>/hls/`) and a WebVTT storyboard track (`thumbnails`); a delivered video gets
instead a watermarked HLS preview capped at 720p (`protected_preview`, under `…/preview/`), which
is all its client sees of it until the order is done (media/service.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import tempfile
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path, PurePosixPath
from typing import Any

import procrastinate
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import get_settings
from reelbyte.core.db import after_commit, transaction, utcnow
from reelbyte.core.jobs import defer, job_app
from reelbyte.media import hls, processing
from reelbyte.media.events import upload_failed, upload_ready
from reelbyte.media.models import Upload, UploadKind, UploadPurpose, UploadState
from reelbyte.media.processing import Derived, Probe, ProcessingError
from reelbyte.media.service import (
    COPY_TASK,
    DELETE_OBJECTS_TASK,
    PROCESS_TASK,
    SPEC_CHECK_TASK,
    accept_copy,
    derived_keys,
    object_keys,
    remove,
)
from reelbyte.media.storage import Storage, get_storage
from reelbyte.messaging import hub

log = structlog.get_logger(__name__)

RETRY = procrastinate.RetryStrategy(max_attempts=8, exponential_wait=2)
PENDING_FOR_AT_MOST = timedelta(days=1)
SWEEP_BATCH = 100
PARALLEL_PUTS = 8  # an HLS ladder is hundreds of small files
# Where each kind of HLS output lies, beside the original (…/AbC/hls/master.m3u8).
HLS_FOLDERS = {"hls": "hls", "protected_preview": "preview"}
STREAMED_PURPOSES = (UploadPurpose.PORTFOLIO, UploadPurpose.GIG_GALLERY)


@dataclass(frozen=True, slots=True)
class Work:
    """What the job reads of the upload before it leaves the database alone for the long part."""

    upload_id: uuid.UUID
    owner_id: uuid.UUID
    kind: UploadKind
    purpose: UploadPurpose
    key: str
    target_id: uuid.UUID | None = None  # a deliverable's order, whose short id is watermarked


@job_app.task(name=PROCESS_TASK, queue="media", retry=RETRY)
async def process_upload(upload_id: str) -> None:
    work = await transaction(lambda session: _work(session, uuid.UUID(upload_id)))
    if work is None:
        return  # deleted, or done by an earlier run
    storage = get_storage()
    written: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="reelbyte-media-") as folder:
        source = Path(folder) / f"source{PurePosixPath(work.key).suffix}"
        await storage.download(work.key, source)
        try:
            probe, derived = await asyncio.to_thread(make_derived_files, work, source, Path(folder))
        except ProcessingError as error:
            reason = error.reason
            await transaction(lambda session: _fail(session, work, reason))
            return
        for role, file in derived.items():
            if isinstance(file, hls.Ladder):
                written[role] = await _put_ladder(storage, work.key, HLS_FOLDERS[role], file)
                continue
            key = derived_key(work.key, role, file.path)
            await storage.put_file(key, file.path, file.content_type)
            written[role] = _describe(key, file)
    await transaction(lambda session: _finish(session, work, probe, written))


async def _work(session: AsyncSession, upload_id: uuid.UUID) -> Work | None:
    upload = await session.get(Upload, upload_id)
    if upload is None or upload.state is not UploadState.PROCESSING:
        return None
    return Work(upload.id, upload.owner_id, upload.kind, upload.purpose, upload.storage_key, upload.target_id)


def make_derived_files(work: Work, source: Path, folder: Path) -> tuple[Probe, dict[str, Derived]]:
    """Probe the file and make what the web app shows for its kind (runs in a thread)."""
    if work.kind is UploadKind.DOCUMENT:
        return processing.probe_document(source), {}
    if work.kind is UploadKind.IMAGE:
        probe = processing.probe_image(source)
        derived: dict[str, Derived] = {
            "thumbnail": processing.image_thumbnail(source, folder / "thumbnail.jpg")
        }
        if work.purpose is UploadPurpose.AVATAR:
            derived["avatar"] = processing.avatar(source, folder / "avatar.jpg")
        return probe, derived
    probe = processing.probe_video(source)
    # Passes that decode the whole video take longer the longer it is.
    decode_timeout = processing.VIDEO_TIMEOUT_SECONDS + (probe.duration_seconds or 0.0)
    poster = processing.video_poster(source, folder / "poster.jpg")
    board = processing.storyboard(source, folder / "storyboard.jpg", timeout=decode_timeout)
    derived = {
        "poster": poster,
        "thumbnail": processing.image_thumbnail(poster.path, folder / "thumbnail.jpg"),
        "preview": processing.video_preview(source, folder / "preview.mp4"),
        "storyboard": board,
    }
    if work.purpose in STREAMED_PURPOSES:
        derived["hls"] = _ladder(source, folder / "hls", probe)
        # Beside the sprite, so its relative URI resolves wherever the pair is served from.
        vtt = hls.thumbnails_vtt(board, f"storyboard{board.path.suffix}", folder / "thumbnails.vtt")
        derived["thumbnails"] = Derived(vtt, hls.VTT_TYPE, None, None, probe.duration_seconds)
    elif work.purpose is UploadPurpose.DELIVERABLE and work.target_id is not None:
        text = hls.watermark_text(work.target_id.hex)
        derived["protected_preview"] = _ladder(
            source, folder / "preview", probe, max_short_side=hls.PREVIEW_MAX_SHORT_SIDE, watermark=text
        )
    return probe, derived


def _ladder(
    source: Path, out: Path, probe: Probe, *, max_short_side: int | None = None, watermark: str | None = None
) -> hls.Ladder:
    if not probe.width or not probe.height:
        raise ProcessingError("The video's picture size could not be read.")
    rungs = hls.ladder_for(probe.width, probe.height, max_short_side=max_short_side, fps=probe.fps)
    return hls.make_ladder(
        source,
        out,
        width=probe.width,
        height=probe.height,
        duration_seconds=probe.duration_seconds or 0.0,
        has_audio=probe.audio_codec is not None,
        preset=get_settings().video_encode_preset,
        timeout=hls.ladder_timeout(processing.VIDEO_TIMEOUT_SECONDS, probe.duration_seconds, len(rungs)),
        max_short_side=max_short_side,
        watermark=watermark,
        fps=probe.fps,
    )


def derived_key(key: str, role: str, path: Path) -> str:
    """users/…/portfolio/AbC.mp4 → users/…/portfolio/AbC/poster.jpg: beside the original, in
    its folder (so public or private alike)."""
    return f"{PurePosixPath(key).with_suffix('')}/{role}{path.suffix}"


async def _put_ladder(storage: Storage, original: str, folder: str, ladder: hls.Ladder) -> dict[str, Any]:
    """Store a ladder's files under `<original without suffix>/<folder>/` (a few at a time) and
    describe it for the row: the master's key, each variant's playlist and segment keys, and
    `files`, every key but the master's (so that deleting the upload deletes them all)."""
    prefix = f"{PurePosixPath(original).with_suffix('')}/{folder}"
    gate = asyncio.Semaphore(PARALLEL_PUTS)

    async def put(path: Path, content_type: str) -> None:
        async with gate:
            await storage.put_file(f"{prefix}/{path.name}", path, content_type)

    uploads = [put(ladder.path, hls.PLAYLIST_TYPE)]
    for variant in ladder.variants:
        uploads.append(put(variant.playlist, hls.PLAYLIST_TYPE))
        uploads += [put(segment, hls.SEGMENT_TYPE) for segment in variant.segments]
    await asyncio.gather(*uploads)
    return {
        "key": f"{prefix}/{ladder.path.name}",
        "content_type": hls.PLAYLIST_TYPE,
        "size": sum(path.stat().st_size for path in [ladder.path, *ladder.files]),
        "width": ladder.width,
        "height": ladder.height,
        "duration_seconds": ladder.duration_seconds,
        "variants": [
            {
                "name": variant.name,
                "key": f"{prefix}/{variant.playlist.name}",
                "width": variant.width,
                "height": variant.height,
                "bandwidth": variant.bandwidth,
                "codecs": variant.codecs,
                "segments": [f"{prefix}/{segment.name}" for segment in variant.segments],
            }
            for variant in ladder.variants
        ],
        "files": [f"{prefix}/{path.name}" for path in ladder.files],
    }


def _describe(key: str, file: Derived) -> dict[str, Any]:
    """What the row keeps of a derived file (a storyboard adds its grid)."""
    fields = {name: value for name, value in dataclasses.asdict(file).items() if name != "path"}
    return {
        "key": key,
        "size": file.path.stat().st_size,
        **{n: v for n, v in fields.items() if v is not None},
    }


async def _finish(
    session: AsyncSession, work: Work, probe: Probe, written: dict[str, dict[str, Any]]
) -> None:
    upload = await _locked(session, work.upload_id)
    if upload is None or upload.state is not UploadState.PROCESSING:
        # Deleted while it was processed: what this run wrote goes too.
        await defer(session, DELETE_OBJECTS_TASK, keys=derived_keys(written), multipart=None)
        return
    upload.probe = probe.as_dict()
    upload.derived = written
    upload.stored_bytes = upload.size + sum(meta["size"] for meta in written.values())
    upload.state = UploadState.READY
    upload.ready_at = utcnow()
    if upload.kind is UploadKind.VIDEO and upload.purpose is UploadPurpose.DELIVERABLE:
        await defer(session, SPEC_CHECK_TASK, upload_id=str(upload.id))
    await upload_ready.emit(session, upload)
    _tell_owner(session, upload)


async def _fail(session: AsyncSession, work: Work, reason: str) -> None:
    upload = await _locked(session, work.upload_id)
    if upload is None or upload.state is not UploadState.PROCESSING:
        return
    await defer(session, DELETE_OBJECTS_TASK, keys=object_keys(upload), multipart=None)
    upload.state = UploadState.FAILED
    upload.failure_reason = reason
    upload.stored_bytes = 0
    upload.derived = {}
    log.info("upload_failed", upload_id=str(upload.id), reason=reason)
    await upload_failed.emit(session, upload)
    _tell_owner(session, upload)


async def _locked(session: AsyncSession, upload_id: uuid.UUID) -> Upload | None:
    return await session.scalar(select(Upload).where(Upload.id == upload_id).with_for_update())


def _tell_owner(session: AsyncSession, upload: Upload) -> None:
    frame = {
        "type": "upload_updated",
        "upload_id": str(upload.id),
        "state": upload.state.value,
        "failure_reason": upload.failure_reason,
    }
    owner_id = upload.owner_id

    async def publish() -> None:
        await hub.publish(owner_id, frame)

    after_commit(session, publish)


@job_app.task(name=COPY_TASK, queue="media", retry=RETRY)
async def copy_into_upload(upload_id: str, source_key: str) -> None:
    """Copy a stored object (a video tool's clip) to a pending upload's key, then process it as
    a browser's upload. Safe to repeat: the copy overwrites, and accepting is done once."""
    pending = await transaction(lambda session: _pending_copy(session, uuid.UUID(upload_id)))
    if pending is None:
        return  # deleted, or copied by an earlier run
    key, content_type = pending
    storage = get_storage()
    if await storage.stat(source_key) is None:
        await transaction(lambda session: _source_gone(session, uuid.UUID(upload_id)))
        return
    with tempfile.TemporaryDirectory(prefix="reelbyte-copy-") as folder:
        local = Path(folder) / PurePosixPath(key).name
        await storage.download(source_key, local)
        await storage.put_file(key, local, content_type)
    await transaction(lambda session: accept_copy(session, uuid.UUID(upload_id)))


async def _pending_copy(session: AsyncSession, upload_id: uuid.UUID) -> tuple[str, str] | None:
    """The key to copy to and its type, while the upload still waits for its file."""
    upload = await session.get(Upload, upload_id)
    if upload is None or upload.state is not UploadState.PENDING:
        return None
    return upload.storage_key, upload.content_type


async def _source_gone(session: AsyncSession, upload_id: uuid.UUID) -> None:
    upload = await _locked(session, upload_id)
    if upload is None or upload.state is not UploadState.PENDING:
        return
    upload.state = UploadState.FAILED
    upload.failure_reason = "the file to copy was deleted before it could be copied"
    upload.stored_bytes = 0
    await upload_failed.emit(session, upload)
    _tell_owner(session, upload)


@job_app.task(name=DELETE_OBJECTS_TASK, queue="media", retry=RETRY)
async def delete_objects(keys: list[str], multipart: list[str] | None) -> None:
    """Objects of uploads that are gone (and an unfinished multipart upload, [key, id])."""
    storage = get_storage()
    if multipart is not None:
        await storage.abort_multipart(multipart[0], multipart[1])
    if keys:
        await storage.delete(keys)


@job_app.periodic(cron="*/10 * * * *", periodic_id="every-ten-minutes")
@job_app.task(name="media.sweep_pending", queue="media", queueing_lock="media.sweep_pending")
async def sweep_pending_uploads(timestamp: int) -> None:
    """Uploads still pending a day after they began are given up: rows and objects go."""
    while await transaction(sweep_pending) == SWEEP_BATCH:
        pass


async def sweep_pending(session: AsyncSession) -> int:
    stale = await session.scalars(
        select(Upload)
        .where(Upload.state == UploadState.PENDING, Upload.created_at < utcnow() - PENDING_FOR_AT_MOST)
        .order_by(Upload.created_at)
        .limit(SWEEP_BATCH)
        .with_for_update(skip_locked=True)
    )
    count = 0
    for upload in stale:
        await remove(session, upload)
        count += 1
    if count:
        log.info("pending_uploads_swept", count=count)
    return count

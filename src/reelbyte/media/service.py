"""Uploads: start one (where and how the browser sends the file), complete it (the server checks
the stored object's size and real type), read, list and delete. The processing job (jobs.py)
takes a completed upload to `ready` or `failed`.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import get_settings
from reelbyte.core.db import utcnow
from reelbyte.core.jobs import defer
from reelbyte.core.pagination import PageParams
from reelbyte.core.ratelimit import Limit, hit
from reelbyte.identity.models import User
from reelbyte.media import targets
from reelbyte.media.errors import (
    DeliveryNotReleased,
    PlaylistNotFound,
    StorageQuotaExceeded,
    UploadContentMismatch,
    UploadInUse,
    UploadKindNotAllowed,
    UploadNotFound,
    UploadNotMultipart,
    UploadNotPending,
    UploadObjectMissing,
    UploadPartsRequired,
    UploadRateLimited,
    UploadSizeMismatch,
    UploadTargetNotAllowed,
    UploadTargetRequired,
    UploadTooLarge,
    UploadTypeNotAllowed,
)
from reelbyte.media.filetypes import HEAD_BYTES, matches, sniff
from reelbyte.media.models import Upload, UploadKind, UploadPurpose, UploadState
from reelbyte.media.rules import (
    KINDS,
    MULTIPART_THRESHOLD,
    PART_SIZE,
    PART_URLS_PER_REQUEST,
    PURPOSES,
    folder_for,
    is_public_key,
)
from reelbyte.media.schemas import (
    DirectUploadOut,
    DownloadLink,
    MultipartUploadOut,
    PartUrl,
    PartUrls,
    StorageUse,
    UploadCompletion,
    UploadOut,
    UploadPage,
    UploadRequest,
    UploadStarted,
)
from reelbyte.media.storage import Storage, get_storage
from reelbyte.media.usage import forget_public_uses
from reelbyte.media.views import LADDER_ROLES, playlist_url, view
from reelbyte.orders.models import Order, OrderStatus

PROCESS_TASK = "media.process_upload"
SPEC_CHECK_TASK = "media.check_delivery_spec"  # a delivered video against its package (spec_jobs.py)
DELETE_OBJECTS_TASK = "media.delete_objects"
COPY_TASK = "media.copy_into_upload"  # a stored object becomes a new upload's file (jobs.py)


# --- starting an upload -------------------------------------------------------------------


async def start_upload(
    session: AsyncSession, user: User, kind: UploadKind, data: UploadRequest
) -> UploadStarted:
    """A pending upload and the presigned request(s) that put the file in storage."""
    _check_file(kind, data)
    await _check_purpose(session, user, kind, data)
    storage = get_storage()
    await _check_storage_answers(storage)
    await _count_against_rate_limit(user.id)
    await _check_quota(session, user.id, data.size)
    key = _new_key(data, user.id)
    multipart = data.size > MULTIPART_THRESHOLD and storage.supports_multipart
    upload = Upload(
        owner_id=user.id,
        kind=kind,
        purpose=data.purpose,
        target_id=data.target_id,
        filename=data.filename,
        content_type=data.content_type,
        size=data.size,
        storage_key=key,
        multipart_id=await storage.start_multipart(key, data.content_type) if multipart else None,
        stored_bytes=data.size,
    )
    session.add(upload)
    await session.flush()
    expires_seconds = get_settings().upload_url_expire_seconds
    return UploadStarted(
        upload=view(upload),
        single=None if multipart else _single_request(storage, upload, expires_seconds),
        multipart=_multipart_request(storage, upload, expires_seconds) if multipart else None,
        expires_at=utcnow() + timedelta(seconds=expires_seconds),
    )


async def start_copy(session: AsyncSession, user: User, data: UploadRequest, source_key: str) -> Upload:
    """A pending upload whose file is a copy of an object already in storage (a video tool's
    clip): checked like a browser's upload (type, purpose and target, quota), then a job copies
    the object and hands it to processing as `complete` would."""
    kind = _kind_of(data.content_type)
    _check_file(kind, data)
    await _check_purpose(session, user, kind, data)
    await _check_quota(session, user.id, data.size)
    upload = Upload(
        owner_id=user.id,
        kind=kind,
        purpose=data.purpose,
        target_id=data.target_id,
        filename=data.filename,
        content_type=data.content_type,
        size=data.size,
        storage_key=_new_key(data, user.id),
        stored_bytes=data.size,
    )
    session.add(upload)
    await session.flush()
    await defer(session, COPY_TASK, upload_id=str(upload.id), source_key=source_key)
    return upload


async def accept_copy(session: AsyncSession, upload_id: uuid.UUID) -> None:
    """The copy job put the object in place: check it and start processing (once)."""
    upload = await session.scalar(select(Upload).where(Upload.id == upload_id).with_for_update())
    if upload is not None and upload.state is UploadState.PENDING:
        await _accept_stored(session, upload, UploadCompletion())


def _check_file(kind: UploadKind, data: UploadRequest) -> None:
    rule = KINDS[kind]
    extensions = rule.formats.get(data.content_type)
    suffix = PurePosixPath(data.filename).suffix.lower()
    if extensions is None or suffix not in extensions:
        raise UploadTypeNotAllowed(details={"allowed": {t: list(e) for t, e in rule.formats.items()}})
    if data.size > rule.max_bytes:
        raise UploadTooLarge(details={"max_bytes": rule.max_bytes})


async def _check_purpose(session: AsyncSession, user: User, kind: UploadKind, data: UploadRequest) -> None:
    rule = PURPOSES[data.purpose]
    if kind not in rule.kinds:
        raise UploadKindNotAllowed(details={"allowed": sorted(rule.kinds)})
    if not rule.needs_target:
        if data.target_id is not None:
            raise UploadTargetNotAllowed()
        return
    if data.target_id is None:
        raise UploadTargetRequired()
    await targets.check_may_attach(session, user, data.purpose, data.target_id)


# A store that answered this recently is taken to be up: a check for every upload would spend
# Cloudinary's Admin API allowance (its ping counts).
STORAGE_ANSWER_KEPT_SECONDS = 10.0
_last_answer: tuple[Storage, float] | None = None


async def _check_storage_answers(storage: Storage) -> None:
    """A store that does not answer is a 503 now, not an upload the browser cannot send later
    (presigning is local work: without this the start would succeed)."""
    global _last_answer
    now = time.monotonic()
    last = _last_answer
    if last is not None and last[0] is storage and now - last[1] < STORAGE_ANSWER_KEPT_SECONDS:
        return
    await storage.ping()
    _last_answer = (storage, now)


async def _count_against_rate_limit(user_id: uuid.UUID) -> None:
    settings = get_settings()
    if not settings.rate_limit_enabled:
        return
    verdict = await hit(f"uploads:user:{user_id}", Limit.parse(settings.rate_limit_uploads))
    if not verdict.allowed:
        raise UploadRateLimited(details={"retry_after": verdict.reset_seconds}, headers=verdict.headers())


async def _check_quota(session: AsyncSession, user_id: uuid.UUID, size: int) -> None:
    """Serialised per user (a transaction-scoped advisory lock), so that two uploads started at
    once cannot both fit in the room left for one."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(f"uploads:{user_id}", 0))))
    used = await storage_used(session, user_id)
    quota = await quota_bytes(session, user_id)
    if used + size > quota:
        raise StorageQuotaExceeded(details={"used_bytes": used, "quota_bytes": quota})


MIB = 1024 * 1024

# A user's storage quota is their plan's, which a higher domain (billing) knows: it registers its
# lookup at start-up (`set_quota_lookup`), so that media never imports it. Without one, every
# user gets STORAGE_QUOTA_MB.
QuotaLookup = Callable[[AsyncSession, uuid.UUID], Awaitable[int]]
_quota_lookup: QuotaLookup | None = None


def set_quota_lookup(lookup: QuotaLookup | None) -> None:
    """Register what answers a user's storage quota in bytes (None: back to the setting)."""
    global _quota_lookup
    _quota_lookup = lookup


async def quota_bytes(session: AsyncSession, user_id: uuid.UUID) -> int:
    if _quota_lookup is not None:
        return await _quota_lookup(session, user_id)
    return get_settings().storage_quota_mb * MIB


async def storage_used(session: AsyncSession, user_id: uuid.UUID) -> int:
    used = await session.scalar(
        select(func.coalesce(func.sum(Upload.stored_bytes), 0)).where(
            Upload.owner_id == user_id, Upload.state != UploadState.FAILED
        )
    )
    return int(used or 0)


def _new_key(data: UploadRequest, owner_id: uuid.UUID) -> str:
    """A random object name in the purpose's folder, with the type's usual extension."""
    extension = KINDS[_kind_of(data.content_type)].formats[data.content_type][0]
    return f"{folder_for(data.purpose, owner_id, data.target_id)}/{secrets.token_urlsafe(18)}{extension}"


def _kind_of(content_type: str) -> UploadKind:
    return next(kind for kind, rule in KINDS.items() if content_type in rule.formats)


def _single_request(storage: Storage, upload: Upload, expires_seconds: int) -> DirectUploadOut:
    request = storage.direct_upload(upload.storage_key, upload.content_type, upload.size, expires_seconds)
    return DirectUploadOut(
        method=request.method, url=request.url, headers=request.headers, fields=request.fields
    )


def _multipart_request(storage: Storage, upload: Upload, expires_seconds: int) -> MultipartUploadOut:
    count = part_count(upload.size)
    first = range(1, min(count, PART_URLS_PER_REQUEST) + 1)
    return MultipartUploadOut(
        part_size=PART_SIZE, part_count=count, parts=_part_urls(storage, upload, first, expires_seconds)
    )


def part_count(size: int) -> int:
    return -(-size // PART_SIZE)


def part_size(size: int, part_number: int) -> int:
    """Bytes of part `part_number` (from 1) of a file of `size` bytes: the last part is the rest."""
    return min(PART_SIZE, size - (part_number - 1) * PART_SIZE)


def _part_urls(
    storage: Storage, upload: Upload, numbers: range | list[int], expires_seconds: int
) -> list[PartUrl]:
    assert upload.multipart_id is not None
    return [
        PartUrl(
            part_number=n,
            url=storage.part_url(
                upload.storage_key, upload.multipart_id, n, expires_seconds, size=part_size(upload.size, n)
            ),
        )
        for n in numbers
    ]


async def part_urls(session: AsyncSession, user: User, upload_id: uuid.UUID, numbers: list[int]) -> PartUrls:
    """Fresh URLs for some parts of a multipart upload (more parts, expired URLs, a retried part)."""
    upload = await _own(session, user, upload_id)
    if upload.state is not UploadState.PENDING:
        raise UploadNotPending(details={"state": upload.state.value})
    if upload.multipart_id is None:
        raise UploadNotMultipart()
    count = part_count(upload.size)
    beyond = [n for n in numbers if n > count]
    if beyond:
        raise UploadPartsRequired(f"This upload has {count} parts.", details={"part_count": count})
    expires_seconds = get_settings().upload_url_expire_seconds
    return PartUrls(
        parts=_part_urls(get_storage(), upload, sorted(set(numbers)), expires_seconds),
        expires_at=utcnow() + timedelta(seconds=expires_seconds),
    )


# --- completing an upload -----------------------------------------------------------------


async def complete_upload(
    session: AsyncSession, user: User, upload_id: uuid.UUID, data: UploadCompletion
) -> UploadOut:
    """Check the stored file and hand it to the processing job. Completing twice is harmless.

    A file whose size or real type disagrees with what was declared is deleted from storage and
    the upload stays pending: the browser may upload the right file and complete again."""
    upload = await _own(session, user, upload_id, lock=True)
    return await _accept_stored(session, upload, data)


async def complete_notified_upload(session: AsyncSession, public_id: str) -> UploadOut | None:
    """The store says an object arrived (Cloudinary's upload notification, whose public id is
    the key, without the extension for images and videos): complete its upload as the browser
    would. None when no pending upload has that key (another app's, or completed already)."""
    has_key = or_(
        Upload.storage_key == public_id,
        Upload.storage_key.startswith(f"{public_id}.", autoescape=True),
    )
    upload = await session.scalar(
        select(Upload).where(has_key, Upload.state == UploadState.PENDING).with_for_update()
    )
    if upload is None:
        return None
    return await _accept_stored(session, upload, UploadCompletion())


async def _accept_stored(session: AsyncSession, upload: Upload, data: UploadCompletion) -> UploadOut:
    if upload.state in (UploadState.PROCESSING, UploadState.READY):
        return view(upload)
    if upload.state is not UploadState.PENDING:
        raise UploadNotPending(details={"state": upload.state.value})
    storage = get_storage()
    stored = await storage.stat(upload.storage_key)
    if stored is None and upload.multipart_id is not None:
        await storage.complete_multipart(upload.storage_key, upload.multipart_id, _all_parts(upload, data))
        stored = await storage.stat(upload.storage_key)
    if stored is None:
        raise UploadObjectMissing()
    if stored.size != upload.size:
        await storage.delete([upload.storage_key])
        raise UploadSizeMismatch(details={"declared": upload.size, "stored": stored.size})
    detected = sniff(await storage.read_head(upload.storage_key, HEAD_BYTES))
    if not matches(upload.content_type, detected):
        await storage.delete([upload.storage_key])
        raise UploadContentMismatch(details={"declared": upload.content_type, "detected": detected})
    upload.state = UploadState.PROCESSING
    upload.multipart_id = None
    upload.completed_at = utcnow()
    await defer(session, PROCESS_TASK, queueing_lock=f"process-upload-{upload.id}", upload_id=str(upload.id))
    return view(upload)


def _all_parts(upload: Upload, data: UploadCompletion) -> list[tuple[int, str]]:
    """Every part, in order. Checked before the store joins them: joining the parts ends the
    multipart upload, so a file joined with a part missing could not be mended by resending it."""
    count = part_count(upload.size)
    parts = sorted((part.part_number, part.etag) for part in data.parts or [])
    if [number for number, _ in parts] != list(range(1, count + 1)):
        missing = sorted(set(range(1, count + 1)) - {number for number, _ in parts})
        raise UploadPartsRequired(
            f"List each of the {count} parts once, with its ETag.",
            details={"part_count": count, "missing": missing},
        )
    return parts


# --- reading ------------------------------------------------------------------------------


async def get_upload(session: AsyncSession, viewer: User | None, upload_id: uuid.UUID) -> UploadOut:
    """For its owner, admins, and whoever may see what it is attached to (404 for anyone else).
    A delivered video's client gets no original (null) and only its protected preview until the
    work is released (media/release.py)."""
    upload = await _visible(session, viewer, upload_id)
    withhold = not await targets.may_have_original(session, viewer, upload)
    return view(upload, withhold_original=withhold)


async def _visible(session: AsyncSession, viewer: User | None, upload_id: uuid.UUID) -> Upload:
    upload = await session.get(Upload, upload_id)
    if upload is None or not await targets.may_see(session, viewer, upload):
        raise UploadNotFound()
    if (viewer is None or viewer.id != upload.owner_id) and upload.state is not UploadState.READY:
        raise UploadNotFound()  # others see only finished files
    return upload


async def original_download_link(
    session: AsyncSession, viewer: User | None, upload_id: uuid.UUID
) -> DownloadLink:
    """A signed URL that downloads the original under its file name: 404 for whoever may not
    see the upload, 403 `delivery_not_released` for a delivered video's client before release."""
    upload = await _visible(session, viewer, upload_id)
    if upload.state not in (UploadState.PROCESSING, UploadState.READY):
        raise UploadNotFound()  # nothing verified in storage yet
    if not await targets.may_have_original(session, viewer, upload):
        raise DeliveryNotReleased()
    seconds = get_settings().media_url_expire_seconds
    url = get_storage().signed_url(upload.storage_key, seconds, download_name=upload.filename)
    return DownloadLink(url=url, expires_at=utcnow() + timedelta(seconds=seconds))


# A playlist names at most this much: a ladder's media playlist of a long video is ~40 bytes a
# segment, 4 seconds each.
MAX_PLAYLIST_BYTES = 4 * MIB


async def hls_playlist(session: AsyncSession, viewer: User | None, upload_id: uuid.UUID, name: str) -> str:
    """An HLS playlist (`master` or a variant's name) of the upload's ladder, for whoever may see
    the upload, with every URI made absolute: a variant's to this route, a segment's to the
    store (signed for private files, for about as long as watching the video can take). A
    delivered video has only its watermarked preview ladder, so its client gets nothing else."""
    upload = await _visible(session, viewer, upload_id)
    meta = next((upload.derived[role] for role in LADDER_ROLES if role in (upload.derived or {})), None)
    if meta is None:
        raise PlaylistNotFound()
    variants = {variant["name"]: variant for variant in meta["variants"]}
    if name != "master" and name not in variants:
        raise PlaylistNotFound()
    key = meta["key"] if name == "master" else variants[name]["key"]
    storage = get_storage()
    text = (await storage.read_head(key, MAX_PLAYLIST_BYTES)).decode("utf-8")
    folder = key.rsplit("/", 1)[0]
    segments = set(meta["files"])
    public = PURPOSES[upload.purpose].public
    seconds = _segment_url_seconds(meta.get("duration_seconds"))

    def absolute(uri: str) -> str:
        stem = uri.removesuffix(".m3u8")
        if uri.endswith(".m3u8") and stem in variants:
            return playlist_url(upload.id, stem)
        segment = f"{folder}/{uri}"
        if segment not in segments:  # only what the job wrote is ever named
            raise PlaylistNotFound()
        return storage.public_url(segment) if public else storage.signed_url(segment, seconds)

    return rewrite_playlist(text, absolute)


def rewrite_playlist(text: str, absolute: Callable[[str], str]) -> str:
    """The playlist with each URI line (a line that is not blank nor a #tag) replaced."""
    lines = [
        line if not line.strip() or line.startswith("#") else absolute(line.strip())
        for line in text.splitlines()
    ]
    return "\n".join(lines) + "\n"


def _segment_url_seconds(duration: float | None) -> int:
    """Segment URLs outlive a viewing of the video (a player does not reload a VOD playlist):
    the usual lifetime plus twice its length, at most a week (S3's limit)."""
    seconds = get_settings().media_url_expire_seconds + 2 * round(duration or 0)
    return min(seconds, 7 * 24 * 3600)


async def list_uploads(session: AsyncSession, user: User, params: PageParams) -> UploadPage:
    mine = Upload.owner_id == user.id
    total = int(await session.scalar(select(func.count()).select_from(Upload).where(mine)) or 0)
    rows = await session.scalars(
        select(Upload)
        .where(mine)
        .order_by(Upload.created_at.desc(), Upload.id)
        .offset(params.offset)
        .limit(params.page_size)
    )
    storage = StorageUse(
        used_bytes=await storage_used(session, user.id), quota_bytes=await quota_bytes(session, user.id)
    )
    return UploadPage.of([view(upload) for upload in rows], total, params, storage=storage)


def public_file_url(key: str) -> str:
    """A short-lived URL of a file in a public folder (404 for any other key, whatever exists)."""
    if not is_public_key(key):
        raise UploadNotFound()
    return get_storage().signed_url(key, get_settings().media_url_expire_seconds)


# --- deleting -----------------------------------------------------------------------------


async def delete_upload(session: AsyncSession, user: User, upload_id: uuid.UUID) -> None:
    """The owner deletes the file and its derived files; a deliverable of an order that is paid
    for (under way, delivered, done or disputed) is kept for that order."""
    upload = await _own(session, user, upload_id, lock=True)
    if upload.purpose is UploadPurpose.DELIVERABLE and upload.target_id is not None:
        status = await session.scalar(select(Order.status).where(Order.id == upload.target_id))
        if status not in (None, OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED):
            raise UploadInUse(details={"order_status": status.value})
    await remove(session, upload)


async def remove(session: AsyncSession, upload: Upload) -> None:
    """Delete the row; a job deletes its objects once this commits (and retries if storage is down)."""
    keys = object_keys(upload)
    if PURPOSES[upload.purpose].public:
        await forget_public_uses(session, upload)
    await session.delete(upload)
    await session.flush()
    await defer(session, DELETE_OBJECTS_TASK, keys=keys, multipart=_multipart_of(upload))


def object_keys(upload: Upload) -> list[str]:
    return [upload.storage_key, *derived_keys(upload.derived or {})]


def derived_keys(derived: dict[str, dict[str, Any]]) -> list[str]:
    """Every object of the derived files: each one's key, and an HLS ladder's other `files`."""
    return [key for meta in derived.values() for key in (meta["key"], *meta.get("files", []))]


def _multipart_of(upload: Upload) -> list[str] | None:
    return [upload.storage_key, upload.multipart_id] if upload.multipart_id else None


async def _own(session: AsyncSession, user: User, upload_id: uuid.UUID, *, lock: bool = False) -> Upload:
    query = select(Upload).where(Upload.id == upload_id, Upload.owner_id == user.id)
    if lock:
        query = query.with_for_update()
    upload = await session.scalar(query)
    if upload is None:
        raise UploadNotFound()
    return upload


async def erase_files(session: AsyncSession, owner_id: uuid.UUID) -> None:
    """An erased account's files go (rows now, objects by a job after commit), message
    attachments too, but for what was handed in for an order: the order's record, which its
    client keeps."""
    uploads = await session.scalars(
        select(Upload)
        .where(Upload.owner_id == owner_id, Upload.purpose != UploadPurpose.DELIVERABLE)
        .with_for_update()
    )
    for upload in list(uploads):
        await remove(session, upload)


async def personal_data(
    session: AsyncSession, owner_id: uuid.UUID, *, link_seconds: int
) -> list[dict[str, Any]]:
    """The user's uploads for their data export, oldest first, as the API shows them, with the
    private files' links signed for `link_seconds` (as long as the export's own link works)."""
    uploads = await session.scalars(
        select(Upload).where(Upload.owner_id == owner_id).order_by(Upload.created_at, Upload.id)
    )
    return [view(upload, expires_seconds=link_seconds).model_dump(mode="json") for upload in uploads]

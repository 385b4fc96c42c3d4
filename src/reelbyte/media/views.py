"""How an upload is shown: its metadata and its files' URLs (public and lasting, or signed and
short-lived), with no access check of its own (callers make theirs).

HLS ladders (`hls`, `protected_preview`) are shown by the URL of their master playlist on the
API, which serves each playlist with its segments' URLs signed (media/service.py)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from reelbyte.core.config import get_settings
from reelbyte.core.db import utcnow
from reelbyte.media.models import Upload, UploadState
from reelbyte.media.rules import PURPOSES
from reelbyte.media.schemas import MediaFile, MediaProbe, SpecReport, UploadOut
from reelbyte.media.storage import Storage, get_storage

# Derived files that are HLS ladders, served through the API (and where their files lie).
LADDER_ROLES = ("hls", "protected_preview")
# What a delivered video's client does not get before the work is released: the unwatermarked
# MP4 preview (the original itself is withheld too).
UNRELEASED_HIDDEN_ROLES = ("preview",)


def view(upload: Upload, *, expires_seconds: int | None = None, withhold_original: bool = False) -> UploadOut:
    """Private files' signed URLs last `expires_seconds` (MEDIA_URL_EXPIRE_SECONDS unless told).
    `withhold_original`: the viewer gets neither the original nor an unwatermarked copy (a
    delivered video's client before the work is released)."""
    storage = get_storage()
    seconds = expires_seconds or get_settings().media_url_expire_seconds
    public = PURPOSES[upload.purpose].public
    stored = upload.state in (UploadState.PROCESSING, UploadState.READY)
    return UploadOut(
        id=upload.id,
        owner_id=upload.owner_id,
        kind=upload.kind,
        purpose=upload.purpose,
        target_id=upload.target_id,
        filename=upload.filename,
        content_type=upload.content_type,
        size=upload.size,
        state=upload.state,
        failure_reason=upload.failure_reason,
        public=public,
        probe=MediaProbe(**upload.probe) if upload.probe else None,
        original=_file(
            storage,
            public,
            upload.storage_key,
            {"content_type": upload.content_type, "size": upload.size},
            seconds,
        )
        if stored and not withhold_original
        else None,
        derived={
            role: _ladder(upload.id, meta)
            if role in LADDER_ROLES
            else _file(storage, public, meta["key"], meta, seconds)
            for role, meta in (upload.derived or {}).items()
            if not (withhold_original and role in UNRELEASED_HIDDEN_ROLES)
        },
        spec_report=spec_report(upload),
        spec_checked_at=upload.spec_checked_at,
        created_at=upload.created_at,
        completed_at=upload.completed_at,
        ready_at=upload.ready_at,
    )


def playlist_url(upload_id: uuid.UUID, name: str) -> str:
    """Where the API serves an upload's HLS playlist `name` (master, 360p, …)."""
    return f"{get_settings().public_url.rstrip('/')}/v1/uploads/{upload_id}/hls/{name}.m3u8"


def _ladder(upload_id: uuid.UUID, meta: dict[str, Any]) -> MediaFile:
    fields = {name: meta[name] for name in _FILE_FIELDS if name in meta}
    return MediaFile(url=playlist_url(upload_id, "master"), expires_at=None, **fields)


def spec_report(upload: Upload) -> SpecReport | None:
    """The stored spec check of a deliverable video, as shown to the order's parties."""
    return SpecReport.model_validate(upload.spec_report) if upload.spec_report else None


_FILE_FIELDS = tuple(name for name in MediaFile.model_fields if name not in ("url", "expires_at"))


def _file(storage: Storage, public: bool, key: str, meta: dict[str, Any], expires_seconds: int) -> MediaFile:
    fields = {name: meta[name] for name in _FILE_FIELDS if name in meta}
    if public:
        return MediaFile(url=storage.public_url(key), expires_at=None, **fields)
    expires_at: datetime = utcnow() + timedelta(seconds=expires_seconds)
    return MediaFile(url=storage.signed_url(key, expires_seconds), expires_at=expires_at, **fields)

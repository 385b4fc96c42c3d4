"""How an upload is shown: its metadata and its files' URLs (public and lasting, or signed and
short-lived), with no access check of its own (callers make theirs)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from reelbyte.core.config import get_settings
from reelbyte.core.db import utcnow
from reelbyte.media.models import Upload, UploadState
from reelbyte.media.rules import PURPOSES
from reelbyte.media.schemas import MediaFile, MediaProbe, UploadOut
from reelbyte.media.storage import Storage, get_storage


def view(upload: Upload, *, expires_seconds: int | None = None) -> UploadOut:
    """Private files' signed URLs last `expires_seconds` (MEDIA_URL_EXPIRE_SECONDS unless told)."""
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
        if stored
        else None,
        derived={
            role: _file(storage, public, meta["key"], meta, seconds)
            for role, meta in (upload.derived or {}).items()
        },
        created_at=upload.created_at,
        completed_at=upload.completed_at,
        ready_at=upload.ready_at,
    )


_FILE_FIELDS = tuple(name for name in MediaFile.model_fields if name not in ("url", "expires_at"))


def _file(storage: Storage, public: bool, key: str, meta: dict[str, Any], expires_seconds: int) -> MediaFile:
    fields = {name: meta[name] for name in _FILE_FIELDS if name in meta}
    if public:
        return MediaFile(url=storage.public_url(key), expires_at=None, **fields)
    expires_at: datetime = utcnow() + timedelta(seconds=expires_seconds)
    return MediaFile(url=storage.signed_url(key, expires_seconds), expires_at=expires_at, **fields)

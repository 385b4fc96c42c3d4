"""Using an upload elsewhere: the checks every domain makes before it keeps an `upload_id`, and
the view of an attached file that it returns.

A file is attached where it was uploaded for: its purpose and target (the conversation, the
order, the gig, the project) are chosen when the upload starts, so its object already lies in the
right folder and is public or private accordingly. The domain that shows the file checks who may
see it (a conversation's participants, an order's parties); `attached_files` then signs its URLs.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.identity.models import User
from reelbyte.media.errors import UploadKindMismatch, UploadNotFound, UploadNotReady, UploadPurposeMismatch
from reelbyte.media.models import Upload, UploadKind, UploadPurpose, UploadState
from reelbyte.media.release import is_protected, released
from reelbyte.media.schemas import AttachedFile
from reelbyte.media.views import playlist_url, view


async def attachable(
    session: AsyncSession,
    user: User,
    upload_id: uuid.UUID,
    purpose: UploadPurpose,
    *,
    target_id: uuid.UUID | None = None,
    kinds: Collection[UploadKind] | None = None,
) -> Upload:
    """The caller's upload, ready, made for `purpose` (and `target_id`) and of one of `kinds`.

    404 `upload_not_found` for another user's upload (as for one that does not exist), 422
    `upload_purpose_mismatch` for one uploaded for something else, 409 `upload_not_ready`
    until it is processed, 422 `upload_kind_mismatch` for the wrong kind of file."""
    (upload,) = await all_attachable(session, user, [upload_id], purpose, target_id=target_id, kinds=kinds)
    return upload


async def all_attachable(
    session: AsyncSession,
    user: User,
    upload_ids: Iterable[uuid.UUID],
    purpose: UploadPurpose,
    *,
    target_id: uuid.UUID | None = None,
    kinds: Collection[UploadKind] | None = None,
) -> list[Upload]:
    """`attachable` for each of `upload_ids` (each once, in their order), read in one query."""
    wanted = list(dict.fromkeys(upload_ids))
    found = {
        upload.id: upload
        for upload in await session.scalars(
            select(Upload).where(Upload.id.in_(wanted), Upload.owner_id == user.id)
        )
    }
    return [_checked(found.get(upload_id), upload_id, purpose, target_id, kinds) for upload_id in wanted]


def _checked(
    upload: Upload | None,
    upload_id: uuid.UUID,
    purpose: UploadPurpose,
    target_id: uuid.UUID | None,
    kinds: Collection[UploadKind] | None,
) -> Upload:
    if upload is None:
        raise UploadNotFound(details={"upload_id": str(upload_id)})
    if upload.purpose is not purpose or upload.target_id != target_id:
        raise UploadPurposeMismatch(
            details={
                "upload_id": str(upload_id),
                "uploaded_for": upload.purpose.value,
                "needed": purpose.value,
            }
        )
    if upload.state is not UploadState.READY:
        raise UploadNotReady(details={"upload_id": str(upload_id), "state": upload.state.value})
    if kinds is not None and upload.kind not in kinds:
        raise UploadKindMismatch(
            details={
                "upload_id": str(upload_id),
                "kind": upload.kind.value,
                "allowed": sorted(k.value for k in kinds),
            }
        )
    return upload


def attached_file(upload: Upload, *, withhold_original: bool = False) -> AttachedFile:
    """The file as the viewer sees it where it is used (the caller has checked they may).

    `withhold_original`: a delivered video not yet released is shown by its watermarked HLS
    preview (`file` is its master playlist; no unwatermarked MP4 preview), for either party: its
    creator has the original through GET /uploads/{id} or /download."""
    shown = view(upload, withhold_original=withhold_original)
    if withhold_original:  # (a video processed before previews were made shows its poster)
        file = shown.derived.get("protected_preview") or shown.derived.get("poster")
    else:
        file = shown.original
    assert file is not None  # attached files are ready; a delivered video has its preview
    return AttachedFile(
        upload_id=upload.id,
        kind=upload.kind,
        filename=upload.filename,
        content_type=upload.content_type,
        size=upload.size,
        probe=shown.probe,
        file=file,
        derived=shown.derived,
        spec_report=shown.spec_report,
    )


async def attached_files(
    session: AsyncSession, upload_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, AttachedFile]:
    """The ready files among `upload_ids`, in one query, by id (a file deleted since is left out)."""
    wanted = set(upload_ids)
    if not wanted:
        return {}
    uploads = list(
        await session.scalars(select(Upload).where(Upload.id.in_(wanted), Upload.state == UploadState.READY))
    )
    protected = [upload for upload in uploads if is_protected(upload) and upload.target_id is not None]
    free = await released(session, protected)
    return {
        upload.id: attached_file(upload, withhold_original=upload in protected and upload.id not in free)
        for upload in uploads
    }


def public_url(upload: Upload, role: str | None = None) -> str:
    """The long-lived URL of a public upload's original (or of one of its derived files), to
    keep where a link was kept before (an avatar, a gig's gallery)."""
    shown = view(upload)
    file = shown.derived[role] if role is not None else shown.original
    assert file is not None, "only ready files have URLs"
    assert file.expires_at is None, "only public files have lasting URLs"
    return file.url


def stream_url(upload: Upload) -> str | None:
    """The HLS master playlist (adaptive streaming) of a public video with a ladder; None for
    anything else (an image, a video processed before ladders were made)."""
    return playlist_url(upload.id, "master") if "hls" in (upload.derived or {}) else None

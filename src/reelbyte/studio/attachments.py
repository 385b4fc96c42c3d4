"""A video job's clip attached to a gig's gallery, the portfolio or an order in one call.

The clip becomes an upload of its own, made for that place (`media.service.start_copy`: the
purpose and target are checked as for a browser's upload, and the quota counted), so it is
stored, processed and shown as any file there is: a gallery or portfolio video gets its HLS
ladder, a deliverable its protected preview and its spec check. Once the copy is processed
(`media.events.upload_ready`), it is placed: a portfolio item, the gallery's last file, or a
file of the order's next delivery. If the place refuses it by then (a full gallery, an order no
longer in progress), the attachment fails with the reason, the creator is told, and the copy
stays in their uploads.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog import service as catalog
from reelbyte.catalog.errors import GalleryFull
from reelbyte.catalog.models import Gig
from reelbyte.catalog.schemas import MAX_GALLERY, GigUpdate
from reelbyte.core.db import utcnow
from reelbyte.core.errors import AppError
from reelbyte.identity import service as identity
from reelbyte.identity.models import User
from reelbyte.identity.schemas import PortfolioItemCreate
from reelbyte.media import service as media
from reelbyte.media.events import upload_failed, upload_ready
from reelbyte.media.models import Upload, UploadPurpose
from reelbyte.media.schemas import UploadRequest
from reelbyte.notifications.service import notify
from reelbyte.orders import service as orders
from reelbyte.orders.schemas import DeliverableIn
from reelbyte.studio.attachment_schemas import AttachmentOut, AttachRequest, Destination
from reelbyte.studio.models import AttachmentState, VideoJob, VideoJobAttachment, VideoJobKind
from reelbyte.studio.service import own_job, result_filename, result_of
from reelbyte.studio.service import view as job_view

ATTACHMENT_FAILED = "video_clip_attachment_failed"


async def attach(
    session: AsyncSession, user: User, job_id: uuid.UUID, index: int, data: AttachRequest
) -> AttachmentOut:
    """Start attaching clip `index` of my job to `data.to`; asking again for the same clip and
    place answers the attachment already under way (or done)."""
    job = await own_job(session, user, job_id, lock=True)
    result = result_of(job, index)
    same = await session.scalar(
        select(VideoJobAttachment).where(
            VideoJobAttachment.job_id == job.id,
            VideoJobAttachment.result_index == index,
            VideoJobAttachment.destination == data.to.value,
            VideoJobAttachment.target_id.is_not_distinct_from(data.target_id),
            VideoJobAttachment.state != AttachmentState.FAILED,
        )
    )
    if same is not None:
        return view(same)
    request = UploadRequest(
        filename=result_filename(job, index),
        size=int(result["size"]),
        content_type="video/mp4",
        purpose=UploadPurpose(data.to.value),
        target_id=data.target_id,
    )
    upload = await media.start_copy(session, user, request, source_key=result["key"])
    if data.to is Destination.GIG_GALLERY:  # (the gig was found mine by start_copy)
        assert data.target_id is not None
        await _gig_with_room(session, user, data.target_id)
    attachment = VideoJobAttachment(
        job_id=job.id,
        owner_id=user.id,
        result_index=index,
        upload_id=upload.id,
        destination=data.to.value,
        target_id=data.target_id,
        title=data.title or _default_title(job, index),
        state=AttachmentState.PENDING,
    )
    session.add(attachment)
    await session.flush()
    return view(attachment)


async def _gig_with_room(session: AsyncSession, user: User, gig_id: uuid.UUID) -> Gig:
    """My gig (404 otherwise), refused with 422 `gallery_full` when its gallery has no room."""
    gig = await catalog.owned_gig(session, gig_id, user)
    if len(gig.gallery_urls or []) >= MAX_GALLERY:
        raise GalleryFull(details={"max": MAX_GALLERY})
    return gig


def _default_title(job: VideoJob, index: int) -> str:
    return f"Trim {index + 1}" if job.kind is VideoJobKind.TRIM else f"Hook {index + 1}"


async def list_attachments(session: AsyncSession, user: User, job_id: uuid.UUID) -> list[AttachmentOut]:
    job = await own_job(session, user, job_id)
    rows: Sequence[VideoJobAttachment] = (
        await session.scalars(
            select(VideoJobAttachment)
            .where(VideoJobAttachment.job_id == job.id)
            .order_by(VideoJobAttachment.created_at, VideoJobAttachment.id)
        )
    ).all()
    return [view(row) for row in rows]


def view(attachment: VideoJobAttachment) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.id,
        job_id=attachment.job_id,
        result_index=attachment.result_index,
        to=Destination(attachment.destination),
        target_id=attachment.target_id,
        title=attachment.title,
        upload_id=attachment.upload_id,
        state=attachment.state,
        failure_reason=attachment.failure_reason,
        created_at=attachment.created_at,
        attached_at=attachment.attached_at,
    )


# --- placing the processed copy -----------------------------------------------------------


@upload_ready.connect
async def place_attached_clip(session: AsyncSession, upload: Upload) -> None:
    attachment = await _pending_for(session, upload)
    if attachment is None:
        return
    owner = await session.get_one(User, attachment.owner_id)
    try:
        async with session.begin_nested():  # a refusal undoes only the placing
            await _place(session, owner, attachment)
    except AppError as refusal:
        await _fail(session, attachment, f"{refusal.message} The file is kept in your uploads.")
    else:
        attachment.state = AttachmentState.ATTACHED
        attachment.attached_at = utcnow()


@upload_failed.connect
async def fail_attached_clip(session: AsyncSession, upload: Upload) -> None:
    attachment = await _pending_for(session, upload)
    if attachment is not None:
        await _fail(session, attachment, f"The copy could not be made: {upload.failure_reason}.")


async def _pending_for(session: AsyncSession, upload: Upload) -> VideoJobAttachment | None:
    return await session.scalar(
        select(VideoJobAttachment)
        .where(VideoJobAttachment.upload_id == upload.id, VideoJobAttachment.state == AttachmentState.PENDING)
        .with_for_update()
    )


async def _fail(session: AsyncSession, attachment: VideoJobAttachment, reason: str) -> None:
    attachment.state = AttachmentState.FAILED
    attachment.failure_reason = reason
    await notify(
        session,
        attachment.owner_id,
        ATTACHMENT_FAILED,
        "A clip could not be attached",
        f"“{attachment.title}” was not added: {reason}",
        reference=("upload", attachment.upload_id),
    )


async def _place(session: AsyncSession, owner: User, attachment: VideoJobAttachment) -> None:
    match Destination(attachment.destination):
        case Destination.PORTFOLIO:
            item = PortfolioItemCreate(title=attachment.title, upload_id=attachment.upload_id)
            await identity.add_portfolio_item(session, owner, item)
        case Destination.GIG_GALLERY:
            assert attachment.target_id is not None
            gig = await _gig_with_room(session, owner, attachment.target_id)
            shown = [uuid.UUID(entry["upload_id"]) for entry in gig.gallery_uploads or []]
            changes = GigUpdate(gallery_upload_ids=[*shown, attachment.upload_id])
            await catalog.update_gig(session, owner, str(gig.id), changes)
        case Destination.DELIVERABLE:
            assert attachment.target_id is not None
            file = DeliverableIn(upload_id=attachment.upload_id, title=attachment.title)
            await orders.add_deliverable(session, owner, attachment.target_id, file)


async def personal_data(session: AsyncSession, user_id: uuid.UUID) -> list[dict[str, Any]]:
    """The user's video jobs with where their clips were sent, newest first, for their data
    export (the clips themselves are links in the job's download route while they last)."""
    jobs = await session.scalars(
        select(VideoJob).where(VideoJob.owner_id == user_id).order_by(VideoJob.created_at.desc(), VideoJob.id)
    )
    sent = await session.scalars(
        select(VideoJobAttachment)
        .where(VideoJobAttachment.owner_id == user_id)
        .order_by(VideoJobAttachment.created_at, VideoJobAttachment.id)
    )
    by_job: dict[uuid.UUID | None, list[dict[str, Any]]] = {}
    for attachment in sent:
        by_job.setdefault(attachment.job_id, []).append(view(attachment).model_dump(mode="json"))
    return [{**job_view(job).model_dump(mode="json"), "attachments": by_job.get(job.id, [])} for job in jobs]

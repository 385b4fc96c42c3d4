"""Where public uploads are shown by their URLs (avatars, portfolio items, gig galleries and gig
video previews), and forgetting those places when an upload goes, so that no page keeps a link
to a deleted file. Private files are shown by `upload_id` and simply stop being shown."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog.models import Gig
from reelbyte.identity.models import PortfolioItem, User
from reelbyte.media.models import Upload, UploadPurpose, UploadState
from reelbyte.media.views import view


async def forget_public_uses(session: AsyncSession, upload: Upload) -> None:
    """Unlink `upload` from what shows it: the avatar is cleared, the portfolio item made of
    it removed, its gallery entry, its gig's preview and a thumbnail taken from it dropped."""
    if upload.state is not UploadState.READY:
        return  # only ready files can have been attached
    match upload.purpose:
        case UploadPurpose.AVATAR:
            await session.execute(
                update(User)
                .where(User.avatar_upload_id == upload.id)
                .values(avatar_url=None, avatar_upload_id=None)
            )
        case UploadPurpose.PORTFOLIO:
            await session.execute(delete(PortfolioItem).where(PortfolioItem.upload_id == upload.id))
        case UploadPurpose.GIG_GALLERY if upload.target_id is not None:
            await _forget_in_gig(session, upload.target_id, upload)


async def _forget_in_gig(session: AsyncSession, gig_id: uuid.UUID, upload: Upload) -> None:
    gig = await session.scalar(select(Gig).where(Gig.id == gig_id).with_for_update())
    if gig is None:
        return
    shown = view(upload)
    urls = {file.url for file in [shown.original, *shown.derived.values()] if file is not None}
    gig.gallery_uploads = [
        entry for entry in gig.gallery_uploads or [] if entry["upload_id"] != str(upload.id)
    ]
    gig.gallery_urls = [url for url in gig.gallery_urls or [] if url not in urls]
    if gig.video_preview_upload_id == upload.id:
        gig.video_preview_url, gig.video_preview_upload_id = None, None
    if gig.thumbnail_url in urls:
        gig.thumbnail_url = None

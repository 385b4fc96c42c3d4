"""Media reactions to other domains' events, and the storage check of /health/ready."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.health import readiness_checks
from reelbyte.identity.events import user_deactivated
from reelbyte.identity.models import User
from reelbyte.media.models import Upload, UploadPurpose
from reelbyte.media.service import remove
from reelbyte.media.storage import get_storage

# Files the other side of an order or a conversation still needs after the owner leaves.
KEPT_FOR_OTHERS = (UploadPurpose.DELIVERABLE, UploadPurpose.MESSAGE_ATTACHMENT)


@user_deactivated.connect
async def delete_uploads_of_deactivated_user(session: AsyncSession, user: User) -> None:
    """A closed account's files go (rows now, objects by a job after commit), but for those an
    order or a conversation with someone else needs."""
    uploads = await session.scalars(
        select(Upload)
        .where(Upload.owner_id == user.id, Upload.purpose.not_in(KEPT_FOR_OTHERS))
        .with_for_update()
    )
    for upload in uploads:
        await remove(session, upload)


async def _ping_storage() -> None:
    await get_storage().ping()


readiness_checks["storage"] = _ping_storage

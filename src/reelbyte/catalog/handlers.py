"""Catalog reactions to other domains' events."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog.models import Gig
from reelbyte.identity.events import user_deactivated
from reelbyte.identity.models import User


@user_deactivated.connect
async def hide_gigs_of_deactivated_user(session: AsyncSession, user: User) -> None:
    """A deactivated account's gigs leave lists and search (the rows stay, inactive)."""
    await session.execute(
        update(Gig)
        .where(Gig.creator_id == user.id, Gig.is_active.is_(True))
        .values(is_active=False)
        .execution_options(synchronize_session=False)
    )

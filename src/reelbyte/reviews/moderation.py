"""The moderators' side of reviews: the queue of flagged reviews, and each decision on one.

A flag (reviews/service.flag) waits in the queue until an admin decides: hide the review (it
leaves every list and rating, service.remove_review) or keep it (the flags are dismissed). A
hidden review can be shown again (`restore`), its rating counted again. Every decision resolves
the review's open flags and goes to the audit log.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core import audit
from reelbyte.core.db import lock_one, utcnow
from reelbyte.core.pagination import PageParams
from reelbyte.identity.models import User
from reelbyte.reviews.errors import ReviewNotFound
from reelbyte.reviews.models import Review, ReviewFlag
from reelbyte.reviews.schemas import FlaggedReviewOut, FlaggedReviewPage, ReviewFlagOut, ReviewOut
from reelbyte.reviews.service import remove_review, restore_review

REASONS_SHOWN = 5  # the newest reasons given, with the count of all


async def flagged(session: AsyncSession, params: PageParams) -> FlaggedReviewPage:
    """Reviews with open flags, the longest waiting first, each with its author, how many flagged
    it and the newest reasons."""
    open_flags = (
        select(
            ReviewFlag.review_id,
            func.count().label("flags"),
            func.min(ReviewFlag.created_at).label("first_flagged_at"),
        )
        .where(ReviewFlag.resolved_at.is_(None))
        .group_by(ReviewFlag.review_id)
        .subquery("open_flags")
    )
    total = await session.scalar(select(func.count()).select_from(open_flags)) or 0
    rows = (
        await session.execute(
            select(Review, User, open_flags.c.flags, open_flags.c.first_flagged_at)
            .join(open_flags, open_flags.c.review_id == Review.id)
            .join(User, User.id == Review.author_id)
            .order_by(open_flags.c.first_flagged_at, Review.id)
            .limit(params.page_size)
            .offset(params.offset)
        )
    ).all()
    reasons = await _newest_reasons(session, [row[0].id for row in rows])
    items = [
        FlaggedReviewOut(
            review=ReviewOut.of(review, author),
            hidden=review.removed_at is not None,
            flags=flags,
            first_flagged_at=first,
            reasons=reasons.get(review.id, []),
        )
        for review, author, flags, first in rows
    ]
    return FlaggedReviewPage.of(items, total, params)


async def _newest_reasons(
    session: AsyncSession, review_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[ReviewFlagOut]]:
    if not review_ids:
        return {}
    rank = func.row_number().over(partition_by=ReviewFlag.review_id, order_by=ReviewFlag.created_at.desc())
    ranked = (
        select(ReviewFlag.review_id, ReviewFlag.reason, ReviewFlag.created_at, rank.label("rank"))
        .where(ReviewFlag.review_id.in_(review_ids), ReviewFlag.resolved_at.is_(None))
        .subquery()
    )
    found: dict[uuid.UUID, list[ReviewFlagOut]] = {}
    for review_id, reason, created_at, _ in await session.execute(
        select(ranked).where(ranked.c.rank <= REASONS_SHOWN).order_by(ranked.c.review_id, ranked.c.rank)
    ):
        found.setdefault(review_id, []).append(ReviewFlagOut(reason=reason, created_at=created_at))
    return found


async def hide(session: AsyncSession, admin: User, review_id: uuid.UUID, reason: str) -> None:
    """Hide the review (as `POST /admin/reviews/{id}/hide` does) and close its flags."""
    await remove_review(session, admin, review_id, reason)
    await _resolve_flags(session, review_id)


async def dismiss_flags(session: AsyncSession, admin: User, review_id: uuid.UUID) -> None:
    """Keep the review as it is: its open flags are closed (a new flag opens it again)."""
    review = await lock_one(session, select(Review).where(Review.id == review_id))
    if review is None:
        raise ReviewNotFound()
    closed = await _resolve_flags(session, review_id)
    if closed:
        await audit.record(
            session,
            admin,
            "review.flags_dismissed",
            ("review", review.id),
            before={"flags": closed},
            after={"flags": 0},
        )


async def restore(session: AsyncSession, admin: User, review_id: uuid.UUID) -> None:
    """Show a hidden review again and close its flags."""
    await restore_review(session, admin, review_id)
    await _resolve_flags(session, review_id)


async def _resolve_flags(session: AsyncSession, review_id: uuid.UUID) -> int:
    result = await session.execute(
        update(ReviewFlag)
        .where(ReviewFlag.review_id == review_id, ReviewFlag.resolved_at.is_(None))
        .values(resolved_at=utcnow())
        .returning(ReviewFlag.id)
    )
    return len(result.all())

"""Reviews: written by the parties of a completed order, shown double-blind, and the ratings.

Double-blind: a review is hidden (from everyone but its author) until the order's other party
has reviewed too, or until REVIEW_WINDOW_DAYS after completion, when the publishing job
(reviews/jobs.py) shows what was written. The two reviews of an order are written under the
order's row lock, so the second one always sees the first and publishes both.

Ratings are recency-weighted: a review weighs w = 2^(d / REVIEW_HALF_LIFE_DAYS), d the days
from WEIGHT_EPOCH to its publication, and a rating is Σ w·stars / Σ w. All weights decay alike
as time passes, so the ratio needs no update until a review is published or removed: each of
those moves the subject's running totals (`review_totals`) by its own terms, exactly
(PostgreSQL numeric), and the rating stored on the user and the gig is read from them in the
same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, literal, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog.errors import GigNotFound
from reelbyte.catalog.models import Gig
from reelbyte.core import audit
from reelbyte.core.config import get_settings
from reelbyte.core.db import constraint_error, lock_one, utcnow
from reelbyte.core.errors import NotOwner
from reelbyte.core.pagination import PageParams
from reelbyte.identity.errors import UserNotFound
from reelbyte.identity.models import User
from reelbyte.orders import service as orders_service
from reelbyte.orders.models import Order, OrderStatus
from reelbyte.reviews import events
from reelbyte.reviews.errors import (
    AlreadyFlagged,
    AlreadyReplied,
    AlreadyReviewed,
    AlreadyVoted,
    OrderNotCompleted,
    OwnReview,
    RemovalReasonRequired,
    ReviewNotFound,
    ReviewPublished,
    ReviewWindowClosed,
    VoteNotFound,
)
from reelbyte.reviews.models import HelpfulVote, Review, ReviewFlag, ReviewTotals, Subject
from reelbyte.reviews.schemas import (
    OrderReviews,
    ReviewCreate,
    ReviewOut,
    ReviewPage,
    ReviewSort,
    ReviewSummary,
    ReviewUpdate,
)

WEIGHT_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
PUBLISH_BATCH = 500

constraint_error("uq_reviews_order_id", AlreadyReviewed)

SHOWN = and_(Review.published_at.is_not(None), Review.removed_at.is_(None))
ORDERS = {
    ReviewSort.NEWEST: (Review.published_at.desc(), Review.id),
    ReviewSort.HELPFUL: (Review.helpful_count.desc(), Review.published_at.desc(), Review.id),
    ReviewSort.HIGHEST: (Review.rating.desc(), Review.published_at.desc(), Review.id),
    ReviewSort.LOWEST: (Review.rating.asc(), Review.published_at.desc(), Review.id),
}


def _window_closes(order: Order) -> datetime:
    assert order.completed_at is not None
    return order.completed_at + timedelta(days=get_settings().review_window_days)


# --- writing ------------------------------------------------------------------------------


async def create_review(session: AsyncSession, user: User, data: ReviewCreate) -> ReviewOut:
    """A party's review of the other party of a completed order, inside the window."""
    order = await orders_service.lock_for(session, user, data.order_id)
    if user.id not in (order.client_id, order.creator_id):
        raise NotOwner("Only the order's client and creator review it.")
    if order.status is not OrderStatus.COMPLETED:
        raise OrderNotCompleted(details={"status": order.status.value})
    if utcnow() >= _window_closes(order):
        raise ReviewWindowClosed()
    others = list(await session.scalars(select(Review).where(Review.order_id == order.id)))
    if any(review.author_id == user.id for review in others):
        raise AlreadyReviewed()
    by_client = user.id == order.client_id
    review = Review(
        order_id=order.id,
        author_id=user.id,
        reviewee_id=order.creator_id if by_client else order.client_id,
        gig_id=order.gig_id if by_client else None,
        **data.model_dump(exclude={"order_id"}),
    )
    session.add(review)
    await session.flush()
    if others:  # both are in: the blind is lifted
        await publish(session, [review.id, *(other.id for other in others)])
        await session.refresh(review)  # published by a statement, not through the object
    return ReviewOut.of(review, user)


async def update_review(
    session: AsyncSession, user: User, review_id: uuid.UUID, data: ReviewUpdate
) -> ReviewOut:
    """The author changes a review until it is published (and inside the window)."""
    review = await _own_unpublished(session, user, review_id)
    for field, value in data.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(review, field, value)
    await session.flush()
    return ReviewOut.of(review, user)


async def delete_review(session: AsyncSession, user: User, review_id: uuid.UUID, reason: str | None) -> None:
    """The author withdraws a review until it is published; an admin removes one at any time,
    saying why (the row stays, out of every list and rating)."""
    if user.is_admin:
        await remove_review(session, user, review_id, reason)
        return
    review = await _own_unpublished(session, user, review_id)
    await session.delete(review)


async def _own_unpublished(session: AsyncSession, user: User, review_id: uuid.UUID) -> Review:
    review = await lock_one(
        session, select(Review).where(Review.id == review_id, Review.removed_at.is_(None))
    )
    if review is None or (review.author_id != user.id and review.published_at is None):
        raise ReviewNotFound()  # an unpublished review does not exist for anyone but its author
    if review.author_id != user.id:
        raise NotOwner("Only its author can change or withdraw a review.")
    if review.published_at is not None:
        raise ReviewPublished()
    order = await session.get_one(Order, review.order_id)
    if utcnow() >= _window_closes(order):
        raise ReviewWindowClosed()
    return review


async def remove_review(session: AsyncSession, admin: User, review_id: uuid.UUID, reason: str | None) -> None:
    """An admin takes a review out of every list and rating, saying why; the row stays, and
    removing it again changes nothing."""
    review = await lock_one(session, select(Review).where(Review.id == review_id))
    if review is None:
        raise ReviewNotFound()
    if not reason or not reason.strip():
        raise RemovalReasonRequired()
    if review.removed_at is not None:
        return
    if review.published_at is not None:
        await _move_totals(session, [review.id], sign=-1)
    review.removed_at, review.removed_by, review.removal_reason = utcnow(), admin.id, reason.strip()
    await session.flush()
    await _store_ratings(session, [review])
    shown = review.published_at is not None
    await audit.record(
        session,
        admin,
        "review.remove",
        ("review", review.id),
        before={"shown": shown},
        after={"shown": False},
        reason=review.removal_reason,
    )


async def restore_review(session: AsyncSession, admin: User, review_id: uuid.UUID) -> None:
    """An admin shows a removed review again, its rating counted again; restoring a shown one
    changes nothing."""
    review = await lock_one(session, select(Review).where(Review.id == review_id))
    if review is None:
        raise ReviewNotFound()
    if review.removed_at is None:
        return
    before = {"shown": False, "removal_reason": review.removal_reason}
    review.removed_at = review.removed_by = review.removal_reason = None
    await session.flush()
    if review.published_at is not None:
        await _move_totals(session, [review.id], sign=1)
    await _store_ratings(session, [review])
    after = {"shown": review.published_at is not None}
    await audit.record(session, admin, "review.restore", ("review", review.id), before=before, after=after)


# --- publishing and the ratings -------------------------------------------------------------


async def publish(session: AsyncSession, review_ids: Sequence[uuid.UUID]) -> int:
    """Show these reviews (those not shown yet) and move their subjects' totals and ratings."""
    half_life = get_settings().review_half_life_days
    published = list(
        await session.scalars(
            update(Review)
            .where(Review.id.in_(review_ids), Review.published_at.is_(None), Review.removed_at.is_(None))
            .values(
                published_at=func.now(),
                weight=func.power(
                    literal(2).cast(Review.weight.type),
                    func.extract("epoch", func.now() - WEIGHT_EPOCH) / (86400 * half_life),
                ),
            )
            .returning(Review)
            .execution_options(synchronize_session=False)
        )
    )
    if published:
        await _move_totals(session, [review.id for review in published], sign=1)
        await _store_ratings(session, published)
        for review in published:
            await events.review_published.emit(session, review)
    return len(published)


async def publish_due(session: AsyncSession) -> int:
    """Publish a batch of the reviews whose order's window has passed (the publishing job)."""
    window = timedelta(days=get_settings().review_window_days)
    due = (
        select(Review.id)
        .join(Order, Order.id == Review.order_id)
        .where(
            Review.published_at.is_(None),
            Review.removed_at.is_(None),
            Order.completed_at <= func.now() - window,
        )
    )
    ids = list(await session.scalars(due.limit(PUBLISH_BATCH).with_for_update(of=Review, skip_locked=True)))
    return await publish(session, ids) if ids else 0


# Each review's terms in its subjects' totals: the reviewee (as a user) and, on a client's
# review, the gig. `:sign` is 1 to add (publication) and -1 to take away (removal).
_MOVE_TOTALS = text("""
    INSERT INTO review_totals AS t (
        subject, subject_id, count, stars_1, stars_2, stars_3, stars_4, stars_5,
        communication_sum, quality_sum, timeliness_sum, weight_sum, weighted_stars_sum)
    SELECT s.subject, s.subject_id, :sign * count(*),
           :sign * count(*) FILTER (WHERE r.rating = 1), :sign * count(*) FILTER (WHERE r.rating = 2),
           :sign * count(*) FILTER (WHERE r.rating = 3), :sign * count(*) FILTER (WHERE r.rating = 4),
           :sign * count(*) FILTER (WHERE r.rating = 5),
           :sign * sum(r.communication_rating), :sign * sum(r.quality_rating),
           :sign * sum(r.timeliness_rating), :sign * sum(r.weight), :sign * sum(r.weight * r.rating)
    FROM reviews r
    CROSS JOIN LATERAL (VALUES ('user'::review_subject, r.reviewee_id), ('gig'::review_subject, r.gig_id))
        AS s(subject, subject_id)
    WHERE r.id = ANY(:ids) AND s.subject_id IS NOT NULL
    GROUP BY s.subject, s.subject_id
    ORDER BY s.subject, s.subject_id
    ON CONFLICT (subject, subject_id) DO UPDATE SET
        count = t.count + excluded.count,
        stars_1 = t.stars_1 + excluded.stars_1, stars_2 = t.stars_2 + excluded.stars_2,
        stars_3 = t.stars_3 + excluded.stars_3, stars_4 = t.stars_4 + excluded.stars_4,
        stars_5 = t.stars_5 + excluded.stars_5,
        communication_sum = t.communication_sum + excluded.communication_sum,
        quality_sum = t.quality_sum + excluded.quality_sum,
        timeliness_sum = t.timeliness_sum + excluded.timeliness_sum,
        weight_sum = t.weight_sum + excluded.weight_sum,
        weighted_stars_sum = t.weighted_stars_sum + excluded.weighted_stars_sum
""")


async def _move_totals(session: AsyncSession, review_ids: list[uuid.UUID], *, sign: int) -> None:
    await session.execute(_MOVE_TOTALS, {"ids": review_ids, "sign": sign})


def _rating_of(totals: Any) -> Any:
    return func.coalesce(func.round(totals.weighted_stars_sum / func.nullif(totals.weight_sum, 0), 2), 0)


async def _store_ratings(session: AsyncSession, reviews: Sequence[Review]) -> None:
    """Copy the totals' rating and count onto the users and gigs these reviews are about."""
    for model, subject, ids in (
        (User, Subject.USER, {review.reviewee_id for review in reviews}),
        (Gig, Subject.GIG, {review.gig_id for review in reviews if review.gig_id is not None}),
    ):
        if not ids:
            continue
        totals = ReviewTotals.__table__.alias("totals")
        await session.execute(
            update(model)
            .where(model.id.in_(sorted(ids)), totals.c.subject == subject, totals.c.subject_id == model.id)
            .values(rating=_rating_of(totals.c), total_reviews=totals.c.count)
            .execution_options(synchronize_session=False)
        )


# --- reading ------------------------------------------------------------------------------


async def get_review(session: AsyncSession, viewer: User | None, review_id: uuid.UUID) -> ReviewOut:
    """A shown review, for anyone; an unpublished one for its author only."""
    row = (
        await session.execute(
            select(Review, User).join(User, User.id == Review.author_id).where(Review.id == review_id)
        )
    ).first()
    if row is None:
        raise ReviewNotFound()
    review, author = row
    shown = review.published_at is not None and review.removed_at is None
    if not shown and (viewer is None or viewer.id != review.author_id or review.removed_at is not None):
        raise ReviewNotFound()
    return ReviewOut.of(review, author)


async def order_reviews(session: AsyncSession, user: User, order_id: uuid.UUID) -> OrderReviews:
    """A party's own review of the order, and the other party's once it is shown. The order is
    read by the orders' rule (404 for a stranger); an admin reads it but has no side in it."""
    order = await orders_service.get_order(session, user, order_id)
    if user.id not in (order.client_id, order.creator_id):
        raise NotOwner("Only the order's client and creator have reviews of it.")
    rows = await session.execute(
        select(Review, User)
        .join(User, User.id == Review.author_id)
        .where(Review.order_id == order.id, Review.removed_at.is_(None))
    )
    mine = theirs = None
    for review, author in rows:
        if review.author_id == user.id:
            mine = ReviewOut.of(review, author)
        elif review.published_at is not None:
            theirs = ReviewOut.of(review, author)
    return OrderReviews(mine=mine, theirs=theirs)


async def gig_reviews(
    session: AsyncSession, gig_id: uuid.UUID, params: PageParams, *, sort: ReviewSort, stars: int | None
) -> ReviewPage:
    """A gig's shown reviews (its clients' reviews of the creator), with the gig's summary."""
    if await session.scalar(select(Gig.id).where(Gig.id == gig_id)) is None:
        raise GigNotFound(details={"gig": str(gig_id)})
    return await _page(session, Subject.GIG, Review.gig_id == gig_id, gig_id, params, sort=sort, stars=stars)


async def user_reviews(
    session: AsyncSession, user_id: uuid.UUID, params: PageParams, *, sort: ReviewSort, stars: int | None
) -> ReviewPage:
    """The shown reviews a user received (as a creator or as a client), with the user's summary."""
    if await session.scalar(select(User.id).where(User.id == user_id)) is None:
        raise UserNotFound()
    return await _page(
        session, Subject.USER, Review.reviewee_id == user_id, user_id, params, sort=sort, stars=stars
    )


async def _page(
    session: AsyncSession,
    subject: Subject,
    about: ColumnElement[bool],
    subject_id: uuid.UUID,
    params: PageParams,
    *,
    sort: ReviewSort,
    stars: int | None,
) -> ReviewPage:
    """A page of shown reviews; the summary and the total come from the running totals."""
    author = select(User.id, User.username, User.full_name, User.avatar_url).subquery("author")
    query = select(Review, author).join(author, author.c.id == Review.author_id).where(about, SHOWN)
    if stars is not None:
        query = query.where(Review.rating == stars)
    summary = ReviewSummary.of(await session.get(ReviewTotals, (subject, subject_id)))
    total = summary.count if stars is None else summary.histogram[str(stars)]
    rows = (
        await session.execute(query.order_by(*ORDERS[sort]).limit(params.page_size).offset(params.offset))
    ).all()
    return ReviewPage.of([ReviewOut.of(row[0], row) for row in rows], total, params, summary=summary)


# --- replies, helpful votes, flags ------------------------------------------------------------


async def _shown_locked(session: AsyncSession, review_id: uuid.UUID) -> Review:
    review = await lock_one(session, select(Review).where(Review.id == review_id, SHOWN))
    if review is None:
        raise ReviewNotFound()
    return review


async def reply(session: AsyncSession, user: User, review_id: uuid.UUID, text_: str) -> ReviewOut:
    """The reviewee answers a published review, once."""
    review = await _shown_locked(session, review_id)
    if review.reviewee_id != user.id:
        raise NotOwner("Only the reviewed user replies to a review.")
    if review.reply is not None:
        raise AlreadyReplied()
    review.reply, review.replied_at = text_, utcnow()
    await session.flush()
    await events.review_replied.emit(session, review)
    return ReviewOut.of(review, await session.get_one(User, review.author_id))


async def mark_helpful(session: AsyncSession, user: User, review_id: uuid.UUID) -> int:
    """One vote per user; the count moves with the vote, under the review's row lock."""
    review = await _shown_locked(session, review_id)
    if review.author_id == user.id:
        raise OwnReview()
    voted = await session.scalar(
        pg_insert(HelpfulVote)
        .values(review_id=review.id, user_id=user.id)
        .on_conflict_do_nothing()
        .returning(HelpfulVote.user_id)
    )
    if voted is None:
        raise AlreadyVoted()
    review.helpful_count += 1
    await session.flush()
    return review.helpful_count


async def unmark_helpful(session: AsyncSession, user: User, review_id: uuid.UUID) -> int:
    review = await _shown_locked(session, review_id)
    removed = await session.scalar(
        delete(HelpfulVote)
        .where(HelpfulVote.review_id == review.id, HelpfulVote.user_id == user.id)
        .returning(HelpfulVote.user_id)
    )
    if removed is None:
        raise VoteNotFound()
    review.helpful_count -= 1
    await session.flush()
    return review.helpful_count


async def flag(session: AsyncSession, user: User, review_id: uuid.UUID, reason: str) -> None:
    """Report a published review to the moderators (kept in review_flags)."""
    review = await session.scalar(select(Review).where(Review.id == review_id, SHOWN))
    if review is None:
        raise ReviewNotFound()
    if review.author_id == user.id:
        raise OwnReview()
    flagged = await session.scalar(
        pg_insert(ReviewFlag)
        .values(id=uuid.uuid4(), review_id=review.id, user_id=user.id, reason=reason)
        .on_conflict_do_nothing()
        .returning(ReviewFlag.id)
    )
    if flagged is None:
        raise AlreadyFlagged()


# --- your data (GDPR): export, for the privacy domain -----------------------------------------


async def personal_data(session: AsyncSession, user_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    """The user's reviews for their data export, oldest first: those they wrote (published or
    not) and those about them that are shown (one not yet published stays double-blind)."""

    async def reviews(*where: ColumnElement[bool]) -> list[dict[str, Any]]:
        rows = await session.execute(
            select(Review, User)
            .join(User, User.id == Review.author_id)
            .where(*where)
            .order_by(Review.created_at, Review.id)
        )
        return [ReviewOut.of(review, author).model_dump(mode="json") for review, author in rows.all()]

    return {
        "given": await reviews(Review.author_id == user_id),
        "received": await reviews(Review.reviewee_id == user_id, SHOWN),
    }

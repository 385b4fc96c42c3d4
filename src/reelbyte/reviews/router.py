"""HTTP routes of reviews (under /v1)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, status

from reelbyte.catalog.errors import GigNotFound
from reelbyte.core.errors import NotOwner, error_responses
from reelbyte.core.pagination import PageParams, page_params
from reelbyte.core.routing import APIRouter, ReplicaSessionDep, SessionDep
from reelbyte.identity.deps import CurrentAdmin, CurrentUser, OptionalUser
from reelbyte.identity.errors import UserNotFound
from reelbyte.orders.errors import OrderNotFound
from reelbyte.reviews import errors, moderation, schemas, service

reviews_router = APIRouter(prefix="/reviews", tags=["reviews"])
order_reviews_router = APIRouter(prefix="/orders", tags=["reviews"])
admin_reviews_router = APIRouter(prefix="/admin/reviews", tags=["admin"])

Pages = Annotated[PageParams, Depends(page_params)]
Sort = Annotated[
    schemas.ReviewSort, Query(description="newest, helpful (most helpful first), highest, lowest")
]
StarsFilter = Annotated[int | None, Query(ge=1, le=5, description="only reviews with this many stars")]
CHANGE_ERRORS = (errors.ReviewNotFound, NotOwner, errors.ReviewPublished, errors.ReviewWindowClosed)


@reviews_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.ReviewOut,
    responses=error_responses(
        OrderNotFound, NotOwner, errors.OrderNotCompleted, errors.AlreadyReviewed, errors.ReviewWindowClosed
    ),
)
async def create_review(
    data: schemas.ReviewCreate, user: CurrentUser, session: SessionDep
) -> schemas.ReviewOut:
    """Review the other party of a completed order (once, within REVIEW_WINDOW_DAYS of completion).

    Double-blind: the review is shown when the other party has reviewed too, or when the window
    has passed; until then only its author sees it."""
    return await service.create_review(session, user, data)


@reviews_router.get(
    "/gigs/{gig_id}", response_model=schemas.ReviewPage, responses=error_responses(GigNotFound)
)
async def gig_reviews(
    gig_id: uuid.UUID,
    session: ReplicaSessionDep,
    params: Pages,
    sort: Sort = schemas.ReviewSort.NEWEST,
    stars: StarsFilter = None,
) -> schemas.ReviewPage:
    """A gig's published reviews, with its summary (rating, count, stars histogram, category averages)."""
    return await service.gig_reviews(session, gig_id, params, sort=sort, stars=stars)


@reviews_router.get(
    "/users/{user_id}", response_model=schemas.ReviewPage, responses=error_responses(UserNotFound)
)
async def user_reviews(
    user_id: uuid.UUID,
    session: ReplicaSessionDep,
    params: Pages,
    sort: Sort = schemas.ReviewSort.NEWEST,
    stars: StarsFilter = None,
) -> schemas.ReviewPage:
    """The published reviews a user received (as a creator or as a client), with the summary."""
    return await service.user_reviews(session, user_id, params, sort=sort, stars=stars)


@reviews_router.get(
    "/{review_id}", response_model=schemas.ReviewOut, responses=error_responses(errors.ReviewNotFound)
)
async def get_review(
    review_id: uuid.UUID, viewer: OptionalUser, session: ReplicaSessionDep
) -> schemas.ReviewOut:
    """A published review; an unpublished one only for its author."""
    return await service.get_review(session, viewer, review_id)


@reviews_router.put(
    "/{review_id}", response_model=schemas.ReviewOut, responses=error_responses(*CHANGE_ERRORS)
)
async def update_review(
    review_id: uuid.UUID, data: schemas.ReviewUpdate, user: CurrentUser, session: SessionDep
) -> schemas.ReviewOut:
    """The author changes a review until it is published."""
    return await service.update_review(session, user, review_id, data)


@reviews_router.delete(
    "/{review_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(*CHANGE_ERRORS, errors.RemovalReasonRequired),
)
async def delete_review(
    review_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    reason: Annotated[
        str | None, Query(max_length=2000, description="an admin's reason for removing it")
    ] = None,
) -> None:
    """The author withdraws a review until it is published; an admin removes any, with a `reason`."""
    await service.delete_review(session, user, review_id, reason)


@reviews_router.post(
    "/{review_id}/reply",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.ReviewOut,
    responses=error_responses(errors.ReviewNotFound, NotOwner, errors.AlreadyReplied),
)
async def reply(
    review_id: uuid.UUID, data: schemas.ReplyCreate, user: CurrentUser, session: SessionDep
) -> schemas.ReviewOut:
    """The reviewed user answers a published review, once (up to 2,000 characters)."""
    return await service.reply(session, user, review_id, data.text)


@reviews_router.post(
    "/{review_id}/helpful",
    response_model=schemas.HelpfulCount,
    responses=error_responses(errors.ReviewNotFound, errors.OwnReview, errors.AlreadyVoted),
)
async def mark_helpful(review_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> schemas.HelpfulCount:
    """Found this review helpful (once; not your own)."""
    return schemas.HelpfulCount(helpful_count=await service.mark_helpful(session, user, review_id))


@reviews_router.delete(
    "/{review_id}/helpful",
    response_model=schemas.HelpfulCount,
    responses=error_responses(errors.ReviewNotFound, errors.VoteNotFound),
)
async def unmark_helpful(
    review_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> schemas.HelpfulCount:
    """Take back a helpful vote."""
    return schemas.HelpfulCount(helpful_count=await service.unmark_helpful(session, user, review_id))


@reviews_router.post(
    "/{review_id}/flag",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(errors.ReviewNotFound, errors.OwnReview, errors.AlreadyFlagged),
)
async def flag(
    review_id: uuid.UUID, data: schemas.FlagCreate, user: CurrentUser, session: SessionDep
) -> None:
    """Report a published review to the moderators, with the reason (once per user)."""
    await service.flag(session, user, review_id, data.reason)


@order_reviews_router.get(
    "/{order_id}/reviews",
    response_model=schemas.OrderReviews,
    responses=error_responses(OrderNotFound, NotOwner),
)
async def order_reviews(order_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> schemas.OrderReviews:
    """My review of the order (published or not) and the other party's review of me, once
    published. For the order's client and creator; anyone else gets 404 as for the order itself,
    and an admin who is neither 403 (reviews are read at `/reviews/{review_id}` and in the lists)."""
    return await service.order_reviews(session, user, order_id)


@admin_reviews_router.post(
    "/{review_id}/hide",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(errors.ReviewNotFound, errors.RemovalReasonRequired),
)
async def hide_review(
    review_id: uuid.UUID, data: schemas.HideReviewRequest, admin: CurrentAdmin, session: SessionDep
) -> None:
    """Take a review out of every list and rating, saying why (it stays on record), and close its
    flags; again changes nothing."""
    await moderation.hide(session, admin, review_id, data.reason)


@admin_reviews_router.get("/flagged", response_model=schemas.FlaggedReviewPage)
async def flagged_reviews(
    admin: CurrentAdmin, session: SessionDep, params: Pages
) -> schemas.FlaggedReviewPage:
    """Reviews users flagged, waiting for a decision: the longest waiting first, each with how
    many flagged it and the newest reasons (a hidden one stays until its flags are closed)."""
    return await moderation.flagged(session, params)


@admin_reviews_router.post(
    "/{review_id}/dismiss-flags",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(errors.ReviewNotFound),
)
async def dismiss_review_flags(review_id: uuid.UUID, admin: CurrentAdmin, session: SessionDep) -> None:
    """Keep the review: its open flags are closed (a new flag puts it back in the queue)."""
    await moderation.dismiss_flags(session, admin, review_id)


@admin_reviews_router.post(
    "/{review_id}/restore",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(errors.ReviewNotFound),
)
async def restore_review(review_id: uuid.UUID, admin: CurrentAdmin, session: SessionDep) -> None:
    """Show a hidden review again (its rating counts again) and close its flags; restoring a
    shown one changes nothing."""
    await moderation.restore(session, admin, review_id)

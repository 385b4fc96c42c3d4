"""Request and response bodies of reviews."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated, Protocol

from pydantic import BaseModel, Field

from reelbyte.core.pagination import Page
from reelbyte.core.schemas import RequestModel, ResponseModel
from reelbyte.orders.schemas import NOT_BLANK
from reelbyte.reviews.models import MAX_COMMENT_CHARS, MAX_REASON_CHARS, MAX_REPLY_CHARS, Review, ReviewTotals

CENT = Decimal("0.01")  # ratings and averages are shown to the cent, rounded half up as SQL's round()
Stars = Annotated[int, Field(ge=1, le=5, description="whole stars, 1 to 5")]
Comment = Annotated[str, Field(max_length=MAX_COMMENT_CHARS)]


class ReviewSort(StrEnum):
    NEWEST = "newest"
    HELPFUL = "helpful"
    HIGHEST = "highest"
    LOWEST = "lowest"


class ReviewCreate(RequestModel):
    order_id: uuid.UUID
    rating: Stars
    communication_rating: Stars
    quality_rating: Stars
    timeliness_rating: Stars
    comment: Comment = ""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "order_id": "5f0c3c8e-7a43-4d5e-9d0b-1b2c3d4e5f60",
                    "rating": 5,
                    "communication_rating": 5,
                    "quality_rating": 5,
                    "timeliness_rating": 4,
                    "comment": "A tight, punchy edit; one day late but worth it.",
                }
            ]
        }
    }


class ReviewUpdate(RequestModel):
    """Only the fields sent change."""

    rating: Stars | None = None
    communication_rating: Stars | None = None
    quality_rating: Stars | None = None
    timeliness_rating: Stars | None = None
    comment: Comment | None = None


class ReplyCreate(RequestModel):
    text: Annotated[str, Field(min_length=1, max_length=MAX_REPLY_CHARS)]


class FlagCreate(RequestModel):
    reason: Annotated[str, Field(min_length=1, max_length=MAX_REASON_CHARS)]


class HelpfulCount(BaseModel):
    helpful_count: int


class Reply(BaseModel):
    text: str
    created_at: datetime


class PublicName(Protocol):
    """What a reviewer is shown by: a user, or a row of just these columns."""

    id: uuid.UUID
    username: str
    full_name: str
    avatar_url: str | None


class Reviewer(ResponseModel):
    """The author, by public profile (never the e-mail)."""

    id: uuid.UUID
    username: str
    full_name: str
    avatar_url: str | None

    @classmethod
    def of(cls, user: PublicName) -> Reviewer:
        return cls(id=user.id, username=user.username, full_name=user.full_name, avatar_url=user.avatar_url)


class ReviewOut(ResponseModel):
    id: uuid.UUID
    order_id: uuid.UUID
    gig_id: uuid.UUID | None
    reviewee_id: uuid.UUID
    reviewer: Reviewer
    rating: int
    communication_rating: int
    quality_rating: int
    timeliness_rating: int
    comment: str
    helpful_count: int
    reply: Reply | None = Field(description="the reviewee's answer, once published")
    published: bool = Field(description="false until both parties reviewed or the window passed")
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, review: Review, author: PublicName) -> ReviewOut:
        return cls(
            id=review.id,
            order_id=review.order_id,
            gig_id=review.gig_id,
            reviewee_id=review.reviewee_id,
            reviewer=Reviewer.of(author),
            rating=review.rating,
            communication_rating=review.communication_rating,
            quality_rating=review.quality_rating,
            timeliness_rating=review.timeliness_rating,
            comment=review.comment,
            helpful_count=review.helpful_count,
            reply=Reply(text=review.reply, created_at=review.replied_at)
            if review.reply is not None and review.replied_at is not None
            else None,
            published=review.published_at is not None,
            published_at=review.published_at,
            created_at=review.created_at,
            updated_at=review.updated_at,
        )


class OrderReviews(BaseModel):
    """An order's two reviews as one of its parties sees them (double-blind)."""

    mine: ReviewOut | None = Field(description="the viewer's own review, published or not")
    theirs: ReviewOut | None = Field(
        description="the other party's review of the viewer, once published (null until then)"
    )


class CategoryAverages(BaseModel):
    communication: Decimal | None
    quality: Decimal | None
    timeliness: Decimal | None


class ReviewSummary(BaseModel):
    rating: Decimal = Field(description="recency-weighted mean of the stars (0 without reviews)")
    count: int
    histogram: dict[str, int] = Field(description='reviews per star count, "5" to "1"')
    averages: CategoryAverages

    @classmethod
    def of(cls, totals: ReviewTotals | None) -> ReviewSummary:
        if totals is None or totals.count == 0:
            return cls(
                rating=Decimal("0.00"),
                count=0,
                histogram={str(stars): 0 for stars in range(5, 0, -1)},
                averages=CategoryAverages(communication=None, quality=None, timeliness=None),
            )
        count = Decimal(totals.count)

        def mean(total: int) -> Decimal:
            return (Decimal(total) / count).quantize(CENT, ROUND_HALF_UP)

        return cls(
            rating=(totals.weighted_stars_sum / totals.weight_sum).quantize(CENT, ROUND_HALF_UP),
            count=totals.count,
            histogram={str(stars): getattr(totals, f"stars_{stars}") for stars in range(5, 0, -1)},
            averages=CategoryAverages(
                communication=mean(totals.communication_sum),
                quality=mean(totals.quality_sum),
                timeliness=mean(totals.timeliness_sum),
            ),
        )


class ReviewPage(Page[ReviewOut]):
    summary: ReviewSummary


class HideReviewRequest(RequestModel):
    reason: Annotated[str, Field(min_length=1, max_length=2000, pattern=NOT_BLANK)]


class ReviewFlagOut(ResponseModel):
    reason: str
    created_at: datetime


class FlaggedReviewOut(ResponseModel):
    review: ReviewOut
    hidden: bool = Field(description="hidden by an admin already (flags can come in after)")
    flags: int = Field(description="how many users flagged it and wait for a decision")
    first_flagged_at: datetime
    reasons: list[ReviewFlagOut] = Field(description="the newest reasons given (at most 5)")


class FlaggedReviewPage(Page[FlaggedReviewOut]):
    pass

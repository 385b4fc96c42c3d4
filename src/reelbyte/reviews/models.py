"""Reviews of completed orders, and the running totals that ratings are read from."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from reelbyte.core.db import Base, Timestamps, UUIDPrimaryKey, utcnow
from reelbyte.core.types import pg_enum

MAX_COMMENT_CHARS = 5000
MAX_REPLY_CHARS = 2000
MAX_REASON_CHARS = 2000
STARS = "BETWEEN 1 AND 5"


class Subject(enum.StrEnum):
    """What a running total is of: a user (as a creator or as a client) or a gig."""

    USER = "user"
    GIG = "gig"


class Review(UUIDPrimaryKey, Timestamps, Base):
    """One party's review of the other after an order. Hidden until published (double-blind).

    `weight` is fixed at publication: 2^(days from WEIGHT_EPOCH to publication / half-life), so
    that a rating, the weighted mean of its reviews' stars, favours recent ones (reviews/service.py).
    """

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("order_id", "author_id"),  # one review per author per order
        CheckConstraint(f"rating {STARS}", name="rating_stars"),
        CheckConstraint(f"communication_rating {STARS}", name="communication_stars"),
        CheckConstraint(f"quality_rating {STARS}", name="quality_stars"),
        CheckConstraint(f"timeliness_rating {STARS}", name="timeliness_stars"),
        CheckConstraint(f"char_length(comment) <= {MAX_COMMENT_CHARS}", name="comment_length"),
        CheckConstraint("author_id <> reviewee_id", name="not_oneself"),
        CheckConstraint("(published_at IS NULL) = (weight IS NULL)", name="weighted_when_published"),
        CheckConstraint(f"char_length(reply) <= {MAX_REPLY_CHARS}", name="reply_length"),
        CheckConstraint("helpful_count >= 0", name="helpful_count_not_negative"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reviewee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The gig of the order, on a client's review of the creator (the gig's rating reads these).
    gig_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("gigs.id", ondelete="SET NULL"))
    rating: Mapped[int] = mapped_column(SmallInteger)
    communication_rating: Mapped[int] = mapped_column(SmallInteger)
    quality_rating: Mapped[int] = mapped_column(SmallInteger)
    timeliness_rating: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    published_at: Mapped[datetime | None]
    weight: Mapped[Decimal | None] = mapped_column(Numeric)
    helpful_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The reviewee's one public answer, after publication.
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]
    removed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    removal_reason: Mapped[str | None] = mapped_column(String(2000))


# The shown reviews of a user or a gig in each order the lists offer (service.ORDERS): newest,
# most helpful, highest and lowest rated first.
SHOWN_ONLY = Review.published_at.is_not(None) & Review.removed_at.is_(None)
for _subject in (Review.reviewee_id, Review.gig_id):
    _name = "reviewee" if _subject is Review.reviewee_id else "gig"
    Index(f"ix_reviews_{_name}_newest", _subject, Review.published_at.desc(), postgresql_where=SHOWN_ONLY)
    Index(
        f"ix_reviews_{_name}_helpful",
        _subject,
        Review.helpful_count.desc(),
        Review.published_at.desc(),
        postgresql_where=SHOWN_ONLY,
    )
    Index(
        f"ix_reviews_{_name}_highest",
        _subject,
        Review.rating.desc(),
        Review.published_at.desc(),
        postgresql_where=SHOWN_ONLY,
    )
    Index(
        f"ix_reviews_{_name}_lowest",
        _subject,
        Review.rating,
        Review.published_at.desc(),
        postgresql_where=SHOWN_ONLY,
    )
# Reviews waiting for publication (the publishing job's scan).
Index("ix_reviews_unpublished", Review.order_id, postgresql_where=Review.published_at.is_(None))


class HelpfulVote(Base):
    """A signed-in user found a review helpful (one vote per user; `reviews.helpful_count` counts them)."""

    __tablename__ = "review_helpful_votes"

    review_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)


class ReviewFlag(UUIDPrimaryKey, Base):
    """A user's report of a review, kept for the moderation queue (one per user and review)."""

    __tablename__ = "review_flags"
    __table_args__ = (UniqueConstraint("review_id", "user_id"),)

    review_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(MAX_REASON_CHARS))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    resolved_at: Mapped[datetime | None]


class ReviewTotals(Base):
    """The running totals of a subject's shown reviews, moved by each publication and removal,
    so that a rating or a list's summary is never recomputed from every review."""

    __tablename__ = "review_totals"

    subject: Mapped[Subject] = mapped_column(pg_enum(Subject, "review_subject"), primary_key=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    stars_1: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    stars_2: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    stars_3: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    stars_4: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    stars_5: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    communication_sum: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    quality_sum: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    timeliness_sum: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    weight_sum: Mapped[Decimal] = mapped_column(Numeric, default=0, server_default="0")
    weighted_stars_sum: Mapped[Decimal] = mapped_column(Numeric, default=0, server_default="0")

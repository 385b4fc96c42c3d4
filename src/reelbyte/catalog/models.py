"""Categories, gigs and their packages."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from reelbyte.core.db import Base, Timestamps, UUIDPrimaryKey
from reelbyte.core.types import TSVECTOR, pg_enum
from reelbyte.identity.models import CreatorLevel


class Category(Timestamps, Base):
    """A two-level tree: top-level categories (no parent) and their subcategories."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    icon: Mapped[str | None] = mapped_column(String(64))
    display_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    is_active: Mapped[bool] = mapped_column(default=True, server_default="true")


class PackageTier(enum.StrEnum):
    BASIC = "basic"
    STANDARD = "standard"
    PREMIUM = "premium"


GIG_SLUG_LENGTH = 160


class Gig(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "gigs"
    __table_args__ = (
        CheckConstraint("views_count >= 0 AND orders_count >= 0", name="counts_not_negative"),
        CheckConstraint("price_from_minor IS NULL OR price_from_minor >= 0", name="price_from_not_negative"),
    )

    creator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(GIG_SLUG_LENGTH), unique=True)
    description: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"))
    subcategory_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"))
    # Normalised (lower-case, trimmed) tag names; at most 10.
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list, server_default="{}")
    thumbnail_url: Mapped[str | None] = mapped_column(String(2048))
    # The gallery as shown: the links sent, then the uploaded files' URLs (`gallery_uploads`).
    gallery_urls: Mapped[list[str]] = mapped_column(ARRAY(String(2048)), default=list, server_default="{}")
    # The uploaded files among them, in order, as the page shows them (schemas.GalleryUpload:
    # upload_id, kind, url, poster_url, thumbnail_url): kept on the row, so the page reads no
    # uploads. No foreign key can hold a JSON list: a deleted upload's entry stays until edited.
    gallery_uploads: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    video_preview_url: Mapped[str | None] = mapped_column(String(2048))
    # The uploaded video `video_preview_url` is the preview clip of (null for a link).
    video_preview_upload_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("uploads.id", ondelete="SET NULL"), index=True
    )
    requirements: Mapped[str | None] = mapped_column(Text)

    views_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    orders_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rating: Mapped[Decimal] = mapped_column(Numeric(3, 2), default=Decimal("0"), server_default="0")
    total_reviews: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    is_active: Mapped[bool] = mapped_column(default=True, server_default="true")
    is_featured: Mapped[bool] = mapped_column(default=False, server_default="false")
    # A moderator hid the gig (a report resolved with hide_content): it is also made inactive,
    # and its creator cannot resume it while this is set.
    hidden_at: Mapped[datetime | None]

    # Derived from the packages, kept by the service whenever packages change, so that lists
    # filter and sort by price and delivery time from an index. NULL: no package yet, not listed.
    price_from_minor: Mapped[int | None]
    price_to_minor: Mapped[int | None]
    currency: Mapped[str] = mapped_column(String(3), default="EUR", server_default="EUR")
    min_delivery_days: Mapped[int | None]
    # The creator's level, copied here by the level job so lists can filter on it.
    creator_level: Mapped[CreatorLevel] = mapped_column(
        pg_enum(CreatorLevel, "creator_level", create_type=False),
        default=CreatorLevel.NEW,
        server_default="new",
    )
    # Kept current by a database trigger (migration 0004): title over tags over description.
    search_vector: Mapped[str | None] = mapped_column(TSVECTOR, deferred=True)


# A gig shows in lists and search only when active and with at least one package.
LISTED = text("is_active AND price_from_minor IS NOT NULL")

Index("ix_gigs_listed_newest", Gig.created_at.desc(), postgresql_where=LISTED)
Index("ix_gigs_listed_category", Gig.category_id, Gig.created_at.desc(), postgresql_where=LISTED)
Index("ix_gigs_listed_subcategory", Gig.subcategory_id, Gig.created_at.desc(), postgresql_where=LISTED)
Index("ix_gigs_listed_price", Gig.price_from_minor, postgresql_where=LISTED)
Index("ix_gigs_listed_rating", Gig.rating.desc(), Gig.total_reviews.desc(), postgresql_where=LISTED)
Index("ix_gigs_listed_popular", Gig.orders_count.desc(), Gig.views_count.desc(), postgresql_where=LISTED)
Index("ix_gigs_tags", Gig.tags, postgresql_using="gin")
Index("ix_gigs_search_vector", Gig.search_vector, postgresql_using="gin")


class Package(UUIDPrimaryKey, Timestamps, Base):
    """One tier of a gig. A package that orders point at is never deleted but retired
    (`is_active` false): hidden from the gig and its price summary, its tier free again."""

    __tablename__ = "packages"
    __table_args__ = (
        CheckConstraint("price_minor > 0", name="price_positive"),
        CheckConstraint("delivery_days BETWEEN 1 AND 365", name="delivery_days_range"),
        CheckConstraint("revisions BETWEEN 0 AND 100", name="revisions_range"),
    )

    gig_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("gigs.id", ondelete="CASCADE"), index=True)
    tier: Mapped[PackageTier] = mapped_column(pg_enum(PackageTier, "package_tier"))
    description: Mapped[str] = mapped_column(Text)
    price_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    delivery_days: Mapped[int]
    revisions: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    features: Mapped[list[str]] = mapped_column(ARRAY(String(200)), default=list, server_default="{}")
    # What its delivered videos should be (catalog/video_spec.py, as JSON); null: no promise.
    video_spec: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    is_active: Mapped[bool] = mapped_column(default=True, server_default="true")


# One live package per tier; retired ones (kept for their orders) do not count.
Index(
    "uq_packages_gig_id_tier",
    Package.gig_id,
    Package.tier,
    unique=True,
    postgresql_where=text("is_active"),
)


class CatalogState(Base):
    """One row: a version that every change to what a gig page, gig list or gig search shows
    moves forward (views excepted).

    Statement triggers on gigs, packages, categories and the creator fields a gig shows bump it
    in the changing transaction (migration 0016), whoever makes the change, so once it has
    committed every reader sees a new version, and pages cached under an older one are never
    served again (catalog/pages.py).
    """

    __tablename__ = "catalog_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

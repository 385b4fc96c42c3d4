"""catalog: categories, gigs, packages; creator levels and search vectors on users

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 17:21:01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

creator_level = postgresql.ENUM("new", "rising", "pro", "top", name="creator_level", create_type=False)


def upgrade() -> None:
    creator_level.create(op.get_bind(), checkfirst=True)
    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("icon", sa.String(length=64), nullable=True),
        sa.Column("display_order", sa.Integer(), server_default="0", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["categories.id"],
            name=op.f("fk_categories_parent_id_categories"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("slug", name=op.f("uq_categories_slug")),
    )
    op.create_index(op.f("ix_categories_parent_id"), "categories", ["parent_id"], unique=False)
    op.create_table(
        "gigs",
        sa.Column("creator_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("slug", sa.String(length=160), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("subcategory_id", sa.Integer(), nullable=True),
        sa.Column("tags", postgresql.ARRAY(sa.String(length=40)), server_default="{}", nullable=False),
        sa.Column("thumbnail_url", sa.String(length=2048), nullable=True),
        sa.Column(
            "gallery_urls", postgresql.ARRAY(sa.String(length=2048)), server_default="{}", nullable=False
        ),
        sa.Column("video_preview_url", sa.String(length=2048), nullable=True),
        sa.Column("requirements", sa.Text(), nullable=True),
        sa.Column("views_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("orders_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rating", sa.Numeric(precision=3, scale=2), server_default="0", nullable=False),
        sa.Column("total_reviews", sa.Integer(), server_default="0", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("is_featured", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("price_from_minor", sa.Integer(), nullable=True),
        sa.Column("price_to_minor", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), server_default="EUR", nullable=False),
        sa.Column("min_delivery_days", sa.Integer(), nullable=True),
        sa.Column("creator_level", creator_level, server_default="new", nullable=False),
        sa.Column("search_vector", postgresql.TSVECTOR(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "price_from_minor IS NULL OR price_from_minor >= 0", name=op.f("ck_gigs_price_from_not_negative")
        ),
        sa.CheckConstraint(
            "views_count >= 0 AND orders_count >= 0", name=op.f("ck_gigs_counts_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_gigs_category_id_categories"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["creator_id"], ["users.id"], name=op.f("fk_gigs_creator_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["subcategory_id"],
            ["categories.id"],
            name=op.f("fk_gigs_subcategory_id_categories"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gigs")),
        sa.UniqueConstraint("slug", name=op.f("uq_gigs_slug")),
    )
    op.create_index(op.f("ix_gigs_creator_id"), "gigs", ["creator_id"], unique=False)
    op.create_index(
        "ix_gigs_listed_category",
        "gigs",
        ["category_id", sa.literal_column("created_at DESC")],
        unique=False,
        postgresql_where=sa.text("is_active AND price_from_minor IS NOT NULL"),
    )
    op.create_index(
        "ix_gigs_listed_newest",
        "gigs",
        [sa.literal_column("created_at DESC")],
        unique=False,
        postgresql_where=sa.text("is_active AND price_from_minor IS NOT NULL"),
    )
    op.create_index(
        "ix_gigs_listed_popular",
        "gigs",
        [sa.literal_column("orders_count DESC"), sa.literal_column("views_count DESC")],
        unique=False,
        postgresql_where=sa.text("is_active AND price_from_minor IS NOT NULL"),
    )
    op.create_index(
        "ix_gigs_listed_price",
        "gigs",
        ["price_from_minor"],
        unique=False,
        postgresql_where=sa.text("is_active AND price_from_minor IS NOT NULL"),
    )
    op.create_index(
        "ix_gigs_listed_rating",
        "gigs",
        [sa.literal_column("rating DESC"), sa.literal_column("total_reviews DESC")],
        unique=False,
        postgresql_where=sa.text("is_active AND price_from_minor IS NOT NULL"),
    )
    op.create_index(
        "ix_gigs_listed_subcategory",
        "gigs",
        ["subcategory_id", sa.literal_column("created_at DESC")],
        unique=False,
        postgresql_where=sa.text("is_active AND price_from_minor IS NOT NULL"),
    )
    op.create_index("ix_gigs_search_vector", "gigs", ["search_vector"], unique=False, postgresql_using="gin")
    op.create_index("ix_gigs_tags", "gigs", ["tags"], unique=False, postgresql_using="gin")
    op.create_table(
        "packages",
        sa.Column("gig_id", sa.Uuid(), nullable=False),
        sa.Column("tier", sa.Enum("basic", "standard", "premium", name="package_tier"), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("price_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("delivery_days", sa.Integer(), nullable=False),
        sa.Column("revisions", sa.Integer(), server_default="1", nullable=False),
        sa.Column("features", postgresql.ARRAY(sa.String(length=200)), server_default="{}", nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("delivery_days BETWEEN 1 AND 365", name=op.f("ck_packages_delivery_days_range")),
        sa.CheckConstraint("price_minor > 0", name=op.f("ck_packages_price_positive")),
        sa.CheckConstraint("revisions BETWEEN 0 AND 100", name=op.f("ck_packages_revisions_range")),
        sa.ForeignKeyConstraint(
            ["gig_id"], ["gigs.id"], name=op.f("fk_packages_gig_id_gigs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packages")),
        sa.UniqueConstraint("gig_id", "tier", name="uq_packages_gig_id_tier"),
    )
    op.create_index(op.f("ix_packages_gig_id"), "packages", ["gig_id"], unique=False)
    op.add_column("users", sa.Column("creator_level", creator_level, server_default="new", nullable=False))
    op.add_column("users", sa.Column("search_vector", postgresql.TSVECTOR(), nullable=True))
    op.create_index(
        "ix_users_search_vector", "users", ["search_vector"], unique=False, postgresql_using="gin"
    )


def downgrade() -> None:
    op.drop_index("ix_users_search_vector", table_name="users", postgresql_using="gin")
    op.drop_column("users", "search_vector")
    op.drop_column("users", "creator_level")
    op.drop_index(op.f("ix_packages_gig_id"), table_name="packages")
    op.drop_table("packages")
    op.drop_index("ix_gigs_tags", table_name="gigs", postgresql_using="gin")
    op.drop_index("ix_gigs_search_vector", table_name="gigs", postgresql_using="gin")
    op.drop_index(
        "ix_gigs_listed_subcategory",
        table_name="gigs",
        postgresql_where=sa.text("is_active AND price_from_minor IS NOT NULL"),
    )
    op.drop_index(
        "ix_gigs_listed_rating",
        table_name="gigs",
        postgresql_where=sa.text("is_active AND price_from_minor IS NOT NULL"),
    )
    op.drop_index(
        "ix_gigs_listed_price",
        table_name="gigs",
        postgresql_where=sa.text("is_active AND price_from_minor IS NOT NULL"),
    )
    op.drop_index(
        "ix_gigs_listed_popular",
        table_name="gigs",
        postgresql_where=sa.text("is_active AND price_from_minor IS NOT NULL"),
    )
    op.drop_index(
        "ix_gigs_listed_newest",
        table_name="gigs",
        postgresql_where=sa.text("is_active AND price_from_minor IS NOT NULL"),
    )
    op.drop_index(
        "ix_gigs_listed_category",
        table_name="gigs",
        postgresql_where=sa.text("is_active AND price_from_minor IS NOT NULL"),
    )
    op.drop_index(op.f("ix_gigs_creator_id"), table_name="gigs")
    op.drop_table("gigs")
    op.drop_index(op.f("ix_categories_parent_id"), table_name="categories")
    op.drop_table("categories")
    sa.Enum(name="package_tier").drop(op.get_bind(), checkfirst=True)
    creator_level.drop(op.get_bind(), checkfirst=True)

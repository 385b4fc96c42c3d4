"""reviews: reviews of completed orders (double-blind until published), and review_totals, the
running totals of each user's and gig's shown reviews that ratings and summaries are read from

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 16:06:25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_totals",
        sa.Column("subject", sa.Enum("user", "gig", name="review_subject"), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("stars_1", sa.Integer(), server_default="0", nullable=False),
        sa.Column("stars_2", sa.Integer(), server_default="0", nullable=False),
        sa.Column("stars_3", sa.Integer(), server_default="0", nullable=False),
        sa.Column("stars_4", sa.Integer(), server_default="0", nullable=False),
        sa.Column("stars_5", sa.Integer(), server_default="0", nullable=False),
        sa.Column("communication_sum", sa.Integer(), server_default="0", nullable=False),
        sa.Column("quality_sum", sa.Integer(), server_default="0", nullable=False),
        sa.Column("timeliness_sum", sa.Integer(), server_default="0", nullable=False),
        sa.Column("weight_sum", sa.Numeric(), server_default="0", nullable=False),
        sa.Column("weighted_stars_sum", sa.Numeric(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("subject", "subject_id", name=op.f("pk_review_totals")),
    )
    op.create_table(
        "reviews",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("reviewee_id", sa.Uuid(), nullable=False),
        sa.Column("gig_id", sa.Uuid(), nullable=True),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("communication_rating", sa.SmallInteger(), nullable=False),
        sa.Column("quality_rating", sa.SmallInteger(), nullable=False),
        sa.Column("timeliness_rating", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("weight", sa.Numeric(), nullable=True),
        sa.Column("helpful_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_by", sa.Uuid(), nullable=True),
        sa.Column("removal_reason", sa.String(length=2000), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "(published_at IS NULL) = (weight IS NULL)", name=op.f("ck_reviews_weighted_when_published")
        ),
        sa.CheckConstraint("author_id <> reviewee_id", name=op.f("ck_reviews_not_oneself")),
        sa.CheckConstraint("char_length(comment) <= 5000", name=op.f("ck_reviews_comment_length")),
        sa.CheckConstraint(
            "communication_rating BETWEEN 1 AND 5", name=op.f("ck_reviews_communication_stars")
        ),
        sa.CheckConstraint("quality_rating BETWEEN 1 AND 5", name=op.f("ck_reviews_quality_stars")),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_reviews_rating_stars")),
        sa.CheckConstraint("timeliness_rating BETWEEN 1 AND 5", name=op.f("ck_reviews_timeliness_stars")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_reviews_author_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["gig_id"], ["gigs.id"], name=op.f("fk_reviews_gig_id_gigs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_reviews_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["removed_by"], ["users.id"], name=op.f("fk_reviews_removed_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["reviewee_id"], ["users.id"], name=op.f("fk_reviews_reviewee_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("order_id", "author_id", name=op.f("uq_reviews_order_id")),
    )
    op.create_index(op.f("ix_reviews_author_id"), "reviews", ["author_id"], unique=False)
    op.create_index(
        "ix_reviews_gig_published",
        "reviews",
        ["gig_id", sa.literal_column("published_at DESC")],
        unique=False,
        postgresql_where=sa.text("published_at IS NOT NULL AND removed_at IS NULL"),
    )
    op.create_index(
        "ix_reviews_reviewee_published",
        "reviews",
        ["reviewee_id", sa.literal_column("published_at DESC")],
        unique=False,
        postgresql_where=sa.text("published_at IS NOT NULL AND removed_at IS NULL"),
    )
    op.create_index(
        "ix_reviews_unpublished",
        "reviews",
        ["order_id"],
        unique=False,
        postgresql_where=sa.text("published_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_reviews_unpublished", table_name="reviews", postgresql_where=sa.text("published_at IS NULL")
    )
    op.drop_index(
        "ix_reviews_reviewee_published",
        table_name="reviews",
        postgresql_where=sa.text("published_at IS NOT NULL AND removed_at IS NULL"),
    )
    op.drop_index(
        "ix_reviews_gig_published",
        table_name="reviews",
        postgresql_where=sa.text("published_at IS NOT NULL AND removed_at IS NULL"),
    )
    op.drop_index(op.f("ix_reviews_author_id"), table_name="reviews")
    op.drop_table("reviews")
    op.drop_table("review_totals")
    sa.Enum(name="review_subject").drop(op.get_bind(), checkfirst=True)

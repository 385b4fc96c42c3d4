"""reviews get the reviewee's reply; helpful votes (one per user, counted on the review) and
flags (one per user, kept for moderation)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 16:13:16
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_flags",
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_review_flags_review_id_reviews"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_review_flags_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_flags")),
        sa.UniqueConstraint("review_id", "user_id", name=op.f("uq_review_flags_review_id")),
    )
    op.create_index(op.f("ix_review_flags_review_id"), "review_flags", ["review_id"], unique=False)
    op.create_table(
        "review_helpful_votes",
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_review_helpful_votes_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_review_helpful_votes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("review_id", "user_id", name=op.f("pk_review_helpful_votes")),
    )
    op.add_column("reviews", sa.Column("reply", sa.Text(), nullable=True))
    op.add_column("reviews", sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(op.f("ck_reviews_reply_length"), "reviews", "char_length(reply) <= 2000")
    op.create_check_constraint(op.f("ck_reviews_helpful_count_not_negative"), "reviews", "helpful_count >= 0")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_reviews_helpful_count_not_negative"), "reviews", type_="check")
    op.drop_constraint(op.f("ck_reviews_reply_length"), "reviews", type_="check")
    op.drop_column("reviews", "replied_at")
    op.drop_column("reviews", "reply")
    op.drop_table("review_helpful_votes")
    op.drop_index(op.f("ix_review_flags_review_id"), table_name="review_flags")
    op.drop_table("review_flags")

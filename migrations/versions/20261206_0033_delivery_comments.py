"""timecoded review comments on deliveries

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-06 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "delivery_comments",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("delivery_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("timecode_ms", sa.Integer(), nullable=False),
        sa.Column("x", sa.Float(), nullable=True),
        sa.Column("y", sa.Float(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("addressed_by_delivery_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("timecode_ms >= 0", name=op.f("ck_delivery_comments_timecode_not_negative")),
        sa.CheckConstraint(
            "(x IS NULL) = (y IS NULL)", name=op.f("ck_delivery_comments_both_or_no_position")
        ),
        sa.CheckConstraint(
            "x IS NULL OR (x BETWEEN 0 AND 1 AND y BETWEEN 0 AND 1)",
            name=op.f("ck_delivery_comments_position_normalised"),
        ),
        sa.CheckConstraint(
            "(text IS NULL) = (deleted_at IS NOT NULL)", name=op.f("ck_delivery_comments_text_unless_deleted")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_delivery_comments_order_id_orders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_delivery_comments_delivery_id_deliveries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_delivery_comments_author_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["delivery_comments.id"],
            name=op.f("fk_delivery_comments_parent_id_delivery_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"],
            ["users.id"],
            name=op.f("fk_delivery_comments_resolved_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["addressed_by_delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_delivery_comments_addressed_by_delivery_id_deliveries"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_comments")),
    )
    op.create_index(op.f("ix_delivery_comments_order_id"), "delivery_comments", ["order_id"])
    op.create_index(op.f("ix_delivery_comments_author_id"), "delivery_comments", ["author_id"])
    op.create_index(op.f("ix_delivery_comments_parent_id"), "delivery_comments", ["parent_id"])
    op.create_index(
        op.f("ix_delivery_comments_addressed_by_delivery_id"),
        "delivery_comments",
        ["addressed_by_delivery_id"],
    )
    op.create_index(
        "ix_delivery_comments_delivery_timecode",
        "delivery_comments",
        ["delivery_id", "timecode_ms", "created_at"],
    )


def downgrade() -> None:
    op.drop_table("delivery_comments")  # its indexes and constraints go with it

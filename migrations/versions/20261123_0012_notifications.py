"""notifications: a user's in-app notifications

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 19:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("reference_type", sa.String(length=50), nullable=True),
        sa.Column("reference_id", sa.String(length=64), nullable=True),
        sa.Column("is_read", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(
        "ix_notifications_user_id_id", "notifications", ["user_id", sa.text("id DESC")], unique=False
    )
    op.create_index(
        "ix_notifications_user_id_unread",
        "notifications",
        ["user_id", sa.text("id DESC")],
        unique=False,
        postgresql_where=sa.text("NOT is_read"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_notifications_user_id_unread", table_name="notifications", postgresql_where=sa.text("NOT is_read")
    )
    op.drop_index("ix_notifications_user_id_id", table_name="notifications")
    op.drop_table("notifications")

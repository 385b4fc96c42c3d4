"""message_digests: when each user's unread-message digest is due, and what it covered

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "message_digests",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("first_pending_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("emailed_through_message_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_message_digests_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_message_digests")),
    )
    op.create_index(
        "ix_message_digests_due_at",
        "message_digests",
        ["due_at"],
        unique=False,
        postgresql_where=sa.text("due_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_message_digests_due_at",
        table_name="message_digests",
        postgresql_where=sa.text("due_at IS NOT NULL"),
    )
    op.drop_table("message_digests")

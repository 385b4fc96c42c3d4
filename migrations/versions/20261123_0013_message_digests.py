"""message_digests: what each user's unread-message digest already covered; messages by time

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
        sa.Column("emailed_through_message_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_message_digests_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_message_digests")),
    )
    op.create_index(
        "ix_messages_created_at_brin", "messages", ["created_at"], unique=False, postgresql_using="brin"
    )


def downgrade() -> None:
    op.drop_index("ix_messages_created_at_brin", table_name="messages", postgresql_using="brin")
    op.drop_table("message_digests")

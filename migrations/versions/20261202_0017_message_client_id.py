"""messages.client_id: an id the sender's client chooses, unique per sender, so that a message
sent again (after a lost answer or a reconnect) is found instead of posted twice

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("client_id", sa.String(64), nullable=True))
    op.create_index(
        "uq_messages_sender_id_client_id",
        "messages",
        ["sender_id", "client_id"],
        unique=True,
        postgresql_where=sa.text("client_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_messages_sender_id_client_id", table_name="messages")
    op.drop_column("messages", "client_id")

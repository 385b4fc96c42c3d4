"""uploaded files attached to messages, proposals and projects

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("attachment_upload_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_messages_attachment_upload_id_uploads"),
        "messages",
        "uploads",
        ["attachment_upload_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index(
        "ix_messages_attachment_upload_id",
        "messages",
        ["attachment_upload_id"],
        postgresql_where=sa.text("attachment_upload_id IS NOT NULL"),
    )
    for table in ("projects", "proposals"):
        op.add_column(
            table,
            sa.Column(
                "attachment_upload_ids", postgresql.ARRAY(sa.Uuid()), server_default="{}", nullable=False
            ),
        )


def downgrade() -> None:
    for table in ("proposals", "projects"):
        op.drop_column(table, "attachment_upload_ids")
    op.drop_index("ix_messages_attachment_upload_id", table_name="messages")
    op.drop_constraint(op.f("fk_messages_attachment_upload_id_uploads"), "messages", type_="foreignkey")
    op.drop_column("messages", "attachment_upload_id")

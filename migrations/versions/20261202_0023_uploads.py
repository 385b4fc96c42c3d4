"""uploads: files sent to storage, their state, probe and derived files

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 18:34:17
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Enum("video", "image", "document", name="upload_kind"), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "avatar",
                "portfolio",
                "gig_gallery",
                "deliverable",
                "message_attachment",
                "proposal_attachment",
                "project_attachment",
                name="upload_purpose",
            ),
            nullable=False,
        ),
        sa.Column("target_id", sa.Uuid(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("storage_key", sa.String(length=500), nullable=False),
        sa.Column("multipart_id", sa.String(length=500), nullable=True),
        sa.Column(
            "state", sa.Enum("pending", "processing", "ready", "failed", name="upload_state"), nullable=False
        ),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("stored_bytes", sa.BigInteger(), nullable=False),
        sa.Column("probe", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("derived", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "(state = 'failed') = (failure_reason IS NOT NULL)", name=op.f("ck_uploads_reason_when_failed")
        ),
        sa.CheckConstraint("char_length(filename) <= 255", name=op.f("ck_uploads_filename_length")),
        sa.CheckConstraint("size > 0", name=op.f("ck_uploads_size_positive")),
        sa.CheckConstraint("stored_bytes >= 0", name=op.f("ck_uploads_stored_bytes_not_negative")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_uploads_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploads")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_uploads_storage_key")),
    )
    op.create_index("ix_uploads_owner_newest", "uploads", ["owner_id", "created_at"], unique=False)
    op.create_index(
        "ix_uploads_pending", "uploads", ["created_at"], unique=False, postgresql_where="state = 'pending'"
    )
    op.create_index(
        "ix_uploads_target", "uploads", ["target_id"], unique=False, postgresql_where="target_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_uploads_target", table_name="uploads", postgresql_where="target_id IS NOT NULL")
    op.drop_index("ix_uploads_pending", table_name="uploads", postgresql_where="state = 'pending'")
    op.drop_index("ix_uploads_owner_newest", table_name="uploads")
    op.drop_table("uploads")
    for name in ("upload_state", "upload_purpose", "upload_kind"):
        sa.Enum(name=name).drop(op.get_bind())

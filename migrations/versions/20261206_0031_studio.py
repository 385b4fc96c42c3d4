"""video jobs (the creator's trim and auto-hooks tools)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "video_jobs",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("upload_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.Enum("trim", "auto_hooks", name="video_job_kind"), nullable=False),
        sa.Column(
            "state",
            sa.Enum("queued", "running", "succeeded", "failed", "cancelled", name="video_job_state"),
            nullable=False,
        ),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("source_seconds", sa.Float(), nullable=False),
        sa.Column("progress", sa.Integer(), server_default="0", nullable=False),
        sa.Column("results", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name=op.f("ck_video_jobs_progress_range")),
        sa.CheckConstraint(
            "(state = 'failed') = (failure_reason IS NOT NULL)", name=op.f("ck_video_jobs_reason_when_failed")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_video_jobs_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"], ["uploads.id"], name=op.f("fk_video_jobs_upload_id_uploads"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_jobs")),
    )
    op.create_index("ix_video_jobs_owner_newest", "video_jobs", ["owner_id", "created_at"], unique=False)
    op.create_index(
        "ix_video_jobs_finished",
        "video_jobs",
        ["finished_at"],
        unique=False,
        postgresql_where="finished_at IS NOT NULL",
    )
    op.create_index(
        "ix_video_jobs_upload",
        "video_jobs",
        ["upload_id"],
        unique=False,
        postgresql_where="upload_id IS NOT NULL",
    )


def downgrade() -> None:
    op.drop_index("ix_video_jobs_upload", table_name="video_jobs", postgresql_where="upload_id IS NOT NULL")
    op.drop_index(
        "ix_video_jobs_finished", table_name="video_jobs", postgresql_where="finished_at IS NOT NULL"
    )
    op.drop_index("ix_video_jobs_owner_newest", table_name="video_jobs")
    op.drop_table("video_jobs")
    for name in ("video_job_state", "video_job_kind"):
        sa.Enum(name=name).drop(op.get_bind())

"""video jobs: a clip attached to a gig, the portfolio or an order in one call

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-06 21:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0039"
down_revision: str | None = "0038"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "video_job_attachments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("result_index", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Uuid(), nullable=False),
        sa.Column("destination", sa.Text(), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("pending", "attached", "failed", name="video_job_attachment_state"),
            nullable=False,
        ),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("attached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "(state = 'failed') = (failure_reason IS NOT NULL)",
            name=op.f("ck_video_job_attachments_reason_when_failed"),
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["video_jobs.id"],
            name=op.f("fk_video_job_attachments_job_id_video_jobs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_video_job_attachments_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["uploads.id"],
            name=op.f("fk_video_job_attachments_upload_id_uploads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_job_attachments")),
        sa.UniqueConstraint("upload_id", name=op.f("uq_video_job_attachments_upload_id")),
    )
    op.create_index("ix_video_job_attachments_job", "video_job_attachments", ["job_id", "result_index"])


def downgrade() -> None:
    op.drop_index("ix_video_job_attachments_job", table_name="video_job_attachments")
    op.drop_table("video_job_attachments")
    sa.Enum(name="video_job_attachment_state").drop(op.get_bind())

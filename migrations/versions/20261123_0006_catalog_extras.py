"""catalog extras: the record of flushed gig-view batches (exactly-once view counting)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gig_view_batches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("flushed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gig_view_batches")),
    )
    op.create_index(op.f("ix_gig_view_batches_flushed_at"), "gig_view_batches", ["flushed_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_gig_view_batches_flushed_at"), table_name="gig_view_batches")
    op.drop_table("gig_view_batches")

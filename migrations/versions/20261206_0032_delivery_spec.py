"""package video specs and delivered videos' spec reports

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("packages", sa.Column("video_spec", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column("uploads", sa.Column("spec_report", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column("uploads", sa.Column("spec_checked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("uploads", "spec_checked_at")
    op.drop_column("uploads", "spec_report")
    op.drop_column("packages", "video_spec")

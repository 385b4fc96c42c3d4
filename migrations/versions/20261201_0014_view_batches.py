"""view_batches: one record of flushed view batches for every view counter (gigs, projects)

The gigs' `gig_view_batches` becomes `view_batches`: batch ids are random, so the gigs' and
the projects' counters share it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.rename_table("gig_view_batches", "view_batches")
    op.execute("ALTER TABLE view_batches RENAME CONSTRAINT pk_gig_view_batches TO pk_view_batches")
    op.execute("ALTER INDEX ix_gig_view_batches_flushed_at RENAME TO ix_view_batches_flushed_at")


def downgrade() -> None:
    op.execute("ALTER INDEX ix_view_batches_flushed_at RENAME TO ix_gig_view_batches_flushed_at")
    op.execute("ALTER TABLE view_batches RENAME CONSTRAINT pk_view_batches TO pk_gig_view_batches")
    op.rename_table("view_batches", "gig_view_batches")

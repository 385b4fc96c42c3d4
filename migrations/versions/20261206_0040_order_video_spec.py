"""orders: the package's video spec as it was when ordered

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-06 21:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0040"
down_revision: str | None = "0039"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("video_spec", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    # Orders placed before keep checking against their package's spec as it is now.
    op.execute(
        "UPDATE orders SET video_spec = packages.video_spec FROM packages "
        "WHERE orders.package_id = packages.id AND packages.video_spec IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_column("orders", "video_spec")

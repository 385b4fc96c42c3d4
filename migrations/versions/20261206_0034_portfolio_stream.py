"""portfolio items: the uploaded video's HLS master playlist

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-06 19:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("portfolio_items", sa.Column("stream_url", sa.String(length=2048), nullable=True))


def downgrade() -> None:
    op.drop_column("portfolio_items", "stream_url")

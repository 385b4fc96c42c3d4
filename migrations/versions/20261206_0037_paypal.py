"""PayPal and Venmo checkout, payment methods

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0037"
down_revision: str | None = "0036"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("payments", sa.Column("method", sa.String(length=32), nullable=True))


def downgrade() -> None:
    op.drop_column("payments", "method")

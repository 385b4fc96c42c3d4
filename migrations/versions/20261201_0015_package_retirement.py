"""package_retirement: packages that orders point at are retired (is_active), not deleted; one
live package per tier

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("packages", sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False))
    op.drop_constraint("uq_packages_gig_id_tier", "packages", type_="unique")
    op.create_index(
        "uq_packages_gig_id_tier",
        "packages",
        ["gig_id", "tier"],
        unique=True,
        postgresql_where=sa.text("is_active"),
    )


def downgrade() -> None:
    # Retired packages would break the old rule (one package per tier): they go.
    op.execute("DELETE FROM packages WHERE NOT is_active")
    op.drop_index("uq_packages_gig_id_tier", table_name="packages", postgresql_where=sa.text("is_active"))
    op.create_unique_constraint("uq_packages_gig_id_tier", "packages", ["gig_id", "tier"])
    op.drop_column("packages", "is_active")

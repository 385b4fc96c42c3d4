"""orders: a milestone's submission is a delivery (reviewed like one)

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-07 02:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0042"
down_revision: str | None = "0041"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("milestone_id", sa.Uuid(), nullable=True))
    op.create_index(op.f("ix_deliveries_milestone_id"), "deliveries", ["milestone_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_deliveries_milestone_id_milestones"),
        "deliveries",
        "milestones",
        ["milestone_id"],
        ["id"],
        ondelete="CASCADE",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_deliveries_milestone_id_milestones"), "deliveries", type_="foreignkey")
    op.drop_index(op.f("ix_deliveries_milestone_id"), table_name="deliveries")
    op.drop_column("deliveries", "milestone_id")

"""uploaded files as order deliverables and milestone submissions

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("deliverables", sa.Column("upload_id", sa.Uuid(), nullable=True))
    op.add_column("deliverables", sa.Column("milestone_id", sa.Uuid(), nullable=True))
    op.alter_column("deliverables", "url", existing_type=sa.String(length=2048), nullable=True)
    op.create_foreign_key(
        op.f("fk_deliverables_upload_id_uploads"),
        "deliverables",
        "uploads",
        ["upload_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_foreign_key(
        op.f("fk_deliverables_milestone_id_milestones"),
        "deliverables",
        "milestones",
        ["milestone_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_index(op.f("ix_deliverables_upload_id"), "deliverables", ["upload_id"], unique=False)
    op.create_index(op.f("ix_deliverables_milestone_id"), "deliverables", ["milestone_id"], unique=False)
    op.create_check_constraint(
        op.f("ck_deliverables_link_or_file"), "deliverables", "url IS NULL OR upload_id IS NULL"
    )


def downgrade() -> None:
    # Rows without a link (uploaded files) cannot go back to the old, link-only table.
    op.execute("DELETE FROM deliverables WHERE url IS NULL")
    op.drop_constraint(op.f("ck_deliverables_link_or_file"), "deliverables", type_="check")
    op.drop_index(op.f("ix_deliverables_milestone_id"), table_name="deliverables")
    op.drop_index(op.f("ix_deliverables_upload_id"), table_name="deliverables")
    op.drop_constraint(op.f("fk_deliverables_milestone_id_milestones"), "deliverables", type_="foreignkey")
    op.drop_constraint(op.f("fk_deliverables_upload_id_uploads"), "deliverables", type_="foreignkey")
    op.alter_column("deliverables", "url", existing_type=sa.String(length=2048), nullable=False)
    op.drop_column("deliverables", "milestone_id")
    op.drop_column("deliverables", "upload_id")

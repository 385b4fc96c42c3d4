"""refund requests, processing fees, milestone edits

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0038"
down_revision: str | None = "0037"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

refund_request_status = postgresql.ENUM(
    "requested",
    "accepted",
    "refunded",
    "declined",
    "cancelled",
    name="refund_request_status",
    create_type=False,
)


def upgrade() -> None:
    # A new enum value cannot be used in the transaction that adds it; nothing here uses it.
    op.execute("ALTER TYPE ledger_account_kind ADD VALUE IF NOT EXISTS 'processing_fees'")
    op.add_column(
        "payments", sa.Column("processing_fee_minor", sa.BigInteger(), server_default="0", nullable=False)
    )
    refund_request_status.create(op.get_bind(), checkfirst=True)
    op.create_table(
        "refund_requests",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("milestone_id", sa.Uuid(), nullable=True),
        sa.Column("requested_by", sa.Uuid(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", refund_request_status, server_default="requested", nullable=False),
        sa.Column("decline_note", sa.Text(), nullable=True),
        sa.Column("refund_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_refund_requests_amount_positive")),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["milestones.id"],
            name=op.f("fk_refund_requests_milestone_id_milestones"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_refund_requests_order_id_orders"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"],
            ["refunds.id"],
            name=op.f("fk_refund_requests_refund_id_refunds"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["users.id"],
            name=op.f("fk_refund_requests_requested_by_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_requests")),
    )
    op.create_index(op.f("ix_refund_requests_order_id"), "refund_requests", ["order_id"], unique=False)
    op.create_index(
        "uq_refund_requests_open_order",
        "refund_requests",
        ["order_id"],
        unique=True,
        postgresql_where=sa.text("status = 'requested' AND milestone_id IS NULL"),
    )
    op.create_index(
        "uq_refund_requests_open_milestone",
        "refund_requests",
        ["milestone_id"],
        unique=True,
        postgresql_where=sa.text("status = 'requested' AND milestone_id IS NOT NULL"),
    )


def downgrade() -> None:
    # PostgreSQL cannot drop an enum value: ledger_account_kind keeps 'processing_fees' (the
    # ledger is append-only, so an account of that kind stays too).
    op.drop_index("uq_refund_requests_open_milestone", table_name="refund_requests")
    op.drop_index("uq_refund_requests_open_order", table_name="refund_requests")
    op.drop_index(op.f("ix_refund_requests_order_id"), table_name="refund_requests")
    op.drop_table("refund_requests")
    refund_request_status.drop(op.get_bind(), checkfirst=True)
    op.drop_column("payments", "processing_fee_minor")

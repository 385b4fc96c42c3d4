"""payout methods, onboarding and payout fees

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A new enum value cannot be used in the transaction that adds it; nothing here uses them.
    op.execute("ALTER TYPE ledger_account_kind ADD VALUE IF NOT EXISTS 'payout_fees'")
    op.execute("ALTER TYPE ledger_entry_kind ADD VALUE IF NOT EXISTS 'payout_fee'")
    op.create_table(
        "payout_methods",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "provider",
            sa.Enum("sandbox", "stripe", "mollie", "paypal", "venmo", name="payout_provider"),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("pending", "needs_info", "verified", "rejected", name="payout_method_status"),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("provider_account_id", sa.String(length=255), nullable=True),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("is_default", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("onboarding_nonce", sa.String(length=32), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_payout_methods_user_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_methods")),
    )
    op.create_index(op.f("ix_payout_methods_user_id"), "payout_methods", ["user_id"], unique=False)
    op.create_index(
        "uq_payout_methods_one_default",
        "payout_methods",
        ["user_id"],
        unique=True,
        postgresql_where=sa.text("is_default AND deleted_at IS NULL"),
    )
    op.add_column("withdrawals", sa.Column("payout_method_id", sa.Uuid(), nullable=True))
    op.add_column("withdrawals", sa.Column("fee_minor", sa.BigInteger(), server_default="0", nullable=False))
    op.create_index(
        op.f("ix_withdrawals_payout_method_id"), "withdrawals", ["payout_method_id"], unique=False
    )
    op.create_foreign_key(
        op.f("fk_withdrawals_payout_method_id_payout_methods"),
        "withdrawals",
        "payout_methods",
        ["payout_method_id"],
        ["id"],
        ondelete="RESTRICT",
    )


def downgrade() -> None:
    # PostgreSQL cannot drop an enum value: ledger_account_kind keeps 'payout_fees' and
    # ledger_entry_kind keeps 'payout_fee' (the ledger is append-only; its entries stay).
    op.drop_constraint(
        op.f("fk_withdrawals_payout_method_id_payout_methods"), "withdrawals", type_="foreignkey"
    )
    op.drop_index(op.f("ix_withdrawals_payout_method_id"), table_name="withdrawals")
    op.drop_column("withdrawals", "fee_minor")
    op.drop_column("withdrawals", "payout_method_id")
    op.drop_index("uq_payout_methods_one_default", table_name="payout_methods")
    op.drop_index(op.f("ix_payout_methods_user_id"), table_name="payout_methods")
    op.drop_table("payout_methods")
    sa.Enum(name="payout_method_status").drop(op.get_bind(), checkfirst=False)
    sa.Enum(name="payout_provider").drop(op.get_bind(), checkfirst=False)

"""payout schedules and statements

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payout_schedules",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("interval", sa.Enum("manual", "weekly", "monthly", name="payout_interval"), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=True),
        sa.Column("day_of_month", sa.SmallInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            """("interval" = 'weekly') = (weekday IS NOT NULL)""",
            name=op.f("ck_payout_schedules_weekday_iff_weekly"),
        ),
        sa.CheckConstraint(
            """("interval" = 'monthly') = (day_of_month IS NOT NULL)""",
            name=op.f("ck_payout_schedules_day_iff_monthly"),
        ),
        sa.CheckConstraint("weekday BETWEEN 1 AND 7", name=op.f("ck_payout_schedules_weekday_range")),
        sa.CheckConstraint(
            "day_of_month BETWEEN 1 AND 31", name=op.f("ck_payout_schedules_day_of_month_range")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_payout_schedules_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_payout_schedules")),
    )
    op.create_table(
        "scheduled_payouts",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("status", sa.Enum("requested", "skipped", name="scheduled_payout_status"), nullable=False),
        sa.Column("withdrawal_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_scheduled_payouts_user_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["withdrawal_id"],
            ["withdrawals.id"],
            name=op.f("fk_scheduled_payouts_withdrawal_id_withdrawals"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_payouts")),
        sa.UniqueConstraint("user_id", "period", name="uq_scheduled_payouts_user_id_period"),
        sa.UniqueConstraint("withdrawal_id", name=op.f("uq_scheduled_payouts_withdrawal_id")),
    )


def downgrade() -> None:
    op.drop_table("scheduled_payouts")
    op.drop_table("payout_schedules")
    sa.Enum(name="scheduled_payout_status").drop(op.get_bind(), checkfirst=True)
    sa.Enum(name="payout_interval").drop(op.get_bind(), checkfirst=True)

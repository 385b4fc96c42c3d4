"""moderation and privacy: report resolutions, hidden content, e-mail change links, data
exports, erased accounts

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 06:18:38.314908
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

report_action = postgresql.ENUM(
    "dismiss", "warn", "hide_content", "suspend_user", name="report_action", create_type=False
)


def upgrade() -> None:
    # A new enum value cannot be used in the transaction that adds it; nothing here uses them.
    op.execute("ALTER TYPE report_target ADD VALUE IF NOT EXISTS 'project'")
    op.execute("ALTER TYPE account_token_purpose ADD VALUE IF NOT EXISTS 'change_email'")
    report_action.create(op.get_bind(), checkfirst=True)

    op.create_table(
        "data_exports",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "ready", "failed", name="data_export_status"),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("storage_key", sa.String(length=1024), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_data_exports_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_exports")),
    )
    op.create_index(op.f("ix_data_exports_user_id"), "data_exports", ["user_id"], unique=False)
    op.create_index(
        "uq_data_exports_user_pending",
        "data_exports",
        ["user_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.add_column("account_tokens", sa.Column("new_email", sa.String(length=254), nullable=True))
    for table in ("gigs", "messages", "projects"):
        op.add_column(table, sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("reports", sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("reports", sa.Column("resolved_by", sa.Uuid(), nullable=True))
    op.add_column("reports", sa.Column("resolution_action", report_action, nullable=True))
    op.add_column("reports", sa.Column("resolution_note", sa.Text(), nullable=True))
    op.create_index("ix_reports_target", "reports", ["target_type", "target_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_reports_resolved_by_users"), "reports", "users", ["resolved_by"], ["id"], ondelete="SET NULL"
    )
    op.add_column("users", sa.Column("profile_hidden_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # PostgreSQL cannot drop an enum value: report_target keeps 'project' and
    # account_token_purpose keeps 'change_email'; rows using them go first.
    op.execute("DELETE FROM reports WHERE target_type = 'project'")
    op.execute("DELETE FROM account_tokens WHERE purpose = 'change_email'")
    op.drop_column("users", "erased_at")
    op.drop_column("users", "profile_hidden_at")
    op.drop_constraint(op.f("fk_reports_resolved_by_users"), "reports", type_="foreignkey")
    op.drop_index("ix_reports_target", table_name="reports")
    op.drop_column("reports", "resolution_note")
    op.drop_column("reports", "resolution_action")
    op.drop_column("reports", "resolved_by")
    op.drop_column("reports", "resolved_at")
    for table in ("projects", "messages", "gigs"):
        op.drop_column(table, "hidden_at")
    op.drop_column("account_tokens", "new_email")
    op.drop_index("uq_data_exports_user_pending", table_name="data_exports")
    op.drop_index(op.f("ix_data_exports_user_id"), table_name="data_exports")
    op.drop_table("data_exports")
    report_action.drop(op.get_bind(), checkfirst=True)
    postgresql.ENUM(name="data_export_status").drop(op.get_bind(), checkfirst=True)

"""admin: suspensions, verifications, audit log; held payouts; flagged conversations

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 03:41:00.784697
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Gig pages and cards show the creator's badge: its change moves the catalog version (0016, 0022).
CARD_COLUMNS = (
    "username, full_name, avatar_url, is_active, creator_level, rating, total_reviews, "
    "on_time_delivery_percent, repeat_client_percent"
)


def _user_card_trigger(columns: str) -> None:
    op.execute("DROP TRIGGER users_catalog_version ON users")
    op.execute(
        f"CREATE TRIGGER users_catalog_version AFTER INSERT OR DELETE OR UPDATE OF {columns} ON users "
        "FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump()"
    )


# The audit log keeps every admin action as it was: no statement may change or remove an entry
# (TRUNCATE, a maintenance command that the tests use to reset, stays possible).
APPEND_ONLY = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
"""


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_audit_log_actor_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_actor", "audit_log", ["actor_id", "id"], unique=False)
    op.create_index("ix_audit_log_target", "audit_log", ["target_type", "target_id", "id"], unique=False)
    op.create_table(
        "user_verifications",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Enum("identity", "portfolio", name="verification_kind"), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("verified_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_verifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["verified_by"],
            ["users.id"],
            name=op.f("fk_user_verifications_verified_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_verifications")),
    )
    op.create_index("uq_user_verifications_user_kind", "user_verifications", ["user_id", "kind"], unique=True)
    op.execute(APPEND_ONLY)
    op.add_column("withdrawals", sa.Column("released_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("conversations", sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("suspended_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("suspension_reason", sa.Text(), nullable=True))
    op.add_column("users", sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
    _user_card_trigger(f"{CARD_COLUMNS}, verified_at")
    op.create_index(
        "ix_users_suspended_until",
        "users",
        ["suspended_until"],
        unique=False,
        postgresql_where=sa.text("suspended_until IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_users_suspended_until",
        table_name="users",
        postgresql_where=sa.text("suspended_until IS NOT NULL"),
    )
    _user_card_trigger(CARD_COLUMNS)
    op.drop_column("users", "verified_at")
    op.drop_column("users", "suspension_reason")
    op.drop_column("users", "suspended_until")
    op.drop_column("users", "suspended_at")
    op.drop_column("conversations", "flagged_at")
    op.drop_column("withdrawals", "released_at")
    op.drop_index("uq_user_verifications_user_kind", table_name="user_verifications")
    op.drop_table("user_verifications")
    op.drop_index("ix_audit_log_target", table_name="audit_log")
    op.drop_index("ix_audit_log_actor", table_name="audit_log")
    op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION audit_log_append_only()")
    op.drop_table("audit_log")
    op.execute("DROP TYPE verification_kind")

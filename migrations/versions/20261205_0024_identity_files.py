"""uploaded files on profiles: avatar and portfolio items

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("avatar_upload_id", sa.Uuid(), nullable=True))
    op.create_index(op.f("ix_users_avatar_upload_id"), "users", ["avatar_upload_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_users_avatar_upload_id_uploads"),
        "users",
        "uploads",
        ["avatar_upload_id"],
        ["id"],
        ondelete="SET NULL",
    )

    op.add_column("portfolio_items", sa.Column("upload_id", sa.Uuid(), nullable=True))
    op.add_column("portfolio_items", sa.Column("poster_url", sa.String(length=2048), nullable=True))
    op.add_column("portfolio_items", sa.Column("preview_url", sa.String(length=2048), nullable=True))
    op.add_column("portfolio_items", sa.Column("duration_seconds", sa.Double(), nullable=True))
    op.create_index(op.f("ix_portfolio_items_upload_id"), "portfolio_items", ["upload_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_portfolio_items_upload_id_uploads"),
        "portfolio_items",
        "uploads",
        ["upload_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_portfolio_items_upload_id_uploads"), "portfolio_items", type_="foreignkey")
    op.drop_index(op.f("ix_portfolio_items_upload_id"), table_name="portfolio_items")
    op.drop_column("portfolio_items", "duration_seconds")
    op.drop_column("portfolio_items", "preview_url")
    op.drop_column("portfolio_items", "poster_url")
    op.drop_column("portfolio_items", "upload_id")

    op.drop_constraint(op.f("fk_users_avatar_upload_id_uploads"), "users", type_="foreignkey")
    op.drop_index(op.f("ix_users_avatar_upload_id"), table_name="users")
    op.drop_column("users", "avatar_upload_id")

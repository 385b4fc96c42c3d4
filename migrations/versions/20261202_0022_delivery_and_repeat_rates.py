"""users.on_time_delivery_percent and repeat_client_percent, moved by each completed order; the
catalog version moves with them too, since gig cards show them

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CARD_COLUMNS = "username, full_name, avatar_url, is_active, creator_level, rating, total_reviews"
RATES = "on_time_delivery_percent, repeat_client_percent"


def _user_trigger(columns: str) -> None:
    op.execute("DROP TRIGGER users_catalog_version ON users")
    op.execute(
        f"CREATE TRIGGER users_catalog_version AFTER INSERT OR DELETE OR UPDATE OF {columns} ON users "
        "FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump()"
    )


def upgrade() -> None:
    op.add_column("users", sa.Column("on_time_delivery_percent", sa.SmallInteger(), nullable=True))
    op.add_column("users", sa.Column("repeat_client_percent", sa.SmallInteger(), nullable=True))
    _user_trigger(f"{CARD_COLUMNS}, {RATES}")


def downgrade() -> None:
    _user_trigger(CARD_COLUMNS)
    op.drop_column("users", "repeat_client_percent")
    op.drop_column("users", "on_time_delivery_percent")

"""review_sort_indexes: the reviews lists of a user and of a gig in every order they offer
(newest, most helpful, highest, lowest) read an index, not a sort of all the subject's reviews

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 16:46:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SHOWN = "published_at IS NOT NULL AND removed_at IS NULL"
ORDERS = {
    "helpful": ["helpful_count DESC", "published_at DESC"],
    "highest": ["rating DESC", "published_at DESC"],
    "lowest": ["rating", "published_at DESC"],
}


def upgrade() -> None:
    for subject in ("reviewee", "gig"):
        op.execute(f"ALTER INDEX ix_reviews_{subject}_published RENAME TO ix_reviews_{subject}_newest")
        column = "reviewee_id" if subject == "reviewee" else "gig_id"
        for order, keys in ORDERS.items():
            op.create_index(
                f"ix_reviews_{subject}_{order}",
                "reviews",
                [column, *(sa.literal_column(key) for key in keys)],
                postgresql_where=sa.text(SHOWN),
            )


def downgrade() -> None:
    for subject in ("reviewee", "gig"):
        for order in ORDERS:
            op.drop_index(f"ix_reviews_{subject}_{order}", table_name="reviews")
        op.execute(f"ALTER INDEX ix_reviews_{subject}_newest RENAME TO ix_reviews_{subject}_published")

"""uploaded files in gig galleries and gig video previews

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The gig columns a gig page shows (migration 0016), which move the catalog version; the page
# now shows the two new ones too (a deleted upload nulls video_preview_upload_id by itself).
GIG_PAGE_COLUMNS = (
    "title, slug, description, category_id, subcategory_id, tags, thumbnail_url, video_preview_url, "
    "is_active, is_featured, price_from_minor, price_to_minor, currency, min_delivery_days, "
    "rating, total_reviews, orders_count, creator_level, creator_id, created_at, "
    "gallery_urls, requirements, views_count"
)
NEW_GIG_PAGE_COLUMNS = GIG_PAGE_COLUMNS + ", gallery_uploads, video_preview_upload_id"


def _gig_version_trigger(columns: str) -> None:
    op.execute("DROP TRIGGER gigs_catalog_version ON gigs")
    op.execute(
        f"CREATE TRIGGER gigs_catalog_version AFTER INSERT OR DELETE OR UPDATE OF {columns} ON gigs "
        "FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump()"
    )


def upgrade() -> None:
    op.add_column(
        "gigs",
        sa.Column(
            "gallery_uploads", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
    )
    op.add_column("gigs", sa.Column("video_preview_upload_id", sa.Uuid(), nullable=True))
    op.create_index(
        op.f("ix_gigs_video_preview_upload_id"), "gigs", ["video_preview_upload_id"], unique=False
    )
    op.create_foreign_key(
        op.f("fk_gigs_video_preview_upload_id_uploads"),
        "gigs",
        "uploads",
        ["video_preview_upload_id"],
        ["id"],
        ondelete="SET NULL",
    )
    _gig_version_trigger(NEW_GIG_PAGE_COLUMNS)


def downgrade() -> None:
    _gig_version_trigger(GIG_PAGE_COLUMNS)
    op.drop_constraint(op.f("fk_gigs_video_preview_upload_id_uploads"), "gigs", type_="foreignkey")
    op.drop_index(op.f("ix_gigs_video_preview_upload_id"), table_name="gigs")
    op.drop_column("gigs", "video_preview_upload_id")
    op.drop_column("gigs", "gallery_uploads")

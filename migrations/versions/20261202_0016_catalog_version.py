"""catalog_version: the search version becomes the catalog's, moved on by every change to what
a gig page or a gig list shows (packages and categories too), so that cached pages of both
are never served after a change

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What migration 0008 made move the search version (for the downgrade).
GIG_COLUMNS = (
    "title, slug, description, category_id, subcategory_id, tags, thumbnail_url, video_preview_url, "
    "is_active, is_featured, price_from_minor, price_to_minor, currency, min_delivery_days, "
    "rating, total_reviews, orders_count, creator_level, creator_id, created_at"
)
# The page shows more, and its view count too: the views flush (once a minute) moves the version,
# so cached pages live at most that long under steady traffic and never show old counts.
GIG_PAGE_COLUMNS = GIG_COLUMNS + ", gallery_urls, requirements, views_count"
NEW_TRIGGERS = [
    ("packages", "packages_catalog_version", "AFTER INSERT OR DELETE OR UPDATE"),
    ("categories", "categories_catalog_version", "AFTER INSERT OR DELETE OR UPDATE OF name, slug, is_active"),
]


def upgrade() -> None:
    op.rename_table("search_state", "catalog_state")
    op.alter_column("catalog_state", "gigs_version", new_column_name="version")
    op.execute("ALTER TABLE catalog_state RENAME CONSTRAINT pk_search_state TO pk_catalog_state")
    op.execute(
        "ALTER TABLE catalog_state RENAME CONSTRAINT ck_search_state_single_row TO ck_catalog_state_single_row"
    )
    op.execute("DROP TRIGGER gigs_search_state ON gigs")
    op.execute("DROP TRIGGER users_search_state ON users")
    op.execute("DROP FUNCTION search_state_bump()")
    op.execute("""
        CREATE FUNCTION catalog_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO catalog_state AS s (id, version) VALUES (1, 1)
            ON CONFLICT (id) DO UPDATE SET version = s.version + 1;
            RETURN NULL;
        END
        $$
    """)
    triggers = [
        ("gigs", "gigs_catalog_version", f"AFTER INSERT OR DELETE OR UPDATE OF {GIG_PAGE_COLUMNS}"),
        (
            "users",
            "users_catalog_version",
            "AFTER INSERT OR DELETE OR UPDATE OF username, full_name, avatar_url, is_active, creator_level, "
            "rating, total_reviews",
        ),
        *NEW_TRIGGERS,
    ]
    for table, trigger, events in triggers:
        op.execute(
            f"CREATE TRIGGER {trigger} {events} ON {table} FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump()"
        )


def downgrade() -> None:
    for table, trigger in [
        ("gigs", "gigs_catalog_version"),
        ("users", "users_catalog_version"),
        *[(table, trigger) for table, trigger, _ in NEW_TRIGGERS],
    ]:
        op.execute(f"DROP TRIGGER {trigger} ON {table}")
    op.execute("DROP FUNCTION catalog_version_bump()")
    op.execute(
        "ALTER TABLE catalog_state RENAME CONSTRAINT ck_catalog_state_single_row TO ck_search_state_single_row"
    )
    op.execute("ALTER TABLE catalog_state RENAME CONSTRAINT pk_catalog_state TO pk_search_state")
    op.alter_column("catalog_state", "version", new_column_name="gigs_version")
    op.rename_table("catalog_state", "search_state")
    op.execute("""
        CREATE FUNCTION search_state_bump() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO search_state AS s (id, gigs_version) VALUES (1, 1)
            ON CONFLICT (id) DO UPDATE SET gigs_version = s.gigs_version + 1;
            RETURN NULL;
        END
        $$
    """)
    for table, trigger, columns in [
        ("gigs", "gigs_search_state", GIG_COLUMNS),
        (
            "users",
            "users_search_state",
            "username, full_name, avatar_url, is_active, creator_level, rating, total_reviews",
        ),
    ]:
        op.execute(
            f"CREATE TRIGGER {trigger} AFTER INSERT OR DELETE OR UPDATE OF {columns} ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION search_state_bump()"
        )

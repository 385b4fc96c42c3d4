"""catalog_version_bump() also sends NOTIFY catalog_version with the new version, so that
every serving process can hold the version in memory instead of reading it for each page

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 17:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NOTIFY is delivered at commit, and only if the transaction commits: a listener never
    # hears of a version that a rollback took back.
    op.execute("""
        CREATE OR REPLACE FUNCTION catalog_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            new_version bigint;
        BEGIN
            INSERT INTO catalog_state AS s (id, version) VALUES (1, 1)
            ON CONFLICT (id) DO UPDATE SET version = s.version + 1
            RETURNING version INTO new_version;
            PERFORM pg_notify('catalog_version', new_version::text);
            RETURN NULL;
        END
        $$
    """)


def downgrade() -> None:
    op.execute("""
        CREATE OR REPLACE FUNCTION catalog_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO catalog_state AS s (id, version) VALUES (1, 1)
            ON CONFLICT (id) DO UPDATE SET version = s.version + 1;
            RETURN NULL;
        END
        $$
    """)

"""search: triggers keeping the weighted tsvectors of gigs, projects and users current

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 17:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, function, weight A, weight B, weight C, the columns whose change re-indexes the row)
VECTORS = [
    (
        "gigs",
        "gigs_search_vector_update",
        "NEW.title",
        "array_to_string(NEW.tags, ' ')",
        "NEW.description",
        "title, tags, description",
    ),
    (
        "projects",
        "projects_search_vector_update",
        "NEW.title",
        "array_to_string(NEW.required_skills, ' ')",
        "NEW.description",
        "title, required_skills, description",
    ),
    (
        "users",
        "users_search_vector_update",
        "NEW.full_name || ' ' || NEW.username",
        "array_to_string(NEW.skills, ' ')",
        "NEW.bio",
        "full_name, username, skills, bio",
    ),
]


def upgrade() -> None:
    for table, function, weight_a, weight_b, weight_c, columns in VECTORS:
        op.execute(f"""
            CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.search_vector :=
                    setweight(to_tsvector('english', coalesce({weight_a}, '')), 'A') ||
                    setweight(to_tsvector('english', coalesce({weight_b}, '')), 'B') ||
                    setweight(to_tsvector('english', coalesce({weight_c}, '')), 'C');
                RETURN NEW;
            END
            $$
        """)
        op.execute(f"""
            CREATE TRIGGER {table}_search_vector
            BEFORE INSERT OR UPDATE OF {columns} ON {table}
            FOR EACH ROW EXECUTE FUNCTION {function}()
        """)
        # Index the rows that exist already (the trigger fires on this no-op update).
        op.execute(f"UPDATE {table} SET {columns.split(',')[0]} = {columns.split(',')[0]}")


def downgrade() -> None:
    for table, function, *_ in VECTORS:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_search_vector ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {function}()")

"""Migrations: one linear history; upgrading an empty database gives exactly the models' schema,
and downgrading removes everything again (procrastinate's schema included)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import make_url

from reelbyte.core.config import Settings
from reelbyte.core.jobs import libpq_url
from reelbyte.core.migrate import alembic_config, downgrade, upgrade
from reelbyte.models import metadata


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """The filter of migrations/env.py: procrastinate's tables come from its own SQL, not our models."""
    return not (type_ == "table" and name is not None and name.startswith("procrastinate_"))


@pytest.fixture
def empty_database(settings: Settings) -> Iterator[str]:
    """A brand new database on the test server; dropped afterwards."""
    assert settings.database_url is not None
    name = f"reelbyte_migrations_{uuid.uuid4().hex[:8]}"
    admin_dsn = libpq_url(make_url(settings.database_url).set(database="postgres").render_as_string(False))
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(settings.database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _schema_differences(database_url: str) -> list[Any]:
    engine = create_engine(database_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "include_object": include_object,
                    "compare_type": True,
                    "compare_server_default": True,
                },
            )
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def _leftovers(database_url: str) -> dict[str, list[str]]:
    """What the public schema holds besides alembic_version (and its own row type)."""
    queries = {
        "relations": """
            SELECT c.relname FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace AND c.relname <> 'alembic_version'
              AND c.relname NOT LIKE 'alembic_version_%'""",
        "types": """
            SELECT t.typname FROM pg_type t
            WHERE t.typnamespace = 'public'::regnamespace AND t.typcategory <> 'A'
              AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c')""",
        "functions": "SELECT p.proname FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace",
        "procrastinate_anywhere": """
            SELECT proname FROM pg_proc WHERE proname LIKE 'procrastinate%'
            UNION ALL SELECT typname FROM pg_type WHERE typname LIKE '%procrastinate%'
            UNION ALL SELECT relname FROM pg_class WHERE relname LIKE '%procrastinate%'""",
    }
    with psycopg.connect(libpq_url(database_url)) as conn:
        return {key: sorted(row[0] for row in conn.execute(sql)) for key, sql in queries.items()}


def _tables(database_url: str) -> list[str]:
    with psycopg.connect(libpq_url(database_url)) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        return [row[0] for row in rows]


def test_history_is_linear_with_one_head(settings: Settings) -> None:
    assert settings.database_url is not None
    scripts = ScriptDirectory.from_config(alembic_config(settings.database_url))
    heads = scripts.get_heads()
    assert len(heads) == 1, heads
    revisions = list(scripts.walk_revisions())
    assert [r for r in revisions if r.is_merge_point or r.is_branch_point] == []
    assert len(scripts.get_bases()) == 1
    assert revisions[0].revision == heads[0]


def test_upgrade_matches_the_models_and_downgrade_removes_everything(empty_database: str) -> None:
    assert _tables(empty_database) == []

    upgrade(empty_database)

    assert _schema_differences(empty_database) == []
    tables = set(_tables(empty_database))
    assert {table.name for table in metadata.sorted_tables} <= tables
    assert {"procrastinate_jobs", "procrastinate_events", "procrastinate_workers"} <= tables

    downgrade(empty_database)

    assert _tables(empty_database) == ["alembic_version"]
    assert _leftovers(empty_database) == {
        "relations": [],
        "types": [],
        "functions": [],
        "procrastinate_anywhere": [],
    }

    # Nothing is left behind that a fresh upgrade would trip over.
    upgrade(empty_database)
    assert _schema_differences(empty_database) == []
    downgrade(empty_database)
    assert _tables(empty_database) == ["alembic_version"]

"""`reelbyte backup create` / `restore`: the database as a pg_dump custom-format archive, plus a
manifest of what it held (per-table row counts, the migration revision) and of the object store's
keys and sizes, so that a restore can be checked and the files can be matched to their rows.

The row counts are taken in the very snapshot pg_dump copies (`pg_export_snapshot`), so they are
exact even while the application keeps writing. Files are not copied: the store keeps them
(versioning or replication is its job); the manifest says which ones the database refers to.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from reelbyte.core.config import Settings
from reelbyte.core.jobs import libpq_url

DUMP_FILE = "database.dump"
MANIFEST_FILE = "manifest.json"

_USER_TABLES = """
SELECT table_schema, table_name FROM information_schema.tables
WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
ORDER BY table_schema, table_name
"""


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class StoredFile:
    key: str
    size: int


@dataclass
class Manifest:
    created_at: str
    alembic_revision: str | None
    server_version: str
    pg_dump_version: int
    tables: dict[str, int]
    storage: str
    objects: list[StoredFile] = field(default_factory=list)

    @property
    def object_bytes(self) -> int:
        return sum(stored.size for stored in self.objects)

    def write(self, folder: Path) -> None:
        (folder / MANIFEST_FILE).write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST_FILE
        if not path.is_file() or not (folder / DUMP_FILE).is_file():
            raise BackupError(f"{folder} is not a backup: it needs {MANIFEST_FILE} and {DUMP_FILE}")
        data: dict[str, Any] = json.loads(path.read_text())
        data["objects"] = [StoredFile(**stored) for stored in data.get("objects", [])]
        return cls(**data)


@dataclass
class Mismatch:
    table: str
    expected: int | None  # None: the table is not in the backup
    found: int | None  # None: the table is missing after the restore


def create_backup(settings: Settings, folder: Path) -> Manifest:
    """Dump DATABASE_URL into `folder` (created; must hold no backup yet) and write the manifest."""
    assert settings.database_url is not None
    if (folder / DUMP_FILE).exists() or (folder / MANIFEST_FILE).exists():
        raise BackupError(f"{folder} already holds a backup: choose a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    dsn = libpq_url(settings.database_url)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = _scalar(connection, "SELECT pg_export_snapshot()")
        server_major = _server_major(connection)
        pg_dump, dump_major = postgres_tool("pg_dump", server_major)
        # pg_dump reads the exported snapshot while this transaction keeps it alive.
        _run_tool([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={folder / DUMP_FILE}"], dsn)
        manifest = Manifest(
            created_at=datetime.now(UTC).isoformat(),
            alembic_revision=_alembic_revision(connection),
            server_version=str(_scalar(connection, "SHOW server_version")),
            pg_dump_version=dump_major,
            tables=row_counts(connection),
            storage=settings.storage_backend,
            objects=stored_files(settings),
        )
        connection.execute("COMMIT")
    manifest.write(folder)
    return manifest


def restore_backup(folder: Path, database_url: str) -> tuple[Manifest, list[Mismatch]]:
    """Restore `folder` into the empty database at `database_url`; the tables whose row counts
    differ from the manifest's (none when the restore is complete)."""
    manifest = Manifest.read(folder)
    dsn = libpq_url(database_url)
    with psycopg.connect(dsn, autocommit=True) as connection:
        existing = row_counts(connection)
        if existing:
            names = ", ".join(sorted(existing)[:5])
            raise BackupError(
                f"The target database is not empty ({len(existing)} tables, e.g. {names}): restore "
                "into a new, empty database (createdb), then point DATABASE_URL at it"
            )
        server_major = _server_major(connection)
    pg_restore, _ = postgres_tool("pg_restore", max(server_major, manifest.pg_dump_version))
    _run_tool(
        [pg_restore, "--exit-on-error", "--single-transaction", "--no-owner", str(folder / DUMP_FILE)],
        dsn,
        target="--dbname",
    )
    with psycopg.connect(dsn, autocommit=True) as connection:
        restored = row_counts(connection)
    return manifest, compare_counts(manifest.tables, restored)


def compare_counts(expected: dict[str, int], found: dict[str, int]) -> list[Mismatch]:
    return [
        Mismatch(table, expected.get(table), found.get(table))
        for table in sorted(expected.keys() | found.keys())
        if expected.get(table) != found.get(table)
    ]


def row_counts(connection: psycopg.Connection[Any]) -> dict[str, int]:
    """Exact row count of every table outside the system schemas, as `schema.table`."""
    counts = {}
    for schema, table in connection.execute(_USER_TABLES).fetchall():
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))
        counts[f"{schema}.{table}"] = int(_scalar(connection, query))
    return counts


def stored_files(settings: Settings) -> list[StoredFile]:
    """Every object in the S3 bucket with its size (nothing for Cloudinary, which has no bucket
    to list: its own backups keep the files)."""
    if settings.storage_backend != "s3":
        return []
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        aws_access_key_id=settings.s3_access_key_id,
        aws_secret_access_key=settings.s3_secret_access_key,
        region_name=settings.s3_region,
    )
    files: list[StoredFile] = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=settings.s3_bucket):
        files.extend(StoredFile(item["Key"], int(item["Size"])) for item in page.get("Contents", []))
    return files


def postgres_tool(name: str, at_least_major: int) -> tuple[str, int]:
    """The newest `pg_dump`/`pg_restore` found whose major version is ≥ `at_least_major` (one
    older than the server refuses to dump it): its path and major version."""
    found = []
    for candidate in _tool_candidates(name):
        major = _tool_major(candidate)
        if major is not None:
            found.append((major, candidate))
    usable = sorted((pair for pair in found if pair[0] >= at_least_major), reverse=True)
    if not usable:
        seen = ", ".join(f"{path} ({major})" for major, path in found) or "none"
        raise BackupError(
            f"No {name} of PostgreSQL {at_least_major} or newer was found (found: {seen}); "
            f"install the PostgreSQL {at_least_major} client tools"
        )
    major, path = usable[0]
    return path, major


def _tool_candidates(name: str) -> list[str]:
    candidates = [shutil.which(name)]
    try:  # the embedded server's own tools
        from pgserver._commands import POSTGRES_BIN_PATH

        candidates.append(str(Path(POSTGRES_BIN_PATH) / name))
    except ImportError:
        pass
    candidates.extend(str(path) for path in Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return list(dict.fromkeys(path for path in candidates if path and Path(path).is_file()))


def _tool_major(path: str) -> int | None:
    try:
        done = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10, check=False)  # noqa: S603
    except OSError:
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", done.stdout)
    return int(match.group(1)) if done.returncode == 0 and match else None


def _run_tool(command: list[str], dsn: str, target: str = "--dbname") -> None:
    """Run pg_dump/pg_restore on `dsn`, its password in the environment (not on the command line,
    where `ps` shows it)."""
    url = make_url(dsn)
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    without_password = url.set(password=None).render_as_string(hide_password=False)
    done = subprocess.run(  # noqa: S603 (our own arguments)
        [*command, f"{target}={without_password}"], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed:\n{done.stderr.strip()[-2000:]}")


def _server_major(connection: psycopg.Connection[Any]) -> int:
    return int(_scalar(connection, "SHOW server_version_num")) // 10000


def _alembic_revision(connection: psycopg.Connection[Any]) -> str | None:
    exists = _scalar(connection, "SELECT to_regclass('alembic_version') IS NOT NULL")
    return str(_scalar(connection, "SELECT version_num FROM alembic_version")) if exists else None


def _scalar(connection: psycopg.Connection[Any], query: Any) -> Any:
    row = connection.execute(query).fetchone()
    assert row is not None
    return row[0]

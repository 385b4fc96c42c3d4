"""`reelbyte backup create` / `restore`, run as real processes: a demo database is dumped and
restored into a new one, which then holds the same rows and passes the ledger check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import psycopg
import pytest
from sqlalchemy.engine import make_url

from reelbyte.core.backup import MANIFEST_FILE, BackupError, Manifest, row_counts
from reelbyte.core.config import Settings
from reelbyte.core.jobs import libpq_url
from tests.conftest import s3_env

pytestmark = pytest.mark.slow


def _admin_dsn(settings: Settings) -> str:
    assert settings.database_url is not None
    return libpq_url(make_url(settings.database_url).set(database="postgres").render_as_string(False))


@pytest.fixture
def new_database(settings: Settings) -> Iterator[Iterator[str]]:
    """Makes empty databases on the test server (their URLs), dropped at the end."""
    assert settings.database_url is not None
    made: list[str] = []

    def databases() -> Iterator[str]:
        while True:
            name = f"reelbyte_backup_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(_admin_dsn(settings), autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{name}"')
            made.append(name)
            yield make_url(settings.database_url).set(database=name).render_as_string(False)

    yield databases()
    with psycopg.connect(_admin_dsn(settings), autocommit=True) as connection:
        for name in made:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _cli(settings: Settings, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        **s3_env(settings),
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.redis_url or "",
    }
    env["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, "-m", "reelbyte.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _counts(database_url: str) -> dict[str, int]:
    with psycopg.connect(libpq_url(database_url), autocommit=True) as connection:
        return row_counts(connection)


def _upload(settings: Settings, key: str, body: bytes) -> None:
    client = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        aws_access_key_id=settings.s3_access_key_id,
        aws_secret_access_key=settings.s3_secret_access_key,
        region_name=settings.s3_region,
    )
    client.put_object(Bucket=settings.s3_bucket, Key=key, Body=body)


def test_a_demo_database_round_trips_through_a_backup(
    settings: Settings, new_database: Iterator[str], tmp_path: Path
) -> None:
    source, target, tampered_target = next(new_database), next(new_database), next(new_database)
    for step in (["migrate"], ["seed", "--demo"]):
        done = _cli(settings, source, *step)
        assert done.returncode == 0, done.stdout + done.stderr
    key = f"backup-test/{uuid.uuid4().hex}.txt"
    _upload(settings, key, b"twelve bytes")

    backup = tmp_path / "backup"
    created = _cli(settings, source, "backup", "create", "--out", str(backup))
    assert created.returncode == 0, created.stdout + created.stderr
    manifest = Manifest.read(backup)
    source_counts = _counts(source)
    assert manifest.tables == source_counts
    assert manifest.tables["public.users"] > 0
    assert manifest.tables["public.gigs"] > 0
    assert manifest.alembic_revision is not None
    assert {"key": key, "size": 12} in [vars(stored) for stored in manifest.objects]

    restored = _cli(settings, source, "backup", "restore", str(backup), "--database-url", target)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "all" in restored.stdout
    assert _counts(target) == source_counts
    ledger = _cli(settings, target, "ledger", "check")
    assert ledger.returncode == 0, ledger.stdout + ledger.stderr
    assert "✗" not in ledger.stdout

    again = _cli(settings, source, "backup", "restore", str(backup), "--database-url", target)
    assert again.returncode == 1
    assert "not empty" in again.stdout
    assert _counts(target) == source_counts

    # A restore that does not match its manifest says which table and fails.
    data = json.loads((backup / MANIFEST_FILE).read_text())
    data["tables"]["public.users"] += 1
    (backup / MANIFEST_FILE).write_text(json.dumps(data))
    mismatch = _cli(settings, source, "backup", "restore", str(backup), "--database-url", tampered_target)
    assert mismatch.returncode == 1
    assert "public.users" in mismatch.stdout


def test_create_refuses_a_folder_that_holds_a_backup(settings: Settings, tmp_path: Path) -> None:
    assert settings.database_url is not None
    (tmp_path / MANIFEST_FILE).write_text("{}")
    done = _cli(settings, settings.database_url, "backup", "create", "--out", str(tmp_path))
    assert done.returncode == 1
    assert "already holds a backup" in done.stdout


def test_restore_refuses_a_folder_that_is_no_backup(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="is not a backup"):
        Manifest.read(tmp_path)

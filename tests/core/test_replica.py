"""Read replicas against a real streaming replica: a primary and a hot standby made with
`pg_basebackup -R` from the PostgreSQL binaries the `pgserver` package bundles, in a temporary
folder on ports of their own (nothing of the machine's PostgreSQL is touched).

The public read routes (`ReplicaSessionDep`) read the standby; the author of a write reads the
primary for REPLICA_STICKY_SECONDS (cookie, or the X-Read-Primary header); writes never reach
the standby; a standby that is down leaves its reads to the primary, and takes them back once
it is up again."""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pgserver
import psycopg
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY
from sqlalchemy import event

from reelbyte.catalog.pages import version_watch
from reelbyte.core import db
from reelbyte.core.db import Database
from reelbyte.core.jobs import libpq_url
from reelbyte.core.migrate import upgrade
from reelbyte.core.routing import READ_PRIMARY_COOKIE
from tests.factories import make_gig, signed_up

pytestmark = pytest.mark.slow

PRIMARY_PORT, STANDBY_PORT = 8940, 8941
WAIT_SECONDS = 5.0  # for the standby to catch up
BIN = Path(pgserver.__file__).parent / "pginstall" / "bin"
# PostgreSQL refuses to run as root: then the servers run as the user pgserver itself uses.
RUN_AS = "pgserver" if os.geteuid() == 0 else None


@dataclass
class Cluster:
    root: Path
    primary_url: str
    standby_url: str

    def pg_ctl(self, node: str, action: str) -> None:
        _run("pg_ctl", "-D", str(self.root / node), "-l", str(self.root / f"{node}.log"), "-w", action)

    def sql(self, url: str, statement: str) -> Any:
        with psycopg.connect(libpq_url(url), autocommit=True) as connection:
            cursor = connection.execute(statement)
            row = cursor.fetchone() if cursor.description else None
            return row[0] if row else None

    def caught_up(self) -> bool:
        """Whether the standby has replayed all the primary has written so far."""
        lsn = self.sql(self.primary_url, "SELECT pg_current_wal_lsn()")
        return bool(self.sql(self.standby_url, f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn"))

    async def wait_caught_up(self) -> None:
        await _until(lambda: _now(self.caught_up()))


def _run(program: str, *args: str) -> None:
    subprocess.run([str(BIN / program), *args], check=True, capture_output=True, user=RUN_AS, timeout=60)


def _url(port: int, database: str = "reelbyte") -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    root = Path(tempfile.mkdtemp(prefix="reelbyte-replica-"))
    if RUN_AS is not None:
        os.chown(root, pwd.getpwnam(RUN_AS).pw_uid, pwd.getpwnam(RUN_AS).pw_gid)
    primary, standby = root / "primary", root / "standby"
    _run("initdb", "-D", str(primary), "-U", "postgres", "-A", "trust", "--no-sync", "--no-instructions")
    settings = [
        f"port = {PRIMARY_PORT}",
        "listen_addresses = '127.0.0.1'",
        f"unix_socket_directories = '{root}'",
        "wal_level = replica",
        "max_wal_senders = 4",
        "hot_standby = on",
        "fsync = off",  # a test cluster: nothing to keep across a crash
        "max_connections = 100",
    ]
    with (primary / "postgresql.conf").open("a") as conf:
        conf.write("\n".join(settings) + "\n")
    cluster = Cluster(root, _url(PRIMARY_PORT), _url(STANDBY_PORT))
    cluster.pg_ctl("primary", "start")
    try:
        cluster.sql(_url(PRIMARY_PORT, "postgres"), "CREATE DATABASE reelbyte")
        upgrade(cluster.primary_url)
        _run(
            "pg_basebackup", "-D", str(standby), "-R", "-X", "stream", "-c", "fast",
            "-h", "127.0.0.1", "-p", str(PRIMARY_PORT), "-U", "postgres",
        )  # fmt: skip
        with (standby / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {STANDBY_PORT}\n")
        cluster.pg_ctl("standby", "start")
        yield cluster
    finally:
        for node in ("standby", "primary"):
            if (root / node / "postmaster.pid").exists():
                cluster.pg_ctl(node, "stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
async def replicated(cluster: Cluster) -> AsyncIterator[Database]:
    """The process's database: the cluster's primary, and its standby as the replica (then the
    suite's own again, before its tables are reset)."""
    suite_database = db.get_database()
    database = Database(cluster.primary_url, pool_size=4, replica_url=cluster.standby_url)
    db._database = database
    try:
        yield database
    finally:
        db._database = suite_database
        await database.dispose()


@pytest.fixture
async def anonymous(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Another client than the author: no cookie of its own."""
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def _name_seen(http: httpx.AsyncClient, user_id: str, **headers: str) -> str:
    response = await http.get(f"/v1/users/{user_id}", headers=headers)
    assert response.status_code == 200, response.text
    return str(response.json()["full_name"])


async def _until(check: Any) -> float:
    """Seconds until `await check()` is true (fails after WAIT_SECONDS)."""
    started = time.perf_counter()
    while not await check():
        assert time.perf_counter() - started < WAIT_SECONDS, "the replica did not catch up"
        await _sleep(0.01)
    return time.perf_counter() - started


async def _sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def _now(value: bool) -> bool:
    return value


def _fallback_reads() -> float:
    return REGISTRY.get_sample_value("reelbyte_db_replica_fallback_reads_total") or 0.0


async def test_public_reads_come_from_the_replica_and_the_author_reads_its_writes(
    cluster: Cluster, replicated: Database, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    user, headers = await signed_up(client)
    await cluster.wait_caught_up()
    cluster.sql(cluster.standby_url, "SELECT pg_wal_replay_pause()")
    try:
        response = await client.put("/v1/users/me", json={"full_name": "Renamed Now"}, headers=headers)
        assert response.status_code == 200, response.text
        cookie = response.headers["set-cookie"]
        assert f"{READ_PRIMARY_COOKIE}=1" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert "Max-Age=5" in cookie  # REPLICA_STICKY_SECONDS

        assert await _name_seen(client, user["id"]) == "Renamed Now"  # the author: the primary
        assert await _name_seen(anonymous, user["id"]) == "Test Creator"  # others: the replica
        assert await _name_seen(anonymous, user["id"], **{"X-Read-Primary": "1"}) == "Renamed Now"
        # A private read is never the replica's, whoever asks.
        assert (await client.get("/v1/users/me", headers=headers)).json()["full_name"] == "Renamed Now"
    finally:
        cluster.sql(cluster.standby_url, "SELECT pg_wal_replay_resume()")
    await _until(lambda: _is(anonymous, user["id"], "Renamed Now"))


async def _is(http: httpx.AsyncClient, user_id: str, name: str) -> bool:
    return await _name_seen(http, user_id) == name


async def test_a_cached_catalog_page_is_never_built_from_a_replica_behind_its_version(
    cluster: Cluster, replicated: Database, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    """The catalog version in memory follows the primary (LISTEN); a page read on the replica
    goes under the replica's own version, so a lagging replica cannot store an old page under
    the new version."""
    _, headers = await signed_up(client)
    gig = await make_gig(client, headers, title="Before the pause")
    await version_watch.start(cluster.primary_url)
    try:
        await cluster.wait_caught_up()
        assert await _title_seen(anonymous, gig["id"], "Before the pause")
        cluster.sql(cluster.standby_url, "SELECT pg_wal_replay_pause()")
        try:
            response = await client.put(
                f"/v1/gigs/{gig['id']}", json={"title": "After the pause"}, headers=headers
            )
            assert response.status_code == 200, response.text
            assert await _title_seen(client, gig["id"], "After the pause")  # the author: the primary
            await _until(lambda: _version_known(cluster))  # in memory: the primary's new version
            assert await _title_seen(anonymous, gig["id"], "Before the pause")  # the replica, behind
            # ...whose page did not go under the new version: the author still sees the change.
            assert await _title_seen(client, gig["id"], "After the pause")
        finally:
            cluster.sql(cluster.standby_url, "SELECT pg_wal_replay_resume()")
        await _until(lambda: _title_seen(anonymous, gig["id"], "After the pause"))
    finally:
        await version_watch.stop()


async def _title_seen(http: httpx.AsyncClient, gig_id: str, title: str) -> bool:
    response = await http.get(f"/v1/gigs/{gig_id}")
    assert response.status_code == 200, response.text
    return bool(response.json()["title"] == title)


async def _version_known(cluster: Cluster) -> bool:
    primary_version = cluster.sql(cluster.primary_url, "SELECT version FROM catalog_state")
    return bool(version_watch.current() == primary_version)


async def test_writes_never_go_to_the_replica(
    replicated: Database, client: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    assert replicated.replica_engine is not None
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    engine = replicated.replica_engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        user, headers = await signed_up(client)  # writes: register, log in
        assert statements == []
        await client.put("/v1/users/me", json={"bio": "Still here"}, headers=headers)
        assert statements == []
        await _name_seen(anonymous, user["id"])
        assert statements  # the public read went to the replica
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert not [s for s in statements if s.lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]


async def test_a_replica_that_is_down_leaves_its_reads_to_the_primary_until_it_is_back(
    cluster: Cluster,
    replicated: Database,
    client: httpx.AsyncClient,
    anonymous: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(db, "REPLICA_RETRY_SECONDS", 0.3)
    user, headers = await signed_up(client)
    await cluster.wait_caught_up()
    assert await _name_seen(anonymous, user["id"]) == "Test Creator"  # a pooled replica connection
    fallbacks = _fallback_reads()
    cluster.pg_ctl("standby", "stop")
    try:
        await client.put("/v1/users/me", json={"full_name": "While Down"}, headers=headers)
        assert await _name_seen(anonymous, user["id"]) == "While Down"  # no error: the primary
        assert await _name_seen(anonymous, user["id"]) == "While Down"
        assert _fallback_reads() >= fallbacks + 2
    finally:
        cluster.pg_ctl("standby", "start")
    # Back: its reads return to it (a paused replica shows what it had).
    await cluster.wait_caught_up()
    cluster.sql(cluster.standby_url, "SELECT pg_wal_replay_pause()")
    try:
        await client.put("/v1/users/me", json={"full_name": "Up Again"}, headers=headers)

        async def replica_serves() -> bool:
            await _sleep(0.35)  # past the retry interval: fallback connections are replaced
            return await _name_seen(anonymous, user["id"]) == "While Down"

        await _until(replica_serves)
    finally:
        cluster.sql(cluster.standby_url, "SELECT pg_wal_replay_resume()")


def test_replay_lag_under_a_burst_of_writes_stays_well_inside_the_sticky_window(
    cluster: Cluster,
) -> None:
    """500 committed writes as fast as one connection makes them; the standby has replayed
    the last one this long after its commit (printed: docs/architecture.md quotes it)."""
    with psycopg.connect(libpq_url(cluster.primary_url), autocommit=True) as primary:
        primary.execute("CREATE TABLE IF NOT EXISTS lag_probe (id serial PRIMARY KEY, body text)")
        started = time.perf_counter()
        for number in range(500):
            primary.execute("INSERT INTO lag_probe (body) VALUES (%s)", (f"write {number} " + "x" * 200,))
        burst = time.perf_counter() - started
        last_commit = time.perf_counter()
        lsn = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]  # type: ignore[index]
    with psycopg.connect(libpq_url(cluster.standby_url), autocommit=True) as standby:
        while not standby.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (str(lsn),)).fetchone()[0]:  # type: ignore[index]
            assert time.perf_counter() - last_commit < 5, "the standby fell 5 s behind"
            time.sleep(0.001)
        lag = time.perf_counter() - last_commit
    print(f"\nreplica: 500 writes in {burst * 1000:.0f} ms; replayed {lag * 1000:.1f} ms after the last")
    assert lag < 5  # REPLICA_STICKY_SECONDS: the author's window outlasts the lag


async def test_without_a_replica_a_write_sets_no_cookie(client: httpx.AsyncClient) -> None:
    """The suite's own database has no replica: nothing to stick to, nothing added."""
    _, headers = await signed_up(client)
    response = await client.put("/v1/users/me", json={"bio": "No replica here"}, headers=headers)
    assert response.status_code == 200, response.text
    assert READ_PRIMARY_COOKIE not in response.headers.get("set-cookie", "")

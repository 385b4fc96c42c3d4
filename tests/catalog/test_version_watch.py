"""The catalog version held in memory (catalog/pages.py, VersionWatch): cached pages change as
soon as a change commits, whether this process made it or another connection did, no page
costs a read of the version while the memory is current, and the memory is not trusted when
it could be behind. And the pages kept in memory (RecentPages) stay within their bounds."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import event

from reelbyte.catalog.pages import WATCH_NAME, RecentPages, VersionWatch
from reelbyte.core.config import Settings
from reelbyte.core.db import get_database
from reelbyte.core.jobs import libpq_url
from tests.catalog.conftest import until
from tests.factories import Headers, make_gig, signed_up


@pytest.fixture
async def gig(client: httpx.AsyncClient) -> tuple[dict[str, Any], Headers]:
    _, headers = await signed_up(client)
    return await make_gig(client, headers), headers


async def _elsewhere(settings: Settings, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run SQL on a connection of its own, as another process (a script, a worker) would."""
    conninfo = libpq_url(str(settings.database_url))
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as connection:
        cursor = await connection.execute(sql, params)  # type: ignore[arg-type]
        return await cursor.fetchall() if cursor.description else []


async def _table_version(settings: Settings) -> int:
    return int((await _elsewhere(settings, "SELECT version FROM catalog_state WHERE id = 1"))[0][0])


async def _title(client: httpx.AsyncClient, ref: str) -> str:
    response = await client.get(f"/v1/gigs/{ref}")
    assert response.status_code == 200, response.text
    return str(response.json()["title"])


async def test_a_change_made_elsewhere_reaches_the_cached_page(
    client: httpx.AsyncClient, gig: tuple[dict[str, Any], Headers], watched: VersionWatch, settings: Settings
) -> None:
    page, _ = gig
    assert await _title(client, page["slug"]) == page["title"]  # cached now
    await _elsewhere(settings, "UPDATE gigs SET title = 'Changed by a script' WHERE id = %s", page["id"])
    version = await _table_version(settings)
    await until(lambda: watched.current() == version)
    assert await _title(client, page["slug"]) == "Changed by a script"


async def test_this_process_sees_its_own_changes_at_once(
    client: httpx.AsyncClient, gig: tuple[dict[str, Any], Headers], watched: VersionWatch
) -> None:
    page, headers = gig
    for take in range(8):
        assert await _title(client, page["slug"]) != f"Take number {take}"
        response = await client.put(
            f"/v1/gigs/{page['id']}", json={"title": f"Take number {take}"}, headers=headers
        )
        assert response.status_code == 200, response.text
        assert await _title(client, page["slug"]) == f"Take number {take}"  # no waiting
    # A read that the write's own notification overtook does not stand (VersionWatch); a later
    # read settles the version again.
    for _ in range(100):
        if watched.current() is not None:
            break
        await asyncio.sleep(0.01)
        await _title(client, page["slug"])
    assert watched.current() is not None


async def test_a_cached_page_reads_nothing_from_the_database_while_the_version_is_known(
    client: httpx.AsyncClient, gig: tuple[dict[str, Any], Headers], watched: VersionWatch
) -> None:
    page, _ = gig
    await _title(client, page["slug"])  # cached, and the version known
    assert (await client.get("/v1/gigs")).status_code == 200
    assert watched.current() is not None
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    engine = get_database().read_engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert await _title(client, page["slug"]) == page["title"]
        assert (await client.get("/v1/gigs")).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements == []


def test_a_read_that_a_change_overtook_does_not_stand() -> None:
    watch = VersionWatch()
    watch._listening = True  # as when its connection is up; no connection needed for the rules
    began = watch.generation
    watch.read(7, began)
    assert watch.current() == 7
    watch.heard(8)
    assert watch.current() == 8

    began = watch.generation
    watch.forget()  # this process committed a write while the read was in flight
    watch.read(8, began)
    assert watch.current() is None
    began = watch.generation
    watch.heard(9)  # heard while unknown: it may predate this process's own write
    assert watch.current() is None
    watch.read(8, began)  # began before 9 was heard
    assert watch.current() is None
    watch.read(9, watch.generation)
    assert watch.current() == 9

    watch._listening = False  # the connection is down: nothing read is trusted
    watch.forget()
    watch.read(9, watch.generation)
    assert watch.current() is None


async def test_a_lost_connection_is_not_trusted_and_the_watch_comes_back(
    client: httpx.AsyncClient, gig: tuple[dict[str, Any], Headers], watched: VersionWatch, settings: Settings
) -> None:
    page, _ = gig
    await _title(client, page["slug"])
    terminated = await _elsewhere(
        settings,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE application_name = %s AND datname = current_database()",
        WATCH_NAME,
    )
    assert terminated == [(True,)]
    await until(lambda: watched.current() is None)
    # While it is down, pages still change at once (each reader reads the version).
    await _elsewhere(settings, "UPDATE gigs SET title = 'Changed while deaf' WHERE id = %s", page["id"])
    assert await _title(client, page["slug"]) == "Changed while deaf"
    await until(lambda: watched.current() is not None)  # listening again
    await _elsewhere(settings, "UPDATE gigs SET title = 'Changed after' WHERE id = %s", page["id"])
    version = await _table_version(settings)
    await until(lambda: watched.current() == version)
    assert await _title(client, page["slug"]) == "Changed after"


async def test_a_stray_notification_makes_it_read_the_table(
    client: httpx.AsyncClient, gig: tuple[dict[str, Any], Headers], watched: VersionWatch, settings: Settings
) -> None:
    page, _ = gig
    await _title(client, page["slug"])
    await _elsewhere(settings, "SELECT pg_notify('catalog_version', 'not a version')")
    await until(lambda: watched.current() is None)
    assert await _title(client, page["slug"]) == page["title"]
    assert watched.current() == await _table_version(settings)


async def test_recent_pages_keep_the_latest_within_their_bounds() -> None:
    recent = RecentPages(max_pages=2, ttl_seconds=0.2)
    recent.put("a", "page a")
    recent.put("b", "page b")
    assert recent.get("a") == "page a"  # a is now the latest used
    recent.put("c", "page c")
    assert (recent.get("a"), recent.get("b"), recent.get("c")) == ("page a", None, "page c")
    await asyncio.sleep(0.3)
    assert recent.get("a") is None  # no longer than Redis keeps a page

"""`reelbyte seed --scale N`: a small run as a real process against the test database; in
process, the same random seed making the same rows and a failed load leaving nothing. And the
demo data set (`reelbyte seed --demo`) loading as one unit of work."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys

import httpx
import pytest
from rich.console import Console
from sqlalchemy import text

from reelbyte import seed_scale as seed_scale_module
from reelbyte.catalog import service as catalog_service
from reelbyte.core.config import Settings
from reelbyte.core.db import get_database
from reelbyte.core.runtime import Runtime
from reelbyte.seed import DEMO_ACCOUNTS, DEMO_ADMIN, DEMO_GIGS, load_demo
from reelbyte.seed_scale import ScaleReport, seed_scale
from tests.factories import insert_gig, insert_user


def _seed(settings: Settings, n: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": settings.database_url or "", "REDIS_URL": settings.redis_url or ""}
    return subprocess.run(
        [sys.executable, "-m", "reelbyte.cli", "seed", "--scale", str(n)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


async def _scalar(sql: str) -> int:
    async with get_database().engine.connect() as connection:
        return int((await connection.execute(text(sql))).scalar_one())


async def test_seed_scale_twice_then_search(settings: Settings, client: httpx.AsyncClient) -> None:
    for run in (1, 2):  # a second run adds a second batch instead of failing on unique names
        result = _seed(settings, 50)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Scale data loaded" in result.stdout
        assert await _scalar("SELECT count(*) FROM gigs") == 50 * run

    assert await _scalar("SELECT count(*) FROM users WHERE role IN ('creator', 'hybrid')") == 20
    assert await _scalar("SELECT count(*) FROM users WHERE role = 'client'") == 4
    assert await _scalar("SELECT count(*) FROM projects") == 20
    # Every gig has 1 to 3 packages and its derived price and delivery columns agree with them.
    assert (
        await _scalar("""
        SELECT count(*) FROM gigs g
        JOIN LATERAL (SELECT count(*) AS n, min(price_minor) AS low, max(price_minor) AS high,
                             min(delivery_days) AS days
                      FROM packages p WHERE p.gig_id = g.id) p ON true
        WHERE p.n NOT BETWEEN 1 AND 3 OR p.low <> g.price_from_minor OR p.high <> g.price_to_minor
           OR p.days <> g.min_delivery_days
    """)
        == 0
    )
    # Gigs belong to the taxonomy's categories, and each subcategory to its category.
    assert (
        await _scalar("""
        SELECT count(*) FROM gigs g JOIN categories c ON c.id = g.category_id
        LEFT JOIN categories s ON s.id = g.subcategory_id
        WHERE c.parent_id IS NOT NULL OR (g.subcategory_id IS NOT NULL AND s.parent_id <> c.id)
    """)
        == 0
    )
    assert await _scalar("SELECT count(*) FROM gigs WHERE search_vector IS NULL") == 0

    # The dictionary was recounted at the end and its triggers are back on.
    terms = await _scalar("SELECT count(*) FROM search_terms")
    assert terms > 50
    assert await _scalar("SELECT search_terms_rebuild()") == terms
    creator = await insert_user()
    await insert_gig(creator, "Zeppelin footage restoration")
    assert await _scalar("SELECT count(*) FROM search_terms WHERE term = 'zeppelin'") == 1

    response = await client.get("/v1/search/gigs", params={"q": "video", "sort_by": "relevance"})
    assert response.status_code == 200
    assert response.json()["total"] > 0
    suggestions = await client.get("/v1/search/suggestions", params={"q": "vid"})
    assert suggestions.status_code == 200
    assert suggestions.json()["items"]


# --- in process: the same seed makes the same rows; a failed load leaves nothing -------------


# The content of one batch, as a digest of the sorted rows per table: everything the random
# generator decides (the batch prefix cut off names: "sXXXXXX-"), nothing from the clock or the ids.
def _digest(columns: str, rows: str) -> str:
    return (
        "SELECT md5(string_agg(line, E'\\n' ORDER BY line)) "
        f"FROM (SELECT concat_ws('|', {columns}) AS line {rows}) AS batch"
    )


BATCH_CONTENT = {
    "users": _digest(
        """substr(u.username, 9), u.role, u.full_name, u.bio, u.skills, u.hourly_rate_minor,
           u.availability, u.rating, u.total_reviews, u.total_orders, u.response_time_hours,
           u.creator_level""",
        "FROM users u WHERE u.username LIKE :prefix || '-%'",
    ),
    "gigs": _digest(
        """substr(g.slug, 9), substr(u.username, 9), g.title, g.description, g.category_id,
           g.subcategory_id, g.tags, g.views_count, g.orders_count, g.rating, g.total_reviews,
           g.is_active, g.is_featured, g.price_from_minor, g.price_to_minor, g.min_delivery_days,
           g.creator_level""",
        "FROM gigs g JOIN users u ON u.id = g.creator_id WHERE g.slug LIKE :prefix || '-%'",
    ),
    "packages": _digest(
        """substr(g.slug, 9), p.tier, p.description, p.price_minor, p.delivery_days, p.revisions,
           p.features""",
        "FROM packages p JOIN gigs g ON g.id = p.gig_id WHERE g.slug LIKE :prefix || '-%'",
    ),
    "projects": _digest(
        """substr(u.username, 9), p.title, p.description, p.category_id, p.subcategory_id,
           p.required_skills, p.budget_min_minor, p.budget_max_minor, p.deadline - p.created_at,
           p.status, p.visibility, p.proposals_count, p.views_count,
           (SELECT string_agg(substr(c.username, 9), ',' ORDER BY c.username)
            FROM project_invites i JOIN users c ON c.id = i.creator_id WHERE i.project_id = p.id)""",
        "FROM projects p JOIN users u ON u.id = p.client_id WHERE u.username LIKE :prefix || '-%'",
    ),
}


async def _batch_content(report: ScaleReport) -> dict[str, str]:
    async with get_database().engine.connect() as connection:
        return {
            table: (await connection.execute(text(sql), {"prefix": report.prefix})).scalar_one()
            for table, sql in BATCH_CONTENT.items()
        }


def _quiet() -> Console:
    return Console(file=io.StringIO())


async def test_same_random_seed_same_rows(settings: Settings) -> None:
    assert settings.database_url is not None
    first = await asyncio.to_thread(seed_scale, settings.database_url, 40, console=_quiet(), random_seed=5)
    second = await asyncio.to_thread(seed_scale, settings.database_url, 40, console=_quiet(), random_seed=5)
    other = await asyncio.to_thread(seed_scale, settings.database_url, 40, console=_quiet(), random_seed=6)

    assert first.prefix != second.prefix
    for report in (first, second, other):
        assert (report.gigs, report.creators, report.clients, report.projects) == (40, 8, 2, 8)
    assert (second.packages, second.invites) == (first.packages, first.invites)
    assert await _scalar("SELECT count(*) FROM packages") == first.packages + second.packages + other.packages
    first_rows, second_rows = await _batch_content(first), await _batch_content(second)
    assert all(first_rows.values())
    assert second_rows == first_rows
    other_rows = await _batch_content(other)
    assert other_rows["gigs"] != first_rows["gigs"]
    assert other_rows["projects"] != first_rows["projects"]


DICTIONARY_TRIGGERS_ON = """
    SELECT count(*) FROM pg_trigger
    WHERE tgname IN ('gigs_search_terms', 'users_search_terms') AND tgenabled = 'O'
"""


async def test_a_failed_load_leaves_nothing(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The load is one transaction: a failure in its last table rolls back every table, and the
    search-dictionary triggers that it had switched off are on again."""
    assert settings.database_url is not None

    def broken(*args: object) -> int:
        raise RuntimeError("invites failed")

    terms = await _scalar("SELECT count(*) FROM search_terms")  # the taxonomy's own words
    monkeypatch.setattr(seed_scale_module, "_seed_invites", broken)
    with pytest.raises(RuntimeError, match="invites failed"):
        await asyncio.to_thread(seed_scale, settings.database_url, 40, console=_quiet(), random_seed=1)

    for table in ("users", "gigs", "packages", "projects", "project_invites"):
        assert await _scalar(f"SELECT count(*) FROM {table}") == 0, table
    assert await _scalar("SELECT count(*) FROM search_terms") == terms
    assert await _scalar(DICTIONARY_TRIGGERS_ON) == 2

    monkeypatch.undo()
    report = await asyncio.to_thread(seed_scale, settings.database_url, 40, console=_quiet(), random_seed=1)
    assert await _scalar("SELECT count(*) FROM gigs") == report.gigs == 40
    assert report.counts["packages"] == report.packages
    assert await _scalar(DICTIONARY_TRIGGERS_ON) == 2


# --- the demo data set -----------------------------------------------------------------------


async def test_demo_load_is_one_unit_of_work(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure while making the demo gigs leaves no demo account behind; loading again after
    it works and loading twice adds nothing."""

    async def broken(*args: object) -> None:
        raise RuntimeError("gig step failed")

    monkeypatch.setattr(catalog_service, "create_gig", broken)
    with pytest.raises(RuntimeError, match="gig step failed"):
        await load_demo()
    assert await _scalar("SELECT count(*) FROM users") == 0
    assert await _scalar("SELECT count(*) FROM portfolio_items") == 0

    monkeypatch.undo()
    logins = await load_demo()
    assert [email for email, _, _ in logins] == [account["email"] for account in DEMO_ACCOUNTS] + [
        DEMO_ADMIN["email"]
    ]
    await load_demo()
    assert await _scalar("SELECT count(*) FROM users") == len(DEMO_ACCOUNTS) + 1
    assert await _scalar("SELECT count(*) FROM gigs") == len(DEMO_GIGS)
    assert await _scalar("SELECT count(*) FROM packages") == sum(len(gig["packages"]) for gig in DEMO_GIGS)
    assert await _scalar("SELECT count(*) FROM gigs WHERE is_featured") == sum(
        1 for gig in DEMO_GIGS if gig.get("featured")
    )
    assert await _scalar("SELECT count(*) FROM gigs WHERE thumbnail_url LIKE '%/demo/%.svg'") == len(
        DEMO_GIGS
    )

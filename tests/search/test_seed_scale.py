"""`reelbyte seed --scale N`: a small run as a real process against the test database."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
from sqlalchemy import text

from reelbyte.core.config import Settings
from reelbyte.core.db import get_database
from tests.search.factories import make_gig, make_user


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
    creator = await make_user()
    await make_gig(creator, "Zeppelin footage restoration")
    assert await _scalar("SELECT count(*) FROM search_terms WHERE term = 'zeppelin'") == 1

    response = await client.get("/v1/search/gigs", params={"q": "video", "sort_by": "relevance"})
    assert response.status_code == 200
    assert response.json()["total"] > 0
    suggestions = await client.get("/v1/search/suggestions", params={"q": "vid"})
    assert suggestions.status_code == 200
    assert suggestions.json()["items"]

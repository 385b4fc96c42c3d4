"""EXPLAIN (ANALYZE, BUFFERS) of every filtered list behind the gig, search and suggestion endpoints.

Run (on the catalog of `reelbyte seed --scale 100000` in .reelbyte/bench-search):

    uv run python -m bench.explain_plans

The statements are the ones the services send: built by catalog/reads.gig_list_items and gig_count,
projects/listing.project_list_query, search/creators.creator_list_query and the suggestion
query, compiled for psycopg, with the page's LIMIT 20. Each is run once to warm the cache,
then explained. The plans go to docs/benchmarks.md.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from bench._common import ROOT, bench_settings, machine, write_section
from reelbyte.catalog.listing import GigFilters, GigSort
from reelbyte.catalog.reads import gig_count, gig_list_items
from reelbyte.core.db import get_database
from reelbyte.core.pagination import PageParams
from reelbyte.core.runtime import Runtime
from reelbyte.identity.models import CreatorLevel
from reelbyte.projects.listing import ProjectFilters, ProjectSort, project_list_query
from reelbyte.search.creators import CreatorFilters, CreatorSort, creator_list_query
from reelbyte.search.models import SearchTerm
from reelbyte.search.service import completions_query

os.environ.setdefault("REELBYTE_DATA_DIR", str(ROOT / ".reelbyte" / "bench-search"))


def _compile(statement: Select[Any]) -> tuple[str, dict[str, Any]]:
    compiled = statement.compile(
        dialect=postgresql.psycopg.dialect(), compile_kwargs={"render_postcompile": True}
    )
    return str(compiled), dict(compiled.params)


async def _explain(connection: AsyncConnection, statement: Select[Any]) -> str:
    sql, params = _compile(statement)
    await connection.exec_driver_sql(sql, params)  # warm
    result = await connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
    return "\n".join(row[0] for row in result)


async def _category(connection: AsyncConnection) -> tuple[int, int]:
    row = (
        await connection.execute(
            text(
                "SELECT c.id, s.id FROM categories c JOIN categories s ON s.parent_id = c.id "
                "WHERE c.slug = 'video-editing' ORDER BY s.display_order LIMIT 1"
            )
        )
    ).one()
    return int(row[0]), int(row[1])


def cases(category: int, subcategory: int) -> list[tuple[str, Select[Any]]]:
    first_page = PageParams(page=1, page_size=20)

    def gigs(**filters: Any) -> Select[Any]:
        statement, values = gig_list_items(GigFilters(**filters), first_page)
        return statement.params(values)

    def gigs_count(**filters: Any) -> Select[Any]:
        return gig_count(GigFilters(**filters))

    def search(q: str, **filters: Any) -> Select[Any]:
        statement, values = gig_list_items(GigFilters(q=q, **filters), first_page, hits=True)
        return statement.params(values)

    def search_count(q: str, **filters: Any) -> Select[Any]:
        return gig_count(GigFilters(q=q, **filters))

    def creators(**filters: Any) -> Select[Any]:
        items, _ = creator_list_query(CreatorFilters(**filters))
        return items.limit(20)

    def projects(**filters: Any) -> Select[Any]:
        items, _ = project_list_query(ProjectFilters(**filters), None)
        return items.limit(20)

    return [
        ("GET /gigs (default: popular)", gigs(sort_by=GigSort.POPULAR)),
        ("GET /gigs count (no filter)", gigs_count()),
        ("GET /gigs?sort_by=newest", gigs(sort_by=GigSort.NEWEST)),
        ("GET /gigs?category_id=…&sort_by=newest", gigs(category_id=category, sort_by=GigSort.NEWEST)),
        (
            "GET /gigs?subcategory_id=…&sort_by=newest",
            gigs(subcategory_id=subcategory, sort_by=GigSort.NEWEST),
        ),
        (
            "GET /gigs?min_price=50&max_price=150&sort_by=price_asc",
            gigs(min_price=Decimal(50), max_price=Decimal(150), sort_by=GigSort.PRICE_ASC),
        ),
        ("GET /gigs?min_rating=4.5&sort_by=rating", gigs(min_rating=Decimal("4.5"), sort_by=GigSort.RATING)),
        (
            "GET /gigs?tags=color grading&sort_by=popular",
            gigs(tags=("color grading",), sort_by=GigSort.POPULAR),
        ),
        (
            "GET /gigs?max_delivery_days=2&creator_level=pro,top&sort_by=popular",
            gigs(
                max_delivery_days=2,
                creator_level=(CreatorLevel.PRO, CreatorLevel.TOP),
                sort_by=GigSort.POPULAR,
            ),
        ),
        ("GET /search/gigs?q=wedding video (relevance)", search("wedding video")),
        ("GET /search/gigs?q=wedding video count", search_count("wedding video")),
        (
            "GET /search/gigs?q=logo animation&category_id=…&max_price=200&sort_by=price_asc",
            search("logo animation", category_id=category, max_price=Decimal(200), sort_by=GigSort.PRICE_ASC),
        ),
        ("GET /search/gigs?q=editing (a very common word)", search("editing")),
        ("GET /search/gigs?q=editing count", search_count("editing")),
        ("GET /search/gigs (no q, sort_by=rating, as search sends it)", search("", sort_by=GigSort.RATING)),
        ("GET /search/creators?q=colorist", creators(q="colorist")),
        (
            "GET /search/creators?sort_by=rating&skills=after effects",
            creators(skills=("after effects",), sort_by=CreatorSort.RATING),
        ),
        ("GET /search/projects?q=music video", projects(q="music video")),
        ("GET /search/projects?sort_by=newest", projects(sort_by=ProjectSort.NEWEST)),
        ("GET /search/suggestions?q=wedding vid", completions_query("wedding vid", 24)),
        ("GET /search/suggestions?q=v (one letter)", completions_query("v", 24)),
        ("search_terms lookup by term", select(SearchTerm).where(SearchTerm.term == "wedding video")),
    ]


async def main(only: str | None) -> None:
    with bench_settings() as settings:
        runtime = Runtime(settings)
        await runtime.start()
        try:
            async with get_database().engine.connect() as connection:
                category, subcategory = await _category(connection)
                sections = []
                for title, statement in cases(category, subcategory):
                    if only and not re.search(only, title):
                        continue
                    plan = await _explain(connection, statement)
                    print(f"### {title}\n{plan}\n")
                    sections.append(f"### {title}\n\n```\n{plan}\n```\n")
        finally:
            await runtime.stop()
    if only:
        return
    body = (
        f"Command: `uv run python -m bench.explain_plans` ({machine()}; the N = 100,000 catalog above). "
        "Each statement is the one the service sends (LIMIT 20 for a page), run once to warm the "
        "cache and then explained.\n\n" + "\n".join(sections)
    )
    write_section("Query plans (N = 100,000)", body)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else None))

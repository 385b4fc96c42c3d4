"""Search over gigs, creators and projects, and the suggestions that complete a query as it is typed.

Gig and project search are the catalog's and projects' own list queries (catalog/listing.py,
projects/listing.py) with the text query added, so a filter or sort means the same in
`GET /gigs` and `GET /search/gigs`. Results are read from PostgreSQL, except the pages of
popular gig queries, which Redis keeps until anything they show changes (search/cache.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Select, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from reelbyte.catalog import reads
from reelbyte.catalog.listing import GigFilters
from reelbyte.core.pagination import Page, PageParams
from reelbyte.identity.models import User
from reelbyte.projects.listing import ProjectFilters, project_list_query
from reelbyte.projects.models import Project
from reelbyte.projects.schemas import ProjectOut
from reelbyte.projects.service import project_outs
from reelbyte.search import cache
from reelbyte.search.creators import CreatorFilters, creator_list_query
from reelbyte.search.models import SearchTerm, TermSource
from reelbyte.search.schemas import CreatorHit, Suggestion

# --- result pages -------------------------------------------------------------------------


async def _page(
    session: AsyncSession, items: Select[Any], count: Select[Any], params: PageParams
) -> tuple[list[Any], int]:
    """One page of `items` and the total. A short page tells its own total (no count query)."""
    rows = list((await session.scalars(items.limit(params.page_size).offset(params.offset))).all())
    if (rows and len(rows) < params.page_size) or (not rows and params.offset == 0):
        return rows, params.offset + len(rows)
    return rows, int(await session.scalar(count) or 0)


async def search_gigs(
    session: AsyncSession, q: str | None, filters: GigFilters, params: PageParams, cursor: str | None = None
) -> str:
    """Listed gigs matching `q` and the filters, as the JSON of a `Page[GigHit]`.

    `sort_by=relevance` ranks by text and reputation. The pages of popular queries (and of no
    query: the plain list) are cached until anything they show changes (catalog/pages.py); the
    long tail of rare queries is never cached, so it cannot crowd Redis (only its totals are:
    a number each, for every page and sort of the query).
    """
    cached = not q or await cache.is_popular(q)
    with_q = filters.model_copy(update={"q": q})
    body = await reads.gig_list(session, with_q, params, cursor=cursor, hits=True, cached=cached)
    if q and not reads.lists_nothing(body):
        await cache.record_search(q)
    return body


async def search_creators(
    session: AsyncSession, q: str | None, filters: CreatorFilters, params: PageParams
) -> Page[CreatorHit]:
    items, count = creator_list_query(filters.model_copy(update={"q": q}))
    users, total = await _page(session, items, count, params)
    return Page[CreatorHit].of([CreatorHit.of(user) for user in users], total, params)


async def search_projects(
    session: AsyncSession,
    q: str | None,
    filters: ProjectFilters,
    viewer: User | None,
    params: PageParams,
) -> Page[ProjectOut]:
    """Projects matching `q`: public ones, plus invite-only ones the viewer owns or is invited to."""
    items, count = project_list_query(filters.model_copy(update={"q": q}), viewer.id if viewer else None)
    projects: list[Project]
    projects, total = await _page(session, items, count, params)
    return Page[ProjectOut].of(await project_outs(session, projects), total, params)


# --- suggestions --------------------------------------------------------------------------

# How much one carrier of a term counts, by source: a tag is chosen on purpose by the creator, a
# title phrase is incidental; categories and creator names are few and always worth offering.
SOURCE_WEIGHTS: dict[str, int] = {
    TermSource.TITLE: 1,
    TermSource.TAG: 3,
    TermSource.CREATOR: 5,
    TermSource.CATEGORY: 500,
}
SEARCH_WEIGHT = 10  # each time a suggestion's text was searched (and found something) adds this
MAX_CONTEXT_WORDS = 4  # the longest typed phrase matched against the dictionary as a whole
MAX_TERM_LENGTH = 120


@dataclass
class _Candidate:
    text: str
    kind: str
    score: int


def like_prefix(text: str) -> str:
    """`text` as a LIKE pattern matching what starts with it: wildcards in it are literal."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _prefix_upper_bound(text: str) -> str:
    """The least string greater than everything starting with `text` (code-point order)."""
    return text[:-1] + chr(ord(text[-1]) + 1)


_WEIGHT_SQL = (
    "CASE source " + " ".join(f"WHEN '{src}' THEN {w}" for src, w in SOURCE_WEIGHTS.items()) + " ELSE 1 END"
)


def completions_query(phrase: str, limit: int) -> Select[Any]:
    """The best-scored terms starting with `phrase`, each with its strongest source."""
    contribution: ColumnElement[int] = literal_column(f"search_terms.count * ({_WEIGHT_SQL})", Integer)
    score = func.sum(contribution).label("score")
    strongest = func.array_agg(aggregate_order_by(SearchTerm.source, contribution.desc()))[1]
    return (
        select(SearchTerm.term, score, strongest.label("kind"))
        .where(
            SearchTerm.term.like(like_prefix(phrase), escape="\\"),
            # The same prefix as a range in byte order, so that even a generic plan of the
            # prepared statement (where LIKE's pattern is unknown) uses the prefix index.
            SearchTerm.term.op("~>=~")(phrase),
            SearchTerm.term.op("~<~")(_prefix_upper_bound(phrase)),
        )
        .group_by(SearchTerm.term)
        .order_by(score.desc(), SearchTerm.term)
        .limit(limit)
    )


async def _completions(session: AsyncSession, phrase: str, limit: int) -> list[_Candidate]:
    rows = (await session.execute(completions_query(phrase, limit))).all()
    return [_Candidate(text=row.term, kind=row.kind, score=int(row.score)) for row in rows]


async def suggest(session: AsyncSession, text: str, limit: int) -> list[Suggestion]:
    """Complete the last word of `text` (already normalised) from the dictionary of terms.

    The longest tail of the typed words that starts some known phrase wins: "cinematic wedding
    vid" looks for phrases starting "cinematic wedding vid", then "wedding vid", then "vid",
    and keeps the words before the matched tail in front of each completion.
    """
    if not text:
        return []
    cached = await cache.cached_suggestions(f"{limit}:{text}")
    if cached is not None:
        return [Suggestion.model_validate(item) for item in cached]
    candidates = await _ranked_candidates(session, text, limit)
    suggestions = [Suggestion(text=c.text, kind=TermSource(c.kind)) for c in candidates]
    await cache.store_suggestions(f"{limit}:{text}", [s.model_dump(mode="json") for s in suggestions])
    return suggestions


async def _ranked_candidates(session: AsyncSession, text: str, limit: int) -> list[_Candidate]:
    """Completions of the longest matching tails first (most specific), each group by score.

    Tails of two or more words are merged; the last word alone is tried only when no longer
    tail matched, since "cinematic wedding" + any word starting "vid" is mostly noise.
    """
    words = text.split(" ")
    chosen: list[_Candidate] = []
    seen: set[str] = set()
    for size in range(min(len(words), MAX_CONTEXT_WORDS), 0, -1):
        if size == 1 and chosen:
            break
        phrase = " ".join(words[-size:])
        if len(phrase) > MAX_TERM_LENGTH:
            continue
        found = await _completions(session, phrase, limit * 3)
        context = " ".join(words[:-size])
        for candidate in found:
            if context:
                candidate.text = f"{context} {candidate.text}"
        found = [c for c in found if c.text not in seen]
        searched = await cache.search_counts([c.text for c in found])
        for candidate, times in zip(found, searched, strict=True):
            candidate.score += times * SEARCH_WEIGHT
        found.sort(key=lambda c: (-c.score, c.text))
        for candidate in found[: limit - len(chosen)]:
            seen.add(candidate.text)
            chosen.append(candidate)
        if len(chosen) >= limit:
            break
    return chosen


async def popular(limit: int) -> Sequence[tuple[str, int]]:
    return await cache.popular_queries(limit)

"""HTTP routes of search (under /v1/search): gigs, creators, projects, suggestions, popular queries."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Response

from reelbyte.catalog import errors as catalog_errors
from reelbyte.catalog.listing import GigCursor
from reelbyte.core.errors import InvalidCursor, error_responses
from reelbyte.core.pagination import Page, PageParams, page_params
from reelbyte.core.routing import APIRouter, ReplicaSessionDep
from reelbyte.identity.deps import OptionalUser
from reelbyte.projects.schemas import ProjectOut
from reelbyte.search import schemas, service
from reelbyte.search.deps import (
    CreatorFilterParams,
    GigFilterParams,
    ProjectFilterParams,
    SearchText,
    SuggestionText,
)

search_router = APIRouter(prefix="/search", tags=["search"])

Pages = Annotated[PageParams, Depends(page_params)]


@search_router.get(
    "/gigs",
    response_model=Page[schemas.GigHit],
    responses=error_responses(catalog_errors.PageTooDeep, InvalidCursor, catalog_errors.NoCursorForRelevance),
)
async def search_gigs(
    session: ReplicaSessionDep,
    q: SearchText,
    filters: GigFilterParams,
    page: Pages,
    cursor: GigCursor = None,
) -> Response:
    """Full-text search over listed gigs with the filters and sorts of `GET /gigs`.

    Titles weigh more than tags, tags more than descriptions; `sort_by=relevance` (the default)
    blends that text rank with the gig's rating and orders. Without `q` this is the plain list.
    Items are the cards of `GET /gigs` plus the start of the description. A text search counts
    up to 1,000 matches; past that many, relevance ranks the 1,000 most popular (any other sort
    lists every match: by cursor past the first 1,000).
    """
    body = await service.search_gigs(session, q, filters, page, cursor)
    return Response(content=body, media_type="application/json")


@search_router.get("/creators", response_model=Page[schemas.CreatorHit])
async def search_creators(
    session: ReplicaSessionDep,
    q: SearchText,
    filters: CreatorFilterParams,
    page: Pages,
) -> Page[schemas.CreatorHit]:
    """Active creators (and hybrids) by name, skills and bio, with profile filters."""
    return await service.search_creators(session, q, filters, page)


@search_router.get("/projects", response_model=Page[ProjectOut])
async def search_projects(
    session: ReplicaSessionDep,
    viewer: OptionalUser,
    q: SearchText,
    filters: ProjectFilterParams,
    page: Pages,
) -> Page[ProjectOut]:
    """Projects with the filters and sorts of `GET /projects`.

    Anonymous callers see public projects; a logged-in caller also sees the invite-only
    projects they own or were invited to. An invalid token is a 401, not an anonymous search.
    """
    return await service.search_projects(session, q, filters, viewer, page)


@search_router.get("/suggestions", response_model=schemas.Suggestions)
async def suggestions(
    session: ReplicaSessionDep,
    q: SuggestionText,
    limit: Annotated[int, Query(ge=1, le=20, description="at most this many")] = 8,
) -> schemas.Suggestions:
    """Completions of what the user is typing (the last word is a prefix), from gig titles, tags,
    categories and creator names; e.g. `wedding vid` → `wedding video`, `wedding videography`."""
    items = await service.suggest(session, q, limit)
    return schemas.Suggestions(query=q, items=items)


@search_router.get("/popular", response_model=schemas.PopularQueries)
async def popular_queries(
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> schemas.PopularQueries:
    """The most searched gig queries that found something."""
    rows = await service.popular(limit)
    return schemas.PopularQueries(
        items=[schemas.PopularQuery(query=query, searches=count) for query, count in rows]
    )

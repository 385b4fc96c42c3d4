"""Dependencies of the search routes: the validated text query, and the filters of each list
with their labels checked."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Query

from reelbyte.catalog.listing import GigFilters, gig_filters
from reelbyte.core.fulltext import MAX_QUERY_LENGTH
from reelbyte.projects.listing import ProjectFilters, project_filters
from reelbyte.search.creators import CreatorFilters, creator_filters

# Control characters (NUL above all, which PostgreSQL text cannot hold) are not words.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


def normalise_query(text: str) -> str:
    """What the user typed, as compared and cached: no control characters, single spaces, lower-case."""
    return _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip().lower()


async def search_text(
    q: Annotated[
        str | None,
        Query(
            max_length=MAX_QUERY_LENGTH,
            description="the words to look for (web-search syntax: quotes, `or`, `-word`); at most 200 characters",
        ),
    ] = None,
) -> str | None:
    """The optional text query; blank means none (the list is then a plain filtered list)."""
    if q is None:
        return None
    cleaned = normalise_query(q)
    return cleaned or None


async def suggestion_text(
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_QUERY_LENGTH,
            description="what the user has typed so far; the last word is completed",
        ),
    ],
) -> str:
    return normalise_query(q)


SearchText = Annotated[str | None, Depends(search_text)]
SuggestionText = Annotated[str, Depends(suggestion_text)]


# The filters refuse control characters in tags and skills themselves (`core.params.is_label`).
GigFilterParams = Annotated[GigFilters, Depends(gig_filters)]
ProjectFilterParams = Annotated[ProjectFilters, Depends(project_filters)]
CreatorFilterParams = Annotated[CreatorFilters, Depends(creator_filters)]

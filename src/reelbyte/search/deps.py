"""Dependencies of the search routes: the validated text query, and the filters of each list
with their labels checked."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Query

from reelbyte.catalog.listing import GigFilters, gig_filters
from reelbyte.core.errors import ControlCharacters, raises
from reelbyte.core.fulltext import MAX_QUERY_LENGTH
from reelbyte.projects.listing import ProjectFilters, project_filters
from reelbyte.search.creators import CreatorFilters, creator_filters

# Control characters (NUL above all, which PostgreSQL text cannot hold) are not words.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


def normalise_query(text: str) -> str:
    """What the user typed, as compared and cached: no control characters, single spaces, lower-case."""
    return _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip().lower()


def search_text(
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


def suggestion_text(
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


def _printable(labels: tuple[str, ...], name: str) -> None:
    """Labels go to PostgreSQL, whose text cannot hold NUL: refuse control characters up front."""
    if any(ch < " " or ch == "\x7f" for label in labels for ch in label):
        raise ControlCharacters(f"{name} must not contain control characters.", details={"field": name})


@raises(ControlCharacters)
def checked_gig_filters(filters: Annotated[GigFilters, Depends(gig_filters)]) -> GigFilters:
    _printable(filters.tags, "tags")
    return filters


@raises(ControlCharacters)
def checked_project_filters(filters: Annotated[ProjectFilters, Depends(project_filters)]) -> ProjectFilters:
    _printable(filters.skills, "skills")
    return filters


@raises(ControlCharacters)
def checked_creator_filters(filters: Annotated[CreatorFilters, Depends(creator_filters)]) -> CreatorFilters:
    _printable(filters.skills, "skills")
    return filters


CheckedGigFilters = Annotated[GigFilters, Depends(checked_gig_filters)]
CheckedProjectFilters = Annotated[ProjectFilters, Depends(checked_project_filters)]
CheckedCreatorFilters = Annotated[CreatorFilters, Depends(checked_creator_filters)]

"""The query behind `GET /search/creators`: active creators (and hybrids), filtered and sorted.

Identity has no list of creators of its own; search owns this read-only query over the users
table and never returns private fields (see schemas.CreatorHit).
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Select, Text, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement

from reelbyte.core.config import get_settings
from reelbyte.core.errors import raises
from reelbyte.core.fulltext import text_query
from reelbyte.core.money import to_minor
from reelbyte.core.params import AmountUpTo1M, Rating, labels_schema
from reelbyte.identity.models import Availability, CreatorLevel, Role, User
from reelbyte.projects.errors import InvalidSkill
from reelbyte.projects.listing import MAX_SKILL_LENGTH, clean_skills


class CreatorSort(enum.StrEnum):
    RELEVANCE = "relevance"
    RATING = "rating"
    POPULAR = "popular"
    NEWEST = "newest"


class CreatorFilters(BaseModel):
    model_config = ConfigDict(frozen=True)

    q: str | None = None
    skills: tuple[str, ...] = ()
    creator_level: tuple[CreatorLevel, ...] = ()
    min_rating: Decimal | None = None
    availability: tuple[Availability, ...] = ()
    max_hourly_rate: Decimal | None = None
    verified: bool | None = None
    sort_by: CreatorSort = CreatorSort.RELEVANCE


@raises(InvalidSkill)
async def creator_filters(
    skills: Annotated[
        list[str] | None,
        Query(max_length=10, description="creators having all of these skills (any case)"),
        labels_schema(max_items=10, max_length=MAX_SKILL_LENGTH),
    ] = None,
    creator_level: Annotated[list[CreatorLevel] | None, Query(max_length=4)] = None,
    min_rating: Annotated[Rating | None, Query()] = None,
    availability: Annotated[list[Availability] | None, Query(max_length=3)] = None,
    max_hourly_rate: Annotated[
        AmountUpTo1M | None,
        Query(description="in the platform currency; creators without a rate in it are left out"),
    ] = None,
    verified: Annotated[bool | None, Query(description="with the verified badge (or without)")] = None,
    sort_by: CreatorSort = CreatorSort.RELEVANCE,
) -> CreatorFilters:
    """FastAPI dependency for the creator filters (422 for a bad value)."""
    cleaned = clean_skills(skills)
    return CreatorFilters(
        skills=tuple(cleaned),
        creator_level=tuple(creator_level or ()),
        min_rating=min_rating,
        availability=tuple(availability or ()),
        max_hourly_rate=max_hourly_rate,
        verified=verified,
        sort_by=sort_by,
    )


def is_creator() -> ColumnElement[bool]:
    """Matches the predicate of the partial creator indexes (search/models.CREATORS)."""
    # Bare "is_active" (not "IS true"): the form the partial indexes are declared with.
    return User.is_active & User.role.in_([Role.CREATOR, Role.HYBRID])


def filter_conditions(filters: CreatorFilters) -> list[ColumnElement[bool]]:
    # A profile the moderators hid is found by nobody (a filter on top of the partial indexes).
    conditions: list[ColumnElement[bool]] = [is_creator(), User.profile_hidden_at.is_(None)]
    if filters.q:
        conditions.append(User.search_vector.op("@@")(text_query(filters.q)))
    if filters.skills:
        # All of them, in any case; served by the GIN index over the lower-cased skills.
        lowered = func.search_lower_labels(User.skills, type_=ARRAY(Text))
        conditions.append(lowered.contains(list(filters.skills)))
    if filters.creator_level:
        conditions.append(User.creator_level.in_(filters.creator_level))
    if filters.min_rating is not None:
        conditions.append(User.rating >= filters.min_rating)
    if filters.availability:
        conditions.append(User.availability.in_(filters.availability))
    if filters.max_hourly_rate is not None:
        conditions.append(User.hourly_rate_currency == get_settings().default_currency)
        conditions.append(User.hourly_rate_minor <= to_minor(filters.max_hourly_rate))
    if filters.verified is not None:
        verified = User.verified_at.is_not(None)
        conditions.append(verified if filters.verified else ~verified)
    return conditions


def relevance(q: str) -> ColumnElement[Any]:
    """The gigs' blend (catalog/listing.relevance) over a creator: text rank times reputation."""
    rank = func.ts_rank_cd(User.search_vector, text_query(q), 1)
    reputation = (1 + User.rating / 10) * (1 + func.ln(1 + User.total_orders) / 10)
    return rank * reputation


def order_by(filters: CreatorFilters) -> list[Any]:
    sort = filters.sort_by
    if sort is CreatorSort.RELEVANCE:
        if filters.q:
            return [relevance(filters.q).desc(), User.id]
        sort = CreatorSort.RATING
    orderings: dict[CreatorSort, list[Any]] = {
        CreatorSort.RATING: [User.rating.desc(), User.total_reviews.desc(), User.id],
        CreatorSort.POPULAR: [User.total_orders.desc(), User.id],
        CreatorSort.NEWEST: [User.created_at.desc(), User.id],
    }
    return orderings[sort]


def creator_list_query(filters: CreatorFilters) -> tuple[Select[User], Select[int]]:
    """(the page query without limit/offset, the matching count query)."""
    conditions = filter_conditions(filters)
    items = select(User).where(*conditions).order_by(*order_by(filters))
    count = select(func.count()).select_from(User).where(*conditions)
    return items, count

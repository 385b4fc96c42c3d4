"""Response bodies of search: gig and creator hits, suggestions, popular queries.

Project search returns the items of `GET /projects` (projects.schemas.ProjectOut) as they are.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from pydantic import Field

from reelbyte.catalog.reads import EXCERPT_LENGTH
from reelbyte.catalog.schemas import GigSummary
from reelbyte.core.money import Money
from reelbyte.core.schemas import ResponseModel
from reelbyte.core.text import excerpt
from reelbyte.identity.models import Availability, CreatorLevel, User
from reelbyte.identity.schemas import OnTimeDeliveryPercent, RepeatClientPercent, ResponseTimeHours
from reelbyte.search.models import TermSource


class GigHit(GigSummary):
    """A gig in search results: the card of `GET /gigs` plus the start of its description."""

    description: str = Field(description="the first 300 characters")


class CreatorHit(ResponseModel):
    """A creator as search shows them: public profile fields only (no e-mail, no settings)."""

    id: uuid.UUID
    username: str
    full_name: str
    avatar_url: str | None
    bio: str = Field(description="the first 300 characters")
    skills: list[str]
    hourly_rate: Money | None
    availability: Availability | None
    creator_level: CreatorLevel
    rating: Decimal
    total_reviews: int
    total_orders: int
    response_time_hours: ResponseTimeHours
    on_time_delivery_percent: OnTimeDeliveryPercent
    repeat_client_percent: RepeatClientPercent
    is_verified: bool = Field(description="an admin verified their identity or portfolio (the badge)")
    member_since: datetime

    @classmethod
    def of(cls, user: User) -> CreatorHit:
        rate = (
            Money.from_minor(user.hourly_rate_minor, user.hourly_rate_currency)
            if user.hourly_rate_minor is not None and user.hourly_rate_currency
            else None
        )
        return cls(
            id=user.id,
            username=user.username,
            full_name=user.full_name,
            avatar_url=user.avatar_url,
            bio=excerpt(user.bio or "", EXCERPT_LENGTH),
            skills=list(user.skills or []),
            hourly_rate=rate,
            availability=user.availability,
            creator_level=user.creator_level,
            rating=user.rating,
            total_reviews=user.total_reviews,
            total_orders=user.total_orders,
            response_time_hours=user.response_time_hours,
            on_time_delivery_percent=user.on_time_delivery_percent,
            repeat_client_percent=user.repeat_client_percent,
            is_verified=user.verified_at is not None,
            member_since=user.created_at,
        )


class Suggestion(ResponseModel):
    text: str = Field(description="the whole query to put in the search box")
    kind: TermSource = Field(description="where the completion comes from (its strongest source)")


class Suggestions(ResponseModel):
    query: str
    items: list[Suggestion]


class PopularQuery(ResponseModel):
    query: str
    searches: int


class PopularQueries(ResponseModel):
    items: list[PopularQuery]

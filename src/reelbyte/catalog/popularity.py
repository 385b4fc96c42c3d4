"""Popularity tiers: where the most popular listed gigs end, so that a search by relevance can
look for its candidates among them first.

A page by relevance ranks the 1,000 most popular matches (catalog/reads._ranked_page). Orders
follow a power law: a few thousand gigs hold most of them, and the popularity order is by
orders first. So the most popular matches of a common query are all among the most popular
gigs, and the walk can find them there, reading a fraction of the matches instead of every
one of them; it looks further only when that tier holds too few (a query with filters, a rare
word), and then pays for both walks. The tiers are orders counts (the orders of the 20,000th
most popular gig), read from the popularity index at most once every BOUNDS_TTL_SECONDS by
each process. They decide only where the walk looks first, never what it finds — any bounds
give the same candidates — so they may be stale.
"""

from __future__ import annotations

import time

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog.listing import listed
from reelbyte.catalog.models import Gig

TIER_SIZES = (20_000,)  # the walk looks among the 20,000 most popular gigs first
BOUNDS_TTL_SECONDS = 300.0


def _orders_of(place: int) -> Select[int]:
    """The orders count of the listed gig at `place` (1 = the most ordered)."""
    return (
        select(Gig.orders_count).where(listed()).order_by(Gig.orders_count.desc()).offset(place - 1).limit(1)
    )


class PopularityTiers:
    """The tiers' bounds, highest first, kept in memory for `ttl_seconds`. While one request
    reads them again, the others go on with the old ones (none at first: one walk)."""

    def __init__(self, sizes: tuple[int, ...], ttl_seconds: float) -> None:
        self._sizes = sizes
        self._ttl = ttl_seconds
        self._bounds: tuple[int, ...] = ()
        self._expires_at = 0.0
        self._reading = False

    async def bounds(self, session: AsyncSession) -> tuple[int, ...]:
        if self._reading or time.monotonic() < self._expires_at:
            return self._bounds
        self._reading = True
        try:
            found = [await session.scalar(_orders_of(size)) for size in self._sizes]
            # A bound of 0 orders would hold every gig: no tier. Fewer gigs than a tier: none.
            self._bounds = tuple(sorted({bound for bound in found if bound}, reverse=True))
            self._expires_at = time.monotonic() + self._ttl
        finally:
            self._reading = False
        return self._bounds


popularity_tiers = PopularityTiers(TIER_SIZES, BOUNDS_TTL_SECONDS)

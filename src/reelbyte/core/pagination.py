"""Page-numbered lists: `{"items", "total", "page", "page_size", "total_pages"}`."""

from __future__ import annotations

import math
from typing import Annotated, Any, Generic, Self, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

T = TypeVar("T")

MAX_PAGE_SIZE = 100


class PageParams(BaseModel):
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


async def page_params(
    page: Annotated[int, Query(ge=1, le=10_000, description="1-based page number")] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="items per page (at most 100)")] = 20,
) -> PageParams:
    """FastAPI dependency: validated page parameters (422 beyond the limits)."""
    return PageParams(page=page, page_size=page_size)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    total_is_exact: bool = Field(
        default=True,
        description="false when more matched than were counted: `total` is then a lower bound "
        "(gig lists count up to 10,000 and text searches up to 1,000: show it as 10,000+)",
    )
    page: int | None = Field(description="null for a page asked by `cursor`")
    page_size: int
    total_pages: int
    next_cursor: str | None = Field(
        default=None,
        description="lists that page by cursor (gigs): pass as `cursor` for the next page; null on the last",
    )

    @classmethod
    def of(cls, items: list[T], total: int, params: PageParams, **extra: Any) -> Self:
        """A numbered page; `extra` fills the fields a subclass adds (a summary, a usage figure)."""
        return cls(
            items=items,
            total=total,
            page=params.page,
            page_size=params.page_size,
            total_pages=math.ceil(total / params.page_size) if total else 0,
            **extra,
        )


async def newest_first(
    session: AsyncSession,
    query: Select[*tuple[Any, ...]],
    id_column: InstrumentedAttribute[int],
    *,
    cursor: int | None,
    limit: int,
    scalars: bool = True,
) -> tuple[list[Any], int | None]:
    """A keyset page of `query`, newest first by an increasing integer id.

    The cursor is the id of the last row the client has seen; one row more than `limit` is read
    to know whether a next page exists. Returns (rows, next_cursor)."""
    if cursor is not None:
        query = query.where(id_column < cursor)
    query = query.order_by(id_column.desc()).limit(limit + 1)
    result = await session.execute(query)
    rows = list(result.scalars().all() if scalars else result.all())
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    last_id = getattr(last if scalars else last[0], id_column.key)
    return rows[:limit], int(last_id)

"""Unique slugs for gigs and categories: the slug of the text, with `-2`, `-3`, … on collision.

Two requests making the same slug at once would both see it free. So `unique_slug` first
takes a transaction-scoped advisory lock on the base slug: the second waits until the first
commits and then sees its slug taken. The unique index stays the guarantee; callers insert in
a savepoint and ask again on a clash the lock cannot prevent (`is_slug_clash`; e.g. the title
"Reel 2" makes `reel-2`, which a second "Reel" would also pick).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from reelbyte.core.text import slugify

SUFFIX_ROOM = 8  # "-" and up to seven digits


def next_free_slug(base: str, taken: set[str]) -> str:
    """`base` if free, else `base-2`, `base-3`, … the first that is free."""
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


async def unique_slug(
    session: AsyncSession, column: InstrumentedAttribute[str], text: str, max_length: int
) -> str:
    base = slugify(text, max_length=max_length - SUFFIX_ROOM)
    lock_key = func.hashtextextended(f"{column.class_.__tablename__}.slug:{base}", 0)
    await session.execute(select(func.pg_advisory_xact_lock(lock_key)))
    # A slug holds only [a-z0-9-], so it has no LIKE wildcard in it.
    taken = await session.scalars(select(column).where(or_(column == base, column.like(f"{base}-%"))))
    return next_free_slug(base, set(taken))


def is_slug_clash(error: IntegrityError, constraint: str) -> bool:
    diag: Any = getattr(error.orig, "diag", None)
    return getattr(diag, "constraint_name", None) == constraint

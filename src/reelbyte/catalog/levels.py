"""Creator levels, earned from a track record the way Fiverr's seller levels are.

A creator (or hybrid) account holds the highest level whose every threshold it meets:

| level    | account age   | completed orders (`users.total_orders`) | rating (`users.rating`) |
| -------- | ------------- | --------------------------------------- | ----------------------- |
| `new`    | —             | —                                       | —                       |
| `rising` | ≥ 60 days     | ≥ 10                                    | ≥ 4.50                  |
| `pro`    | ≥ 120 days    | ≥ 50                                    | ≥ 4.70                  |
| `top`    | ≥ 180 days    | ≥ 100                                   | ≥ 4.80                  |

(Fiverr's Level One, Level Two and Top Rated ask for 60/120/180 days and 10/50/100 orders.)
Levels are recomputed from scratch by a daily job, so they go down as well as up: a creator
whose rating slips below a threshold loses the level at the next run. Clients and admins are
always `new`. The job also copies each creator's level onto their gigs (`gigs.creator_level`),
which lists filter on; a new gig starts with its creator's current level.

One table drives both the Python rule (`level_for`) and the SQL of the job (`level_expression`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, cast, literal, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from reelbyte.catalog.models import Gig
from reelbyte.core.db import utcnow
from reelbyte.identity.models import CreatorLevel, Role, User


@dataclass(frozen=True)
class LevelRule:
    level: CreatorLevel
    min_account_age: timedelta
    min_completed_orders: int
    min_rating: Decimal


# Highest first: the first rule a creator meets is their level.
LEVEL_RULES: tuple[LevelRule, ...] = (
    LevelRule(CreatorLevel.TOP, timedelta(days=180), 100, Decimal("4.80")),
    LevelRule(CreatorLevel.PRO, timedelta(days=120), 50, Decimal("4.70")),
    LevelRule(CreatorLevel.RISING, timedelta(days=60), 10, Decimal("4.50")),
)
CREATOR_ROLES = (Role.CREATOR, Role.HYBRID)


def level_for(
    role: Role, total_orders: int, rating: Decimal, member_since: datetime, now: datetime
) -> CreatorLevel:
    if role not in CREATOR_ROLES:
        return CreatorLevel.NEW
    for rule in LEVEL_RULES:
        if (
            now - member_since >= rule.min_account_age
            and total_orders >= rule.min_completed_orders
            and rating >= rule.min_rating
        ):
            return rule.level
    return CreatorLevel.NEW


def level_expression(now: datetime) -> ColumnElement[Any]:
    """`level_for` as SQL over the users table."""
    level_type = User.__table__.c.creator_level.type

    def level(value: CreatorLevel) -> ColumnElement[Any]:
        return cast(literal(value.value), level_type)

    return case(
        *[
            (
                and_(
                    User.role.in_(CREATOR_ROLES),
                    User.created_at <= now - rule.min_account_age,
                    User.total_orders >= rule.min_completed_orders,
                    User.rating >= rule.min_rating,
                ),
                level(rule.level),
            )
            for rule in LEVEL_RULES
        ],
        else_=level(CreatorLevel.NEW),
    )


@dataclass(frozen=True)
class LevelChanges:
    users: int
    gigs: int


async def recompute_levels(session: AsyncSession, now: datetime | None = None) -> LevelChanges:
    """Recompute every user's level and copy it onto their gigs, in the caller's unit of work."""
    now = now or utcnow()
    computed = level_expression(now)
    users = await session.execute(
        update(User)
        .where(User.creator_level.is_distinct_from(computed))
        .values(creator_level=computed)
        .execution_options(synchronize_session=False)
    )
    gigs = await session.execute(
        update(Gig)
        .where(Gig.creator_id == User.id, Gig.creator_level.is_distinct_from(User.creator_level))
        .values(creator_level=User.creator_level)
        .execution_options(synchronize_session=False)
    )
    return LevelChanges(users=_rowcount(users), gigs=_rowcount(gigs))


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)

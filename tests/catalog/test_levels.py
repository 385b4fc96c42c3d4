"""Creator levels: computed from completed orders, rating and account age by the daily job,
copied onto gigs (lists filter on them) and shown on gigs and profiles."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from reelbyte.catalog.jobs import recompute_creator_levels
from reelbyte.catalog.levels import LEVEL_RULES, LevelChanges, level_for, recompute_levels
from reelbyte.catalog.models import Gig
from reelbyte.core.db import get_database, transaction
from reelbyte.identity.models import CreatorLevel, Role, User
from tests.conftest import run_jobs
from tests.factories import insert_gig, insert_user, make_gig, signed_up

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


async def _craft(role: Role, orders: int, rating: str, age: timedelta) -> uuid.UUID:
    """A user with the given track record, written straight into the database."""
    user = await insert_user(role, total_orders=orders, rating=Decimal(rating), created_at=NOW - age)
    return user.id


async def _level(user_id: uuid.UUID | str) -> CreatorLevel:
    async with get_database().sessions() as session:
        level = await session.scalar(select(User.creator_level).where(User.id == user_id))
    assert level is not None
    return level


async def _recompute(now: datetime = NOW) -> LevelChanges:
    return await transaction(lambda session: recompute_levels(session, now))


CASES = [
    # (role, completed orders, rating, account age, expected level)
    (Role.CREATOR, 0, "0", 0 * DAY, CreatorLevel.NEW),
    (Role.CREATOR, 10, "4.50", 60 * DAY, CreatorLevel.RISING),  # exactly the rising thresholds
    (Role.CREATOR, 9, "4.50", 60 * DAY, CreatorLevel.NEW),  # one order short
    (Role.CREATOR, 10, "4.49", 60 * DAY, CreatorLevel.NEW),  # rating just under
    (Role.CREATOR, 10, "4.50", 60 * DAY - timedelta(seconds=1), CreatorLevel.NEW),  # a second too young
    (Role.HYBRID, 50, "4.70", 120 * DAY, CreatorLevel.PRO),
    (Role.CREATOR, 50, "4.69", 120 * DAY, CreatorLevel.RISING),
    (Role.CREATOR, 49, "5.00", 400 * DAY, CreatorLevel.RISING),
    (Role.CREATOR, 100, "4.80", 180 * DAY, CreatorLevel.TOP),
    (Role.CREATOR, 1000, "5.00", 179 * DAY, CreatorLevel.PRO),  # great, but not old enough for top
    (Role.CREATOR, 100, "4.79", 180 * DAY, CreatorLevel.PRO),
    (Role.CREATOR, 5000, "4.40", 900 * DAY, CreatorLevel.NEW),  # many orders, poor rating
    (Role.CLIENT, 500, "5.00", 900 * DAY, CreatorLevel.NEW),  # clients have no level
    (Role.ADMIN, 500, "5.00", 900 * DAY, CreatorLevel.NEW),
]


async def test_levels_follow_the_thresholds() -> None:
    users = [
        (await _craft(role, orders, rating, age), expected) for role, orders, rating, age, expected in CASES
    ]
    await _recompute()
    assert [await _level(user_id) for user_id, _ in users] == [expected for _, expected in users]
    for role, orders, rating, age, expected in CASES:
        assert level_for(role, orders, Decimal(rating), NOW - age, NOW) is expected


async def test_levels_go_down_as_well_as_up() -> None:
    user_id = await _craft(Role.CREATOR, 120, "4.90", 200 * DAY)
    await _recompute()
    assert await _level(user_id) is CreatorLevel.TOP
    await transaction(
        lambda session: session.execute(update(User).where(User.id == user_id).values(rating=Decimal("4.60")))
    )
    await _recompute()
    assert await _level(user_id) is CreatorLevel.RISING


async def test_the_daily_job_copies_levels_onto_gigs_and_profiles_show_them(
    client: httpx.AsyncClient,
) -> None:
    creator, headers = await signed_up(client, "creator")
    other, other_headers = await signed_up(client, "creator")
    gigs = [await make_gig(client, headers, title=f"Pro gig {i}") for i in range(2)]
    other_gig = await make_gig(client, other_headers, title="Newcomer gig")
    await transaction(
        lambda session: session.execute(
            update(User)
            .where(User.id == creator["id"])
            .values(total_orders=60, rating=Decimal("4.75"), created_at=datetime.now(UTC) - 150 * DAY)
        )
    )

    await recompute_creator_levels.defer_async(timestamp=0)  # what the periodic deferrer does daily
    await run_jobs()

    assert await _level(creator["id"]) is CreatorLevel.PRO
    assert await _level(other["id"]) is CreatorLevel.NEW
    for gig in gigs:
        shown = (await client.get(f"/v1/gigs/{gig['id']}")).json()
        assert shown["creator_level"] == shown["creator"]["creator_level"] == "pro"
    assert (await client.get(f"/v1/gigs/{other_gig['id']}")).json()["creator_level"] == "new"
    listed = (await client.get("/v1/gigs", params={"creator_level": "pro"})).json()
    assert {item["id"] for item in listed["items"]} == {gig["id"] for gig in gigs}
    assert (await client.get(f"/v1/users/{creator['id']}")).json()["creator_level"] == "pro"
    assert (await client.get("/v1/users/me", headers=headers)).json()["creator_level"] == "pro"

    # A gig created later starts with its creator's level.
    later = await make_gig(client, headers, title="Later gig")
    assert later["creator_level"] == "pro"


async def test_a_gig_out_of_step_is_put_right() -> None:
    user_id = await _craft(Role.CREATOR, 0, "0", 0 * DAY)
    gig = await insert_gig(user_id, "Drifted", creator_level=CreatorLevel.TOP)
    changes = await _recompute()
    assert changes.gigs == 1
    async with get_database().sessions() as session:
        assert await session.scalar(select(Gig.creator_level).where(Gig.id == gig.id)) is CreatorLevel.NEW
    again = await _recompute()
    assert (again.users, again.gigs) == (0, 0)  # nothing left to change


def test_the_rules_are_ordered_and_each_level_is_harder_than_the_one_below() -> None:
    levels = [rule.level for rule in LEVEL_RULES]
    assert levels == [CreatorLevel.TOP, CreatorLevel.PRO, CreatorLevel.RISING]
    for higher, lower in itertools.pairwise(LEVEL_RULES):
        assert higher.min_account_age >= lower.min_account_age
        assert higher.min_completed_orders >= lower.min_completed_orders
        assert higher.min_rating >= lower.min_rating


LEVEL_ORDER = [CreatorLevel.NEW, CreatorLevel.RISING, CreatorLevel.PRO, CreatorLevel.TOP]


@given(
    orders=st.integers(min_value=0, max_value=10_000),
    rating=st.decimals(min_value=0, max_value=5, places=2),
    days=st.integers(min_value=0, max_value=2_000),
    more_orders=st.integers(min_value=0, max_value=100),
    more_rating=st.decimals(min_value=0, max_value=1, places=2),
    more_days=st.integers(min_value=0, max_value=100),
)
def test_a_better_record_never_means_a_lower_level(
    orders: int, rating: Decimal, days: int, more_orders: int, more_rating: Decimal, more_days: int
) -> None:
    base = level_for(Role.CREATOR, orders, rating, NOW - days * DAY, NOW)
    better = level_for(
        Role.CREATOR,
        orders + more_orders,
        min(rating + more_rating, Decimal(5)),
        NOW - (days + more_days) * DAY,
        NOW,
    )
    assert LEVEL_ORDER.index(better) >= LEVEL_ORDER.index(base)


@pytest.mark.parametrize("role", [Role.CREATOR, Role.HYBRID, Role.CLIENT])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    orders=st.sampled_from([0, 9, 10, 11, 49, 50, 99, 100, 101, 5000]),
    rating=st.sampled_from(["0", "4.49", "4.50", "4.69", "4.70", "4.79", "4.80", "5.00"]),
    days=st.sampled_from([0, 59, 60, 119, 120, 179, 180, 1000]),
)
async def test_the_sql_and_the_python_rule_agree(role: Role, orders: int, rating: str, days: int) -> None:
    user_id = await _craft(role, orders, rating, days * DAY)
    await _recompute()
    assert await _level(user_id) is level_for(role, orders, Decimal(rating), NOW - days * DAY, NOW)

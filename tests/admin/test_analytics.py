"""GET /v1/admin/analytics: the marketplace's figures bucket by bucket, from a small market whose
every figure is known; empty buckets read zero; only admins may look; bad ranges are a 422 that
changes nothing; answers come from the cache, which the periodic job refreshes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from reelbyte.admin import analytics
from reelbyte.admin.jobs import refresh_analytics
from reelbyte.admin.schemas import AnalyticsInterval
from reelbyte.core.db import transaction, utcnow
from reelbyte.core.redis import get_redis
from reelbyte.identity.models import Role, User
from reelbyte.orders.models import Order
from tests.admin.test_users import assert_error
from tests.conftest import run_jobs
from tests.factories import (
    Headers,
    category_id,
    get_row,
    gig_for_sale,
    insert_user,
    make_order,
    make_paid_order,
    signed_up,
)

URL = "/v1/admin/analytics"
ZERO = {"currency": "EUR", "value": "0.00"}


def eur(value: str) -> dict[str, str]:
    return {"currency": "EUR", "value": value}


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), UTC)


async def set_times(model: Any, row_id: str, **moments: datetime) -> None:
    statement = update(model).where(model.id == uuid.UUID(row_id)).values(**moments)
    await transaction(lambda session: session.execute(statement))


async def get_report(client: httpx.AsyncClient, headers: Headers, **params: str) -> dict[str, Any]:
    response = await client.get(URL, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


@dataclass(frozen=True)
class Market:
    today: date
    creator_a: dict[str, Any]
    creator_b: dict[str, Any]
    first_order_hours: list[float]  # of the two clients, from sign-up to their first paid order


async def a_small_market(client: httpx.AsyncClient, admin: Headers) -> Market:
    """Two creators, two clients and a hybrid sign up. Client X buys creator A's 50.00 gig twice
    (the first order completed: 7.50 fee); client Y buys creator B's 120.00 gig, disputes it, and
    an admin splits it 40.00 back / 80.00 released (12.00 fee, and the order completes); Y also
    orders A's gig without paying. Then B and Y are moved to two days ago, and Y's paid order to
    yesterday 10:00 (the ledger is append-only: fees and refunds stay today)."""
    creator_a, a_headers = await signed_up(client, "creator")
    creator_b, _ = await signed_up(client, "creator")
    client_x, x_headers = await signed_up(client, "client")
    client_y, y_headers = await signed_up(client, "client")
    await signed_up(client, "hybrid")
    gig_a, package_a = await gig_for_sale(creator_a["id"], price_minor=5000)
    gig_b, package_b = await gig_for_sale(creator_b["id"], price_minor=12000)

    first = await make_paid_order(client, x_headers, gig_a, package_a)
    url = f"/v1/orders/{first['id']}"
    assert (
        await client.post(f"{url}/deliver", json={"message": "Done"}, headers=a_headers)
    ).status_code == 200
    assert (await client.post(f"{url}/approve", headers=x_headers)).status_code == 200
    await make_paid_order(client, x_headers, gig_a, package_a)
    disputed = await make_paid_order(client, y_headers, gig_b, package_b)
    opened = await client.post(
        f"/v1/orders/{disputed['id']}/dispute", json={"reason": "Too short"}, headers=y_headers
    )
    assert opened.status_code == 201, opened.text
    resolved = await client.post(
        f"/v1/admin/disputes/{opened.json()['id']}/resolve",
        json={"refund": eur("40.00"), "release": eur("80.00")},
        headers=admin,
    )
    assert resolved.status_code == 200, resolved.text
    await make_order(client, y_headers, gig_a, package_a)
    await run_jobs()

    today = utcnow().date()
    for user in (creator_b, client_y):
        await set_times(User, user["id"], created_at=at(today - timedelta(days=2), 12))
    yesterday = at(today - timedelta(days=1), 10)
    await set_times(Order, disputed["id"], created_at=yesterday, paid_at=yesterday)
    x_signed_up, x_first = await get_row(User, client_x["id"]), await get_row(Order, first["id"])
    assert x_signed_up is not None
    assert x_first is not None
    assert x_first.paid_at is not None
    hours = [
        (x_first.paid_at - x_signed_up.created_at).total_seconds() / 3600,
        (yesterday - at(today - timedelta(days=2), 12)).total_seconds() / 3600,
    ]
    return Market(today, creator_a, creator_b, hours)


def figures(
    *,
    signups: tuple[int, int, int] = (0, 0, 0),
    created: int = 0,
    paid: int = 0,
    completed: int = 0,
    disputes: int = 0,
    gmv: str = "0.00",
    revenue: str = "0.00",
    refunds: str = "0.00",
    average: str | None = None,
) -> dict[str, Any]:
    return {
        "signups": dict(zip(("creator", "client", "hybrid"), signups, strict=True)),
        "orders_created": created,
        "orders_paid": paid,
        "orders_completed": completed,
        "disputes_opened": disputes,
        "gmv": eur(gmv),
        "revenue": eur(revenue),
        "refunds": eur(refunds),
        "average_order_value": eur(average) if average else None,
    }


async def test_every_figure_of_a_small_market_bucket_by_bucket(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    market = await a_small_market(client, admin)
    days = [market.today - timedelta(days=n) for n in (3, 2, 1, 0)]

    report = await get_report(
        client, admin, **{"from": days[0].isoformat(), "to": days[-1].isoformat(), "interval": "day"}
    )

    assert (report["from"], report["to"], report["interval"], report["currency"]) == (
        days[0].isoformat(),
        days[-1].isoformat(),
        "day",
        "EUR",
    )
    assert [bucket.pop("bucket_start") for bucket in report["series"]] == [day.isoformat() for day in days]
    assert report["series"] == [
        figures(),  # nothing happened: zeros, and no average
        figures(signups=(1, 1, 0)),
        figures(created=1, paid=1, gmv="120.00", average="120.00"),
        figures(
            signups=(1, 1, 1),
            created=3,
            paid=2,
            completed=2,  # the first order, and the disputed one (its split released money)
            disputes=1,
            gmv="100.00",
            revenue="19.50",
            refunds="40.00",
            average="50.00",
        ),
    ]
    average_hours = round(sum(market.first_order_hours) / 2, 1)
    assert report["totals"] == {
        **figures(
            signups=(2, 2, 1),
            created=4,
            paid=3,
            completed=2,
            disputes=1,
            gmv="220.00",
            revenue="19.50",
            refunds="40.00",
            average="73.33",
        ),
        "dispute_rate": 0.3333,
        "first_orders": 2,
        "avg_hours_to_first_order": average_hours,
        "median_hours_to_first_order": average_hours,  # the median of two is their mean
    }
    video_editing = await category_id()
    assert report["top_categories"] == [
        {"rank": 1, "category_id": video_editing, "name": "Video Editing", "orders": 3, "gmv": eur("220.00")}
    ]
    assert report["top_creators"] == [
        {
            "rank": 1,
            "user_id": market.creator_b["id"],
            "username": market.creator_b["username"],
            "orders": 1,
            "gmv": eur("120.00"),
        },
        {
            "rank": 2,
            "user_id": market.creator_a["id"],
            "username": market.creator_a["username"],
            "orders": 2,
            "gmv": eur("100.00"),
        },
    ]


async def test_the_totals_are_the_same_whatever_the_interval(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    market = await a_small_market(client, admin)
    span = {"from": (market.today - timedelta(days=40)).isoformat(), "to": market.today.isoformat()}

    reports = [await get_report(client, admin, **span, interval=i.value) for i in AnalyticsInterval]

    assert reports[0]["totals"] == reports[1]["totals"] == reports[2]["totals"]
    assert reports[0]["totals"]["gmv"] == eur("220.00")
    weeks = [bucket["bucket_start"] for bucket in reports[1]["series"]]
    assert all(date.fromisoformat(start).weekday() == 0 for start in weeks)  # Mondays
    assert all(bucket["bucket_start"].endswith("-01") for bucket in reports[2]["series"])


async def test_without_a_range_the_default_views(client: httpx.AsyncClient, admin: Headers) -> None:
    today = utcnow().date()

    by_day = await get_report(client, admin)
    by_week = await get_report(client, admin, interval="week")
    by_month = await get_report(client, admin, interval="month", to=today.isoformat())

    assert (by_day["from"], by_day["to"], len(by_day["series"])) == (
        (today - timedelta(days=29)).isoformat(),
        today.isoformat(),
        30,
    )
    assert len(by_week["series"]) == 26
    assert date.fromisoformat(by_week["from"]).weekday() == 0
    assert len(by_month["series"]) == 12
    assert by_month["from"].endswith("-01")
    assert by_day["series"][0] == {"bucket_start": by_day["from"], **figures()}
    assert by_day["totals"]["refunds"] == ZERO


async def test_only_admins_see_the_figures(client: httpx.AsyncClient) -> None:
    _, creator = await signed_up(client, "creator")
    _, buyer = await signed_up(client, "client")

    assert_error(await client.get(URL, headers=creator), 403, "wrong_role")
    assert_error(await client.get(URL, headers=buyer), 403, "wrong_role")
    assert_error(await client.get(URL), 401, "not_authenticated")


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"from": "2026-02-01", "to": "2026-01-31"}, 422, "invalid_date_range"),
        ({"from": "2024-01-01", "to": "2026-01-01", "interval": "day"}, 422, "analytics_range_too_long"),
        ({"from": "2000-01-01", "to": "2020-01-01", "interval": "month"}, 422, "analytics_range_too_long"),
        ({"from": "2026-1-1"}, 422, "validation_error"),
        ({"from": "1767225600"}, 422, "validation_error"),
        ({"from": "2026-02-30"}, 422, "validation_error"),
        ({"from": "1969-12-31"}, 422, "validation_error"),
        ({"interval": "year"}, 422, "validation_error"),
    ],
)
async def test_a_bad_range_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, admin: Headers, params: dict[str, str], status: int, code: str
) -> None:
    assert_error(await client.get(URL, params=params, headers=admin), status, code)
    assert await get_redis().keys("admin:analytics:*") == []


async def test_two_years_by_day_is_the_limit(client: httpx.AsyncClient, admin: Headers) -> None:
    longest = await get_report(client, admin, **{"from": "2024-01-01", "to": "2025-12-31"})
    assert len(longest["series"]) == 731
    by_week = await get_report(
        client, admin, **{"from": "2024-01-01", "to": "2026-01-01", "interval": "week"}
    )
    assert by_week["series"][0]["bucket_start"] == "2024-01-01"  # a Monday


async def test_answers_come_from_the_cache_until_the_job_refreshes_it(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    first = await get_report(client, admin)
    await signed_up(client, "creator")

    again = await get_report(client, admin)
    assert again == first  # the same figures, computed at the same moment: the cache's

    await refresh_analytics(0)

    refreshed = await get_report(client, admin)
    assert datetime.fromisoformat(refreshed["computed_at"]) > datetime.fromisoformat(first["computed_at"])
    assert refreshed["totals"]["signups"]["creator"] == first["totals"]["signups"]["creator"] + 1


async def test_the_job_warms_every_default_view(client: httpx.AsyncClient, admin: Headers) -> None:
    await refresh_analytics(0)

    for window in analytics.default_windows(utcnow().date()):
        kept = await get_redis().get(analytics.cache_key(window))
        assert kept is not None
        assert 0 < await get_redis().ttl(analytics.cache_key(window)) <= analytics.WARM_TTL_SECONDS


async def test_a_past_range_is_computed_once_then_kept(client: httpx.AsyncClient, admin: Headers) -> None:
    span = {"from": "2025-01-01", "to": "2025-03-31", "interval": "month"}
    first = await get_report(client, admin, **span)
    await insert_user(Role.CLIENT, created_at=at(date(2025, 2, 14), 9))

    assert await get_report(client, admin, **span) == first
    window = analytics.Window(AnalyticsInterval.MONTH, date(2025, 1, 1), date(2025, 3, 31))
    ttl = await get_redis().ttl(analytics.cache_key(window))
    assert analytics.CURRENT_TTL_SECONDS < ttl <= analytics.PAST_TTL_SECONDS


# --- buckets split the range, whatever it is --------------------------------------------------

SIGNUP_DAYS = [date(2025, 12, 1) + timedelta(days=n * 7 + n % 5) for n in range(12)]


async def _compute(window: analytics.Window) -> Any:
    return await transaction(lambda session: analytics.compute(session, window), read_only=True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    interval=st.sampled_from(list(AnalyticsInterval)),
    start=st.dates(min_value=date(2025, 11, 1), max_value=date(2026, 3, 31)),
    days=st.integers(min_value=0, max_value=120),
)
async def test_every_signup_in_the_range_falls_in_exactly_one_bucket(
    signups_at_known_days: None, interval: AnalyticsInterval, start: date, days: int
) -> None:
    window = analytics.window(interval, start, start + timedelta(days=days), date(2030, 1, 1))

    report = await _compute(window)

    starts = [bucket.bucket_start for bucket in report.series]
    ends = [*starts[1:], window.end + timedelta(days=1)]
    for bucket, bucket_start, bucket_end in zip(report.series, starts, ends, strict=True):
        inside = [d for d in SIGNUP_DAYS if max(bucket_start, window.start) <= d < bucket_end]
        assert bucket.signups.client == len(inside)
    in_range = [d for d in SIGNUP_DAYS if window.start <= d <= window.end]
    assert report.totals.signups.client == len(in_range)
    assert starts[0] <= window.start
    assert starts[-1] <= window.end < ends[-1]


@pytest.fixture
async def signups_at_known_days() -> None:
    for day in SIGNUP_DAYS:
        await insert_user(Role.CLIENT, created_at=at(day, 23))

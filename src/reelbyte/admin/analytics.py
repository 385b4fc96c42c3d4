"""The marketplace's figures for admins: sign-ups, orders, GMV, fees, refunds, disputes, time to
a first order, top categories and creators, as time series over a range of days.

A few SQL statements compute a report: the range's buckets (`generate_series` of `date_trunc`
in UTC) left-joined to the aggregates of each kind of event, so an empty bucket reads zero;
window functions find each client's first paid order and rank the top lists. Orders give the
counts and the GMV (an order counts where it was paid, for its whole amount); the ledger gives
the platform's fees (entries on its revenue account) and refunds (money moved into its refunds
account). Amounts are in the platform currency, the one the admin console reads everywhere;
orders in another currency (a project may be priced in one) count in the counts only.

Reports are answered from Redis (`report`): the periodic job (admin/jobs.py) recomputes the
default windows every few minutes, so the admin page's first views are always warm; any other
range is computed on demand and kept a while. `computed_at` tells how fresh an answer is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import structlog
from pydantic import ValidationError
from redis.exceptions import RedisError
from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.admin.errors import AnalyticsRangeTooLong, InvalidDateRange
from reelbyte.admin.schemas import (
    AnalyticsBucket,
    AnalyticsInterval,
    AnalyticsOut,
    AnalyticsTotals,
    SignupsOut,
    TopCategory,
    TopCreator,
)
from reelbyte.core.config import get_settings
from reelbyte.core.db import utcnow
from reelbyte.core.money import Money
from reelbyte.core.redis import get_redis

log = structlog.get_logger(__name__)

Interval = AnalyticsInterval

# The longest range per interval, in days: two years of days, ten years of weeks or months.
MAX_DAYS = {Interval.DAY: 731, Interval.WEEK: 3653, Interval.MONTH: 3653}
TOP = 10
# Part of every cache key: bump it when a figure's meaning or the report's shape changes, so a
# deploy never serves a report computed by the code before it.
REPORT_VERSION = 1
# The job refreshes the default windows every five minutes; three runs may fail before they go cold.
WARM_TTL_SECONDS = 15 * 60
# Another range: one that includes today still changes; one in the past changes no more.
CURRENT_TTL_SECONDS = 5 * 60
PAST_TTL_SECONDS = 60 * 60


# --- the range ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The days `start`..`end` (both included, UTC), in buckets of `interval`."""

    interval: Interval
    start: date
    end: date

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(), UTC)

    @property
    def end_at(self) -> datetime:
        """The moment after the range: midnight after its last day."""
        return datetime.combine(self.end + timedelta(days=1), time(), UTC)


def default_start(interval: Interval, end: date) -> date:
    """Where the admin page's default view of `interval` starts: the last 30 days, 26 weeks
    (from a Monday) or 12 months (from the 1st), up to `end`."""
    if interval is Interval.DAY:
        return end - timedelta(days=29)
    if interval is Interval.WEEK:
        return end - timedelta(days=end.weekday(), weeks=25)
    months_back = end.year * 12 + end.month - 1 - 11
    return date(months_back // 12, months_back % 12 + 1, 1)


def window(interval: Interval, start: date | None, end: date | None, today: date) -> Window:
    """The range asked for: `end` defaults to today, `start` to the default view's start.
    Refuses a range that starts after it ends, or too long for its interval (422)."""
    end = end or today
    start = start or default_start(interval, end)
    if start > end:
        raise InvalidDateRange(details={"from": start.isoformat(), "to": end.isoformat()})
    days = (end - start).days + 1
    if days > MAX_DAYS[interval]:
        raise AnalyticsRangeTooLong(
            f"A report by {interval.value} covers at most {MAX_DAYS[interval]} days; this range has {days}.",
            details={"interval": interval.value, "days": days, "max_days": MAX_DAYS[interval]},
        )
    return Window(interval, start, end)


def default_windows(today: date) -> list[Window]:
    """The views the job keeps warm: one per interval, ending today."""
    return [Window(interval, default_start(interval, today), today) for interval in Interval]


# --- computing ----------------------------------------------------------------------------

_SERIES = text("""
WITH buckets AS (
    SELECT generate_series(
        date_trunc(:unit, CAST(:first_day AS timestamp)),
        CAST(:last_day AS timestamp),
        CAST(:step AS interval)
    ) AS bucket
),
signups AS (
    SELECT date_trunc(:unit, created_at AT TIME ZONE 'UTC') AS bucket,
           count(*) FILTER (WHERE role = 'creator') AS creator,
           count(*) FILTER (WHERE role = 'client') AS client,
           count(*) FILTER (WHERE role = 'hybrid') AS hybrid
    FROM users
    WHERE created_at >= :start_at AND created_at < :end_at
    GROUP BY 1
),
created AS (
    SELECT date_trunc(:unit, created_at AT TIME ZONE 'UTC') AS bucket, count(*) AS orders
    FROM orders
    WHERE created_at >= :start_at AND created_at < :end_at
    GROUP BY 1
),
paid AS (
    SELECT date_trunc(:unit, paid_at AT TIME ZONE 'UTC') AS bucket,
           count(*) AS orders,
           count(*) FILTER (WHERE currency = :currency) AS orders_in_currency,
           coalesce(sum(amount_minor) FILTER (WHERE currency = :currency), 0) AS gmv
    FROM orders
    WHERE paid_at >= :start_at AND paid_at < :end_at
    GROUP BY 1
),
completed AS (
    SELECT date_trunc(:unit, completed_at AT TIME ZONE 'UTC') AS bucket, count(*) AS orders
    FROM orders
    WHERE completed_at >= :start_at AND completed_at < :end_at
    GROUP BY 1
),
disputed AS (
    SELECT date_trunc(:unit, created_at AT TIME ZONE 'UTC') AS bucket, count(*) AS disputes
    FROM disputes
    WHERE created_at >= :start_at AND created_at < :end_at
    GROUP BY 1
),
booked AS (
    SELECT date_trunc(:unit, e.created_at AT TIME ZONE 'UTC') AS bucket,
           coalesce(sum(e.amount_minor) FILTER (WHERE a.kind = 'revenue'), 0) AS revenue,
           coalesce(sum(e.amount_minor) FILTER (WHERE a.kind = 'refunds' AND e.amount_minor > 0), 0)
               AS refunds
    FROM ledger_entries e
    JOIN ledger_accounts a ON a.id = e.account_id
    WHERE a.kind IN ('revenue', 'refunds') AND a.currency = :currency
      AND e.created_at >= :start_at AND e.created_at < :end_at
    GROUP BY 1
)
SELECT b.bucket,
       coalesce(s.creator, 0) AS signups_creator,
       coalesce(s.client, 0) AS signups_client,
       coalesce(s.hybrid, 0) AS signups_hybrid,
       coalesce(c.orders, 0) AS orders_created,
       coalesce(p.orders, 0) AS orders_paid,
       coalesce(p.orders_in_currency, 0) AS orders_paid_in_currency,
       coalesce(p.gmv, 0) AS gmv,
       coalesce(d.orders, 0) AS orders_completed,
       coalesce(x.disputes, 0) AS disputes_opened,
       coalesce(l.revenue, 0) AS revenue,
       coalesce(l.refunds, 0) AS refunds
FROM buckets b
LEFT JOIN signups s USING (bucket)
LEFT JOIN created c USING (bucket)
LEFT JOIN paid p USING (bucket)
LEFT JOIN completed d USING (bucket)
LEFT JOIN disputed x USING (bucket)
LEFT JOIN booked l USING (bucket)
ORDER BY b.bucket
""")

# Each client's first paid order (of those who paid one in the range, the only ones that can
# have their first there), and the hours from their sign-up to it.
_FIRST_ORDERS = text("""
WITH ranked AS (
    SELECT client_id, paid_at,
           row_number() OVER (PARTITION BY client_id ORDER BY paid_at, id) AS nth
    FROM orders
    WHERE paid_at IS NOT NULL
      AND client_id IN (SELECT client_id FROM orders WHERE paid_at >= :start_at AND paid_at < :end_at)
),
firsts AS (
    SELECT CAST(extract(epoch FROM r.paid_at - u.created_at) AS double precision) / 3600 AS hours
    FROM ranked r
    JOIN users u ON u.id = r.client_id
    WHERE r.nth = 1 AND r.paid_at >= :start_at AND r.paid_at < :end_at
)
SELECT count(*) AS clients, avg(hours) AS average,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) AS median
FROM firsts
""")

# An order's category: its gig's, or for an order from a proposal, its project's.
_TOP_CATEGORIES = text("""
SELECT rank() OVER (ORDER BY sum(o.amount_minor) DESC) AS rank,
       c.id, c.name, count(*) AS orders, sum(o.amount_minor) AS gmv
FROM orders o
LEFT JOIN gigs g ON g.id = o.gig_id
LEFT JOIN proposals p ON p.id = o.proposal_id
LEFT JOIN projects j ON j.id = p.project_id
JOIN categories c ON c.id = coalesce(g.category_id, j.category_id)
WHERE o.paid_at >= :start_at AND o.paid_at < :end_at AND o.currency = :currency
GROUP BY c.id, c.name
ORDER BY rank, c.name, c.id
LIMIT :top
""")

_TOP_CREATORS = text("""
SELECT rank() OVER (ORDER BY sum(o.amount_minor) DESC) AS rank,
       u.id, u.username, count(*) AS orders, sum(o.amount_minor) AS gmv
FROM orders o
JOIN users u ON u.id = o.creator_id
WHERE o.paid_at >= :start_at AND o.paid_at < :end_at AND o.currency = :currency
GROUP BY u.id, u.username
ORDER BY rank, u.username
LIMIT :top
""")


ToMoney = Callable[[int | Decimal], Money]


def _in(currency: str) -> ToMoney:
    def money(minor: int | Decimal) -> Money:
        return Money.from_minor(int(minor), currency)

    return money


async def compute(session: AsyncSession, window: Window) -> AnalyticsOut:
    """The report over `window`, from the database now."""
    currency = get_settings().default_currency
    params = {"start_at": window.start_at, "end_at": window.end_at, "currency": currency, "top": TOP}
    bucketing = {
        "unit": window.interval.value,
        "step": f"1 {window.interval.value}",
        "first_day": window.start,
        "last_day": window.end,
    }
    rows = list(await session.execute(_SERIES, {**params, **bucketing}))
    money = _in(currency)
    return AnalyticsOut(
        from_=window.start,
        to=window.end,
        interval=window.interval,
        currency=currency,
        computed_at=utcnow(),
        series=[AnalyticsBucket(bucket_start=row.bucket.date(), **_figures([row], money)) for row in rows],
        totals=await _totals(session, rows, params, money),
        top_categories=[
            TopCategory(rank=r.rank, category_id=r.id, name=r.name, orders=r.orders, gmv=money(r.gmv))
            for r in await session.execute(_TOP_CATEGORIES, params)
        ],
        top_creators=[
            TopCreator(rank=r.rank, user_id=r.id, username=r.username, orders=r.orders, gmv=money(r.gmv))
            for r in await session.execute(_TOP_CREATORS, params)
        ],
    )


async def _totals(
    session: AsyncSession, rows: Sequence[Row[Any]], params: dict[str, Any], money: ToMoney
) -> AnalyticsTotals:
    firsts = (await session.execute(_FIRST_ORDERS, params)).one()
    return AnalyticsTotals(
        **_figures(rows, money),
        dispute_rate=_ratio(_sum(rows, "disputes_opened"), _sum(rows, "orders_paid")),
        first_orders=firsts.clients,
        avg_hours_to_first_order=_hours(firsts.average),
        median_hours_to_first_order=_hours(firsts.median),
    )


def _sum(rows: Sequence[Row[Any]], column: str) -> int:
    return sum(int(getattr(row, column)) for row in rows)


def _figures(rows: Sequence[Row[Any]], money: ToMoney) -> dict[str, Any]:
    """The fields of `AnalyticsFigures` over `rows`: one bucket, or all of them for the totals."""
    gmv, paid_in_currency = _sum(rows, "gmv"), _sum(rows, "orders_paid_in_currency")
    return {
        "signups": SignupsOut(
            creator=_sum(rows, "signups_creator"),
            client=_sum(rows, "signups_client"),
            hybrid=_sum(rows, "signups_hybrid"),
        ),
        "orders_created": _sum(rows, "orders_created"),
        "orders_paid": _sum(rows, "orders_paid"),
        "orders_completed": _sum(rows, "orders_completed"),
        "disputes_opened": _sum(rows, "disputes_opened"),
        "gmv": money(gmv),
        "revenue": money(_sum(rows, "revenue")),
        "refunds": money(_sum(rows, "refunds")),
        "average_order_value": money(_average(gmv, paid_in_currency)) if paid_in_currency else None,
    }


def _average(total_minor: int, count: int) -> Decimal:
    """In whole minor units, halves rounded up."""
    return (Decimal(total_minor) / count).quantize(Decimal(1), ROUND_HALF_UP)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _hours(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


# --- the cache ----------------------------------------------------------------------------


def cache_key(window: Window) -> str:
    currency = get_settings().default_currency
    return (
        f"admin:analytics:v{REPORT_VERSION}:{currency}:{window.interval.value}:"
        f"{window.start.isoformat()}:{window.end.isoformat()}"
    )


async def cached(window: Window) -> AnalyticsOut | None:
    """The report kept for `window`, if any (none either when Redis cannot be reached)."""
    try:
        kept = await get_redis().get(cache_key(window))
    except RedisError as error:
        log.warning("analytics_cache_unavailable", error=str(error))
        return None
    if kept is None:
        return None
    try:
        return AnalyticsOut.model_validate_json(kept)
    except ValidationError:  # written by other code under the same version: compute it again
        log.warning("analytics_cache_unreadable", key=cache_key(window))
        return None


async def keep(report: AnalyticsOut, ttl_seconds: int) -> None:
    window = Window(report.interval, report.from_, report.to)
    try:
        await get_redis().set(cache_key(window), report.model_dump_json(), ex=ttl_seconds)
    except RedisError as error:
        log.warning("analytics_cache_unavailable", error=str(error))


def on_demand_ttl(window: Window, today: date) -> int:
    return CURRENT_TTL_SECONDS if window.end >= today else PAST_TTL_SECONDS


async def report(session: AsyncSession, window: Window, *, fresh: bool = False) -> AnalyticsOut:
    """The report over `window`: as kept in the cache, or computed now (`fresh` always) and kept."""
    if not fresh:
        kept = await cached(window)
        if kept is not None:
            return kept
    computed = await compute(session, window)
    today = computed.computed_at.date()
    is_default = window in default_windows(today)
    await keep(computed, WARM_TTL_SECONDS if is_default else on_demand_ttl(window, today))
    return computed

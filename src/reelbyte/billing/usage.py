"""Usage metering and plan limits.

A metered action calls `record_usage` inside its own unit of work, so the usage counts if and
only if the action commits. The record's idempotency key makes a retried action count once; the
counter per user, metric and billing period is raised by one conditional upsert, so at one use
below the limit, of many concurrent requests exactly one gets through and the others get 402
`plan_limit_reached`.

What each metric is held to (the user's plan, `plans.plan_of`):
- `trim`: `trims_per_period`; `auto_hook`: `hooks_per_period`. Null is unlimited: counted, never
  refused.
- `processing_seconds`, `api_call`: counted, never limited (the history shows them).
- `storage_bytes`: counted, not refused here. Storage is a level (what is stored now), not an
  amount per period: media refuses an upload that would take the bytes stored over the plan's
  `storage_quota_mb` (the lookup `billing.hooks` registers with media), and the usage view
  reads the bytes stored from media.

At 80 % and 100 % of a limit the user gets a `usage_limit` notification (in-app and e-mail, by
their preferences), once per period each: `usage_counters.notified_percent` is raised under the
counter's row lock, which the request that crossed the line already holds.

API calls: each key-authenticated request is counted by the key's authentication
(identity/deps.py, through `billing.hooks.meter_api_call`) in a short unit of work of its own,
before the route runs: a GET's session cannot write, and a call counts whatever it answers.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.billing.errors import PlanLimitReached
from reelbyte.billing.models import Plan, UsageCounter, UsageMetric, UsageRecord
from reelbyte.billing.plans import BillingPeriod, billing_period_of, plan_of
from reelbyte.billing.usage_schemas import MetricUsage, MetricUsed, PeriodUsage, UsageOut
from reelbyte.core.config import get_settings
from reelbyte.media import service as media
from reelbyte.notifications.service import notify

USAGE_LIMIT_NOTICE = "usage_limit"  # a notification type: "usage_" types are e-mailed by default
NOTICE_THRESHOLDS = (100, 80)  # percent of a limit, highest first
UPGRADE_PATH = "/v1/billing/plans"  # the plans to move to (then POST /v1/billing/checkout)
HISTORY_PERIODS = 12
MIB = 1024 * 1024

METRIC_NOUNS = {UsageMetric.TRIM: "trims", UsageMetric.AUTO_HOOK: "auto-hooks"}


@dataclass(frozen=True)
class UsageOutcome:
    """What `record_usage` did: `counted` is false when the idempotency key was seen before,
    and the outcome is then the earlier record's (its quantity, its period's count now)."""

    metric: UsageMetric
    quantity: int
    used: int
    limit: int | None
    period_start: date
    counted: bool


def limit_of(plan: Plan, metric: UsageMetric) -> int | None:
    """The most of `metric` a period allows on `plan`; None: counted, never refused."""
    match metric:
        case UsageMetric.TRIM:
            return plan.trims_per_period
        case UsageMetric.AUTO_HOOK:
            return plan.hooks_per_period
        case _:
            return None


def upgrade_url() -> str:
    return f"{get_settings().public_url}{UPGRADE_PATH}"


# --- recording ----------------------------------------------------------------------------


async def record_usage(
    session: AsyncSession, user_id: uuid.UUID, metric: UsageMetric, quantity: int, idempotency_key: str
) -> UsageOutcome:
    """Count `quantity` of `metric` for the user in the caller's unit of work, or raise
    PlanLimitReached (and count nothing) when it would take the period over the plan's limit.

    The same `idempotency_key` (per user and metric) counts once: a retry returns the earlier
    outcome. A retry racing the first attempt waits for it and then does the same."""
    if quantity <= 0:
        raise ValueError(f"a usage quantity is positive, not {quantity}")
    plan = await plan_of(session, user_id)
    period = await billing_period_of(session, user_id)
    limit = limit_of(plan, metric)
    record_id = await _insert_record(session, user_id, metric, quantity, period.start, idempotency_key)
    if record_id is None:
        return await _earlier_outcome(session, user_id, metric, idempotency_key, limit)
    used = await _raise_counter(session, user_id, metric, period.start, quantity, limit)
    if used is None:
        # Rolled back with the refused action anyway; deleted so that a caller that catches the
        # error and carries on does not keep a record that was never counted.
        await session.execute(delete(UsageRecord).where(UsageRecord.id == record_id))
        raise await _limit_reached(session, user_id, metric, period.start, limit)
    if limit is not None:
        await _announce_threshold(session, user_id, metric, plan, period, used, limit)
    return UsageOutcome(metric, quantity, used, limit, period.start, counted=True)


async def release_usage(
    session: AsyncSession, user_id: uuid.UUID, metric: UsageMetric, idempotency_key: str
) -> int:
    """Give back what the record under `idempotency_key` counted (an action that failed after
    it was counted: a video job), in the caller's unit of work; the quantity given back.

    Exactly once: the record is deleted as the counter is lowered, so a second call (a retried
    failure) finds nothing and gives back 0. The counter of the record's own period is lowered,
    never below zero; a notice already sent for a threshold is not sent again."""
    released = (
        await session.execute(
            delete(UsageRecord)
            .where(
                UsageRecord.user_id == user_id,
                UsageRecord.metric == metric,
                UsageRecord.idempotency_key == idempotency_key,
            )
            .returning(UsageRecord.quantity, UsageRecord.period_start)
        )
    ).first()
    if released is None:
        return 0
    quantity, period_start = released
    await session.execute(
        update(UsageCounter)
        .where(
            UsageCounter.user_id == user_id,
            UsageCounter.metric == metric,
            UsageCounter.period_start == period_start,
        )
        .values(used=func.greatest(UsageCounter.used - quantity, 0))
        .execution_options(synchronize_session=False)
    )
    return int(quantity)


async def _insert_record(
    session: AsyncSession,
    user_id: uuid.UUID,
    metric: UsageMetric,
    quantity: int,
    period_start: date,
    idempotency_key: str,
) -> int | None:
    """The new record's id; None when the key was used before (or by a racing twin that
    committed first: the insert waits for it)."""
    inserted = await session.scalar(
        pg_insert(UsageRecord)
        .values(
            user_id=user_id,
            metric=metric,
            quantity=quantity,
            period_start=period_start,
            idempotency_key=idempotency_key,
        )
        .on_conflict_do_nothing(
            index_elements=[UsageRecord.user_id, UsageRecord.metric, UsageRecord.idempotency_key]
        )
        .returning(UsageRecord.id)
    )
    return inserted


async def _raise_counter(
    session: AsyncSession,
    user_id: uuid.UUID,
    metric: UsageMetric,
    period_start: date,
    quantity: int,
    limit: int | None,
) -> int | None:
    """The period's count after adding `quantity`, or None when that would pass `limit`.

    One statement: a request waits for the row lock of another raising the same counter and
    then tests the limit against what that one left, so no two can both take the last use."""
    if limit is not None and quantity > limit:
        return None
    insert = pg_insert(UsageCounter).values(
        user_id=user_id, metric=metric, period_start=period_start, used=quantity
    )
    raised = UsageCounter.used + insert.excluded.used
    upsert = insert.on_conflict_do_update(
        index_elements=[UsageCounter.user_id, UsageCounter.metric, UsageCounter.period_start],
        set_={UsageCounter.used: raised},
        where=raised <= limit if limit is not None else None,
    ).returning(UsageCounter.used)
    return await session.scalar(upsert)


async def _used(session: AsyncSession, user_id: uuid.UUID, metric: UsageMetric, period_start: date) -> int:
    used = await session.scalar(
        select(UsageCounter.used).where(
            UsageCounter.user_id == user_id,
            UsageCounter.metric == metric,
            UsageCounter.period_start == period_start,
        )
    )
    return int(used or 0)


async def _earlier_outcome(
    session: AsyncSession, user_id: uuid.UUID, metric: UsageMetric, idempotency_key: str, limit: int | None
) -> UsageOutcome:
    record = await session.scalar(
        select(UsageRecord).where(
            UsageRecord.user_id == user_id,
            UsageRecord.metric == metric,
            UsageRecord.idempotency_key == idempotency_key,
        )
    )
    assert record is not None  # the insert found it
    used = await _used(session, user_id, metric, record.period_start)
    return UsageOutcome(metric, record.quantity, used, limit, record.period_start, counted=False)


async def _limit_reached(
    session: AsyncSession, user_id: uuid.UUID, metric: UsageMetric, period_start: date, limit: int | None
) -> PlanLimitReached:
    used = await _used(session, user_id, metric, period_start)
    return PlanLimitReached(
        f"Your plan allows {limit} {METRIC_NOUNS.get(metric, metric.value)} a period and {used} are used: "
        "upgrade for more, or wait for the next period.",
        details={"metric": metric.value, "limit": limit, "used": used, "upgrade_url": upgrade_url()},
    )


# --- notices at 80 % and 100 % ------------------------------------------------------------


def threshold_reached(used: int, limit: int) -> int:
    """The highest notice threshold (percent) that `used` of `limit` has reached; 0 for none."""
    return next((percent for percent in NOTICE_THRESHOLDS if used * 100 >= limit * percent), 0)


async def _announce_threshold(
    session: AsyncSession,
    user_id: uuid.UUID,
    metric: UsageMetric,
    plan: Plan,
    period: BillingPeriod,
    used: int,
    limit: int,
) -> None:
    """Notify once per period and threshold. The counter row is locked by this unit of work's
    raise, so exactly one request moves `notified_percent` past each threshold; a jump from
    below 80 % to 100 % sends only the 100 % notice."""
    threshold = threshold_reached(used, limit)
    if threshold == 0:
        return
    claimed = await session.scalar(
        update(UsageCounter)
        .where(
            UsageCounter.user_id == user_id,
            UsageCounter.metric == metric,
            UsageCounter.period_start == period.start,
            UsageCounter.notified_percent < threshold,
        )
        .values(notified_percent=threshold)
        .returning(UsageCounter.notified_percent)
        .execution_options(synchronize_session=False)
    )
    if claimed is None:
        return
    title, content = _notice_text(metric, plan, period, used, limit, threshold)
    await notify(
        session,
        user_id,
        USAGE_LIMIT_NOTICE,
        title,
        content,
        link=UPGRADE_PATH,
        reference=("usage", metric.value),
    )


def _notice_text(
    metric: UsageMetric, plan: Plan, period: BillingPeriod, used: int, limit: int, threshold: int
) -> tuple[str, str]:
    noun = METRIC_NOUNS.get(metric, metric.value)
    resets = period.end.isoformat()
    if threshold >= 100:
        return (
            f"You have used all your {noun}",
            f"You have used all {limit} {noun} your {plan.name} plan includes this period. "
            f"More are yours from {resets}, or at once on a bigger plan.",
        )
    return (
        f"You have used {threshold}% of your {noun}",
        f"You have used {used} of the {limit} {noun} your {plan.name} plan includes this period "
        f"(it starts again on {resets}).",
    )


# --- reading one's own usage --------------------------------------------------------------


async def usage_of(session: AsyncSession, user_id: uuid.UUID) -> UsageOut:
    """This period's use of every metric against the plan's limit, and the last periods' use."""
    plan = await plan_of(session, user_id)
    period = await billing_period_of(session, user_id)
    history = await _history(session, user_id)
    current = {usage.metric: usage.used for usage in history.get(period.start, [])}
    metrics = [
        _metric_usage(metric, current.get(metric, 0), limit_of(plan, metric))
        for metric in UsageMetric
        if metric is not UsageMetric.STORAGE_BYTES
    ]
    stored = await media.storage_used(session, user_id)
    metrics.append(_metric_usage(UsageMetric.STORAGE_BYTES, stored, plan.storage_quota_mb * MIB))
    return UsageOut(
        plan=plan.code,
        period_start=period.start,
        period_end=period.end,
        metrics=metrics,
        history=[PeriodUsage(period_start=start, usage=usage) for start, usage in history.items()],
        upgrade_url=upgrade_url(),
    )


def _metric_usage(metric: UsageMetric, used: int, limit: int | None) -> MetricUsage:
    return MetricUsage(metric=metric, used=used, limit=limit, percent=percent_of(used, limit))


def percent_of(used: int, limit: int | None) -> float | None:
    if limit is None:
        return None
    if limit == 0:
        return 100.0
    return round(used * 100 / limit, 1)


async def _history(session: AsyncSession, user_id: uuid.UUID) -> dict[date, list[MetricUsed]]:
    """The counters of the user's last HISTORY_PERIODS periods with any use, newest first."""
    periods = (
        select(UsageCounter.period_start)
        .where(UsageCounter.user_id == user_id)
        .distinct()
        .order_by(UsageCounter.period_start.desc())
        .limit(HISTORY_PERIODS)
    )
    rows = await session.execute(
        select(UsageCounter.period_start, UsageCounter.metric, UsageCounter.used)
        .where(UsageCounter.user_id == user_id, UsageCounter.period_start.in_(periods))
        .order_by(UsageCounter.period_start.desc(), UsageCounter.metric)
    )
    history: dict[date, list[MetricUsed]] = defaultdict(list)
    for period_start, metric, used in rows:
        history[period_start].append(MetricUsed(metric=metric, used=used))
    return dict(history)

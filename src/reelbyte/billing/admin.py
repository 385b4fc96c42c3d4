"""Billing for admins: editing plans (audited) and the subscription figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.billing.errors import FreePlanFixed, PlanNotFound
from reelbyte.billing.models import Plan, Subscription, SubscriptionStatus
from reelbyte.billing.plans import FREE, ON_PLAN
from reelbyte.core import audit
from reelbyte.core.db import lock_one
from reelbyte.core.money import Money
from reelbyte.identity.models import User
from reelbyte.projects.errors import CurrencyMismatch

S = SubscriptionStatus
CHURN_WINDOW = timedelta(days=30)
MRR_CURRENCY = "EUR"


async def all_plans(session: AsyncSession) -> list[Plan]:
    return list(await session.scalars(select(Plan).order_by(Plan.display_order, Plan.code)))


def _snapshot(plan: Plan, fields: list[str]) -> dict[str, Any]:
    """The plan's values of `fields`, as JSON for the audit log."""
    values: dict[str, Any] = {}
    for name in fields:
        if name == "price":
            values[name] = Money.from_minor(plan.price_minor, plan.currency).model_dump()
        else:
            value = getattr(plan, name)
            values[name] = str(value) if isinstance(value, Decimal) else value
    return values


async def update_plan(session: AsyncSession, admin: User, code: str, changes: dict[str, Any]) -> Plan:
    """Change a plan's price, limits, fee or availability (the fields in `changes`). Existing
    subscribers keep the plan; a new price is charged from their next renewal."""
    plan = await lock_one(session, select(Plan).where(Plan.code == code))
    if plan is None:
        raise PlanNotFound()
    if plan.code == FREE and ("price" in changes or changes.get("is_active") is False):
        raise FreePlanFixed()
    price: Money | None = changes.get("price")
    if price is not None and price.currency != plan.currency:
        raise CurrencyMismatch(
            f"The plan is priced in {plan.currency}.",
            details={"currency": price.currency, "expected": plan.currency},
        )
    fields = sorted(changes)
    before = _snapshot(plan, fields)
    for name, value in changes.items():
        if name == "price":
            plan.price_minor = value.minor
        else:
            setattr(plan, name, value)
    await session.flush()
    await audit.record(
        session, admin, "plan.update", ("plan", plan.code), before=before, after=_snapshot(plan, fields)
    )
    return plan


# --- the figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanSubscribers:
    plan: Plan
    active: int
    past_due: int


@dataclass(frozen=True)
class BillingOverview:
    by_plan: list[PlanSubscribers]
    free_users: int
    mrr_minor: int  # in MRR_CURRENCY
    past_due: int
    churned_30d: int
    live_30d_ago: int

    @property
    def churn_rate_30d(self) -> float | None:
        return round(self.churned_30d / self.live_30d_ago, 4) if self.live_30d_ago else None


async def overview(session: AsyncSession, now: datetime) -> BillingOverview:
    """Subscribers by plan, MRR, past due, and churn over the last 30 days.

    MRR: the monthly price of every subscription on its plan (active or past due) priced in EUR.
    Churn: subscriptions that ended in the last 30 days over those live 30 days ago (started
    before then, by their checkout, and not ended by then)."""
    by_plan = await _subscribers_by_plan(session)
    window_start = now - CHURN_WINDOW
    figures = (
        await session.execute(
            select(
                func.count().filter(Subscription.status == S.PAST_DUE).label("past_due"),
                func.count()
                .filter(
                    Subscription.status == S.CANCELED,
                    Subscription.ended_at > window_start,
                    Subscription.ended_at <= now,
                )
                .label("churned"),
                func.count()
                .filter(
                    Subscription.created_at <= window_start,
                    Subscription.current_period_start.is_not(None),
                    or_(Subscription.ended_at.is_(None), Subscription.ended_at > window_start),
                )
                .label("live_at_start"),
                func.coalesce(
                    func.sum(Plan.price_minor).filter(
                        Subscription.status.in_(ON_PLAN), Plan.currency == MRR_CURRENCY
                    ),
                    0,
                ).label("mrr_minor"),
            )
            .select_from(Subscription)
            .join(Plan, Plan.code == Subscription.plan_code)
        )
    ).one()
    return BillingOverview(
        by_plan=by_plan,
        free_users=await _free_users(session),
        mrr_minor=int(figures.mrr_minor),
        past_due=int(figures.past_due),
        churned_30d=int(figures.churned),
        live_30d_ago=int(figures.live_at_start),
    )


async def _subscribers_by_plan(session: AsyncSession) -> list[PlanSubscribers]:
    rows = await session.execute(
        select(
            Plan,
            func.count(Subscription.id).filter(Subscription.status == S.ACTIVE).label("active"),
            func.count(Subscription.id).filter(Subscription.status == S.PAST_DUE).label("past_due"),
        )
        .outerjoin(Subscription, Subscription.plan_code == Plan.code)
        .where(Plan.code != FREE)
        .group_by(Plan.code)
        .order_by(Plan.display_order, Plan.code)
    )
    return [PlanSubscribers(row.Plan, int(row.active), int(row.past_due)) for row in rows]


async def _free_users(session: AsyncSession) -> int:
    """Active accounts without a subscription on a paid plan."""
    on_paid_plan = exists().where(Subscription.user_id == User.id, Subscription.status.in_(ON_PLAN))
    count = await session.scalar(
        select(func.count()).select_from(User).where(User.is_active.is_(True), ~on_paid_plan)
    )
    return int(count or 0)

"""Payout schedules: a creator's whole available balance paid out weekly or monthly by itself.

`manual` (no row, or a row saying so) is the default: the creator withdraws when they like. A
weekly schedule is due from its weekday on, in each ISO week ("2026-W49"); a monthly one from its
day of the month on (the last day in a shorter month), in each calendar month ("2026-12"), UTC.
While a period is due, the periodic job (payments/schedule_jobs.py) tries the creator until the
period's payout is made: the whole available balance, once it is at least MINIMUM_PAYOUT, through
`service.withdraw` to the default verified payout method.

Exactly once per period: each creator is its own unit of work under the lock of their schedule
row, and the period's payout is a `scheduled_payouts` row unique per (creator, period) written in
the same transaction as the withdrawal. A run repeated after a crash, or two runs at once, find
the row and do nothing. A creator without a verified default method is skipped and told once per
period (`payout_skipped`); they are paid in the same period once they add one.
"""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Exists, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import get_settings
from reelbyte.core.db import lock_one
from reelbyte.core.events import Signal
from reelbyte.core.money import Money, to_minor
from reelbyte.identity.models import User
from reelbyte.payments import ledger, service
from reelbyte.payments.models import (
    AccountKind,
    LedgerAccount,
    PayoutInterval,
    PayoutMethod,
    PayoutMethodStatus,
    PayoutSchedule,
    ScheduledPayout,
    ScheduledPayoutStatus,
)

PI = PayoutInterval


@dataclass(frozen=True)
class Skipped:
    user_id: uuid.UUID
    period: str


# A scheduled payout was due but the creator has no verified default payout method (once a period).
payout_skipped: Signal[Skipped] = Signal("scheduled_payout_skipped")


# --- the schedule -------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    interval: PayoutInterval
    weekday: int | None = None
    day_of_month: int | None = None


MANUAL = Schedule(PI.MANUAL)


async def get_schedule(session: AsyncSession, user: User) -> Schedule:
    row = await session.get(PayoutSchedule, user.id)
    return Schedule(row.interval, row.weekday, row.day_of_month) if row else MANUAL


async def set_schedule(session: AsyncSession, user: User, schedule: Schedule) -> Schedule:
    """Replace the user's schedule (the schema checks that each interval has its day)."""
    row = await lock_one(session, select(PayoutSchedule).where(PayoutSchedule.user_id == user.id))
    if row is None:
        row = PayoutSchedule(user_id=user.id)
        session.add(row)
    row.interval = schedule.interval
    row.weekday = schedule.weekday if schedule.interval is PI.WEEKLY else None
    row.day_of_month = schedule.day_of_month if schedule.interval is PI.MONTHLY else None
    await session.flush()
    return Schedule(row.interval, row.weekday, row.day_of_month)


def _payday(year: int, month: int, day_of_month: int) -> int:
    """The day a monthly schedule pays in that month: its day, or the month's last day."""
    return min(day_of_month, calendar.monthrange(year, month)[1])


def week_period(now: datetime) -> str:
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def month_period(now: datetime) -> str:
    return f"{now:%Y-%m}"


def due_period(schedule: Schedule, now: datetime) -> str | None:
    """The period whose payout is due at `now` (and stays due until made), or None."""
    if schedule.interval is PI.WEEKLY and schedule.weekday is not None:
        return week_period(now) if now.isoweekday() >= schedule.weekday else None
    if schedule.interval is PI.MONTHLY and schedule.day_of_month is not None:
        return month_period(now) if now.day >= _payday(now.year, now.month, schedule.day_of_month) else None
    return None


def next_payday(schedule: Schedule, today: date) -> date | None:
    """The next day (today included) the schedule pays on; None when manual."""
    if schedule.interval is PI.WEEKLY and schedule.weekday is not None:
        return today + timedelta(days=(schedule.weekday - today.isoweekday()) % 7)
    if schedule.interval is PI.MONTHLY and schedule.day_of_month is not None:
        day = _payday(today.year, today.month, schedule.day_of_month)
        if day >= today.day:
            return today.replace(day=day)
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        return date(year, month, _payday(year, month, schedule.day_of_month))
    return None


# --- the job's work -----------------------------------------------------------------------


async def due_creators(
    session: AsyncSession, *, now: datetime, after: uuid.UUID | None, limit: int
) -> list[uuid.UUID]:
    """Creators whose payout is due at `now` and not made yet, with enough to pay, by id from
    `after`. Those skipped this period for want of a method are left out until they have one."""
    week, month = week_period(now), month_period(now)
    last_day = calendar.monthrange(now.year, now.month)[1]
    weekly, monthly = PayoutSchedule.interval == PI.WEEKLY, PayoutSchedule.interval == PI.MONTHLY
    settings = get_settings()
    made = exists().where(
        ScheduledPayout.user_id == PayoutSchedule.user_id,
        or_(and_(weekly, ScheduledPayout.period == week), and_(monthly, ScheduledPayout.period == month)),
        or_(ScheduledPayout.status == ScheduledPayoutStatus.REQUESTED, ~_has_verified_default()),
    )
    query = (
        select(PayoutSchedule.user_id)
        .join(
            LedgerAccount,
            and_(
                LedgerAccount.owner_id == PayoutSchedule.user_id,
                LedgerAccount.kind == AccountKind.AVAILABLE,
                LedgerAccount.currency == settings.default_currency,
            ),
        )
        .where(
            or_(
                and_(weekly, PayoutSchedule.weekday <= now.isoweekday()),
                and_(
                    monthly,
                    # On the month's last day every monthly schedule is due (a 31st in November).
                    PayoutSchedule.day_of_month <= (31 if now.day == last_day else now.day),
                ),
            ),
            LedgerAccount.balance_minor >= to_minor(settings.minimum_payout),
            ~made,
        )
        .order_by(PayoutSchedule.user_id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(PayoutSchedule.user_id > after)
    return list(await session.scalars(query))


def _has_verified_default() -> Exists:
    return exists().where(
        PayoutMethod.user_id == PayoutSchedule.user_id,
        PayoutMethod.is_default,
        PayoutMethod.deleted_at.is_(None),
        PayoutMethod.status == PayoutMethodStatus.VERIFIED,
    )


async def pay_scheduled(session: AsyncSession, *, user_id: uuid.UUID, now: datetime) -> str:
    """One creator's scheduled payout of the period due at `now`, at most once; what happened.

    Raises what `service.withdraw` raises (InsufficientFunds when a manual withdrawal took the
    money first, …): the unit of work rolls back and the next run tries again."""
    row = await lock_one(session, select(PayoutSchedule).where(PayoutSchedule.user_id == user_id))
    if row is None:
        return "manual"
    period = due_period(Schedule(row.interval, row.weekday, row.day_of_month), now)
    if period is None:
        return "not_due"
    done = await session.scalar(
        select(ScheduledPayout).where(ScheduledPayout.user_id == user_id, ScheduledPayout.period == period)
    )
    if done is not None and done.status is ScheduledPayoutStatus.REQUESTED:
        return "already_paid"
    settings = get_settings()
    currency = settings.default_currency
    available = await ledger.balance_of(session, ledger.available(user_id, currency))
    if available < to_minor(settings.minimum_payout):
        return "below_minimum"
    if not await _verified_default_exists(session, user_id):
        if done is None:
            session.add(ScheduledPayout(user_id=user_id, period=period, status=ScheduledPayoutStatus.SKIPPED))
            await session.flush()
            await payout_skipped.emit(session, Skipped(user_id, period))
        return "no_payout_method"
    user = await session.get_one(User, user_id)
    withdrawal = await service.withdraw(session, user, Money.from_minor(available, currency))
    if done is None:
        done = ScheduledPayout(user_id=user_id, period=period, status=ScheduledPayoutStatus.REQUESTED)
        session.add(done)
    done.status = ScheduledPayoutStatus.REQUESTED
    done.withdrawal_id = withdrawal.id
    await session.flush()
    return "requested"


async def _verified_default_exists(session: AsyncSession, user_id: uuid.UUID) -> bool:
    method = await session.scalar(
        select(PayoutMethod.id).where(
            PayoutMethod.user_id == user_id,
            PayoutMethod.is_default,
            PayoutMethod.deleted_at.is_(None),
            PayoutMethod.status == PayoutMethodStatus.VERIFIED,
        )
    )
    return method is not None

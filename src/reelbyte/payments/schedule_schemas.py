"""Request and response bodies of payout schedules."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from reelbyte.core.money import Money
from reelbyte.core.schemas import RequestModel, ResponseModel
from reelbyte.payments.models import PayoutInterval
from reelbyte.payments.schedules import Schedule


class ManualScheduleIn(RequestModel):
    """No payouts by themselves: I withdraw when I like (the default)."""

    interval: Literal[PayoutInterval.MANUAL]

    def schedule(self) -> Schedule:
        return Schedule(PayoutInterval.MANUAL)


class WeeklyScheduleIn(RequestModel):
    """Every week on `weekday` (ISO: 1 Monday … 7 Sunday), UTC."""

    interval: Literal[PayoutInterval.WEEKLY]
    weekday: Annotated[int, Field(ge=1, le=7)]

    def schedule(self) -> Schedule:
        return Schedule(PayoutInterval.WEEKLY, weekday=self.weekday)


class MonthlyScheduleIn(RequestModel):
    """Every month on `day_of_month` (the month's last day in shorter months), UTC."""

    interval: Literal[PayoutInterval.MONTHLY]
    day_of_month: Annotated[int, Field(ge=1, le=31)]

    def schedule(self) -> Schedule:
        return Schedule(PayoutInterval.MONTHLY, day_of_month=self.day_of_month)


# One body per interval, told apart by `interval`, so that the schema itself says which day each needs.
PayoutScheduleIn = Annotated[
    ManualScheduleIn | WeeklyScheduleIn | MonthlyScheduleIn,
    Field(discriminator="interval", json_schema_extra={"example": {"interval": "weekly", "weekday": 5}}),
]


class PayoutScheduleOut(ResponseModel):
    interval: PayoutInterval
    weekday: int | None
    day_of_month: int | None
    next_payout_on: date | None = Field(description="The next day the whole available balance is paid out")
    minimum: Money = Field(description="Nothing is paid out while the available balance is below this")

    @classmethod
    def of(cls, schedule: Schedule, next_payout_on: date | None, minimum: Money) -> PayoutScheduleOut:
        return cls(
            interval=schedule.interval,
            weekday=schedule.weekday,
            day_of_month=schedule.day_of_month,
            next_payout_on=next_payout_on,
            minimum=minimum,
        )

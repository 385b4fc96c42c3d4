"""Usage responses: one's own use against the plan's limits."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from reelbyte.billing.models import UsageMetric
from reelbyte.core.schemas import ResponseModel


class MetricUsage(ResponseModel):
    metric: UsageMetric
    used: int = Field(
        description="this period's use; for `storage_bytes`, the bytes stored now (a level, not a sum)"
    )
    limit: int | None = Field(description="the plan's limit; null: unlimited (counted, never refused)")
    percent: float | None = Field(description="used as a percentage of the limit; null when unlimited")


class MetricUsed(ResponseModel):
    metric: UsageMetric
    used: int


class PeriodUsage(ResponseModel):
    period_start: date
    usage: list[MetricUsed] = Field(description="the metrics with any use in the period")


class UsageOut(ResponseModel):
    plan: str = Field(description="the code of the plan the limits are from")
    period_start: date = Field(description="the current billing period's first day (UTC)")
    period_end: date = Field(description="the day the period ends and the counts start again (UTC)")
    metrics: list[MetricUsage]
    history: list[PeriodUsage] = Field(description="the last 12 periods with any use, newest first")
    upgrade_url: str = Field(description="the plans to upgrade to")

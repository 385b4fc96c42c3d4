"""Request and response bodies of plans and subscriptions."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema, model_validator

from reelbyte.billing import admin
from reelbyte.billing.models import Plan, SubscriptionStatus
from reelbyte.billing.plans import ON_PLAN
from reelbyte.billing.subscriptions import SubscriptionState, grace_ends_at
from reelbyte.core.config import get_settings
from reelbyte.core.money import Money, positive_money_schema
from reelbyte.core.params import JSON_INTEGER
from reelbyte.core.schemas import RequestModel, ResponseModel
from reelbyte.core.updates import not_nullable

MAX_PLAN_PRICE = Decimal("1000000.00")  # keeps the cents well inside the INTEGER column

PlanCode = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_-]*$", examples=["pro"])]


def _percent(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


# --- plans --------------------------------------------------------------------------------


class PlanOut(ResponseModel):
    """A plan and its monthly limits; a null limit is unlimited."""

    code: str
    name: str
    price: Money = Field(description="charged every month")
    interval: Literal["month"] = "month"
    trims_per_period: int | None = Field(description="trims a period; null: unlimited")
    hooks_per_period: int | None = Field(description="auto-hook runs a period; null: unlimited")
    max_source_seconds: int = Field(description="the longest source video, in seconds")
    storage_quota_mb: int
    api_access: bool
    webhooks: bool
    priority_processing: bool
    marketplace_fee_percentage: str = Field(
        description="the fee on the plan's creators' sales, in percent", examples=["15.00"]
    )

    @classmethod
    def fields_of(cls, plan: Plan) -> dict[str, Any]:
        fee = (
            plan.fee_percentage if plan.fee_percentage is not None else get_settings().platform_fee_percentage
        )
        return {
            "code": plan.code,
            "name": plan.name,
            "price": Money.from_minor(plan.price_minor, plan.currency),
            "trims_per_period": plan.trims_per_period,
            "hooks_per_period": plan.hooks_per_period,
            "max_source_seconds": plan.max_source_seconds,
            "storage_quota_mb": plan.storage_quota_mb,
            "api_access": plan.api_access,
            "webhooks": plan.webhooks,
            "priority_processing": plan.priority_processing,
            "marketplace_fee_percentage": _percent(fee),
        }

    @classmethod
    def of(cls, plan: Plan) -> Self:
        return cls(**cls.fields_of(plan))


class AdminPlanOut(PlanOut):
    fee_percentage: str | None = Field(description="the plan's own fee; null: PLATFORM_FEE_PERCENTAGE")
    display_order: int
    is_active: bool = Field(description="offered for new subscriptions")

    @classmethod
    def of(cls, plan: Plan) -> Self:
        fee = _percent(plan.fee_percentage) if plan.fee_percentage is not None else None
        return cls(
            **cls.fields_of(plan),
            fee_percentage=fee,
            display_order=plan.display_order,
            is_active=plan.is_active,
        )


_PERCENT = r"^(?:100(?:\.0{1,2})?|[0-9]{1,2}(?:\.[0-9]{1,2})?)$"
_PERCENT_RULE = "a percentage from 0 to 100 with at most two decimals, as a string"


def _percent_text(value: object) -> object:
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(_PERCENT, value):
        raise ValueError(f"must be {_PERCENT_RULE}")
    return value


def _plan_price(price: Money) -> Money:
    amount = Decimal(price.value)
    if amount <= 0 or amount > MAX_PLAN_PRICE:
        raise ValueError(f"the price must be more than zero and at most {MAX_PLAN_PRICE}")
    return price


Percentage = Annotated[
    Decimal,
    BeforeValidator(_percent_text),
    WithJsonSchema({"type": "string", "pattern": _PERCENT, "description": _PERCENT_RULE}),
]
PlanPrice = Annotated[
    Money, AfterValidator(_plan_price), positive_money_schema(6, inclusive_power_of_ten=True)
]
Limit = Annotated[int, Field(ge=0, le=1_000_000_000), JSON_INTEGER]

_REQUIRED = (
    "price",
    "max_source_seconds",
    "storage_quota_mb",
    "api_access",
    "webhooks",
    "priority_processing",
    "is_active",
)


def _plan_update_schema(schema: dict[str, Any]) -> None:
    not_nullable(*_REQUIRED)(schema)
    schema["minProperties"] = 1
    schema["examples"] = [{"price": {"currency": "EUR", "value": "12.99"}, "fee_percentage": "10.00"}]


class PlanUpdate(RequestModel):
    """Only the fields sent change (at least one). A null limit is unlimited; a null
    fee_percentage falls back to PLATFORM_FEE_PERCENTAGE. Free stays active and free of charge."""

    price: PlanPrice | None = None
    trims_per_period: Limit | None = None
    hooks_per_period: Limit | None = None
    max_source_seconds: Annotated[int, Field(ge=1, le=86_400), JSON_INTEGER] | None = None
    storage_quota_mb: Annotated[int, Field(ge=1, le=10_000_000), JSON_INTEGER] | None = None
    api_access: Annotated[bool, Field(strict=True)] | None = None
    webhooks: Annotated[bool, Field(strict=True)] | None = None
    priority_processing: Annotated[bool, Field(strict=True)] | None = None
    fee_percentage: Percentage | None = None
    is_active: Annotated[bool, Field(strict=True)] | None = None

    model_config = {"json_schema_extra": _plan_update_schema}

    @model_validator(mode="after")
    def _something_to_change(self) -> PlanUpdate:
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        for name in _REQUIRED:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


# --- subscriptions ------------------------------------------------------------------------


class PlanCheckoutRequest(RequestModel):
    plan: PlanCode


class PlanCheckoutOut(ResponseModel):
    checkout_url: str = Field(description="open it to pay the first month; the subscription starts once paid")


class PortalOut(ResponseModel):
    url: str = Field(description="the provider's customer portal: change plan, cancel, payment details")


ShownStatus = Literal["free", "incomplete", "active", "past_due"]
_SHOWN: dict[SubscriptionStatus, ShownStatus] = {
    SubscriptionStatus.INCOMPLETE: "incomplete",
    SubscriptionStatus.ACTIVE: "active",
    SubscriptionStatus.PAST_DUE: "past_due",
}


class SubscriptionOut(ResponseModel):
    """My plan in effect and the subscription behind it (none on Free)."""

    plan: PlanOut = Field(description="the plan in effect (Free without a paid subscription)")
    status: ShownStatus = Field(
        description="free: no subscription; incomplete: a checkout not paid yet (still on Free); "
        "past_due: a renewal failed, the plan stays until grace_ends_at"
    )
    pending_plan: str | None = Field(description="the plan of the checkout not paid yet")
    current_period_start: datetime | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    past_due_since: datetime | None
    grace_ends_at: datetime | None

    @classmethod
    def of(cls, state: SubscriptionState) -> Self:
        subscription = state.subscription
        on_plan = subscription is not None and subscription.status in ON_PLAN
        status = _SHOWN[subscription.status] if subscription is not None else "free"
        pending = subscription.plan_code if subscription is not None and not on_plan else None
        return cls(
            plan=PlanOut.of(state.plan),
            status=status,
            pending_plan=pending,
            current_period_start=subscription.current_period_start if on_plan and subscription else None,
            current_period_end=subscription.current_period_end if on_plan and subscription else None,
            cancel_at_period_end=bool(subscription and on_plan and subscription.cancel_at_period_end),
            past_due_since=subscription.past_due_since if subscription is not None else None,
            grace_ends_at=grace_ends_at(subscription) if subscription is not None else None,
        )


# --- the admin's figures ------------------------------------------------------------------


class PlanSubscribersOut(ResponseModel):
    plan: str
    name: str
    active: int
    past_due: int


class BillingOverviewOut(ResponseModel):
    subscribers: list[PlanSubscribersOut] = Field(description="subscriptions on each paid plan")
    free_users: int = Field(description="active accounts without a paid plan")
    mrr: Money = Field(description="monthly recurring revenue: the price of every subscription on its plan")
    past_due: int = Field(description="subscriptions whose renewal failed, in their grace period")
    churned_30d: int = Field(description="subscriptions that ended in the last 30 days")
    live_30d_ago: int = Field(description="subscriptions live 30 days ago")
    churn_rate_30d: float | None = Field(description="churned_30d / live_30d_ago; null without any")

    @classmethod
    def of(cls, overview: admin.BillingOverview) -> Self:
        return cls(
            subscribers=[
                PlanSubscribersOut(
                    plan=row.plan.code, name=row.plan.name, active=row.active, past_due=row.past_due
                )
                for row in overview.by_plan
            ],
            free_users=overview.free_users,
            mrr=Money.from_minor(overview.mrr_minor, admin.MRR_CURRENCY),
            past_due=overview.past_due,
            churned_30d=overview.churned_30d,
            live_30d_ago=overview.live_30d_ago,
            churn_rate_30d=overview.churn_rate_30d,
        )

"""Request and response bodies of payout methods and withdrawal quotes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field

from reelbyte.core.money import Money
from reelbyte.core.schemas import RequestModel, ResponseModel
from reelbyte.payments.models import PayoutMethod, PayoutMethodStatus, PayoutProvider


class PayoutMethodCreate(RequestModel):
    provider: PayoutProvider
    # PayPal: the address PayPal pays to (a confirmation link is e-mailed there).
    paypal_email: Annotated[str, Field(min_length=3, max_length=254)] | None = None
    # Venmo (US, USD): the username, with or without its "@".
    venmo_handle: Annotated[str, Field(min_length=5, max_length=31)] | None = None
    # ISO 3166-1 alpha-2; Stripe opens the account there (the platform's country otherwise).
    country: Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")] | None = None

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"provider": "stripe", "country": "NL"},
                {"provider": "paypal", "paypal_email": "me@example.com"},
            ]
        }
    }


class PayoutMethodOut(ResponseModel):
    id: uuid.UUID
    provider: PayoutProvider
    status: PayoutMethodStatus
    label: str
    country: str | None
    is_default: bool
    created_at: datetime
    verified_at: datetime | None

    @classmethod
    def of(cls, method: PayoutMethod) -> PayoutMethodOut:
        return cls(
            id=method.id,
            provider=method.provider,
            status=method.status,
            label=method.label,
            country=method.country,
            is_default=method.is_default,
            created_at=method.created_at,
            verified_at=method.verified_at,
        )


class PayoutMethodList(ResponseModel):
    items: list[PayoutMethodOut]


class PayoutOnboardingOut(ResponseModel):
    method: PayoutMethodOut
    # Open it to continue onboarding at the provider; null when a confirmation link was e-mailed.
    onboarding_url: str | None


class ConfirmPayoutMethodRequest(RequestModel):
    token: Annotated[str, Field(min_length=1, max_length=256)]


class WithdrawalQuoteOut(ResponseModel):
    amount: Money
    fee: Money
    net: Money  # what the payout method receives
    payout_method_id: uuid.UUID
    provider: PayoutProvider

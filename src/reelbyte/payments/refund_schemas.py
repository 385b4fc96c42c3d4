"""Request and response bodies of refund requests."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from reelbyte.core.money import Money, PositiveMoney
from reelbyte.core.schemas import RequestModel, ResponseModel
from reelbyte.orders.models import Order
from reelbyte.orders.schemas import Reason
from reelbyte.orders.service import DISPUTABLE_STATES
from reelbyte.payments.models import RefundRequest, RefundRequestStatus


class RefundRequestCreate(RequestModel):
    order_id: uuid.UUID | None = None
    milestone_id: uuid.UUID | None = None
    amount: PositiveMoney | None = Field(
        default=None, description="at most what escrow holds for it; all of that when left out"
    )
    reason: Reason

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "order_id": "6f1c2a8e-2d2b-4c1e-9a51-3f0b7a1d9c44",
                    "amount": {"currency": "EUR", "value": "20.00"},
                    "reason": "We no longer need the second version.",
                }
            ]
        }
    }


class RefundDecline(RequestModel):
    note: Reason


class RefundRequestOut(ResponseModel):
    id: uuid.UUID
    order_id: uuid.UUID
    milestone_id: uuid.UUID | None
    amount: Money
    reason: str
    status: str = Field(description="requested, accepted, refunded, declined or cancelled")
    decline_note: str | None
    created_at: datetime
    decided_at: datetime | None
    refunded_at: datetime | None
    dispute_path: str | None = Field(
        description="once declined, while the order can be disputed: where the client opens a dispute"
    )

    @classmethod
    def of(cls, request: RefundRequest, order: Order) -> RefundRequestOut:
        disputable = request.status is RefundRequestStatus.DECLINED and order.status in DISPUTABLE_STATES
        return cls(
            id=request.id,
            order_id=request.order_id,
            milestone_id=request.milestone_id,
            amount=Money.from_minor(request.amount_minor, request.currency),
            reason=request.reason,
            status=request.status.value,
            decline_note=request.decline_note,
            created_at=request.created_at,
            decided_at=request.decided_at,
            refunded_at=request.refunded_at,
            dispute_path=f"/v1/orders/{order.id}/dispute" if disputable else None,
        )

"""HTTP routes of refund requests (under /v1): the client asks, the creator accepts or declines."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import status
from fastapi.responses import JSONResponse

from reelbyte.core.errors import InvalidTransition, NotOwner, error_responses
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.identity.deps import CurrentUser
from reelbyte.orders.errors import MilestoneNotFound, OrderNotActive, OrderNotFound, UsesMilestones
from reelbyte.orders.models import Order
from reelbyte.payments import errors, refund_requests
from reelbyte.payments.idempotency import run_once
from reelbyte.payments.models import RefundRequest
from reelbyte.payments.refund_schemas import RefundDecline, RefundRequestCreate, RefundRequestOut
from reelbyte.payments.router import IDEMPOTENCY_ERRORS, IdempotencyKey
from reelbyte.projects.errors import CurrencyMismatch

refund_requests_router = APIRouter(prefix="/payments/refunds", tags=["payments"])
order_refunds_router = APIRouter(prefix="/orders", tags=["payments"])

# What escrow holds now decides: the order or milestone must still be worked on and funded.
ESCROW_ERRORS = (OrderNotActive, errors.NothingInEscrow, errors.RefundExceedsEscrow)
DECISION_ERRORS = (errors.RefundRequestNotFound, NotOwner, InvalidTransition)


@refund_requests_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RefundRequestOut,
    responses=error_responses(
        *IDEMPOTENCY_ERRORS,
        errors.InvalidRefundTarget,
        OrderNotFound,
        MilestoneNotFound,
        UsesMilestones,
        NotOwner,
        errors.WorkDelivered,
        *ESCROW_ERRORS,
        CurrencyMismatch,
        errors.RefundRequestOpen,
    ),
)
async def request_refund(
    data: RefundRequestCreate, user: CurrentUser, session: SessionDep, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """The client asks for (part of) the escrow back, before any work was delivered for it; the
    creator accepts or declines. One open request per order or milestone."""

    async def work() -> tuple[int, Any]:
        request, order = await refund_requests.request_refund(
            session,
            user,
            order_id=data.order_id,
            milestone_id=data.milestone_id,
            amount=data.amount,
            reason=data.reason,
        )
        return status.HTTP_201_CREATED, _shown(request, order)

    code, response = await run_once(
        session, user.id, idempotency_key, "refund_request", data.model_dump(mode="json"), work
    )
    return JSONResponse(response, status_code=code)


@refund_requests_router.get(
    "/{request_id}", response_model=RefundRequestOut, responses=error_responses(errors.RefundRequestNotFound)
)
async def get_refund_request(
    request_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> RefundRequestOut:
    request, order = await refund_requests.get_for(session, user, request_id)
    return RefundRequestOut.of(request, order)


@refund_requests_router.post(
    "/{request_id}/accept",
    response_model=RefundRequestOut,
    responses=error_responses(
        *IDEMPOTENCY_ERRORS, *DECISION_ERRORS, *ESCROW_ERRORS, errors.InsufficientFunds
    ),
)
async def accept_refund_request(
    request_id: uuid.UUID, user: CurrentUser, session: SessionDep, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """The creator agrees: the amount leaves escrow and the provider pays it back to the client
    (`refunded` once it did). A partial refund leaves the rest in escrow for the creator."""

    async def work() -> tuple[int, Any]:
        request, order = await refund_requests.accept(session, user, request_id)
        return status.HTTP_200_OK, _shown(request, order)

    body = {"request_id": str(request_id)}
    code, response = await run_once(session, user.id, idempotency_key, "refund_accept", body, work)
    return JSONResponse(response, status_code=code)


@refund_requests_router.post(
    "/{request_id}/decline", response_model=RefundRequestOut, responses=error_responses(*DECISION_ERRORS)
)
async def decline_refund_request(
    request_id: uuid.UUID, data: RefundDecline, user: CurrentUser, session: SessionDep
) -> RefundRequestOut:
    """The creator says no, with a note. The client sees it declined, with `dispute_path`:
    where to open a dispute on the order (an admin then splits the escrow)."""
    request, order = await refund_requests.decline(session, user, request_id, data.note)
    return RefundRequestOut.of(request, order)


@refund_requests_router.post(
    "/{request_id}/cancel", response_model=RefundRequestOut, responses=error_responses(*DECISION_ERRORS)
)
async def cancel_refund_request(
    request_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> RefundRequestOut:
    """The client withdraws a request the creator has not decided on yet."""
    request, order = await refund_requests.cancel(session, user, request_id)
    return RefundRequestOut.of(request, order)


@order_refunds_router.get(
    "/{order_id}/refunds", response_model=list[RefundRequestOut], responses=error_responses(OrderNotFound)
)
async def list_refund_requests(
    order_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> list[RefundRequestOut]:
    """The order's refund requests, oldest first (its parties and admins)."""
    requests, order = await refund_requests.list_for_order(session, user, order_id)
    return [RefundRequestOut.of(request, order) for request in requests]


def _shown(request: RefundRequest, order: Order) -> dict[str, Any]:
    return RefundRequestOut.of(request, order).model_dump(mode="json")

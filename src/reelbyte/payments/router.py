"""HTTP routes of payments: checkout, provider webhooks, balances, history, withdrawals."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import Form, Header, Query, status
from fastapi.responses import JSONResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import get_settings
from reelbyte.core.errors import error_responses
from reelbyte.core.money import Money
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.identity.deps import CurrentUser, VerifiedCreator
from reelbyte.identity.models import User
from reelbyte.orders.errors import MilestoneNotFound, OrderNotFound, UsesMilestones
from reelbyte.payments import errors, methods, schemas, service
from reelbyte.payments.idempotency import run_once
from reelbyte.payments.invoices import invoice_for
from reelbyte.projects.errors import CurrencyMismatch

payments_router = APIRouter(prefix="/payments", tags=["payments"])
milestone_funding_router = APIRouter(prefix="/milestones", tags=["payments"])
invoices_router = APIRouter(prefix="/orders", tags=["orders"])
# Providers post forms and must not be rate-limited like people: mounted apart under /v1.
webhooks_router = APIRouter(prefix="/payments", tags=["payments"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Send the same key to retry safely: the same body gets the first answer again, "
        "another body 409.",
    ),
]
IDEMPOTENCY_ERRORS = (errors.InvalidIdempotencyKey, errors.IdempotencyKeyReused)
WITHDRAWAL_METHOD_ERRORS = (
    errors.PayoutMethodRequired,
    errors.PayoutMethodNotFound,
    errors.PayoutMethodNotVerified,
    errors.PayoutProviderNotConfigured,
    errors.AmountBelowPayoutFee,
)
CHECKOUT_ERRORS = (
    *IDEMPOTENCY_ERRORS,
    errors.InvalidCheckoutTarget,
    OrderNotFound,
    MilestoneNotFound,
    UsesMilestones,
    errors.NotPayable,
    errors.ProviderUnavailable,
    errors.PaymentMethodUnavailable,
    errors.VenmoNeedsUsd,
)


async def _checkout(
    session: SessionDep,
    user: User,
    key: str | None,
    order_id: uuid.UUID | None,
    milestone_id: uuid.UUID | None,
    method: str | None = None,
) -> JSONResponse:
    async def work() -> tuple[int, Any]:
        payment = await service.checkout(
            session, user, order_id=order_id, milestone_id=milestone_id, method=method
        )
        return status.HTTP_201_CREATED, schemas.PaymentOut.of(payment).model_dump(mode="json")

    body = {
        "order_id": str(order_id) if order_id else None,
        "milestone_id": str(milestone_id) if milestone_id else None,
    }
    if method is not None:  # only when named, so keys of requests without one keep their body
        body["method"] = method
    code, response = await run_once(session, user.id, key, "checkout", body, work)
    return JSONResponse(response, status_code=code)


@payments_router.post(
    "/checkout",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.PaymentOut,
    responses=error_responses(*CHECKOUT_ERRORS),
)
async def checkout(
    data: schemas.CheckoutRequest,
    user: CurrentUser,
    session: SessionDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Pay an order or a milestone: open `checkout_url`; the provider's webhook confirms."""
    return await _checkout(session, user, idempotency_key, data.order_id, data.milestone_id, data.method)


@milestone_funding_router.post(
    "/{milestone_id}/fund",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.PaymentOut,
    responses=error_responses(*CHECKOUT_ERRORS),
)
async def fund_milestone(
    milestone_id: uuid.UUID, user: CurrentUser, session: SessionDep, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Pay one milestone into escrow (same as checkout with a milestone_id)."""
    return await _checkout(session, user, idempotency_key, None, milestone_id)


@payments_router.get("/me/balance", response_model=schemas.BalanceOut)
async def my_balance(user: CurrentUser, session: SessionDep) -> schemas.BalanceOut:
    """Available to withdraw; pending in escrow on active orders (net of fees); in transit."""
    return schemas.BalanceOut.of(await service.balance(session, user))


@payments_router.get("/me/transactions", response_model=schemas.TransactionPage)
async def my_transactions(
    user: CurrentUser,
    session: SessionDep,
    cursor: Annotated[str | None, Query(pattern=r"^[0-9]{1,18}$")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> schemas.TransactionPage:
    """Every movement on my accounts, newest first; pass `next_cursor` for the next page."""
    rows, next_cursor = await service.transactions(session, user, int(cursor) if cursor else None, limit)
    return schemas.TransactionPage(
        items=[schemas.TransactionOut.of(row) for row in rows],
        next_cursor=str(next_cursor) if next_cursor else None,
    )


@payments_router.post(
    "/me/withdraw",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.WithdrawalOut,
    responses=error_responses(
        *IDEMPOTENCY_ERRORS,
        CurrencyMismatch,
        errors.BelowMinimumPayout,
        errors.InsufficientFunds,
        *WITHDRAWAL_METHOD_ERRORS,
    ),
)
async def withdraw(
    data: schemas.WithdrawRequest,
    user: VerifiedCreator,
    session: SessionDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Withdraw from the available balance (at least MINIMUM_PAYOUT) to a verified payout
    method (the default unless `payout_method_id` names one); paid out by a job."""

    async def work() -> tuple[int, Any]:
        withdrawal = await service.withdraw(session, user, data.amount, data.payout_method_id)
        return status.HTTP_201_CREATED, schemas.WithdrawalOut.of(withdrawal).model_dump(mode="json")

    code, response = await run_once(
        session, user.id, idempotency_key, "withdraw", data.model_dump(mode="json"), work
    )
    return JSONResponse(response, status_code=code)


@invoices_router.get(
    "/{order_id}/invoice",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "The invoice as a PDF"},
        **error_responses(OrderNotFound, errors.NotPaid),
    },
)
async def invoice(order_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    """The PDF invoice of a paid order (its parties and admins)."""
    filename, pdf = await invoice_for(session, user, order_id)
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'}
    )


@payments_router.get(
    "/methods",
    response_model=schemas.PaymentMethodsOut,
    responses=error_responses(errors.ProviderUnavailable),
)
async def payment_methods(
    user: CurrentUser,
    amount: Annotated[str, Query(pattern=r"^[0-9]{1,9}(\.[0-9]{1,2})?$", examples=["50.00"])],
    currency: Annotated[Literal["EUR", "USD", "GBP"], Query()],
) -> schemas.PaymentMethodsOut:
    """The methods a checkout of this amount may name, from every configured provider (the
    first provider offering a method takes it); pass one as the checkout's `method`."""
    money = Money(currency=currency, value=amount)
    offered = await methods.offered(money.minor, currency)
    return schemas.PaymentMethodsOut(
        amount=money,
        items=[
            schemas.PaymentMethodOut(id=m.id, description=m.description, provider=m.provider) for m in offered
        ],
    )


@payments_router.get(
    "/{payment_id}", response_model=schemas.PaymentOut, responses=error_responses(errors.PaymentNotFound)
)
async def get_payment(payment_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> schemas.PaymentOut:
    return schemas.PaymentOut.of(await service.get_payment_for(session, user, payment_id))


@webhooks_router.post(
    "/webhook",
    include_in_schema=True,
    responses=error_responses(errors.PaymentNotFound, errors.ProviderUnavailable, *errors.NOTICE_ERRORS),
)
async def mollie_webhook(
    session: SessionDep, provider_payment_id: Annotated[str, Form(alias="id", min_length=1, max_length=64)]
) -> dict[str, str]:
    """Mollie-style notice (form field `id`): the payment is read back from the provider; 503
    while it cannot be, so that the provider sends the notice again later."""
    provider = "sandbox" if get_settings().payment_provider == "sandbox" else "mollie"
    payment = await service.handle_notice(session, provider, provider_payment_id)
    return {"status": payment.status.value}


# Billing's handler of Mollie's notices about subscription payments (first and recurring): billing
# sits above payments, so it registers it (billing/provider_webhooks.py); the subscription's
# status after the notice. Without one, no payment here is a subscription's.
# Registered like a signal's handlers (at most one), so payments names nothing of billing.
SubscriptionNoticeHandler = Callable[[AsyncSession, str], Awaitable[str]]
_subscription_notice_handlers: list[SubscriptionNoticeHandler] = []


def set_subscription_notice_handler(handler: SubscriptionNoticeHandler | None) -> None:
    _subscription_notice_handlers[:] = [handler] if handler is not None else []


@webhooks_router.post(
    "/webhook/subscriptions",
    responses=error_responses(errors.PaymentNotFound, errors.ProviderUnavailable),
)
async def mollie_subscription_webhook(
    session: SessionDep, provider_payment_id: Annotated[str, Form(alias="id", min_length=1, max_length=64)]
) -> dict[str, str]:
    """Mollie's notice (form field `id`) about a subscription's payment: the checkout's first
    payment or a recurring one. Read back from Mollie; 503 while it cannot be, so that Mollie
    sends the notice again later; 404 for a payment that is no subscription's of ours."""
    for handler in _subscription_notice_handlers:
        return {"status": await handler(session, provider_payment_id)}
    raise errors.PaymentNotFound()

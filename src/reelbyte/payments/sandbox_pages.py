"""Payment pages: the sandbox provider's checkout, where a person decides how the payment ends,
and the page every provider sends the payer back to."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Literal

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.money import format_minor
from reelbyte.core.routing import APIRouter, WritingSessionDep
from reelbyte.payments import paypal_webhook, service
from reelbyte.payments.errors import ProviderUnavailable
from reelbyte.payments.models import Payment, PaymentStatus
from reelbyte.payments.providers import sandbox
from reelbyte.webapp import serves_web_app

templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates" / "pages")
payment_pages_router = APIRouter(include_in_schema=False)


def _no_such_checkout(request: Request) -> Response:
    return templates.TemplateResponse(
        request, "message.html", {"title": "No such payment", "message": "This checkout does not exist."}, 404
    )


@payment_pages_router.get("/sandbox/checkout/{payment_id}", response_class=HTMLResponse)
async def checkout_page(request: Request, payment_id: str) -> Response:
    payment = await sandbox.load_checkout(payment_id[:32])
    if payment is None:
        return _no_such_checkout(request)
    return templates.TemplateResponse(
        request,
        "sandbox_checkout.html",
        {"payment": payment, "amount": format_minor(payment.amount_minor), "final": payment.status != "open"},
    )


@payment_pages_router.post("/sandbox/checkout/{payment_id}")
async def act(
    request: Request, payment_id: str, action: Annotated[Literal["pay", "fail", "cancel", "expire"], Form()]
) -> Response:
    payment = await sandbox.act(payment_id[:32], action)
    if payment is None:
        return _no_such_checkout(request)
    return RedirectResponse(payment.redirect_url, status_code=303)


@payment_pages_router.get("/payments/return/{payment_id}", response_class=HTMLResponse)
async def return_page(request: Request, payment_id: uuid.UUID, session: WritingSessionDep) -> Response:
    """Where the payer lands after the provider's page; the webhook may still be on its way.

    With the web app served, the payer goes on to the order's page there, which waits for the
    webhook; without it, this page says where the payment stands. A PayPal order the payer has
    just approved is captured here (writing), without waiting for the webhook."""
    payment = await service.find_payment(session, payment_id)
    if payment is not None and payment.provider == "paypal":
        payment = await _capture_on_return(session, payment)
    if payment is not None and serves_web_app(request):
        return RedirectResponse(f"/orders/{payment.order_id}?payment={payment.id}", status_code=303)
    if payment is None:
        return templates.TemplateResponse(
            request,
            "message.html",
            {"title": "No such payment", "message": "This payment does not exist."},
            404,
        )
    messages = {
        "paid": "Thank you: your payment arrived and the money is held in escrow until you approve the work.",
        "open": "We are waiting for the provider to confirm your payment; refresh in a moment.",
        "pending": "We are waiting for the provider to confirm your payment; refresh in a moment.",
    }
    message = messages.get(
        payment.status.value, f"The payment is {payment.status.value}; nothing was charged."
    )
    return templates.TemplateResponse(
        request, "message.html", {"title": f"Payment {payment.status.value}", "message": message}
    )


async def _capture_on_return(session: AsyncSession, payment: Payment) -> Payment:
    if payment.status not in (PaymentStatus.OPEN, PaymentStatus.PENDING):
        return payment
    try:
        return await paypal_webhook.settle(session, payment.id, payment.provider_payment_id)
    except ProviderUnavailable:
        return payment  # PayPal is not answering: the webhook captures it later

"""Billing pages: the sandbox provider's checkout and customer portal, where a person plays the
subscriber (and the card), and the page every provider's checkout sends the subscriber back to.

The sandbox runs in-process: its pages apply what the person chose through the same service
functions a remote provider's notices call (`checkout_paid`, `checkout_failed`, ...), in the
page's own unit of work."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Literal

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.billing import subscriptions
from reelbyte.billing.models import Plan, Subscription, SubscriptionStatus
from reelbyte.billing.plans import ON_PLAN
from reelbyte.billing.portal_pages import change_subscription, portal_context
from reelbyte.billing.providers import sandbox
from reelbyte.core.errors import AppError
from reelbyte.core.money import format_minor
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.payments.providers.base import ProviderError

templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates" / "pages")
billing_pages_router = APIRouter(include_in_schema=False)

PROVIDER = "sandbox"
MAX_TOKEN = 64  # longer than any id or token the sandbox makes
PortalAction = Annotated[str, Form(min_length=1, max_length=64)]


# The return page leads back into the app, to the plan just chosen (or not).
BACK_TO_BILLING = {"url": "/billing", "label": "Back to your plan"}


def _message(
    request: Request, title: str, message: str, status_code: int = 200, back: dict[str, str] | None = None
) -> Response:
    return templates.TemplateResponse(
        request, "message.html", {"title": title, "message": message, "back": back}, status_code
    )


def _no_such_checkout(request: Request) -> Response:
    return _message(request, "No such checkout", "This checkout does not exist or was already used.", 404)


def _provider_down(request: Request) -> Response:
    return _message(request, "Try again", "The sandbox cannot reach its card records now.", 503)


def _portal_expired(request: Request) -> Response:
    return _message(
        request, "Portal session expired", "Open the billing portal again from your account settings.", 404
    )


# --- checkout -----------------------------------------------------------------------------


@billing_pages_router.get("/sandbox/billing/checkout/{checkout_id}", response_class=HTMLResponse)
async def checkout_page(request: Request, checkout_id: str, session: SessionDep) -> Response:
    subscription = await subscriptions.find_checkout(session, PROVIDER, checkout_id[:MAX_TOKEN])
    if subscription is None:
        return _no_such_checkout(request)
    plan = await session.get_one(Plan, subscription.plan_code)
    return templates.TemplateResponse(
        request,
        "sandbox_billing_checkout.html",
        {
            "subscription": subscription,
            "plan": plan,
            "price": format_minor(plan.price_minor),
            "open": subscription.status is SubscriptionStatus.INCOMPLETE,
        },
    )


@billing_pages_router.post("/sandbox/billing/checkout/{checkout_id}")
async def checkout_action(
    request: Request,
    checkout_id: str,
    action: Annotated[Literal["pay", "fail"], Form()],
    session: SessionDep,
) -> Response:
    checkout_id = checkout_id[:MAX_TOKEN]
    if action == "pay":
        paid_as = f"sub_{uuid.uuid4().hex}"
        subscription = await subscriptions.checkout_paid(session, PROVIDER, checkout_id, paid_as)
    else:
        subscription = await subscriptions.checkout_failed(session, PROVIDER, checkout_id)
    if subscription is None:
        return _no_such_checkout(request)
    return RedirectResponse(f"/billing/return/{subscription.id}", status_code=303)


@billing_pages_router.get("/billing/return/{subscription_id}", response_class=HTMLResponse)
async def return_page(request: Request, subscription_id: uuid.UUID, session: SessionDep) -> Response:
    """Where the subscriber lands after the provider's checkout."""
    subscription = await session.get(Subscription, subscription_id)
    if subscription is None:
        return _message(request, "No such subscription", "This subscription does not exist.", 404)
    plan = await session.get_one(Plan, subscription.plan_code)
    if subscription.status is SubscriptionStatus.INCOMPLETE:
        return _message(
            request,
            "Payment not completed",
            f"The payment for {plan.name} did not go through and nothing was charged: you are still on "
            "Free. Choose the plan again to retry.",
            back=BACK_TO_BILLING,
        )
    if subscription.status is SubscriptionStatus.CANCELED:
        return _message(
            request, "Subscription ended", f"Your {plan.name} subscription has ended.", back=BACK_TO_BILLING
        )
    until = subscription.current_period_end
    period = f" until {until:%d %B %Y}, then renewed every month" if until is not None else ""
    return _message(
        request, f"Welcome to {plan.name}", f"Your {plan.name} plan is active{period}.", back=BACK_TO_BILLING
    )


# --- the customer portal ------------------------------------------------------------------


async def _portal_subscription(
    session: AsyncSession, token: str
) -> tuple[sandbox.PortalSession, Subscription] | None:
    portal = await sandbox.portal_session(token[:MAX_TOKEN])
    if portal is None:
        return None
    subscription = await session.get(Subscription, portal.subscription_id)
    return (portal, subscription) if subscription is not None else None


@billing_pages_router.get("/sandbox/billing/portal/{token}", response_class=HTMLResponse)
async def portal_page(request: Request, token: str, session: SessionDep) -> Response:
    try:
        found = await _portal_subscription(session, token)
        failure_armed = found is not None and await sandbox.renewal_failure_armed(found[1].id)
    except ProviderError:
        return _provider_down(request)
    if found is None:
        return _portal_expired(request)
    portal, subscription = found
    context = await portal_context(session, subscription, portal.return_url)
    return templates.TemplateResponse(
        request, "sandbox_billing_portal.html", {**context, "failure_armed": failure_armed}
    )


@billing_pages_router.post("/sandbox/billing/portal/{token}")
async def portal_action(request: Request, token: str, action: PortalAction, session: SessionDep) -> Response:
    try:
        found = await _portal_subscription(session, token)
    except ProviderError:
        return _provider_down(request)
    if found is None:
        return _portal_expired(request)
    _, subscription = found
    if subscription.status not in ON_PLAN:
        return _message(request, "Subscription ended", "This subscription has ended.", 409)
    try:
        refusal = await _apply(session, subscription, action)
    except AppError as error:  # refused before anything changed: nothing to undo
        return _message(request, "Not possible", error.message, error.status_code)
    except ProviderError:
        return _provider_down(request)
    if refusal is not None:
        return _message(request, "Not done", refusal, 409)
    return RedirectResponse(f"/sandbox/billing/portal/{token[:MAX_TOKEN]}", status_code=303)


async def _apply(session: AsyncSession, subscription: Subscription, action: str) -> str | None:
    """Do what the portal's button says (the sandbox also plays the card); why not, when it
    could not be done."""
    if action in ("fail_next_renewal", "succeed_next_renewal"):
        await sandbox.arm_renewal_failure(subscription.id, armed=action == "fail_next_renewal")
    elif action == "pay_overdue":
        if not await subscriptions.pay_overdue(session, subscription.id):
            return "The card was declined: the renewal is still unpaid."
    else:
        return await change_subscription(session, subscription, action)
    return None

"""Our own billing portal, for a provider that has none (Mollie): `/billing/portal/{token}`.

`POST /v1/billing/portal` opens it for a Mollie subscription (`MollieBilling.portal_url` keeps a
session of an hour in Redis, as Stripe's portal sessions are short-lived). The subscriber can
switch plan, cancel at period end and resume; each button calls the same service function the
sandbox's portal calls, which tells the provider (Mollie's subscription amount, its cancellation,
a new one on resume). Unlike the sandbox's portal it plays no card: no failing the next renewal,
no "pay now" (Mollie charges each period itself). The page shows the subscription of its session
only, whoever opens it: the token is the credential, as for Stripe's portal links.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.billing import subscriptions
from reelbyte.billing.models import Plan, Subscription
from reelbyte.billing.plans import FREE, ON_PLAN
from reelbyte.billing.providers.mollie import PortalSession, portal_session
from reelbyte.core.errors import AppError
from reelbyte.core.money import format_minor
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.payments.providers.base import ProviderError

templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates" / "pages")
portal_pages_router = APIRouter(include_in_schema=False)

MAX_TOKEN = 64  # longer than any token the portal makes
PortalAction = Annotated[str, Form(min_length=1, max_length=64)]


def _message(request: Request, title: str, message: str, status_code: int = 200) -> Response:
    return templates.TemplateResponse(
        request, "message.html", {"title": title, "message": message}, status_code
    )


def _expired(request: Request) -> Response:
    return _message(
        request, "Portal session expired", "Open the billing portal again from your account settings.", 404
    )


def _provider_down(request: Request) -> Response:
    return _message(request, "Try again", "The payment provider is not answering; try again shortly.", 503)


async def _found(session: AsyncSession, token: str) -> tuple[PortalSession, Subscription] | None:
    portal = await portal_session(token[:MAX_TOKEN])
    if portal is None:
        return None
    subscription = await session.get(Subscription, portal.subscription_id)
    return (portal, subscription) if subscription is not None else None


@portal_pages_router.get("/billing/portal/{token}", response_class=HTMLResponse)
async def portal_page(request: Request, token: str, session: SessionDep) -> Response:
    try:
        found = await _found(session, token)
    except ProviderError:
        return _provider_down(request)
    if found is None:
        return _expired(request)
    portal, subscription = found
    context = await portal_context(session, subscription, portal.return_url)
    return templates.TemplateResponse(request, "billing_portal.html", context)


async def portal_context(
    session: AsyncSession, subscription: Subscription, return_url: str
) -> dict[str, Any]:
    """What a portal page shows (ours and the sandbox's): the plan, its price, whether it is
    still on, the plans to switch to, the end of a grace period, the way back."""
    plan = await session.get_one(Plan, subscription.plan_code)
    others = [
        {
            "code": other.code,
            "name": other.name,
            "currency": other.currency,
            "price": format_minor(other.price_minor),
        }
        for other in await subscriptions.offered_plans(session)
        if other.code not in (plan.code, FREE)
    ]
    return {
        "subscription": subscription,
        "plan": plan,
        "price": format_minor(plan.price_minor),
        "live": subscription.status in ON_PLAN,
        "other_plans": others,
        "grace_ends_at": subscriptions.grace_ends_at(subscription),
        "return_url": return_url,
    }


async def change_subscription(session: AsyncSession, subscription: Subscription, action: str) -> str | None:
    """The buttons every portal has: switch plan, cancel at period end, resume. Why not, when
    `action` is none of them."""
    if action.startswith("plan:"):
        await subscriptions.change_plan(session, subscription.user_id, action.removeprefix("plan:"))
    elif action == "cancel":
        await subscriptions.cancel(session, subscription.user_id)
    elif action == "resume":
        await subscriptions.resume(session, subscription.user_id)
    else:
        return "The billing portal has no such action."
    return None


@portal_pages_router.post("/billing/portal/{token}")
async def portal_action(request: Request, token: str, action: PortalAction, session: SessionDep) -> Response:
    try:
        found = await _found(session, token)
    except ProviderError:
        return _provider_down(request)
    if found is None:
        return _expired(request)
    _, subscription = found
    if subscription.status not in ON_PLAN:
        return _message(request, "Subscription ended", "This subscription has ended.", 409)
    try:
        refusal = await change_subscription(session, subscription, action)
    except AppError as error:  # refused before anything changed (a provider down is a 503 one)
        return _message(request, "Not possible", error.message, error.status_code)
    if refusal is not None:
        return _message(request, "Not done", refusal, 409)
    return RedirectResponse(f"/billing/portal/{token[:MAX_TOKEN]}", status_code=303)

"""HTTP routes of payout methods: list, add (and onboard), a fresh onboarding link, default,
delete, the withdrawal quote; the providers' way back (Mollie's OAuth callback, the e-mailed
confirmation link) and the sandbox's onboarding page."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import Form, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from reelbyte.core.errors import AppError, error_responses
from reelbyte.core.money import Money
from reelbyte.core.routing import APIRouter, SessionDep, WritingSessionDep
from reelbyte.identity.deps import CurrentCreator, VerifiedCreator
from reelbyte.payments import errors, payout_methods
from reelbyte.payments.payout_schemas import (
    ConfirmPayoutMethodRequest,
    PayoutMethodCreate,
    PayoutMethodList,
    PayoutMethodOut,
    PayoutOnboardingOut,
    WithdrawalQuoteOut,
)
from reelbyte.projects.errors import CurrencyMismatch
from reelbyte.webapp import serves_web_app

payout_methods_router = APIRouter(prefix="/payments", tags=["payments"])
payout_pages_router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates" / "pages")

TokenQuery = Annotated[str, Query(max_length=256)]
ONBOARDING_ERRORS = (
    errors.InvalidPayoutMethod,
    errors.PayoutProviderNotConfigured,
    errors.ProviderUnavailable,
)


def _onboarding(result: payout_methods.Onboarding) -> PayoutOnboardingOut:
    return PayoutOnboardingOut(method=PayoutMethodOut.of(result.method), onboarding_url=result.url)


@payout_methods_router.get("/me/payout-methods", response_model=PayoutMethodList)
async def list_payout_methods(user: CurrentCreator, session: SessionDep) -> PayoutMethodList:
    """My payout methods, the default first."""
    methods = await payout_methods.list_methods(session, user)
    return PayoutMethodList(items=[PayoutMethodOut.of(method) for method in methods])


@payout_methods_router.post(
    "/me/payout-methods",
    status_code=status.HTTP_201_CREATED,
    response_model=PayoutOnboardingOut,
    responses=error_responses(*ONBOARDING_ERRORS),
)
async def add_payout_method(
    data: PayoutMethodCreate, user: VerifiedCreator, session: SessionDep
) -> PayoutOnboardingOut:
    """Add a payout method (pending) and start its onboarding: open `onboarding_url` (Stripe,
    Mollie, sandbox), or follow the link e-mailed for PayPal (to that address) and Venmo (to
    yours). It becomes `verified` when the provider says so; the first one is the default."""
    new = payout_methods.NewPayoutMethod(data.provider, data.paypal_email, data.venmo_handle, data.country)
    return _onboarding(await payout_methods.create_method(session, user, new))


@payout_methods_router.post(
    "/me/payout-methods/{method_id}/onboarding",
    response_model=PayoutOnboardingOut,
    responses=error_responses(errors.PayoutMethodNotFound, errors.OnboardingNotNeeded, *ONBOARDING_ERRORS),
)
async def restart_onboarding(
    method_id: uuid.UUID, user: VerifiedCreator, session: SessionDep
) -> PayoutOnboardingOut:
    """A fresh onboarding link (or e-mail) for a pending method or one that needs more
    information; older links stop working."""
    return _onboarding(await payout_methods.restart_onboarding(session, user, method_id))


@payout_methods_router.post(
    "/me/payout-methods/{method_id}/default",
    response_model=PayoutMethodOut,
    responses=error_responses(errors.PayoutMethodNotFound),
)
async def make_default(method_id: uuid.UUID, user: VerifiedCreator, session: SessionDep) -> PayoutMethodOut:
    """Withdrawals that name no method go to this one."""
    return PayoutMethodOut.of(await payout_methods.make_default(session, user, method_id))


@payout_methods_router.delete(
    "/me/payout-methods/{method_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(errors.PayoutMethodNotFound, errors.PayoutMethodInUse),
)
async def delete_payout_method(method_id: uuid.UUID, user: VerifiedCreator, session: SessionDep) -> None:
    """Remove a method (409 while a withdrawal to it is being paid out); past withdrawals keep it."""
    await payout_methods.delete_method(session, user, method_id)


@payout_methods_router.get(
    "/me/withdrawals/quote",
    response_model=WithdrawalQuoteOut,
    responses=error_responses(
        CurrencyMismatch,
        errors.BelowMinimumPayout,
        errors.AmountBelowPayoutFee,
        errors.PayoutMethodRequired,
        errors.PayoutMethodNotFound,
        errors.PayoutMethodNotVerified,
    ),
)
async def withdrawal_quote(
    user: CurrentCreator,
    session: SessionDep,
    amount: Annotated[str, Query(pattern=r"^[0-9]{1,9}(\.[0-9]{1,2})?$", examples=["120.00"])],
    currency: Annotated[Literal["EUR", "USD", "GBP"], Query()],
    payout_method_id: uuid.UUID | None = None,
) -> WithdrawalQuoteOut:
    """The payout provider's fee on a withdrawal of `amount` and what arrives, before confirming."""
    quote = await payout_methods.quote(
        session, user, Money(currency=currency, value=amount), payout_method_id
    )
    return WithdrawalQuoteOut(
        amount=Money.from_minor(quote.amount_minor, quote.currency),
        fee=Money.from_minor(quote.fee_minor, quote.currency),
        net=Money.from_minor(quote.amount_minor - quote.fee_minor, quote.currency),
        payout_method_id=quote.method.id,
        provider=quote.method.provider,
    )


@payout_methods_router.post(
    "/payout-methods/confirm",
    response_model=PayoutMethodOut,
    responses=error_responses(errors.InvalidOnboardingLink),
)
async def confirm_payout_method(data: ConfirmPayoutMethodRequest, session: SessionDep) -> PayoutMethodOut:
    """The token of the link e-mailed for a PayPal or Venmo method: the method is verified."""
    return PayoutMethodOut.of(await payout_methods.confirm_by_email(session, data.token))


@payout_methods_router.get(
    "/payout-methods/mollie/callback",
    status_code=status.HTTP_303_SEE_OTHER,
    response_class=RedirectResponse,
    responses=error_responses(
        errors.InvalidOnboardingLink,
        errors.InvalidPayoutMethod,
        errors.ProviderUnavailable,
        errors.PayoutProviderNotConfigured,
    ),
)
async def mollie_callback(
    session: WritingSessionDep,
    state: TokenQuery,
    code: Annotated[str | None, Query(max_length=512)] = None,
    error: Annotated[str | None, Query(max_length=128)] = None,
) -> RedirectResponse:
    """Where Mollie sends the creator back after its consent screen (Mollie Connect OAuth):
    the organisation and its onboarding are read with the grant; then on to the web app."""
    if code is None:  # the creator declined at Mollie: nothing changes
        await payout_methods.check_state(session, state)
        query = urlencode({"error": error or "access_denied"})
        return RedirectResponse(f"/settings/payouts?{query}", status_code=303)
    method = await payout_methods.mollie_connected(session, code, state)
    return RedirectResponse(f"/settings/payouts?method={method.id}", status_code=303)


# --- pages --------------------------------------------------------------------------------


def _page(request: Request, title: str, message: str, status_code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "message.html", {"title": title, "message": message}, status_code=status_code
    )


@payout_pages_router.get("/payments/payout-methods/confirm", response_class=HTMLResponse)
async def confirm_page(request: Request, session: WritingSessionDep, token: TokenQuery = "") -> Response:
    """The e-mailed link: a GET (a link is followed with one) that writes."""
    if serves_web_app(request):
        return RedirectResponse(f"/payout-methods/confirm?{urlencode({'token': token})}", status_code=303)
    try:
        async with session.begin_nested():
            method = await payout_methods.confirm_by_email(session, token)
    except AppError as error:
        return _page(request, "Link not valid", error.message, status_code=400)
    return _page(request, "Payout method confirmed", f"Withdrawals can now go to {method.label}.")


@payout_pages_router.get("/sandbox/onboarding/{token}", response_class=HTMLResponse)
async def sandbox_onboarding_page(request: Request, token: str, session: SessionDep) -> Response:
    """The sandbox provider's onboarding: decide how the account check ends."""
    try:
        method = await payout_methods.sandbox_method(session, token[:256])
    except AppError as error:
        return _page(request, "Link not valid", error.message, status_code=404)
    return templates.TemplateResponse(request, "sandbox_onboarding.html", {"method": method})


@payout_pages_router.post("/sandbox/onboarding/{token}")
async def sandbox_onboarding_decide(
    request: Request,
    token: str,
    session: SessionDep,
    action: Annotated[Literal["approve", "need_info", "reject"], Form()],
) -> Response:
    try:
        async with session.begin_nested():
            method = await payout_methods.sandbox_decide(session, token[:256], action)
    except AppError as error:
        return _page(request, "Link not valid", error.message, status_code=404)
    return RedirectResponse(f"/settings/payouts?method={method.id}", status_code=303)

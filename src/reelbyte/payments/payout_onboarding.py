"""The providers' side of payout onboarding: Stripe Connect Express accounts and Mollie Connect
OAuth. What a provider answers is mapped onto a payout method's status here; the rules for the
method itself are in payout_methods.py.

- Stripe: an Express account (`accounts.create`, transfers capability) and an Account Link
  (`account_links.create`, account_onboarding) to Stripe's hosted onboarding. Stripe tells us of
  progress with `account.updated`; the account is always read back (`accounts.retrieve`).
- Mollie: the creator authorises our OAuth app (Mollie Connect) for their organisation; the code
  is exchanged for an access token (RFC 6749, client credentials in HTTP Basic), with which
  `mollie-api-python` reads the organisation (`/v2/organizations/me`) and its onboarding status
  (`/v2/onboarding/me`). The token is used once and not kept: payouts are balance transfers from
  the platform to that organisation id.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import stripe
from mollie.api.client import Client
from mollie.api.error import Error as MollieError

from reelbyte.core.config import get_settings
from reelbyte.payments.errors import InvalidOnboardingLink, PayoutProviderNotConfigured, ProviderUnavailable
from reelbyte.payments.models import PayoutMethodStatus
from reelbyte.payments.providers import provider_named
from reelbyte.payments.providers.stripe import StripeProvider

MOLLIE_AUTHORIZE_URL = "https://my.mollie.com/oauth2/authorize"
MOLLIE_TOKEN_URL = "https://api.mollie.com/oauth2/tokens"
MOLLIE_SCOPES = "organizations.read onboarding.read"
# Mollie's onboarding statuses onto a method's.
MOLLIE_STATUSES = {
    "completed": PayoutMethodStatus.VERIFIED,
    "needs-data": PayoutMethodStatus.NEEDS_INFO,
    "in-review": PayoutMethodStatus.PENDING,
}


# --- Stripe Connect -----------------------------------------------------------------------


def _stripe() -> stripe.StripeClient:
    settings = get_settings()
    if not settings.stripe_api_key:
        raise PayoutProviderNotConfigured("Stripe payouts need STRIPE_API_KEY.")
    provider = provider_named("stripe")
    assert isinstance(provider, StripeProvider)
    return provider.client


async def create_stripe_account(*, method_id: str, user_id: str, email: str, country: str | None) -> str:
    """A new Express account able to receive transfers; its `acct_…` id."""
    params: dict[str, Any] = {
        "type": "express",
        "email": email,
        "capabilities": {"transfers": {"requested": True}},
        "metadata": {"payout_method_id": method_id, "user_id": user_id},
    }
    if country:
        params["country"] = country
    try:
        account = await _stripe().v1.accounts.create_async(
            params,  # type: ignore[arg-type]
            {"idempotency_key": f"payout-method:{method_id}:account"},
        )
    except stripe.StripeError as error:
        raise ProviderUnavailable(
            f"Stripe did not create the account: {error.user_message or error}"
        ) from error
    return str(account.id)


async def stripe_onboarding_link(account_id: str, *, refresh_url: str, return_url: str) -> str:
    """A fresh Account Link to Stripe's hosted onboarding (it works once and expires soon)."""
    try:
        link = await _stripe().v1.account_links.create_async(
            {
                "account": account_id,
                "type": "account_onboarding",
                "refresh_url": refresh_url,
                "return_url": return_url,
            }
        )
    except stripe.StripeError as error:
        raise ProviderUnavailable(f"Stripe did not give an onboarding link: {error}") from error
    return str(link.url)


def stripe_status(account: stripe.Account) -> PayoutMethodStatus:
    """Verified only when Stripe pays out to the account and wants nothing more now."""
    requirements = account.requirements
    disabled = (requirements.disabled_reason or "") if requirements else ""
    due = list(requirements.currently_due or []) if requirements else []
    if disabled.startswith("rejected"):
        return PayoutMethodStatus.REJECTED
    if account.payouts_enabled and not due:
        return PayoutMethodStatus.VERIFIED
    if account.details_submitted:
        return PayoutMethodStatus.NEEDS_INFO
    return PayoutMethodStatus.PENDING


async def stripe_account_status(account_id: str) -> PayoutMethodStatus:
    """Read the account back from Stripe (an event's body is never trusted)."""
    try:
        account = await _stripe().v1.accounts.retrieve_async(account_id)
    except stripe.StripeError as error:
        raise ProviderUnavailable("Could not read the account back from Stripe.") from error
    return stripe_status(account)


# --- Mollie Connect -----------------------------------------------------------------------


def _mollie_credentials() -> tuple[str, str]:
    settings = get_settings()
    if not (settings.mollie_client_id and settings.mollie_client_secret):
        raise PayoutProviderNotConfigured("Mollie payouts need MOLLIE_CLIENT_ID and MOLLIE_CLIENT_SECRET.")
    return settings.mollie_client_id, settings.mollie_client_secret


def _mollie_oauth_urls() -> tuple[str, str]:
    endpoint = get_settings().mollie_oauth_endpoint
    if endpoint:
        base = endpoint.rstrip("/")
        return f"{base}/oauth2/authorize", f"{base}/oauth2/tokens"
    return MOLLIE_AUTHORIZE_URL, MOLLIE_TOKEN_URL


def mollie_callback_url() -> str:
    return f"{get_settings().public_url.rstrip('/')}/v1/payments/payout-methods/mollie/callback"


def mollie_authorize_url(state: str) -> str:
    client_id, _ = _mollie_credentials()
    authorize, _ = _mollie_oauth_urls()
    query = {
        "client_id": client_id,
        "redirect_uri": mollie_callback_url(),
        "state": state,
        "scope": MOLLIE_SCOPES,
        "response_type": "code",
        "approval_prompt": "auto",
    }
    return f"{authorize}?{urlencode(query)}"


@dataclass(frozen=True)
class MollieOrganization:
    id: str
    name: str
    status: PayoutMethodStatus


async def mollie_connect(code: str) -> MollieOrganization:
    """Exchange the authorisation code, then read the organisation and its onboarding."""
    token = await _mollie_token(code)
    return await asyncio.to_thread(_read_organization, token)


async def _mollie_token(code: str) -> str:
    client_id, secret = _mollie_credentials()
    _, token_url = _mollie_oauth_urls()
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": mollie_callback_url()}
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(token_url, data=form, auth=(client_id, secret))
    except httpx.HTTPError as error:
        raise ProviderUnavailable("Mollie's OAuth server is not answering; try again.") from error
    if response.status_code in (400, 401):
        raise InvalidOnboardingLink("Mollie did not accept this authorisation; connect again.")
    if response.status_code != 200:
        raise ProviderUnavailable("Mollie's OAuth server is not answering; try again.")
    token = response.json().get("access_token")
    if not isinstance(token, str) or not token.startswith("access_"):
        raise ProviderUnavailable("Mollie's OAuth server gave no access token.")
    return token


def _read_organization(token: str) -> MollieOrganization:
    endpoint = get_settings().mollie_api_endpoint
    client = Client(api_endpoint=endpoint) if endpoint else Client()
    client.set_access_token(token)
    try:
        organization = client.organizations.get("me")
        onboarding = client.onboarding.get("me")
    except MollieError as error:
        raise ProviderUnavailable(f"Could not read the organisation from Mollie: {error}") from error
    status = MOLLIE_STATUSES.get(str(onboarding.status), PayoutMethodStatus.PENDING)
    return MollieOrganization(id=str(organization.id), name=str(organization.name or ""), status=status)

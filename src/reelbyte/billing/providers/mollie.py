"""Mollie subscriptions, through the official `mollie-api-python` client (synchronous: every call
runs in a worker thread), the way Mollie documents recurring payments.

The flow:
- **Customer**: one Mollie customer per user (`users.billing_customer_id`, `cst_…`), made by the
  `billing.create_customer` job after sign-up or by the checkout when it is missing.
- **Checkout**: a *first* payment (`sequenceType: first`) of the plan's price for that customer,
  its id kept as `subscriptions.provider_checkout_id`. Paid, it leaves a mandate on the customer.
- **Start**: its paid notice (`billing/provider_webhooks.py`) creates the Mollie subscription
  (`POST customers/{customer}/subscriptions`: the plan's amount, `interval: 1 month`,
  `startDate` one month after the first payment, the same mandate, our id in `metadata`, its
  `webhookUrl` ours) and starts ours for one month from the payment.
- **Renewals**: Mollie creates a recurring payment on each payment date and posts its id to the
  subscription's webhook; read back, its `subscriptionId` names the subscription: paid moves the
  period on, failed makes it past due (the service's path, with its e-mail and grace period).
- **Cancel at period end**: Mollie has no such flag, and charges on the payment date before the
  app could stop it then, so cancelling cancels the Mollie subscription at once
  (`DELETE customers/{c}/subscriptions/{s}`: no more charges) while ours keeps its plan until the
  period ends; then the app's renewal job (`subscriptions.renew`, for providers in
  `ENDED_BY_JOB`) ends ours. **Resume** cannot undo that at Mollie: it creates a new Mollie
  subscription charging from the period's end (`resubscribe`). The job also ends one whose
  renewal stayed unpaid through the grace period (`cancel_now`).
- **Portal**: Mollie has no hosted portal; `portal_url` opens one of ours
  (`/billing/portal/{token}`, billing/portal_pages.py): change plan (the Mollie subscription's
  amount is updated, `PATCH`), cancel, resume. A card is changed by a new checkout once the
  subscription has ended; an overdue renewal is not charged on demand (`charge_renewal`).

Mollie's subscriptions live under their customer, so the id we keep
(`subscriptions.provider_subscription_id`) is `{customerId}/{subscriptionId}`.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from mollie.api.client import Client
from mollie.api.error import Error as MollieError
from mollie.api.error import ResponseError
from mollie.api.objects.customer import Customer
from mollie.api.resources.subscriptions import CustomerSubscriptions
from redis.exceptions import RedisError

from reelbyte.billing.providers import base
from reelbyte.core.config import get_settings
from reelbyte.core.db import utcnow
from reelbyte.core.money import format_minor, to_minor
from reelbyte.core.redis import get_redis
from reelbyte.payments.providers.base import ProviderError

WEBHOOK_PATH = "/v1/payments/webhook/subscriptions"  # payments' route, handed to billing
PORTAL_PATH = "/billing/portal"
PORTAL_SESSION_SECONDS = 3600
# Mollie subscription statuses after which it charges nothing more.
ENDED = ("canceled", "completed")


def _error(error: MollieError) -> ProviderError:
    status = getattr(error, "status", None)
    return ProviderError(f"mollie: {status} {error}" if status else f"mollie: {error}")


def _amount(plan: base.PlanPrice) -> dict[str, str]:
    return {"currency": plan.currency, "value": format_minor(plan.price_minor)}


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def webhook_url() -> str:
    return f"{get_settings().public_url.rstrip('/')}{WEBHOOK_PATH}"


def subscription_ref(customer_id: str, subscription_id: str) -> str:
    """What we keep as provider_subscription_id: Mollie's subscription under its customer."""
    return f"{customer_id}/{subscription_id}"


def _split(ref: base.SubscriptionRef) -> tuple[str, str]:
    customer_id, _, subscription_id = (ref.provider_subscription_id or "").partition("/")
    if not customer_id.startswith("cst_") or not subscription_id.startswith("sub_"):
        raise ProviderError(f"mollie: subscription {ref.subscription_id} has no Mollie subscription")
    return customer_id, subscription_id


def _description(plan: base.PlanPrice) -> str:
    # Unique among the customer's active subscriptions, as Mollie asks (one live one per user).
    return f"ReelByte {plan.name} plan"


@dataclass(frozen=True)
class MolliePayment:
    """A payment read back: the first payment of a checkout, or a subscription's recurring one."""

    id: str
    status: str  # open, pending, authorized, paid, failed, expired, canceled
    sequence_type: str | None  # oneoff, first, recurring
    customer_id: str | None
    mandate_id: str | None
    subscription_id: str | None  # set on the payments a Mollie subscription makes
    metadata: dict[str, str]
    created_at: datetime
    paid_at: datetime | None
    amount_minor: int
    currency: str


def _payment(remote: Any) -> MolliePayment:
    try:
        amount_minor = to_minor(Decimal(str(remote.amount["value"])))
        currency = str(remote.amount["currency"])
    except (KeyError, TypeError, InvalidOperation, ValueError) as error:
        raise ProviderError(f"mollie: unreadable amount {remote.amount!r}") from error
    created = _moment(remote.created_at)
    if created is None:
        raise ProviderError(f"mollie: payment {remote.id} has no createdAt")
    metadata = remote.metadata if isinstance(remote.metadata, dict) else {}
    return MolliePayment(
        id=str(remote.id),
        status=str(remote.status),
        sequence_type=remote.sequence_type,
        customer_id=remote.customer_id,
        mandate_id=remote.mandate_id,
        subscription_id=remote.subscription_id,
        metadata={str(k): str(v) for k, v in metadata.items()},
        created_at=created,
        paid_at=_moment(remote.paid_at),
        amount_minor=amount_minor,
        currency=currency,
    )


class MollieBilling:
    name = "mollie"
    renews_by_job = False

    def __init__(self, api_key: str, api_endpoint: str | None = None, *, timeout: int = 10) -> None:
        self.client = Client(api_endpoint=api_endpoint or "", timeout=(2, timeout))
        if api_key.startswith("access_"):  # an OAuth (Connect) access token
            self.client.set_access_token(api_key)
        else:
            self.client.set_api_key(api_key)

    async def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except MollieError as error:
            raise _error(error) from error

    def _subscriptions(self, customer_id: str) -> CustomerSubscriptions:
        customer = Customer({"id": customer_id}, self.client)  # type: ignore[no-untyped-call]
        return CustomerSubscriptions(self.client, customer)

    # --- customers ----------------------------------------------------------------------------

    async def create_customer(self, subscriber: base.Subscriber, idempotency_key: str) -> str:
        customer = await self._call(
            self.client.customers.create,
            {
                "name": subscriber.name,
                "email": subscriber.email,
                "metadata": {"user_id": str(subscriber.user_id)},
            },
            idempotency_key=idempotency_key,
        )
        return str(customer.id)

    def owns_customer(self, customer_id: str) -> bool:
        return customer_id.startswith("cst_")

    # --- checkout: the first payment ------------------------------------------------------------

    async def create_checkout(self, request: base.CheckoutRequest) -> base.ProviderCheckout:
        if request.subscriber.customer_id is None:
            raise ProviderError("mollie: a first payment needs the user's customer")
        payment = await self._call(
            self.client.payments.create,
            {
                "amount": _amount(request.plan),
                "description": f"ReelByte {request.plan.name} plan, first month",
                "redirectUrl": request.return_url,
                "webhookUrl": webhook_url(),
                "sequenceType": "first",
                "customerId": request.subscriber.customer_id,
                "metadata": {"subscription_id": str(request.subscription_id), "plan": request.plan.code},
            },
        )
        url = payment.checkout_url
        if not url:
            raise ProviderError(f"mollie: first payment {payment.id} has no checkout URL")
        return base.ProviderCheckout(id=str(payment.id), url=str(url))

    async def checkout_url(self, checkout_id: str) -> str | None:
        remote = await self._remote_payment(checkout_id)
        if remote is None or remote.status != "open" or not remote.checkout_url:
            return None
        return str(remote.checkout_url)

    async def _remote_payment(self, payment_id: str) -> Any:
        try:
            return await asyncio.to_thread(self.client.payments.get, payment_id)
        except ResponseError as error:
            if error.status == 404:
                return None
            raise _error(error) from error
        except MollieError as error:  # a malformed id (the client checks the prefix) or the network
            if not payment_id.startswith("tr_"):
                return None
            raise _error(error) from error

    async def payment(self, payment_id: str) -> MolliePayment | None:
        """A payment read back (None: Mollie has no such payment)."""
        remote = await self._remote_payment(payment_id)
        return _payment(remote) if remote is not None else None

    # --- the Mollie subscription --------------------------------------------------------------

    async def start_subscription(
        self,
        *,
        customer_id: str,
        mandate_id: str | None,
        subscription_id: uuid.UUID,
        plan: base.PlanPrice,
        start: date,
        idempotency_key: str,
    ) -> str:
        """The Mollie subscription that charges `plan` monthly from `start` on the mandate;
        returns its `{customer}/{subscription}` id. The same key gives the same subscription."""
        data: dict[str, Any] = {
            "amount": _amount(plan),
            "interval": "1 month",
            "startDate": max(start, utcnow().date()).isoformat(),
            "description": _description(plan),
            "webhookUrl": webhook_url(),
            "metadata": {"subscription_id": str(subscription_id)},
        }
        if mandate_id:
            data["mandateId"] = mandate_id
        remote = await self._call(
            self._subscriptions(customer_id).create, data, idempotency_key=idempotency_key
        )
        return subscription_ref(customer_id, str(remote.id))

    async def _status(self, ref: base.SubscriptionRef) -> str:
        customer_id, subscription_id = _split(ref)
        remote = await self._call(self._subscriptions(customer_id).get, subscription_id)
        return str(remote.status)

    async def _cancel(self, ref: base.SubscriptionRef) -> None:
        """Cancel at Mollie (no more charges); one cancelled already is left alone."""
        if ref.provider_subscription_id is None:
            return  # never started at Mollie: nothing charges
        if await self._status(ref) in ENDED:
            return
        customer_id, subscription_id = _split(ref)
        await self._call(self._subscriptions(customer_id).delete, subscription_id)

    async def portal_url(self, subscription: base.SubscriptionRef, return_url: str) -> str:
        return await open_portal_session(subscription.subscription_id, return_url)

    async def change_plan(self, subscription: base.SubscriptionRef, plan: base.PlanPrice) -> None:
        """The next payments charge the new plan's price. A subscription cancelled at Mollie
        (ending at period end) charges nothing more: resuming it charges the plan then in effect."""
        if await self._status(subscription) in ENDED:
            return
        customer_id, subscription_id = _split(subscription)
        await self._call(
            self._subscriptions(customer_id).update,
            subscription_id,
            {"amount": _amount(plan), "description": _description(plan)},
        )

    async def set_cancel_at_period_end(self, subscription: base.SubscriptionRef, cancel: bool) -> None:
        if cancel:
            await self._cancel(subscription)
        elif await self._status(subscription) in ENDED:
            raise ProviderError("mollie: a cancelled subscription is resumed with resubscribe")

    async def resubscribe(
        self, subscription: base.SubscriptionRef, plan: base.PlanPrice, start: datetime
    ) -> str:
        """A new Mollie subscription from `start` (the paid period's end) on the customer's
        mandate, in place of the one cancelled; returns its id."""
        customer_id, old_id = _split(subscription)
        if await self._status(subscription) not in ENDED:
            return subscription_ref(customer_id, old_id)  # never cancelled at Mollie: it goes on
        return await self.start_subscription(
            customer_id=customer_id,
            mandate_id=None,
            subscription_id=subscription.subscription_id,
            plan=plan,
            start=start.date(),
            idempotency_key=f"billing-resubscribe:{subscription.subscription_id}:{old_id}",
        )

    async def cancel_now(self, subscription: base.SubscriptionRef) -> None:
        await self._cancel(subscription)

    async def charge_renewal(
        self, subscription: base.SubscriptionRef, plan: base.PlanPrice, idempotency_key: str
    ) -> bool:
        """Not offered: the Mollie subscription charges each period itself (the renewal job never
        asks, and the portal offers no "pay now"). A subscriber whose renewal failed keeps the plan
        through the grace period, then subscribes again with a new first payment."""
        raise ProviderError("mollie: renewals are charged by the Mollie subscription, not on demand")


# --- our own portal, for a provider without one ------------------------------------------------


@dataclass(frozen=True)
class PortalSession:
    subscription_id: uuid.UUID
    return_url: str


def _portal_key(token: str) -> str:
    return f"billing:portal:{token}"


async def open_portal_session(subscription_id: uuid.UUID, return_url: str) -> str:
    """A short-lived portal session (as Stripe's are) in Redis; returns the portal page's URL."""
    token = secrets.token_urlsafe(24)
    session = {"subscription_id": str(subscription_id), "return_url": return_url}
    try:
        await get_redis().set(_portal_key(token), json.dumps(session), ex=PORTAL_SESSION_SECONDS)
    except RedisError as error:
        raise ProviderError("billing: cannot open a portal session") from error
    return f"{get_settings().public_url.rstrip('/')}{PORTAL_PATH}/{token}"


async def portal_session(token: str) -> PortalSession | None:
    """The portal session of `token`, or None when it is unknown or expired."""
    try:
        raw = await get_redis().get(_portal_key(token))
    except RedisError as error:
        raise ProviderError("billing: cannot read the portal session") from error
    if raw is None:
        return None
    data = json.loads(raw)
    return PortalSession(uuid.UUID(data["subscription_id"]), str(data["return_url"]))

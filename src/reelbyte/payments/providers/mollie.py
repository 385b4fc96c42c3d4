"""Mollie, through the official `mollie-api-python` client.

Payments and refunds are Mollie's Payments API (v2) as documented. The client is synchronous
(`requests`), so every call runs in a worker thread.

Payouts: Mollie has no public "pay this person" endpoint. The documented way for a platform to
move money to another organisation is Mollie Connect: a **Connect balance transfer**
(`POST /v2/connect/balance-transfers`) from the platform organisation's balance to the creator's
connected organisation. `mollie-api-python` 4.0 has no resource for that endpoint, so
`ConnectBalanceTransfers` below declares one on the client's own resource base classes: the
request goes out through the same client, with its authentication, `Idempotency-Key` header
and error handling. The platform organisation is read once from `GET /v2/organizations/me`.

Mollie accepts balance transfers only from an OAuth access token (`access_…`) with the
`balance-transfers.write` scope; MOLLIE_API_KEY may be one (payments created with an access token
may also need a `profileId`, which is not sent yet).

The destination is the creator's organisation id, from their payout method's Mollie Connect
OAuth onboarding (payments/payout_onboarding.py).

Caveat: Mollie's terms reserve balance transfers for funds the platform owns (fees,
adjustments) and route shopper money to sellers with payment *routes* (split payments, "delayed
routing", `POST /v2/payments/{id}/routes`). A live Mollie marketplace should release escrow as
delayed routes on the paying payment; the withdrawal interface here has no payment to route from.
"""

from __future__ import annotations

import asyncio
import threading
from decimal import Decimal, InvalidOperation
from typing import Any

from mollie.api.client import Client
from mollie.api.error import Error as MollieError
from mollie.api.error import ResponseError
from mollie.api.objects.base import ObjectBase
from mollie.api.objects.payment import Payment as MolliePayment
from mollie.api.resources.base import ResourceCreateMixin, ResourceGetMixin

from reelbyte.core.money import format_minor, to_minor
from reelbyte.payments.providers import base

# Mollie's payment statuses are the interface's; "authorized" (card held, not yet captured) is
# not paid yet.
PAYMENT_STATUSES = {"open", "pending", "paid", "failed", "expired", "canceled"}
REFUND_FAILED = {"failed", "canceled"}
# Connect balance transfer statuses onto the payout's.
TRANSFER_STATUSES = {"created": "pending", "succeeded": "paid", "failed": "failed"}
# A refused transfer is final except when the fault is ours or passing: bad credentials, rate
# limits, Mollie's own errors.
TRANSIENT_HTTP = {401, 408, 425, 429}
# Our method names that Mollie spells otherwise (every other name is the same at Mollie).
MOLLIE_METHODS = {"card": "creditcard"}
OUR_METHODS = {mollie: ours for ours, mollie in MOLLIE_METHODS.items()}


class ConnectBalanceTransfer(ObjectBase):
    """A `connect-balance-transfer` object: id, amount, source, destination, status, statusReason."""

    @property
    def id(self) -> str:
        return str(self["id"])

    @property
    def status(self) -> str:
        return str(self.get("status", ""))


class ConnectBalanceTransfers(ResourceCreateMixin, ResourceGetMixin):
    """`/v2/connect/balance-transfers`: create and get, on the client's own request machinery."""

    RESOURCE_ID_PREFIX = "cbtr_"
    object_type = ConnectBalanceTransfer

    def get_resource_path(self) -> str:
        return "connect/balance-transfers"


def _amount(amount_minor: int, currency: str) -> dict[str, str]:
    return {"currency": currency, "value": format_minor(amount_minor)}


def _minor(amount: Any) -> tuple[int, str]:
    try:
        return to_minor(Decimal(str(amount["value"]))), str(amount["currency"])
    except (KeyError, TypeError, InvalidOperation, ValueError) as error:
        raise base.ProviderError(f"mollie: unreadable amount {amount!r}") from error


def _error(error: MollieError) -> str:
    status = getattr(error, "status", None)
    return f"mollie: {status} {error}" if status else f"mollie: {error}"


class MollieProvider:
    name = "mollie"

    def __init__(self, api_key: str, api_endpoint: str | None = None, *, timeout: int = 10) -> None:
        self.client = Client(api_endpoint=api_endpoint or "", timeout=(2, timeout))
        if api_key.startswith("access_"):  # an OAuth (Connect) access token
            self.client.set_access_token(api_key)
        else:
            self.client.set_api_key(api_key)
        self.transfers = ConnectBalanceTransfers(self.client)
        self._organization_id: str | None = None
        self._lock = threading.Lock()

    async def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run one blocking client call in a thread; any client error becomes base.ProviderError."""
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except MollieError as error:
            raise base.ProviderError(_error(error)) from error

    def _payment(self, remote: MolliePayment) -> base.ProviderPayment:
        status = remote.status if remote.status in PAYMENT_STATUSES else "pending"
        amount_minor, currency = _minor(remote.amount)
        return base.ProviderPayment(
            id=str(remote.id),
            status=status,
            amount_minor=amount_minor,
            currency=currency,
            checkout_url=remote.checkout_url if status == "open" else None,
        )

    async def create_payment(self, request: base.PaymentRequest) -> base.ProviderPayment:
        data = {
            "amount": _amount(request.amount_minor, request.currency),
            "description": request.description[:255],
            "redirectUrl": request.redirect_url,
            "webhookUrl": request.webhook_url,
            "metadata": request.metadata,
        }
        if request.method:
            data["method"] = MOLLIE_METHODS.get(request.method, request.method)
        # Keyed by our payment id: a retried create (lost response) is the same payment at Mollie.
        payment_id = request.metadata.get("payment_id")
        key = f"payment:{payment_id}" if payment_id else ""
        remote = await self._call(self.client.payments.create, data, idempotency_key=key)
        return self._payment(remote)

    async def get_payment(self, provider_payment_id: str) -> base.ProviderPayment:
        return self._payment(await self._call(self.client.payments.get, provider_payment_id))

    async def methods(self, amount_minor: int, currency: str) -> list[str]:
        """The methods Mollie has active for this amount (`GET /v2/methods?amount…`), our names."""
        amount = _amount(amount_minor, currency)
        listed = await self._call(
            lambda: list(
                self.client.methods.list(
                    **{"amount[value]": amount["value"], "amount[currency]": amount["currency"]}
                )
            )
        )
        return [OUR_METHODS.get(str(method.id), str(method.id)) for method in listed]

    async def create_refund(
        self, *, provider_payment_id: str, amount_minor: int, currency: str, idempotency_key: str
    ) -> base.ProviderRefund:
        def refund() -> Any:
            payment = self.client.payments.get(provider_payment_id)
            return payment.refunds.create(
                {"amount": _amount(amount_minor, currency), "description": "ReelByte refund"},
                idempotency_key=idempotency_key,
            )

        remote = await self._call(refund)
        if remote.status in REFUND_FAILED:
            raise base.ProviderError(f"mollie: refund {remote.id} is {remote.status}")
        return base.ProviderRefund(id=str(remote.id), status=str(remote.status))

    async def create_payout(
        self, *, destination: str, amount_minor: int, currency: str, idempotency_key: str
    ) -> base.ProviderPayout:
        """A Connect balance transfer from the platform to the creator's organisation: paid once
        it `succeeded`, pending while `created` (the payout job asks again later, with the same
        key), rejected if it `failed`."""

        def transfer() -> ConnectBalanceTransfer:
            data = {
                "amount": _amount(amount_minor, currency),
                "description": "ReelByte earnings",
                "category": "purchase",
                "source": {
                    "type": "organization",
                    "id": self._platform_organization(),
                    "description": "ReelByte earnings",
                },
                "destination": {
                    "type": "organization",
                    "id": destination,
                    "description": "ReelByte earnings",
                },
            }
            created: ConnectBalanceTransfer = self.transfers.create(data, idempotency_key=idempotency_key)
            # Asked again with the same key, Mollie answers the first answer: read where it is now.
            result: ConnectBalanceTransfer = self.transfers.get(created.id)
            return result

        try:
            remote = await asyncio.to_thread(transfer)
        except ResponseError as error:
            if error.status in TRANSIENT_HTTP or (error.status or 500) >= 500:
                raise base.ProviderError(_error(error)) from error
            raise base.PayoutRejected(_error(error)) from error
        except MollieError as error:  # network, unreadable answers: try again later
            raise base.ProviderError(_error(error)) from error
        status = TRANSFER_STATUSES.get(remote.status, "pending")
        if status == "failed":
            reason = (remote.get("statusReason") or {}).get("message", "refused")
            raise base.PayoutRejected(f"mollie: balance transfer {remote.id} failed: {reason}")
        return base.ProviderPayout(id=remote.id, status=status)

    def _platform_organization(self) -> str:
        """The platform's own organisation id (`GET /v2/organizations/me`), read once."""
        with self._lock:
            if self._organization_id is None:
                self._organization_id = str(self.client.organizations.get("me").id)
            return self._organization_id

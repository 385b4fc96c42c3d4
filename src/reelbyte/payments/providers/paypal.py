"""PayPal (and Venmo), through the official `paypal-server-sdk`; payouts and webhook checks
over httpx with the SDK's OAuth token.

- A payment is an **Orders v2** order (intent CAPTURE, one purchase unit whose `custom_id` is
  our payment id), created with `PayPal-Request-Id: checkout:<payment id>` so a retried create
  is the same order. Its id is the provider payment id; the `payer-action` link (PayPal's
  approve page) is the checkout URL. The funding source is `payment_source.paypal` (with our
  return and cancel URLs), or `payment_source.venmo` for the `venmo` method (US/USD only;
  Venmo's experience context has no return URL, so its approval arrives by webhook).
- After the buyer approves, the order is **captured** (`capture_approved`: by the webhook's
  CHECKOUT.ORDER.APPROVED or when the buyer comes back to our return page), keyed by
  `PayPal-Request-Id: capture:<order id>` so two captures at once are one at PayPal.
- `get_payment` maps the order and its capture onto Mollie's names (`order_status`). An order
  PayPal no longer knows (unapproved orders are dropped after a few hours) is a ProviderError.
- Refunds refund the order's capture (`/v2/payments/captures/{id}/refund`), keyed by our
  idempotency key.
- Payouts: the SDK has no Payouts controller, so `POST /v1/payments/payouts` goes over httpx
  with the SDK's OAuth token; `sender_batch_id` and `PayPal-Request-Id` are our idempotency key,
  so a retried payout is the same batch. The destination is a PayPal e-mail, or
  `venmo:<handle>` (recipient_wallet VENMO, USD only). The item's status is read back.

Amounts: EUR, USD and GBP have two decimals at PayPal as here.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
from apimatic_core.exceptions.auth_validation_exception import AuthValidationException
from paypalserversdk.configuration import Configuration, Environment, Server
from paypalserversdk.exceptions.api_exception import ApiException
from paypalserversdk.http.auth.o_auth_2 import ClientCredentialsAuthCredentials
from paypalserversdk.models.amount_with_breakdown import AmountWithBreakdown
from paypalserversdk.models.checkout_payment_intent import CheckoutPaymentIntent
from paypalserversdk.models.money import Money as PaypalMoney
from paypalserversdk.models.order_request import OrderRequest
from paypalserversdk.models.payment_source import PaymentSource
from paypalserversdk.models.paypal_wallet import PaypalWallet
from paypalserversdk.models.paypal_wallet_experience_context import PaypalWalletExperienceContext
from paypalserversdk.models.purchase_unit_request import PurchaseUnitRequest
from paypalserversdk.models.refund_request import RefundRequest
from paypalserversdk.models.venmo_wallet_experience_context import VenmoWalletExperienceContext
from paypalserversdk.models.venmo_wallet_request import VenmoWalletRequest
from paypalserversdk.paypal_serversdk_client import PaypalServersdkClient
from requests import RequestException

from reelbyte.core.money import format_minor, to_minor
from reelbyte.payments.providers import base

API_BASES = {"sandbox": "https://api-m.sandbox.paypal.com", "live": "https://api-m.paypal.com"}
BRAND = "ReelByte"
# A capture's status onto Mollie's names; a refunded capture was paid (refunds are our own books).
CAPTURE_STATUSES = {
    "COMPLETED": "paid",
    "PARTIALLY_REFUNDED": "paid",
    "REFUNDED": "paid",
    "PENDING": "pending",
    "DECLINED": "failed",
    "FAILED": "failed",
}
# Capture refusals after which the order is simply read back (captured already, not approved
# yet, or the buyer's instrument declined: the order stays APPROVED until they approve again).
CAPTURE_READ_BACK = {"ORDER_ALREADY_CAPTURED", "ORDER_NOT_APPROVED", "INSTRUMENT_DECLINED"}
REFUND_FAILED = {"FAILED", "CANCELLED"}
PAYOUT_PAID = {"SUCCESS"}
PAYOUT_REJECTED = {"UNCLAIMED", "RETURNED", "FAILED", "BLOCKED", "REFUNDED", "REVERSED", "DENIED"}
# Payout refusals that pass: the platform's PayPal balance is short, or PayPal is busy.
TRANSIENT_PAYOUT_ERRORS = {"INSUFFICIENT_FUNDS", "RATE_LIMIT_REACHED", "INTERNAL_SERVER_ERROR"}
TRANSMISSION_HEADERS = {
    "auth_algo": "paypal-auth-algo",
    "cert_url": "paypal-cert-url",
    "transmission_id": "paypal-transmission-id",
    "transmission_sig": "paypal-transmission-sig",
    "transmission_time": "paypal-transmission-time",
}


class _Configuration(Configuration):  # type: ignore[misc]
    """The SDK's configuration with any base URL (a local server in the tests)."""

    def __init__(self, base_uri: str, **kwargs: Any) -> None:
        self._base_uri = base_uri
        super().__init__(**kwargs)

    def get_base_uri(self, server: Server = Server.DEFAULT) -> str:
        return self._base_uri


class PaypalCallError(base.ProviderError):
    def __init__(self, message: str, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body if isinstance(body, dict) else {}

    @property
    def issues(self) -> set[str]:
        details = self.body.get("details")
        found = {str(self.body.get("name", ""))}
        if isinstance(details, list):
            found |= {str(d.get("issue", "")) for d in details if isinstance(d, dict)}
        return found


def _amount(minor: int, currency: str) -> tuple[str, str]:
    return currency, format_minor(minor)


def _minor(amount: Any) -> tuple[int, str]:
    try:
        return to_minor(Decimal(str(amount["value"]))), str(amount["currency_code"])
    except (KeyError, TypeError, InvalidOperation, ValueError) as error:
        raise base.ProviderError(f"paypal: unreadable amount {amount!r}") from error


def _link(resource: Mapping[str, Any], *rels: str) -> str | None:
    for link in resource.get("links") or []:
        if isinstance(link, dict) and link.get("rel") in rels:
            return str(link.get("href"))
    return None


def first_capture(order: Mapping[str, Any]) -> dict[str, Any] | None:
    for unit in order.get("purchase_units") or []:
        captures = (unit.get("payments") or {}).get("captures") or []
        if captures:
            return dict(captures[0])
    return None


def order_status(order: Mapping[str, Any]) -> str:
    """An order's state in Mollie's words: CREATED/SAVED/PAYER_ACTION_REQUIRED → open (the buyer
    has not approved); APPROVED → pending (approved, not captured yet); VOIDED → canceled;
    COMPLETED → its capture's status (COMPLETED → paid, PENDING → pending, DECLINED/FAILED →
    failed)."""
    status = order.get("status")
    if status == "VOIDED":
        return "canceled"
    if status == "APPROVED":
        return "pending"
    if status == "COMPLETED":
        capture = first_capture(order)
        return CAPTURE_STATUSES.get(str(capture.get("status")), "pending") if capture else "pending"
    return "open"


def payment_of(order: Mapping[str, Any]) -> base.ProviderPayment:
    units = order.get("purchase_units") or []
    if not units:
        raise base.ProviderError(f"paypal: order {order.get('id')} has no purchase unit")
    amount_minor, currency = _minor(units[0].get("amount"))
    status = order_status(order)
    return base.ProviderPayment(
        id=str(order["id"]),
        status=status,
        amount_minor=amount_minor,
        currency=currency,
        checkout_url=_link(order, "payer-action", "approve") if status == "open" else None,
    )


class PaypalProvider:
    name = "paypal"

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        webhook_id: str | None = None,
        environment: str = "sandbox",
        api_base: str | None = None,
        timeout: float = 20,
    ) -> None:
        self.api_base = (api_base or API_BASES[environment]).rstrip("/")
        self.webhook_id = webhook_id
        self.timeout = timeout
        self.client = PaypalServersdkClient(
            config=_Configuration(
                self.api_base,
                timeout=timeout,
                environment=Environment.PRODUCTION if environment == "live" else Environment.SANDBOX,
                client_credentials_auth_credentials=ClientCredentialsAuthCredentials(
                    o_auth_client_id=client_id, o_auth_client_secret=client_secret
                ),
            )
        )
        self._token: Any = None
        self._token_lock = threading.Lock()

    # --- calls ---------------------------------------------------------------------------

    async def _sdk(self, fn: Callable[..., Any], *args: Any) -> dict[str, Any]:
        """One blocking SDK call in a thread; its JSON body, or a PaypalCallError."""
        try:
            response = await asyncio.to_thread(fn, *args)
        except ApiException as error:
            raise PaypalCallError(
                f"paypal: {error.response_code} {error.reason}",
                error.response_code,
                _json(getattr(error.response, "text", "")),
            ) from error
        except (AuthValidationException, RequestException) as error:
            raise PaypalCallError(f"paypal: {error}") from error
        return _json(response.text)

    def _fetch_token(self) -> str:
        with self._token_lock:
            oauth = self.client.oauth_2
            if self._token is None or oauth.is_token_expired(self._token):
                self._token = oauth.fetch_token()
            return str(self._token.access_token)

    async def _access_token(self) -> str:
        try:
            return await asyncio.to_thread(self._fetch_token)
        except (ApiException, RequestException) as error:
            raise PaypalCallError(f"paypal: no access token ({error})") from error

    async def _rest(
        self, method: str, path: str, *, content: bytes | None = None, request_id: str | None = None
    ) -> dict[str, Any]:
        """A REST call the SDK has no controller for, with the SDK's OAuth token."""
        headers = {"Authorization": f"Bearer {await self._access_token()}", "Accept": "application/json"}
        if content is not None:
            headers["Content-Type"] = "application/json"
        if request_id:
            headers["PayPal-Request-Id"] = request_id
        try:
            async with httpx.AsyncClient(base_url=self.api_base, timeout=self.timeout) as client:
                response = await client.request(method, path, content=content, headers=headers)
        except httpx.HTTPError as error:
            raise PaypalCallError(f"paypal: {error}") from error
        body = _json(response.text)
        if response.status_code >= 400:
            raise PaypalCallError(
                f"paypal: {response.status_code} {body.get('name')}", response.status_code, body
            )
        return body

    # --- payments ------------------------------------------------------------------------

    def _payment_source(self, request: base.PaymentRequest) -> PaymentSource:
        if request.method == "venmo":
            return PaymentSource(
                venmo=VenmoWalletRequest(
                    experience_context=VenmoWalletExperienceContext(
                        brand_name=BRAND, shipping_preference="NO_SHIPPING", user_action="PAY_NOW"
                    )
                )
            )
        return PaymentSource(
            paypal=PaypalWallet(
                experience_context=PaypalWalletExperienceContext(
                    brand_name=BRAND,
                    shipping_preference="NO_SHIPPING",
                    user_action="PAY_NOW",
                    return_url=request.redirect_url,
                    cancel_url=request.redirect_url,
                )
            )
        )

    async def create_payment(self, request: base.PaymentRequest) -> base.ProviderPayment:
        """An order to capture; `webhook_url` is unused (PayPal's is set in its dashboard)."""
        if request.method not in (None, "paypal", "venmo"):
            raise base.ProviderError(f"paypal: no method {request.method!r}")
        currency, value = _amount(request.amount_minor, request.currency)
        payment_id = request.metadata.get("payment_id", "")
        body = OrderRequest(
            intent=CheckoutPaymentIntent.CAPTURE,
            purchase_units=[
                PurchaseUnitRequest(
                    amount=AmountWithBreakdown(currency_code=currency, value=value),
                    custom_id=payment_id,
                    description=request.description[:127],
                )
            ],
            payment_source=self._payment_source(request),
        )
        options: dict[str, Any] = {"body": body, "prefer": "return=representation"}
        if payment_id:  # a retried create is the same order at PayPal
            options["paypal_request_id"] = f"checkout:{payment_id}"
        return payment_of(await self._sdk(self.client.orders.create_order, options))

    async def _order(self, order_id: str) -> dict[str, Any]:
        return await self._sdk(self.client.orders.get_order, {"id": order_id})

    async def get_payment(self, provider_payment_id: str) -> base.ProviderPayment:
        return payment_of(await self._order(provider_payment_id))

    async def capture_approved(self, order_id: str) -> base.ProviderPayment:
        """Capture the order if the buyer approved it; the order as it then is."""
        order = await self._order(order_id)
        if order.get("status") != "APPROVED":
            return payment_of(order)
        try:
            captured = await self._sdk(
                self.client.orders.capture_order,
                {
                    "id": order_id,
                    "paypal_request_id": f"capture:{order_id}",
                    "prefer": "return=representation",
                },
            )
        except PaypalCallError as error:
            if error.status != 422 or not (error.issues & CAPTURE_READ_BACK):
                raise
            return await self.get_payment(order_id)
        return payment_of(captured)

    async def create_refund(
        self, *, provider_payment_id: str, amount_minor: int, currency: str, idempotency_key: str
    ) -> base.ProviderRefund:
        capture = first_capture(await self._order(provider_payment_id))
        if capture is None:
            raise base.ProviderError(f"paypal: order {provider_payment_id} has no capture to refund")
        code, value = _amount(amount_minor, currency)
        refund = await self._sdk(
            self.client.payments.refund_captured_payment,
            {
                "capture_id": capture["id"],
                "body": RefundRequest(amount=PaypalMoney(currency_code=code, value=value)),
                "paypal_request_id": idempotency_key,
                "prefer": "return=representation",
            },
        )
        status = str(refund.get("status", ""))
        if status in REFUND_FAILED:
            raise base.ProviderError(f"paypal: refund {refund.get('id')} is {status}")
        return base.ProviderRefund(id=str(refund["id"]), status=status.lower() or "pending")

    # --- payouts -------------------------------------------------------------------------

    async def create_payout(
        self, *, destination: str, amount_minor: int, currency: str, idempotency_key: str
    ) -> base.ProviderPayout:
        """A PayPal Payouts batch of one item to a PayPal e-mail or `venmo:<handle>`.

        SUCCESS → paid; PENDING (or on hold) → pending; UNCLAIMED, RETURNED, FAILED, BLOCKED, …
        or a refusal of the request itself → base.PayoutRejected. A short PayPal balance, rate
        limits and network errors: base.ProviderError (retried with the same key)."""
        item = _payout_item(destination, amount_minor, currency, idempotency_key)
        body = {
            "sender_batch_header": {
                "sender_batch_id": idempotency_key,
                "email_subject": "You have a payout from ReelByte",
                "email_message": "Your ReelByte earnings are on their way.",
            },
            "items": [item],
        }
        try:
            batch = await self._rest(
                "POST", "/v1/payments/payouts", content=json.dumps(body).encode(), request_id=idempotency_key
            )
            return await self._payout_result(batch)
        except PaypalCallError as error:
            final = error.status is not None and 400 <= error.status < 500 and error.status not in (401, 429)
            if final and not (error.issues & TRANSIENT_PAYOUT_ERRORS):
                raise base.PayoutRejected(f"paypal: {error.body.get('message') or error}") from error
            raise

    async def _payout_result(self, batch: Mapping[str, Any]) -> base.ProviderPayout:
        batch_id = str((batch.get("batch_header") or {}).get("payout_batch_id", ""))
        if not batch_id:
            raise base.ProviderError("paypal: the payout batch has no id")
        listed = await self._rest("GET", f"/v1/payments/payouts/{batch_id}")
        items = listed.get("items") or []
        if not items:  # PayPal has not split the batch into items yet
            return base.ProviderPayout(id=batch_id, status="pending")
        item_id = str(items[0].get("payout_item_id"))
        item = await self._rest("GET", f"/v1/payments/payouts-item/{item_id}")
        status = str(item.get("transaction_status", "PENDING"))
        if status in PAYOUT_PAID:
            return base.ProviderPayout(id=item_id, status="paid")
        if status in PAYOUT_REJECTED:
            reason = (item.get("errors") or {}).get("message") or status.lower()
            raise base.PayoutRejected(f"paypal: payout {item_id} {status}: {reason}")
        return base.ProviderPayout(id=item_id, status="pending")

    # --- webhooks ------------------------------------------------------------------------

    async def verify_webhook(self, headers: Mapping[str, str], raw_event: bytes) -> bool:
        """PayPal's verify-webhook-signature call with the transmission headers, our webhook id
        and the event exactly as received (re-serializing it would break the signature)."""
        fields = {name: headers.get(header) for name, header in TRANSMISSION_HEADERS.items()}
        if not self.webhook_id or not all(fields.values()):
            return False
        fields["webhook_id"] = self.webhook_id
        prefix = json.dumps(fields)[:-1]
        content = f'{prefix}, "webhook_event": '.encode() + raw_event + b"}"
        try:
            answer = await self._rest("POST", "/v1/notifications/verify-webhook-signature", content=content)
        except PaypalCallError as error:
            if error.status == 400:  # PayPal could not even parse what we sent: not verified
                return False
            raise
        return answer.get("verification_status") == "SUCCESS"


def _payout_item(destination: str, amount_minor: int, currency: str, key: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "amount": {"currency": currency, "value": format_minor(amount_minor)},
        "sender_item_id": key[:63],
        "note": "ReelByte earnings",
    }
    if destination.startswith("venmo:"):
        if currency != "USD":
            raise base.PayoutRejected("paypal: Venmo pays out only in USD")
        return item | {
            "recipient_type": "USER_HANDLE",
            "receiver": destination[6:],
            "recipient_wallet": "VENMO",
        }
    return item | {"recipient_type": "EMAIL", "receiver": destination, "recipient_wallet": "PAYPAL"}


def _json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}

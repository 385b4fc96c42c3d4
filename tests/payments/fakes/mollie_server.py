"""A local Mollie API (v2) for the tests: the documented JSON of payments, refunds, the current
organization, Connect balance transfers, customers, mandates and customer subscriptions, kept
in memory.

What Mollie does on its side is done by the test through this object: `set_status` (the shopper
paid, or the payment expired; a paid `first` payment leaves a valid mandate on its customer, as
Mollie's does), `refuse_organization` (a creator whose organisation has not authorised
transfers), `fail_next` (Mollie has a bad moment), and `charge` (a subscription's payment date
came: Mollie creates its recurring payment, paid or failed, and moves `nextPaymentDate` on).

Mollie Connect (OAuth): `/oauth2/authorize` plays the consent screen: it approves at once, for
a new organisation whose onboarding is `next_onboarding` (or for the known one `returning`
names), and redirects back with a code; `/oauth2/tokens` exchanges the code (client credentials
in HTTP Basic) for an access token, with which `/v2/organizations/me` and `/v2/onboarding/me`
answer for that organisation; `set_onboarding` moves an organisation's onboarding on.
"""

from __future__ import annotations

import base64
import calendar
import json
import re
import secrets
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

HAL = "application/hal+json"
DOCS = {"href": "https://docs.mollie.com/overview/handling-errors", "type": "text/html"}
TITLES = {
    400: "Bad Request",
    401: "Unauthorized Request",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
STATUSES = {"open", "pending", "authorized", "paid", "failed", "expired", "canceled"}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(8).replace('-', 'x').replace('_', 'y')}"


def _valid_amount(amount: Any) -> bool:
    if not isinstance(amount, dict) or not isinstance(amount.get("currency"), str):
        return False
    value = amount.get("value")
    return (
        isinstance(value, str) and len(value.rsplit(".", 1)[-1]) == 2 and value.replace(".", "", 1).isdigit()
    )


def _months_later(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _cents(amount: dict[str, str]) -> int:
    return int(Decimal(amount["value"]) * 100)


def _value(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


class MollieError(Exception):
    def __init__(self, status: int, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.field = status, detail, field


class FakeMollie:
    def __init__(self, api_key: str = "test_reelbytefakemollie0000000000") -> None:
        self.api_key = api_key
        self.organization_id = "org_1000001"
        self.base_url = ""  # set once the server runs
        self.payments: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.transfers: dict[str, dict[str, Any]] = {}
        self.customers: dict[str, dict[str, Any]] = {}
        self.mandates: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.refused_organizations: set[str] = set()
        self.transfer_status = "succeeded"  # Mollie settles a test-mode transfer at once
        # Mollie Connect: our OAuth app, the creators' organisations, codes and access tokens.
        self.client_id = "app_reelbytefake0001"
        self.client_secret = "secret_reelbytefake0001"
        self.next_onboarding = "completed"
        self.returning: str | None = None  # the organisation that consents next, if a known one
        self.organizations: dict[str, dict[str, Any]] = {}
        self.oauth_codes: dict[str, tuple[str, str]] = {}  # code: organisation id, redirect_uri
        self.access_tokens: dict[str, str] = {}  # access token: organisation id
        self.requests: list[tuple[str, str, str | None]] = []  # method, path, Idempotency-Key
        self._replies: dict[str, tuple[int, dict[str, Any]]] = {}
        self._failures: list[tuple[int, str | None]] = []  # status, for requests to this path
        self._lock = threading.Lock()
        self.app = Starlette(
            routes=[
                Route("/v2/payments", self.create_payment, methods=["POST"]),
                Route("/v2/payments/{id}", self.get_payment, methods=["GET"]),
                Route("/v2/payments/{id}/refunds", self.create_refund, methods=["POST"]),
                Route("/v2/organizations/me", self.get_organization, methods=["GET"]),
                Route("/v2/methods", self.list_methods, methods=["GET"]),
                Route("/v2/onboarding/me", self.get_onboarding, methods=["GET"]),
                Route("/oauth2/authorize", self.authorize, methods=["GET"]),
                Route("/oauth2/tokens", self.exchange_code, methods=["POST"]),
                Route("/v2/connect/balance-transfers", self.create_transfer, methods=["POST"]),
                Route("/v2/connect/balance-transfers/{id}", self.get_transfer, methods=["GET"]),
                Route("/v2/customers", self.create_customer, methods=["POST"]),
                Route("/v2/customers/{id}", self.get_customer, methods=["GET"]),
                Route("/v2/customers/{customer}/mandates", self.list_mandates, methods=["GET"]),
                Route("/v2/customers/{customer}/subscriptions", self.create_subscription, methods=["POST"]),
                Route(
                    "/v2/customers/{customer}/subscriptions/{id}",
                    self.get_subscription,
                    methods=["GET"],
                ),
                Route(
                    "/v2/customers/{customer}/subscriptions/{id}",
                    self.update_subscription,
                    methods=["PATCH"],
                ),
                Route(
                    "/v2/customers/{customer}/subscriptions/{id}",
                    self.cancel_subscription,
                    methods=["DELETE"],
                ),
            ]
        )

    # --- what the test does on Mollie's side --------------------------------------------------

    def set_status(self, payment_id: str, status: str) -> None:
        assert status in STATUSES
        with self._lock:
            payment = self.payments[payment_id]
            payment["status"] = status
            if status != "open":
                payment["_links"].pop("checkout", None)
            if status == "paid":
                payment["paidAt"] = _now()
                payment["method"] = payment["method"] or "ideal"
                payment["amountRefunded"] = {"currency": payment["amount"]["currency"], "value": "0.00"}
                payment["amountRemaining"] = dict(payment["amount"])
                if payment["sequenceType"] == "first":
                    payment["mandateId"] = self._new_mandate(payment["customerId"])["id"]
            elif status in {"failed", "expired", "canceled"}:
                payment[f"{status}At"] = _now()

    def refuse_organization(self, organization_id: str) -> None:
        self.refused_organizations.add(organization_id)

    def fail_next(self, status: int = 503, times: int = 1, *, path: str | None = None) -> None:
        """The next request(s) fail; with `path`, the next ones to a path that starts with it."""
        self._failures.extend([(status, path)] * times)

    def reset(self) -> None:
        with self._lock:
            self.payments.clear()
            self.refunds.clear()
            self.transfers.clear()
            self.customers.clear()
            self.mandates.clear()
            self.subscriptions.clear()
            self.refused_organizations.clear()
            self.transfer_status = "succeeded"  # Mollie settles a test-mode transfer at once
            self.next_onboarding = "completed"
            self.returning = None
            self.organizations.clear()
            self.oauth_codes.clear()
            self.access_tokens.clear()
            self.requests.clear()
            self._replies.clear()
            self._failures.clear()

    # --- the API ------------------------------------------------------------------------------

    def _link(self, path: str) -> dict[str, str]:
        return {"href": f"{self.base_url}/v2/{path}", "type": HAL}

    @staticmethod
    def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
        return Response(json.dumps(body), status_code=status, media_type=HAL, headers=headers)

    @staticmethod
    def _error(error: MollieError) -> Response:
        body: dict[str, Any] = {
            "status": error.status,
            "title": TITLES.get(error.status, "Error"),
            "detail": error.detail,
            "_links": {"documentation": DOCS},
        }
        if error.field:
            body["field"] = error.field
        return FakeMollie._json(error.status, body)

    async def _handle(self, request: Request, work: Any) -> Response:
        """Authentication, injected failures, idempotent replays, then `work(body)`."""
        key = request.headers.get("idempotency-key")
        self.requests.append((request.method, request.url.path, key))
        if self._caller(request) is None:
            return self._error(MollieError(401, "Missing authentication, or failed to authenticate"))
        failing = next((f for f in self._failures if f[1] is None or request.url.path.startswith(f[1])), None)
        if failing is not None:
            self._failures.remove(failing)
            return self._error(MollieError(failing[0], "Mollie is having a bad moment; try again later"))
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            return self._error(MollieError(400, "The request body is not valid JSON"))
        replay_key = f"{request.url.path}:{key}" if key and request.method == "POST" else None
        with self._lock:
            if replay_key and replay_key in self._replies:
                status, reply = self._replies[replay_key]
                return self._json(status, reply, {"Idempotent-Replayed": "true"})
            try:
                status, reply = work(request, body)
            except MollieError as error:
                return self._error(error)
            if replay_key:
                self._replies[replay_key] = (status, reply)
        return self._json(status, reply)

    async def create_payment(self, request: Request) -> Response:
        def work(_: Request, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            if not _valid_amount(body.get("amount")):
                raise MollieError(422, "The amount contains an invalid value", "amount")
            # Recurring payments are made by this fake's subscriptions only (`charge`).
            sequence = body.get("sequenceType", "oneoff")
            if sequence not in ("oneoff", "first"):
                raise MollieError(422, "The sequence type is invalid", "sequenceType")
            customer_id = body.get("customerId")
            if customer_id is not None and customer_id not in self.customers:
                raise MollieError(404, f"No customer exists with token {customer_id}.", "customerId")
            if sequence == "first" and customer_id is None:
                raise MollieError(422, "A first payment needs a customer", "customerId")
            mandate_id = None
            for field in ("description", "redirectUrl"):
                if not body.get(field):
                    raise MollieError(422, f"The {field} is missing", field)
            payment_id = _token("tr")
            created = datetime.now(UTC)
            payment = {
                "resource": "payment",
                "id": payment_id,
                "mode": "test",
                "createdAt": created.isoformat(timespec="seconds"),
                "amount": body["amount"],
                "description": body["description"],
                "method": body.get("method"),
                "metadata": body.get("metadata"),
                "status": "open",
                "isCancelable": False,
                "expiresAt": (created + timedelta(minutes=15)).isoformat(timespec="seconds"),
                "details": None,
                "profileId": "pfl_QkEhN94Ba",
                "sequenceType": sequence,
                "customerId": customer_id,
                "mandateId": mandate_id,
                "redirectUrl": body.get("redirectUrl"),
                "webhookUrl": body.get("webhookUrl"),
                "_links": {
                    "self": self._link(f"payments/{payment_id}"),
                    "checkout": {
                        "href": f"https://www.mollie.com/checkout/select-method/{payment_id[3:]}",
                        "type": "text/html",
                    },
                    "dashboard": {
                        "href": f"https://www.mollie.com/dashboard/payments/{payment_id}",
                        "type": "text/html",
                    },
                    "documentation": {
                        "href": "https://docs.mollie.com/reference/create-payment",
                        "type": "text/html",
                    },
                },
            }
            if customer_id is not None:
                payment["_links"]["customer"] = self._link(f"customers/{customer_id}")
            self.payments[payment_id] = payment
            return 201, payment

        return await self._handle(request, work)

    def _payment(self, payment_id: str) -> dict[str, Any]:
        payment = self.payments.get(payment_id)
        if payment is None:
            raise MollieError(404, f"No payment exists with token {payment_id}.")
        return payment

    async def get_payment(self, request: Request) -> Response:
        def work(request: Request, _: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            return 200, self._payment(request.path_params["id"])

        return await self._handle(request, work)

    async def create_refund(self, request: Request) -> Response:
        def work(request: Request, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            payment = self._payment(request.path_params["id"])
            if payment["status"] != "paid":
                raise MollieError(422, "The payment cannot be refunded: it has not been paid")
            amount = body.get("amount")
            if not _valid_amount(amount) or amount["currency"] != payment["amount"]["currency"]:
                raise MollieError(422, "The amount contains an invalid value", "amount")
            remaining = _cents(payment["amountRemaining"])
            if _cents(amount) > remaining:
                raise MollieError(
                    422, "The refund amount is higher than the amount that is left to refund", "amount"
                )
            payment["amountRemaining"]["value"] = _value(remaining - _cents(amount))
            refunded = _cents(payment["amountRefunded"]) + _cents(amount)
            payment["amountRefunded"]["value"] = _value(refunded)
            refund_id = _token("re")
            refund = {
                "resource": "refund",
                "id": refund_id,
                "amount": amount,
                "status": "pending",
                "createdAt": _now(),
                "description": body.get("description", ""),
                "metadata": body.get("metadata"),
                "paymentId": payment["id"],
                "settlementAmount": {"currency": amount["currency"], "value": f"-{amount['value']}"},
                "_links": {
                    "self": self._link(f"payments/{payment['id']}/refunds/{refund_id}"),
                    "payment": self._link(f"payments/{payment['id']}"),
                    "documentation": {
                        "href": "https://docs.mollie.com/reference/create-refund",
                        "type": "text/html",
                    },
                },
            }
            self.refunds[refund_id] = refund
            return 201, refund

        return await self._handle(request, work)

    def _caller(self, request: Request) -> str | None:
        """The organisation a request acts for: ours (the API key), a creator's (an access
        token), or None (not authenticated)."""
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token == self.api_key:
            return self.organization_id
        return self.access_tokens.get(token)

    def set_onboarding(self, organization_id: str, status: str) -> None:
        assert status in ("needs-data", "in-review", "completed")
        self.organizations[organization_id]["_onboarding"] = status

    async def authorize(self, request: Request) -> Response:
        """The consent screen, approved at once: a new organisation, back with a code."""
        query = request.query_params
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return Response("Unknown client or response type", status_code=400)
        known = self.returning
        organization_id = known if known in self.organizations else f"org_{secrets.randbelow(10**8):08d}"
        self.organizations.setdefault(
            organization_id,
            {
                "resource": "organization",
                "id": organization_id,
                "name": f"Creator {organization_id[-4:]} B.V.",
                "email": f"{organization_id}@creators.example",
                "locale": "nl_NL",
                "_onboarding": self.next_onboarding,
            },
        )
        code = _token("auth")
        self.oauth_codes[code] = (organization_id, query.get("redirect_uri", ""))
        separator = "&" if "?" in query.get("redirect_uri", "") else "?"
        target = f"{query.get('redirect_uri', '')}{separator}code={code}&state={query.get('state', '')}"
        return RedirectResponse(target, status_code=302)

    async def exchange_code(self, request: Request) -> Response:
        """`POST /oauth2/tokens` (authorization_code): a code is good once, for its redirect_uri."""
        credentials = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {credentials}":
            return self._json(401, {"error": "invalid_client"})
        form = await request.form()
        grant = self.oauth_codes.pop(str(form.get("code", "")), None)
        if form.get("grant_type") != "authorization_code" or grant is None:
            return self._json(400, {"error": "invalid_grant"})
        organization_id, redirect_uri = grant
        if form.get("redirect_uri") != redirect_uri:
            return self._json(400, {"error": "invalid_grant"})
        token = _token("access")
        self.access_tokens[token] = organization_id
        body = {
            "access_token": token,
            "refresh_token": _token("refresh"),
            "expires_in": 3600,
            "token_type": "bearer",
            "scope": "organizations.read onboarding.read",
        }
        return Response(json.dumps(body), media_type="application/json")

    async def get_onboarding(self, request: Request) -> Response:
        def work(request: Request, __: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            organization = self.organizations.get(self._caller(request) or "")
            if organization is None:  # Mollie's onboarding is per organisation, of an OAuth grant
                raise MollieError(404, "No onboarding for this organization")
            status = organization["_onboarding"]
            return 200, {
                "resource": "onboarding",
                "name": organization["name"],
                "signedUpAt": _now(),
                "status": status,
                "canReceivePayments": status != "needs-data",
                "canReceiveSettlements": status == "completed",
                "_links": {"self": self._link("onboarding/me")},
            }

        return await self._handle(request, work)

    # Mollie's methods per currency (activated on the fake profile), and their amount limits.
    METHODS = {
        "creditcard": ("Card", {"EUR", "USD", "GBP"}),
        "ideal": ("iDEAL", {"EUR"}),
        "bancontact": ("Bancontact", {"EUR"}),
        "paypal": ("PayPal", {"EUR", "USD", "GBP"}),
    }

    async def list_methods(self, request: Request) -> Response:
        """`GET /v2/methods?amount[value]&amount[currency]`: the activated methods for the amount."""

        def work(request: Request, __: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            currency = request.query_params.get("amount[currency]")
            value = request.query_params.get("amount[value]")
            methods = [
                {
                    "resource": "method",
                    "id": method_id,
                    "description": description,
                    "minimumAmount": {"value": "0.01", "currency": currency or "EUR"},
                    "maximumAmount": {"value": "50000.00", "currency": currency or "EUR"},
                    "status": "activated",
                    "_links": {"self": self._link(f"methods/{method_id}")},
                }
                for method_id, (description, currencies) in self.METHODS.items()
                if currency is None or (currency in currencies and value is not None)
            ]
            return 200, {
                "count": len(methods),
                "_embedded": {"methods": methods},
                "_links": {"self": self._link("methods"), "documentation": None},
            }

        return await self._handle(request, work)

    async def get_organization(self, request: Request) -> Response:
        def work(request: Request, __: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            creator = self.organizations.get(self._caller(request) or "")
            if creator is not None:
                return 200, {k: v for k, v in creator.items() if not k.startswith("_")}
            return 200, {
                "resource": "organization",
                "id": self.organization_id,
                "name": "ReelByte B.V.",
                "email": "finance@reelbyte.example",
                "locale": "nl_NL",
                "address": {
                    "streetAndNumber": "Keizersgracht 126",
                    "postalCode": "1015 CW",
                    "city": "Amsterdam",
                    "country": "NL",
                },
                "registrationNumber": "30204462",
                "vatNumber": "NL815839091B01",
                "_links": {"self": self._link(f"organizations/{self.organization_id}")},
            }

        return await self._handle(request, work)

    async def create_transfer(self, request: Request) -> Response:
        def work(_: Request, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            if not _valid_amount(body.get("amount")):
                raise MollieError(422, "The amount contains an invalid value", "amount")
            source, destination = body.get("source") or {}, body.get("destination") or {}
            if source.get("type") != "organization" or source.get("id") != self.organization_id:
                raise MollieError(422, "The source must be your own organization", "source.id")
            if destination.get("type") != "organization" or not str(destination.get("id", "")).startswith(
                "org_"
            ):
                raise MollieError(422, "The destination is invalid", "destination.id")
            if destination["id"] in self.refused_organizations:
                raise MollieError(
                    422,
                    "The destination organization has not authorized balance transfers for your organization",
                    "destination.id",
                )
            if not body.get("description"):
                raise MollieError(422, "The description is missing", "description")
            transfer_id = _token("cbtr")
            failed = self.transfer_status == "failed"
            transfer = {
                "resource": "connect-balance-transfer",
                "id": transfer_id,
                "amount": body["amount"],
                "source": source,
                "destination": destination,
                "description": body["description"],
                "status": self.transfer_status,
                "statusReason": (
                    {"code": "insufficient_funds", "message": "Insufficient funds in the source balance."}
                    if failed
                    else None
                ),
                "category": body.get("category"),
                "createdAt": _now(),
                "mode": "test",
                "_links": {"self": self._link(f"connect/balance-transfers/{transfer_id}")},
            }
            self.transfers[transfer_id] = transfer
            return 201, transfer

        return await self._handle(request, work)

    async def get_transfer(self, request: Request) -> Response:
        def work(request: Request, _: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            transfer = self.transfers.get(request.path_params["id"])
            if transfer is None:
                raise MollieError(404, "No balance transfer exists with this id.")
            return 200, transfer

        return await self._handle(request, work)

    # --- customers, mandates and subscriptions: what the test does on Mollie's side ------------

    def charge(self, subscription_id: str, status: str = "paid", at: datetime | None = None) -> str:
        """The subscription's payment date came: Mollie creates its recurring payment (on the
        mandate, without the shopper), `paid` or `failed`, and moves `nextPaymentDate` one
        interval on. `at`: when (default: the morning of the payment date). Returns its id."""
        assert status in {"paid", "failed", "pending"}
        with self._lock:
            subscription = self.subscriptions[subscription_id]
            assert subscription["status"] == "active", (
                f"a {subscription['status']} subscription charges nothing"
            )
            due = date.fromisoformat(subscription["nextPaymentDate"])
            created = at or datetime(due.year, due.month, due.day, 4, tzinfo=UTC)
            payment_id = _token("tr")
            customer_id = subscription["_customer"]
            payment: dict[str, Any] = {
                "resource": "payment",
                "id": payment_id,
                "mode": "test",
                "createdAt": created.isoformat(timespec="seconds"),
                "amount": dict(subscription["amount"]),
                "description": subscription["description"],
                "method": "creditcard",
                "metadata": None,
                "status": status,
                "isCancelable": False,
                "details": None,
                "profileId": "pfl_QkEhN94Ba",
                "sequenceType": "recurring",
                "customerId": customer_id,
                "mandateId": subscription["mandateId"],
                "subscriptionId": subscription_id,
                "redirectUrl": None,
                "webhookUrl": subscription["webhookUrl"],
                "_links": {
                    "self": self._link(f"payments/{payment_id}"),
                    "customer": self._link(f"customers/{customer_id}"),
                    "mandate": self._link(f"customers/{customer_id}/mandates/{subscription['mandateId']}"),
                    "subscription": self._link(f"customers/{customer_id}/subscriptions/{subscription_id}"),
                },
            }
            if status == "paid":
                payment["paidAt"] = created.isoformat(timespec="seconds")
            elif status == "failed":
                payment["failedAt"] = created.isoformat(timespec="seconds")
            self.payments[payment_id] = payment
            subscription["_charged"] += 1
            subscription["nextPaymentDate"] = _months_later(
                date.fromisoformat(subscription["startDate"]),
                subscription["_charged"] * subscription["_months"],
            ).isoformat()
            return payment_id

    def _new_mandate(self, customer_id: str) -> dict[str, Any]:
        mandate_id = _token("mdt")
        mandate = {
            "resource": "mandate",
            "id": mandate_id,
            "mode": "test",
            "status": "valid",
            "method": "creditcard",
            "details": {
                "cardHolder": "R. Byte",
                "cardNumber": "6787",
                "cardLabel": "Mastercard",
                "cardFingerprint": secrets.token_hex(8),
                "cardExpiryDate": "2030-12-31",
            },
            "mandateReference": None,
            "signatureDate": date.today().isoformat(),
            "createdAt": _now(),
            "_links": {
                "self": self._link(f"customers/{customer_id}/mandates/{mandate_id}"),
                "customer": self._link(f"customers/{customer_id}"),
            },
            "_customer": customer_id,
        }
        self.mandates[mandate_id] = mandate
        return mandate

    # --- customers, mandates and subscriptions: the API --------------------------------------

    @staticmethod
    def _public(obj: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in obj.items() if not k.startswith("_")}

    def _customer(self, customer_id: str) -> dict[str, Any]:
        customer = self.customers.get(customer_id)
        if customer is None:
            raise MollieError(404, f"No customer exists with token {customer_id}.")
        return customer

    def _subscription(self, request: Request) -> dict[str, Any]:
        customer_id, subscription_id = request.path_params["customer"], request.path_params["id"]
        self._customer(customer_id)
        subscription = self.subscriptions.get(subscription_id)
        if subscription is None or subscription["_customer"] != customer_id:
            raise MollieError(404, f"No subscription exists with token {subscription_id}.")
        return subscription

    def _valid_mandate(self, customer_id: str, mandate_id: str | None) -> str:
        valid = [
            m["id"]
            for m in self.mandates.values()
            if m["_customer"] == customer_id and m["status"] == "valid"
        ]
        if mandate_id is not None:
            if mandate_id not in valid:
                raise MollieError(422, "The mandate is not valid for this customer", "mandateId")
            return mandate_id
        if not valid:
            raise MollieError(422, "The customer has no valid mandates", "mandateId")
        return valid[-1]

    async def create_customer(self, request: Request) -> Response:
        def work(_: Request, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            customer_id = _token("cst")
            customer = {
                "resource": "customer",
                "id": customer_id,
                "mode": "test",
                "name": body.get("name"),
                "email": body.get("email"),
                "locale": body.get("locale"),
                "metadata": body.get("metadata"),
                "createdAt": _now(),
                "_links": {
                    "self": self._link(f"customers/{customer_id}"),
                    "documentation": {
                        "href": "https://docs.mollie.com/reference/create-customer",
                        "type": "text/html",
                    },
                },
            }
            self.customers[customer_id] = customer
            return 201, customer

        return await self._handle(request, work)

    async def get_customer(self, request: Request) -> Response:
        def work(request: Request, _: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            return 200, self._customer(request.path_params["id"])

        return await self._handle(request, work)

    async def list_mandates(self, request: Request) -> Response:
        def work(request: Request, _: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            customer_id = request.path_params["customer"]
            self._customer(customer_id)
            found = [self._public(m) for m in self.mandates.values() if m["_customer"] == customer_id]
            return 200, {
                "count": len(found),
                "_embedded": {"mandates": found},
                "_links": {
                    "self": self._link(f"customers/{customer_id}/mandates"),
                    "previous": None,
                    "next": None,
                },
            }

        return await self._handle(request, work)

    async def create_subscription(self, request: Request) -> Response:
        def work(request: Request, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            customer_id = request.path_params["customer"]
            self._customer(customer_id)
            if not _valid_amount(body.get("amount")):
                raise MollieError(422, "The amount contains an invalid value", "amount")
            interval = re.fullmatch(r"(\d+) months?", str(body.get("interval", "")))
            if interval is None:  # this fake counts in months only
                raise MollieError(422, "The interval is invalid", "interval")
            description = body.get("description")
            if not description:
                raise MollieError(422, "The description is missing", "description")
            if any(
                s["_customer"] == customer_id and s["status"] == "active" and s["description"] == description
                for s in self.subscriptions.values()
            ):
                raise MollieError(
                    422,
                    "The description must be unique among the customer's active subscriptions",
                    "description",
                )
            mandate_id = self._valid_mandate(customer_id, body.get("mandateId"))
            today = date.today()
            try:
                start = date.fromisoformat(body["startDate"]) if body.get("startDate") else today
            except ValueError as error:
                raise MollieError(422, "The start date is invalid", "startDate") from error
            if start < today:
                raise MollieError(422, "The start date cannot be in the past", "startDate")
            subscription_id = _token("sub")
            subscription = {
                "resource": "subscription",
                "id": subscription_id,
                "mode": "test",
                "createdAt": _now(),
                "status": "active",
                "amount": body["amount"],
                "times": body.get("times"),
                "timesRemaining": body.get("times"),
                "interval": body["interval"],
                "startDate": start.isoformat(),
                "nextPaymentDate": start.isoformat(),
                "description": description,
                "method": body.get("method"),
                "mandateId": mandate_id,
                "webhookUrl": body.get("webhookUrl"),
                "metadata": body.get("metadata"),
                "_links": {
                    "self": self._link(f"customers/{customer_id}/subscriptions/{subscription_id}"),
                    "customer": self._link(f"customers/{customer_id}"),
                    "profile": self._link("profiles/pfl_QkEhN94Ba"),
                    "documentation": {
                        "href": "https://docs.mollie.com/reference/create-subscription",
                        "type": "text/html",
                    },
                },
                "_customer": customer_id,
                "_months": int(interval.group(1)),
                "_charged": 0,
            }
            self.subscriptions[subscription_id] = subscription
            return 201, self._public(subscription)

        return await self._handle(request, work)

    async def get_subscription(self, request: Request) -> Response:
        def work(request: Request, _: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            return 200, self._public(self._subscription(request))

        return await self._handle(request, work)

    async def update_subscription(self, request: Request) -> Response:
        def work(request: Request, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            subscription = self._subscription(request)
            if subscription["status"] in ("canceled", "completed"):
                raise MollieError(422, "Canceled subscriptions cannot be updated")
            if "amount" in body:
                if not _valid_amount(body["amount"]):
                    raise MollieError(422, "The amount contains an invalid value", "amount")
                subscription["amount"] = body["amount"]
            for field in ("description", "metadata", "webhookUrl"):
                if field in body:
                    subscription[field] = body[field]
            return 200, self._public(subscription)

        return await self._handle(request, work)

    async def cancel_subscription(self, request: Request) -> Response:
        def work(request: Request, _: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            subscription = self._subscription(request)
            if subscription["status"] == "canceled":
                raise MollieError(422, "The subscription has been canceled")
            subscription.update(status="canceled", canceledAt=_now(), nextPaymentDate=None)
            return 200, self._public(subscription)

        return await self._handle(request, work)

"""A local Stripe API for the tests: form-encoded requests in, Stripe's documented JSON out, for
Checkout Sessions (payment and subscription mode), refunds, Connect transfers, and Billing's
customers, products, subscriptions, invoices and customer portal sessions, kept in memory.

Like Stripe, it honours `Idempotency-Key`: the same key with the same parameters answers the
first response again (`Idempotent-Replayed: true`), with other parameters an
`idempotency_error`. What happens on Stripe's side is done by the test through this object:
`complete` (the shopper paid), `complete_async`/`fail_async` (a SEPA-like method), `expire`,
`refuse_account`, `available_balance` and `fail_next`; for subscriptions `complete_subscription`
(the subscriber paid the first invoice), `renew` (the next period's invoice, paid or declined),
`settle` (a declined invoice paid after all), `end` (a subscription ends at its period end) and
`decline_next_payment`. The JSON is API version 2025-03-31.basil or later: the period of a
subscription is on its items (`current_period_start/end`), an invoice names its subscription in
`parent.subscription_details`. `event` builds the webhook event of an object as it is now.
"""

from __future__ import annotations

import calendar
import json
import secrets
import threading
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def _token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def add_month(moment: int) -> int:
    """One calendar month after a Unix time (the day clamped to the month's length)."""
    at = datetime.fromtimestamp(moment, UTC)
    year, month = at.year + at.month // 12, at.month % 12 + 1
    day = min(at.day, calendar.monthrange(year, month)[1])
    return int(at.replace(year=year, month=month, day=day).timestamp())


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (`a[b][0][c]=v`) back into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value

    def listify(node: Any) -> Any:
        if isinstance(node, dict):
            items = {k: listify(v) for k, v in node.items()}
            if items and all(k.isdigit() or k == "" for k in items):
                return [items[k] for k in sorted(items, key=lambda k: int(k or 0))]
            return items
        return node

    return dict(listify(root))


class StripeError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"type": type, "message": message}
        if code:
            self.body["code"] = code
        if param:
            self.body["param"] = param


class FakeStripe:
    def __init__(self, api_key: str = "sk_test_reelbytefakestripe000000") -> None:
        self.api_key = api_key
        self.sessions: dict[str, dict[str, Any]] = {}
        self.intents: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.transfers: dict[str, dict[str, Any]] = {}
        self.customers: dict[str, dict[str, Any]] = {}
        self.products: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.invoices: dict[str, dict[str, Any]] = {}
        self.portal_sessions: dict[str, dict[str, Any]] = {}
        self.refused_accounts: set[str] = set()
        self.accounts: dict[str, dict[str, Any]] = {}  # Connect accounts
        self.account_links: list[dict[str, Any]] = []
        self.available_balance: int | None = None  # None: unlimited
        self.declines = 0  # invoice payments to decline before one succeeds
        self.requests: list[tuple[str, str, str | None]] = []  # method, path, Idempotency-Key
        self._replies: dict[str, tuple[str, dict[str, Any], int, dict[str, Any]]] = {}
        self._failures: list[int] = []
        self._lock = threading.Lock()
        self.app = Starlette(
            routes=[
                Route("/v1/checkout/sessions", self.create_session, methods=["POST"]),
                Route("/v1/checkout/sessions", self.list_sessions, methods=["GET"]),
                Route("/v1/checkout/sessions/{id}", self.get_session, methods=["GET"]),
                Route("/v1/refunds", self.create_refund, methods=["POST"]),
                Route("/v1/transfers", self.create_transfer, methods=["POST"]),
                Route("/v1/customers", self.create_customer, methods=["POST"]),
                Route("/v1/customers/{id}", self.get_customer, methods=["GET"]),
                Route("/v1/products", self.create_product, methods=["POST"]),
                Route("/v1/products/{id}", self.get_product, methods=["GET"]),
                Route("/v1/subscriptions/{id}", self.get_subscription, methods=["GET"]),
                Route("/v1/subscriptions/{id}", self.update_subscription, methods=["POST"]),
                Route("/v1/subscriptions/{id}", self.cancel_subscription, methods=["DELETE"]),
                Route("/v1/invoices/{id}", self.get_invoice, methods=["GET"]),
                Route("/v1/invoices/{id}/pay", self.pay_invoice, methods=["POST"]),
                Route("/v1/billing_portal/sessions", self.create_portal_session, methods=["POST"]),
                Route("/v1/accounts", self.create_account, methods=["POST"]),
                Route("/v1/accounts/{id}", self.get_account, methods=["GET"]),
                Route("/v1/account_links", self.create_account_link, methods=["POST"]),
            ]
        )

    # --- what the test does on Stripe's side --------------------------------------------------

    def _intent_for(self, session: dict[str, Any], status: str) -> dict[str, Any]:
        intent_id = session["payment_intent"] or _token("pi")
        intent = self.intents.setdefault(
            intent_id,
            {
                "id": intent_id,
                "object": "payment_intent",
                "amount": session["amount_total"],
                "amount_received": 0,
                "currency": session["currency"],
                "created": int(time.time()),
                "livemode": False,
                "metadata": session["_intent_metadata"],
                "latest_charge": None,
                "status": status,
            },
        )
        intent["status"] = status
        if status == "succeeded":
            intent["amount_received"] = intent["amount"]
            intent["latest_charge"] = intent["latest_charge"] or _token("ch")
        session["payment_intent"] = intent_id
        return intent

    def complete(self, session_id: str) -> dict[str, Any]:
        """The shopper paid by card: the session completes, paid; returns the PaymentIntent."""
        with self._lock:
            session = self.sessions[session_id]
            session.update(status="complete", payment_status="paid", url=None)
            return self._intent_for(session, "succeeded")

    def complete_async(self, session_id: str) -> None:
        """A delayed method (SEPA debit): complete, but unpaid while the money is on its way."""
        with self._lock:
            session = self.sessions[session_id]
            session.update(status="complete", payment_status="unpaid", url=None)
            self._intent_for(session, "processing")

    def fail_async(self, session_id: str) -> None:
        with self._lock:
            session = self.sessions[session_id]
            session.update(status="complete", payment_status="unpaid", url=None)
            self._intent_for(session, "requires_payment_method")

    def expire(self, session_id: str) -> None:
        with self._lock:
            self.sessions[session_id].update(status="expired", url=None)

    def refuse_account(self, account_id: str) -> None:
        self.refused_accounts.add(account_id)

    def fail_next(self, status: int = 500, times: int = 1) -> None:
        self._failures.extend([status] * times)

    def reset(self) -> None:
        with self._lock:
            for store in (
                self.sessions,
                self.intents,
                self.refunds,
                self.transfers,
                self.customers,
                self.products,
                self.subscriptions,
                self.invoices,
                self.portal_sessions,
                self.accounts,
                self._replies,
            ):
                store.clear()
            self.refused_accounts.clear()
            self.account_links.clear()
            self.available_balance = None
            self.declines = 0
            self.requests.clear()
            self._failures.clear()

    # --- the API ------------------------------------------------------------------------------

    @staticmethod
    def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
        return Response(json.dumps(body), status_code=status, media_type="application/json", headers=headers)

    @staticmethod
    def _public(obj: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in obj.items() if not k.startswith("_")}

    async def _handle(self, request: Request, work: Any) -> Response:
        key = request.headers.get("idempotency-key")
        self.requests.append((request.method, request.url.path, key))
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return self._json(
                401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided."}}
            )
        if self._failures:
            status = self._failures.pop(0)
            return self._json(
                status,
                {"error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}},
                {"Stripe-Should-Retry": "false"},
            )
        if request.method == "POST":
            params = decode_form(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        else:
            params = decode_form(list(request.query_params.multi_items()))
        with self._lock:
            if key and request.method == "POST":
                seen = self._replies.get(key)
                if seen is not None:
                    path, first_params, status, reply = seen
                    if path != request.url.path or first_params != params:
                        return self._json(
                            400,
                            {
                                "error": {
                                    "type": "idempotency_error",
                                    "message": "Keys for idempotent requests can only be used with the "
                                    "same parameters they were first used with.",
                                }
                            },
                        )
                    return self._json(status, reply, {"Idempotent-Replayed": "true"})
            try:
                status, reply = work(request, params)
            except StripeError as error:
                status, reply = error.status, {"error": error.body}
            if key and request.method == "POST":
                self._replies[key] = (request.url.path, params, status, reply)
        return self._json(status, reply)

    def _session_json(self, session: dict[str, Any], expand: list[str]) -> dict[str, Any]:
        body = self._public(session)
        if "payment_intent" in expand and session["payment_intent"]:
            body["payment_intent"] = dict(self.intents[session["payment_intent"]])
        return body

    async def create_session(self, request: Request) -> Response:
        def work(_: Request, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            mode = params.get("mode")
            if mode not in ("payment", "subscription"):
                raise StripeError(400, "This fake knows mode=payment and mode=subscription.", param="mode")
            if mode == "subscription" and "payment_intent_data" in params:
                raise StripeError(
                    400,
                    "You can not pass `payment_intent_data` in `subscription` mode.",
                    param="payment_intent_data",
                )
            customer = params.get("customer")
            if customer is not None:
                self._customer(customer)
            for field in ("success_url",):
                if not params.get(field):
                    raise StripeError(
                        400, f"Missing required param: {field}.", code="parameter_missing", param=field
                    )
            items = params.get("line_items") or []
            if not items:
                raise StripeError(
                    400, "Missing required param: line_items.", code="parameter_missing", param="line_items"
                )
            total, currency = 0, None
            for index, item in enumerate(items):
                price = item.get("price_data") or {}
                amount = price.get("unit_amount", "")
                if not str(amount).isdigit() or not price.get("currency"):
                    raise StripeError(400, "Invalid price_data.", param=f"line_items[{index}][price_data]")
                self._check_price_data(price, recurring=mode == "subscription", index=index)
                total += int(amount) * int(item.get("quantity", 1))
                currency = price["currency"]
            session_id = "cs_test_" + secrets.token_hex(24)
            created = int(time.time())
            session = {
                "id": session_id,
                "object": "checkout.session",
                "amount_subtotal": total,
                "amount_total": total,
                "cancel_url": params.get("cancel_url"),
                "client_reference_id": params.get("client_reference_id"),
                "created": created,
                "currency": currency,
                "customer": customer,
                "expires_at": created + 24 * 3600,
                "invoice": None,
                "livemode": False,
                "metadata": params.get("metadata") or {},
                "mode": mode,
                "payment_intent": None,
                "payment_method_types": params.get("allowed_payment_method_types") or ["card"],
                "payment_status": "unpaid",
                "status": "open",
                "subscription": None,
                "success_url": params["success_url"],
                "url": f"https://checkout.stripe.com/c/pay/{session_id}",
                "_intent_metadata": (params.get("payment_intent_data") or {}).get("metadata") or {},
                "_line_items": items,
                "_subscription_metadata": (params.get("subscription_data") or {}).get("metadata") or {},
            }
            self.sessions[session_id] = session
            return 200, self._public(session)

        return await self._handle(request, work)

    def _session(self, session_id: str) -> dict[str, Any]:
        session = self.sessions.get(session_id)
        if session is None:
            raise StripeError(
                404, f"No such checkout.session: '{session_id}'", code="resource_missing", param="session"
            )
        return session

    async def get_session(self, request: Request) -> Response:
        def work(request: Request, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            session = self._session(request.path_params["id"])
            return 200, self._session_json(session, params.get("expand") or [])

        return await self._handle(request, work)

    async def list_sessions(self, request: Request) -> Response:
        def work(_: Request, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            found = [
                self._public(s)
                for s in self.sessions.values()
                if "payment_intent" not in params or s["payment_intent"] == params["payment_intent"]
            ]
            limit = int(params.get("limit", 10))
            return 200, {
                "object": "list",
                "data": found[:limit],
                "has_more": len(found) > limit,
                "url": "/v1/checkout/sessions",
            }

        return await self._handle(request, work)

    async def create_refund(self, request: Request) -> Response:
        def work(_: Request, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            intent = self.intents.get(params.get("payment_intent", ""))
            if intent is None:
                raise StripeError(
                    400,
                    f"No such payment_intent: '{params.get('payment_intent')}'",
                    code="resource_missing",
                    param="payment_intent",
                )
            if intent["status"] != "succeeded":
                raise StripeError(
                    400,
                    "This PaymentIntent does not have a successful charge to refund.",
                    code="charge_not_refundable",
                )
            refunded = sum(r["amount"] for r in self.refunds.values() if r["payment_intent"] == intent["id"])
            left = intent["amount_received"] - refunded
            amount = int(params.get("amount", left))
            if amount <= 0 or amount > left:
                raise StripeError(
                    400,
                    f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left}).",
                    param="amount",
                )
            refund = {
                "id": _token("re"),
                "object": "refund",
                "amount": amount,
                "balance_transaction": _token("txn"),
                "charge": intent["latest_charge"],
                "created": int(time.time()),
                "currency": intent["currency"],
                "metadata": params.get("metadata") or {},
                "payment_intent": intent["id"],
                "reason": params.get("reason"),
                "status": "succeeded",
            }
            self.refunds[refund["id"]] = refund
            return 200, refund

        return await self._handle(request, work)

    async def create_transfer(self, request: Request) -> Response:
        def work(_: Request, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            amount = str(params.get("amount", ""))
            if not amount.isdigit() or int(amount) <= 0:
                raise StripeError(400, "Invalid positive integer", param="amount")
            destination = params.get("destination", "")
            if not destination.startswith("acct_") or destination in self.refused_accounts:
                raise StripeError(400, f"No such destination: '{destination}'", param="destination")
            if self.available_balance is not None:
                if int(amount) > self.available_balance:
                    raise StripeError(
                        400,
                        "You have insufficient available funds in your Stripe account.",
                        code="balance_insufficient",
                    )
                self.available_balance -= int(amount)
            transfer = {
                "id": _token("tr"),
                "object": "transfer",
                "amount": int(amount),
                "amount_reversed": 0,
                "balance_transaction": _token("txn"),
                "created": int(time.time()),
                "currency": params.get("currency"),
                "description": params.get("description"),
                "destination": destination,
                "destination_payment": _token("py"),
                "livemode": False,
                "metadata": params.get("metadata") or {},
                "reversals": {
                    "object": "list",
                    "data": [],
                    "has_more": False,
                    "url": "/v1/transfers/x/reversals",
                },
                "reversed": False,
                "source_transaction": None,
                "transfer_group": params.get("transfer_group"),
            }
            self.transfers[transfer["id"]] = transfer
            return 200, transfer

        return await self._handle(request, work)

    # --- Connect: what the creator does on Stripe's side --------------------------------------

    def onboard(self, account_id: str, outcome: str = "complete") -> bytes:
        """The creator went through the Account Link's onboarding: `complete` (payouts enabled,
        nothing due), `needs_info` (details given, more due) or `rejected` (Stripe refused the
        account). Returns the `account.updated` event Stripe then sends."""
        assert outcome in ("complete", "needs_info", "rejected")
        with self._lock:
            account = self.accounts[account_id]
            requirements = account["requirements"]
            account["details_submitted"] = True
            if outcome == "complete":
                account.update(payouts_enabled=True, charges_enabled=True)
                requirements.update(currently_due=[], eventually_due=[], disabled_reason=None)
                account["capabilities"]["transfers"] = "active"
            elif outcome == "needs_info":
                account.update(payouts_enabled=False)
                requirements.update(
                    currently_due=["individual.verification.document"],
                    disabled_reason="requirements.past_due",
                )
            else:
                account.update(payouts_enabled=False, charges_enabled=False)
                requirements.update(currently_due=[], disabled_reason="rejected.fraud")
            return self.event("account.updated", account)

    # --- Connect: the API ---------------------------------------------------------------------

    async def create_account(self, request: Request) -> Response:
        def work(_: Request, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            if params.get("type") not in ("express", "standard", "custom"):
                raise StripeError(400, "Invalid type: must be one of express, standard, custom", param="type")
            country = params.get("country", "US")
            if not (isinstance(country, str) and len(country) == 2 and country.isalpha()):
                raise StripeError(400, f"Country '{country}' is unknown.", param="country")
            requested = params.get("capabilities") or {}
            account_id = "acct_" + secrets.token_hex(8)
            account = {
                "id": account_id,
                "object": "account",
                "type": params["type"],
                "country": country.upper(),
                "email": params.get("email"),
                "created": int(time.time()),
                "charges_enabled": False,
                "payouts_enabled": False,
                "details_submitted": False,
                "capabilities": dict.fromkeys(requested, "inactive"),
                "requirements": {
                    "currently_due": ["external_account", "tos_acceptance.date", "individual.first_name"],
                    "eventually_due": ["external_account", "tos_acceptance.date", "individual.first_name"],
                    "past_due": [],
                    "disabled_reason": "requirements.past_due",
                },
                "metadata": params.get("metadata") or {},
            }
            self.accounts[account_id] = account
            return 200, account

        return await self._handle(request, work)

    async def get_account(self, request: Request) -> Response:
        def work(request: Request, _: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            account = self.accounts.get(request.path_params["id"])
            if account is None:
                raise StripeError(
                    404, f"No such account: '{request.path_params['id']}'", code="resource_missing"
                )
            return 200, account

        return await self._handle(request, work)

    async def create_account_link(self, request: Request) -> Response:
        def work(_: Request, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            if params.get("account") not in self.accounts:
                raise StripeError(400, f"No such account: '{params.get('account')}'", param="account")
            if params.get("type") not in ("account_onboarding", "account_update"):
                raise StripeError(400, "Invalid type", param="type")
            for field in ("refresh_url", "return_url"):
                if not str(params.get(field, "")).startswith(("http://", "https://")):
                    raise StripeError(400, f"Not a valid URL: {field}", param=field)
            now = int(time.time())
            link = {
                "object": "account_link",
                "created": now,
                "expires_at": now + 300,
                "url": f"https://connect.stripe.com/setup/e/{params['account']}/{secrets.token_hex(6)}",
                "_params": params,
            }
            self.account_links.append(link)
            return 200, self._public(link)

        return await self._handle(request, work)

    # --- Billing: what the test does on Stripe's side -----------------------------------------

    def complete_subscription(self, session_id: str) -> dict[str, Any]:
        """The subscriber paid a subscription-mode Checkout: Stripe makes the subscription and
        its first invoice (paid); returns the subscription."""
        with self._lock:
            session = self.sessions[session_id]
            assert session["mode"] == "subscription", "a payment-mode session: use complete()"
            now = int(time.time())
            (item,) = session["_line_items"]
            price = self._price(item["price_data"])
            subscription_id = _token("sub")
            subscription = {
                "id": subscription_id,
                "object": "subscription",
                "billing_cycle_anchor": now,
                "cancel_at": None,
                "cancel_at_period_end": False,
                "canceled_at": None,
                "collection_method": "charge_automatically",
                "created": now,
                "currency": price["currency"],
                "customer": session["customer"],
                "ended_at": None,
                "items": {
                    "object": "list",
                    "data": [
                        {
                            "id": _token("si"),
                            "object": "subscription_item",
                            "created": now,
                            "current_period_start": now,
                            "current_period_end": add_month(now),
                            "metadata": {},
                            "price": price,
                            "quantity": int(item.get("quantity", 1)),
                            "subscription": subscription_id,
                        }
                    ],
                    "has_more": False,
                    "url": f"/v1/subscription_items?subscription={subscription_id}",
                },
                "latest_invoice": None,
                "livemode": False,
                "metadata": dict(session["_subscription_metadata"]),
                "start_date": now,
                "status": "active",
            }
            self.subscriptions[subscription_id] = subscription
            invoice = self._invoice(subscription, "subscription_create", paid=True)
            session.update(
                status="complete",
                payment_status="paid",
                url=None,
                subscription=subscription_id,
                invoice=invoice["id"],
            )
            return subscription

    def renew(self, subscription_id: str, *, paid: bool = True) -> dict[str, Any]:
        """The period ended: the next one starts and its invoice is charged, paid or declined
        (declined: the invoice stays open and the subscription is past_due). Returns the invoice."""
        with self._lock:
            subscription = self.subscriptions[subscription_id]
            item = subscription["items"]["data"][0]
            item["current_period_start"] = item["current_period_end"]
            item["current_period_end"] = add_month(item["current_period_start"])
            invoice = self._invoice(subscription, "subscription_cycle", paid=paid)
            subscription["status"] = "active" if paid else "past_due"
            return invoice

    def settle(self, subscription_id: str) -> dict[str, Any]:
        """A declined invoice is paid after all (a retry with the card the subscriber updated)."""
        with self._lock:
            subscription = self.subscriptions[subscription_id]
            invoice = self.invoices[subscription["latest_invoice"]]
            self._mark_paid(invoice)
            subscription["status"] = "active"
            return invoice

    def end(self, subscription_id: str, *, unpaid: bool = False) -> dict[str, Any]:
        """The subscription ends: at its period end after `cancel_at_period_end`, or (`unpaid`)
        when Stripe's retries of a declined invoice are exhausted."""
        with self._lock:
            subscription = self.subscriptions[subscription_id]
            assert unpaid or subscription["cancel_at_period_end"], "nothing asked it to end"
            now = int(time.time())
            subscription.update(
                status="canceled", ended_at=now, canceled_at=subscription["canceled_at"] or now
            )
            return subscription

    def decline_next_payment(self, times: int = 1) -> None:
        self.declines += times

    def event(self, kind: str, obj: dict[str, Any], *, created: int | None = None) -> bytes:
        """A webhook event about `obj` (a dict of this server, or any other object)."""
        return json.dumps(
            {
                "id": _token("evt"),
                "object": "event",
                "api_version": "2025-08-27.basil",
                "created": int(time.time()) if created is None else created,
                "livemode": False,
                "pending_webhooks": 1,
                "request": {"id": None, "idempotency_key": None},
                "type": kind,
                "data": {"object": self._public(obj)},
            }
        ).encode()

    # --- Billing: the API ---------------------------------------------------------------------

    def _check_price_data(self, price: dict[str, Any], *, recurring: bool, index: int) -> None:
        where = f"line_items[{index}][price_data]"
        if recurring and (price.get("recurring") or {}).get("interval") not in (
            "day",
            "week",
            "month",
            "year",
        ):
            raise StripeError(
                400, "You must specify `recurring` in `price_data` when in `subscription` mode.", param=where
            )
        if not recurring and price.get("recurring"):
            raise StripeError(
                400, "You specified `payment` mode but passed a recurring price.", param=f"{where}[recurring]"
            )
        if "product" in price:
            self._product(price["product"])
        elif not (price.get("product_data") or {}).get("name"):
            raise StripeError(400, "Missing required param: product_data[name].", code="parameter_missing")

    def _price(self, price_data: dict[str, Any]) -> dict[str, Any]:
        """The Price object Stripe makes of inline `price_data`."""
        product = price_data.get("product")
        if product is None:  # product_data: Stripe makes a product too
            product = _token("prod")
            self.products[product] = {
                "id": product,
                "object": "product",
                "name": price_data["product_data"]["name"],
                "active": True,
                "metadata": {},
            }
        recurring = price_data.get("recurring") or {}
        return {
            "id": _token("price"),
            "object": "price",
            "active": False,  # inline prices are archived at once
            "currency": price_data["currency"],
            "product": product,
            "recurring": {
                "interval": recurring.get("interval", "month"),
                "interval_count": int(recurring.get("interval_count", 1)),
                "usage_type": "licensed",
            },
            "type": "recurring",
            "unit_amount": int(price_data["unit_amount"]),
        }

    def _invoice(self, subscription: dict[str, Any], reason: str, *, paid: bool) -> dict[str, Any]:
        item = subscription["items"]["data"][0]
        amount = item["price"]["unit_amount"] * item["quantity"]
        now = int(time.time())
        invoice = {
            "id": _token("in"),
            "object": "invoice",
            "amount_due": amount,
            "amount_paid": 0,
            "amount_remaining": amount,
            "attempt_count": 1,
            "attempted": True,
            "billing_reason": reason,
            "collection_method": "charge_automatically",
            "created": now,
            "currency": subscription["currency"],
            "customer": subscription["customer"],
            "livemode": False,
            "parent": {
                "type": "subscription_details",
                "quote_details": None,
                "subscription_details": {
                    "metadata": dict(subscription["metadata"]),
                    "subscription": subscription["id"],
                },
            },
            "period_start": item["current_period_start"],
            "period_end": item["current_period_end"],
            "status": "open",
            "status_transitions": {"finalized_at": now, "paid_at": None},
        }
        if paid:
            self._mark_paid(invoice)
        self.invoices[invoice["id"]] = invoice
        subscription["latest_invoice"] = invoice["id"]
        return invoice

    @staticmethod
    def _mark_paid(invoice: dict[str, Any]) -> None:
        invoice.update(status="paid", amount_paid=invoice["amount_due"], amount_remaining=0)
        invoice["status_transitions"]["paid_at"] = int(time.time())

    def _customer(self, customer_id: str) -> dict[str, Any]:
        customer = self.customers.get(customer_id)
        if customer is None:
            raise StripeError(
                400, f"No such customer: '{customer_id}'", code="resource_missing", param="customer"
            )
        return customer

    def _product(self, product_id: str) -> dict[str, Any]:
        product = self.products.get(product_id)
        if product is None:
            raise StripeError(404, f"No such product: '{product_id}'", code="resource_missing", param="id")
        return product

    def _subscription(self, subscription_id: str) -> dict[str, Any]:
        subscription = self.subscriptions.get(subscription_id)
        if subscription is None:
            raise StripeError(
                404, f"No such subscription: '{subscription_id}'", code="resource_missing", param="id"
            )
        return subscription

    def _subscription_json(self, subscription: dict[str, Any], expand: list[str]) -> dict[str, Any]:
        body = json.loads(json.dumps(subscription))
        if "latest_invoice" in expand and subscription["latest_invoice"]:
            body["latest_invoice"] = dict(self.invoices[subscription["latest_invoice"]])
        return body

    async def create_customer(self, request: Request) -> Response:
        def work(_: Request, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            customer_id = _token("cus")
            customer = {
                "id": customer_id,
                "object": "customer",
                "balance": 0,
                "created": int(time.time()),
                "currency": None,
                "delinquent": False,
                "description": params.get("description"),
                "email": params.get("email"),
                "invoice_settings": {"default_payment_method": None},
                "livemode": False,
                "metadata": params.get("metadata") or {},
                "name": params.get("name"),
            }
            self.customers[customer_id] = customer
            return 200, customer

        return await self._handle(request, work)

    async def get_customer(self, request: Request) -> Response:
        def work(request: Request, _: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            customer = self.customers.get(request.path_params["id"])
            if customer is None:
                raise StripeError(
                    404, f"No such customer: '{request.path_params['id']}'", code="resource_missing"
                )
            return 200, customer

        return await self._handle(request, work)

    async def create_product(self, request: Request) -> Response:
        def work(_: Request, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            if not params.get("name"):
                raise StripeError(
                    400, "Missing required param: name.", code="parameter_missing", param="name"
                )
            product_id = params.get("id") or _token("prod")
            if product_id in self.products:
                raise StripeError(
                    400,
                    f"Product already exists: '{product_id}'",
                    code="resource_already_exists",
                    param="id",
                )
            product = {
                "id": product_id,
                "object": "product",
                "active": True,
                "created": int(time.time()),
                "livemode": False,
                "metadata": params.get("metadata") or {},
                "name": params["name"],
            }
            self.products[product_id] = product
            return 200, product

        return await self._handle(request, work)

    async def get_product(self, request: Request) -> Response:
        def work(request: Request, _: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            return 200, self._product(request.path_params["id"])

        return await self._handle(request, work)

    async def get_subscription(self, request: Request) -> Response:
        def work(request: Request, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            subscription = self._subscription(request.path_params["id"])
            return 200, self._subscription_json(subscription, params.get("expand") or [])

        return await self._handle(request, work)

    async def update_subscription(self, request: Request) -> Response:
        def work(request: Request, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            subscription = self._subscription(request.path_params["id"])
            if subscription["status"] in ("canceled", "incomplete_expired"):
                raise StripeError(
                    400,
                    "A canceled subscription can only update its cancellation_details and metadata.",
                )
            if "cancel_at_period_end" in params:
                cancel = params["cancel_at_period_end"] == "true"
                subscription["cancel_at_period_end"] = cancel
                item = subscription["items"]["data"][0]
                subscription["cancel_at"] = item["current_period_end"] if cancel else None
                subscription["canceled_at"] = int(time.time()) if cancel else None
            for index, change in enumerate(params.get("items") or []):
                items = {item["id"]: item for item in subscription["items"]["data"]}
                if change.get("id") not in items:
                    raise StripeError(
                        400, f"No such subscription item: '{change.get('id')}'", param=f"items[{index}][id]"
                    )
                price_data = change.get("price_data") or {}
                if "product" not in price_data or not str(price_data.get("unit_amount", "")).isdigit():
                    raise StripeError(
                        400,
                        "Missing required param: items[price_data][product].",
                        code="parameter_missing",
                        param=f"items[{index}][price_data]",
                    )
                self._check_price_data(price_data, recurring=True, index=index)
                items[change["id"]]["price"] = self._price(price_data)
            if "metadata" in params:
                subscription["metadata"].update(params["metadata"])
            return 200, self._subscription_json(subscription, params.get("expand") or [])

        return await self._handle(request, work)

    async def cancel_subscription(self, request: Request) -> Response:
        def work(request: Request, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            subscription = self._subscription(request.path_params["id"])
            if subscription["status"] == "canceled":
                raise StripeError(
                    400,
                    f"No such subscription: '{subscription['id']}'; it was canceled.",
                    code="resource_missing",
                )
            now = int(time.time())
            subscription.update(status="canceled", canceled_at=now, ended_at=now)
            return 200, self._subscription_json(subscription, params.get("expand") or [])

        return await self._handle(request, work)

    async def get_invoice(self, request: Request) -> Response:
        def work(request: Request, _: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            invoice = self.invoices.get(request.path_params["id"])
            if invoice is None:
                raise StripeError(
                    404, f"No such invoice: '{request.path_params['id']}'", code="resource_missing"
                )
            return 200, invoice

        return await self._handle(request, work)

    async def pay_invoice(self, request: Request) -> Response:
        def work(request: Request, _: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            invoice = self.invoices.get(request.path_params["id"])
            if invoice is None:
                raise StripeError(
                    404, f"No such invoice: '{request.path_params['id']}'", code="resource_missing"
                )
            if invoice["status"] == "paid":
                raise StripeError(400, "Invoice is already paid", code="invoice_already_paid")
            invoice["attempt_count"] += 1
            if self.declines:
                self.declines -= 1
                raise StripeError(402, "Your card was declined.", type="card_error", code="card_declined")
            self._mark_paid(invoice)
            subscription_id = invoice["parent"]["subscription_details"]["subscription"]
            self.subscriptions[subscription_id]["status"] = "active"
            return 200, invoice

        return await self._handle(request, work)

    async def create_portal_session(self, request: Request) -> Response:
        def work(_: Request, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            if not params.get("customer"):
                raise StripeError(
                    400, "Missing required param: customer.", code="parameter_missing", param="customer"
                )
            self._customer(params["customer"])
            portal_id = _token("bps")
            portal = {
                "id": portal_id,
                "object": "billing_portal.session",
                "configuration": "bpc_reelbytedefault",
                "created": int(time.time()),
                "customer": params["customer"],
                "flow": None,
                "livemode": False,
                "locale": None,
                "on_behalf_of": None,
                "return_url": params.get("return_url"),
                "url": f"https://billing.stripe.com/p/session/test_{portal_id[4:]}",
            }
            self.portal_sessions[portal_id] = portal
            return 200, portal

        return await self._handle(request, work)

"""A local Stripe API for the tests: form-encoded requests in, Stripe's documented JSON out, for
Checkout Sessions, refunds and Connect transfers, kept in memory.

Like Stripe, it honours `Idempotency-Key`: the same key with the same parameters answers the
first response again (`Idempotent-Replayed: true`), with other parameters an
`idempotency_error`. What happens on Stripe's side is done by the test through this object:
`complete` (the shopper paid), `complete_async`/`fail_async` (a SEPA-like method), `expire`,
`refuse_account`, `available_balance` and `fail_next`.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def _token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


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
        self.refused_accounts: set[str] = set()
        self.available_balance: int | None = None  # None: unlimited
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
            for store in (self.sessions, self.intents, self.refunds, self.transfers, self._replies):
                store.clear()
            self.refused_accounts.clear()
            self.available_balance = None
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
            if params.get("mode") != "payment":
                raise StripeError(400, "This fake only knows mode=payment.", param="mode")
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
                "customer": None,
                "expires_at": created + 24 * 3600,
                "livemode": False,
                "metadata": params.get("metadata") or {},
                "mode": "payment",
                "payment_intent": None,
                "payment_status": "unpaid",
                "status": "open",
                "success_url": params["success_url"],
                "url": f"https://checkout.stripe.com/c/pay/{session_id}",
                "_intent_metadata": (params.get("payment_intent_data") or {}).get("metadata") or {},
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

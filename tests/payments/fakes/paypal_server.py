"""A local PayPal REST API for the tests: PayPal's documented JSON in and out, kept in memory.

- `/v1/oauth2/token` (client credentials, HTTP Basic) gives the Bearer token every other call
  must carry;
- Orders v2: create (`PayPal-Request-Id` makes a retried create the same order; with a
  `payment_source` the order waits in PAYER_ACTION_REQUIRED behind a `payer-action` link), get,
  capture (ORDER_NOT_APPROVED / ORDER_ALREADY_CAPTURED as PayPal refuses them);
- `/v2/payments/captures/{id}/refund` (keyed by `PayPal-Request-Id`, never above the capture);
- Payouts: `/v1/payments/payouts` (a batch keyed by `PayPal-Request-Id` and `sender_batch_id`),
  the batch and `/v1/payments/payouts-item/{id}`;
- `/v1/notifications/verify-webhook-signature`: SUCCESS only for our webhook id and a
  transmission signature made by `deliver` over PayPal's signed string
  (`<transmission id>|<time>|<webhook id>|<CRC32 of the event>`), here an HMAC instead of
  PayPal's certificate.

What happens on PayPal's side is done by the test through this object: `approve` (the buyer
approved on PayPal or Venmo), `decline_next_capture`/`pend_next_capture`, `payout_outcome` per
receiver, `short_of_funds`, `fail_next`; `event` and `deliver` build a signed webhook delivery.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import string
import threading
import zlib
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

WEB = "https://www.sandbox.paypal.com"
API = "https://api-m.sandbox.paypal.com"


def _id(length: int = 17) -> str:
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(length))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _canonical(event: Any) -> bytes:
    return json.dumps(event, separators=(",", ":"), sort_keys=True).encode()


class PaypalError(Exception):
    def __init__(self, status: int, name: str, message: str, issue: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"name": name, "message": message, "debug_id": _id(13).lower()}
        if issue:
            self.body["details"] = [{"issue": issue, "description": message}]


class FakePaypal:
    def __init__(self) -> None:
        self.client_id = "AfakeReelbyteClientId"
        self.client_secret = "EfakeReelbyteClientSecret"
        self.webhook_id = "8PT597110X687430LKGECATA"
        self._signing_key = secrets.token_bytes(32)
        self.orders: dict[str, dict[str, Any]] = {}
        self.captures: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.items: dict[str, dict[str, Any]] = {}
        self.payout_outcome: dict[str, str] = {}  # receiver → item status (SUCCESS otherwise)
        self.short_of_funds = False
        self.requests: list[tuple[str, str, str | None]] = []  # method, path, PayPal-Request-Id
        self._tokens: set[str] = set()
        self._capture_outcomes: list[str] = []
        self._replies: dict[str, tuple[str, int, dict[str, Any]]] = {}
        self._failures: list[int] = []
        self._lock = threading.Lock()
        self.app = Starlette(
            routes=[
                Route("/v1/oauth2/token", self.token, methods=["POST"]),
                Route("/v2/checkout/orders", self.create_order, methods=["POST"]),
                Route("/v2/checkout/orders/{id}", self.get_order, methods=["GET"]),
                Route("/v2/checkout/orders/{id}/capture", self.capture_order, methods=["POST"]),
                Route("/v2/payments/captures/{id}/refund", self.refund_capture, methods=["POST"]),
                Route("/v1/payments/payouts", self.create_payout, methods=["POST"]),
                Route("/v1/payments/payouts/{id}", self.get_batch, methods=["GET"]),
                Route("/v1/payments/payouts-item/{id}", self.get_item, methods=["GET"]),
                Route("/v1/notifications/verify-webhook-signature", self.verify, methods=["POST"]),
            ]
        )

    # --- what the test does on PayPal's side ----------------------------------------------

    def approve(self, order_id: str) -> None:
        """The buyer approved the order on PayPal's (or Venmo's) page."""
        with self._lock:
            order = self.orders[order_id]
            assert order["status"] in ("CREATED", "PAYER_ACTION_REQUIRED"), order["status"]
            order["status"] = "APPROVED"
            order["payer"] = {"payer_id": _id(13), "email_address": "buyer@example.com"}
            order["update_time"] = _now()

    def decline_next_capture(self) -> None:
        self._capture_outcomes.append("DECLINED")

    def pend_next_capture(self) -> None:
        self._capture_outcomes.append("PENDING")

    def settle_payouts(self, receiver: str, status: str = "SUCCESS") -> None:
        """PayPal settles the receiver's pending payout items (SUCCESS, UNCLAIMED, …)."""
        with self._lock:
            for item in self.items.values():
                if item["payout_item"]["receiver"] == receiver and item["transaction_status"] == "PENDING":
                    item["transaction_status"] = status
                    item["transaction_id"] = _id() if status == "SUCCESS" else None

    def fail_next(self, status: int = 500, times: int = 1) -> None:
        self._failures.extend([status] * times)

    def order_of(self, payment_custom_id: str) -> dict[str, Any]:
        return next(
            o for o in self.orders.values() if o["purchase_units"][0]["custom_id"] == payment_custom_id
        )

    def event(self, event_type: str, order_id: str) -> bytes:
        """A webhook event as PayPal sends it: the order, or for PAYMENT.CAPTURE.* its capture."""
        order = self.orders[order_id]
        if event_type.startswith("PAYMENT.CAPTURE."):
            capture = order["purchase_units"][0].get("payments", {}).get("captures", [{}])[0]
            resource, resource_type = capture, "capture"
        else:
            resource, resource_type = order, "checkout-order"
        return json.dumps(
            {
                "id": f"WH-{_id(8)}-{_id(17)}",
                "event_version": "1.0",
                "create_time": _now(),
                "resource_type": resource_type,
                "resource_version": "2.0",
                "event_type": event_type,
                "summary": f"{event_type} happened",
                "resource": _public(resource),
                "links": [],
            }
        ).encode()

    def headers(
        self, payload: bytes, *, webhook_id: str | None = None, tamper: bool = False
    ) -> dict[str, str]:
        """The transmission headers PayPal sends with a delivery, signed over the payload."""
        transmission_id, at = _id(8).lower(), _now()
        signed = self._signature(transmission_id, at, webhook_id or self.webhook_id, json.loads(payload))
        return {
            "Content-Type": "application/json",
            "PAYPAL-AUTH-ALGO": "SHA256withRSA",
            "PAYPAL-CERT-URL": f"{API}/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77",
            "PAYPAL-TRANSMISSION-ID": transmission_id,
            "PAYPAL-TRANSMISSION-SIG": _tampered(signed) if tamper else signed,
            "PAYPAL-TRANSMISSION-TIME": at,
        }

    def _signature(self, transmission_id: str, at: str, webhook_id: str, event: Any) -> str:
        crc = zlib.crc32(_canonical(event))
        message = f"{transmission_id}|{at}|{webhook_id}|{crc}".encode()
        return base64.b64encode(hmac.new(self._signing_key, message, hashlib.sha256).digest()).decode()

    def reset(self) -> None:
        with self._lock:
            for store in (self.orders, self.captures, self.refunds, self.batches, self.items, self._replies):
                store.clear()
            self.payout_outcome.clear()
            self.short_of_funds = False
            self.requests.clear()
            self._capture_outcomes.clear()
            self._failures.clear()

    # --- the API --------------------------------------------------------------------------

    async def _serve(self, request: Request, work: Any, *, auth: bool = True) -> Response:
        key = request.headers.get("paypal-request-id")
        self.requests.append((request.method, request.url.path, key))
        if self._failures:
            return JSONResponse({"name": "INTERNAL_SERVER_ERROR"}, status_code=self._failures.pop(0))
        if auth and request.headers.get("authorization", "").removeprefix("Bearer ") not in self._tokens:
            return JSONResponse({"error": "invalid_token", "error_description": "bad token"}, 401)
        raw = await request.body()
        replay_key = f"{request.url.path}:{key}" if key else None
        with self._lock:
            if replay_key and replay_key in self._replies:
                first_raw, status, body = self._replies[replay_key]
                if first_raw != raw.decode():
                    return JSONResponse({"name": "DUPLICATE_REQUEST_ID"}, 422)
                return JSONResponse(body, status)
            try:
                status, body = work(_parse(raw))
            except PaypalError as error:
                return JSONResponse(error.body, error.status)
            if replay_key and status < 400:
                self._replies[replay_key] = (raw.decode(), status, body)
        return JSONResponse(body, status)

    async def token(self, request: Request) -> Response:
        self.requests.append((request.method, request.url.path, None))
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return JSONResponse(
                {"error": "invalid_client", "error_description": "Client Authentication failed"}, 401
            )
        form = await request.form()
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, 400)
        token = f"A21AA{secrets.token_urlsafe(24)}"
        self._tokens.add(token)
        return JSONResponse(
            {
                "scope": "https://uri.paypal.com/services/payments/payment",
                "access_token": token,
                "token_type": "Bearer",
                "app_id": "APP-80W284485P519543T",
                "expires_in": 32400,
                "nonce": _id(20),
            }
        )

    async def create_order(self, request: Request) -> Response:
        return await self._serve(request, self._create_order)

    def _create_order(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        units = body.get("purchase_units") or []
        if body.get("intent") not in ("CAPTURE", "AUTHORIZE") or len(units) != 1:
            raise PaypalError(
                400, "INVALID_REQUEST", "Request is not well-formed.", "MISSING_REQUIRED_PARAMETER"
            )
        amount = units[0].get("amount") or {}
        if Decimal(str(amount.get("value", "0"))) <= 0:
            raise PaypalError(
                422, "UNPROCESSABLE_ENTITY", "Amount must be positive.", "AMOUNT_MUST_BE_POSITIVE"
            )
        source = body.get("payment_source") or {}
        if "venmo" in source and amount.get("currency_code") != "USD":
            raise PaypalError(
                422, "UNPROCESSABLE_ENTITY", "Venmo supports USD only.", "PAYMENT_SOURCE_CANNOT_BE_USED"
            )
        order_id = _id()
        action = "payer-action" if source else "approve"
        order = {
            "id": order_id,
            "intent": body["intent"],
            "status": "PAYER_ACTION_REQUIRED" if source else "CREATED",
            "payment_source": {name: {} for name in source},
            "purchase_units": [{"reference_id": "default", **units[0]}],
            "create_time": _now(),
            "links": [
                {"href": f"{API}/v2/checkout/orders/{order_id}", "rel": "self", "method": "GET"},
                {"href": f"{WEB}/checkoutnow?token={order_id}", "rel": action, "method": "GET"},
            ],
            "_experience": {name: value.get("experience_context", {}) for name, value in source.items()},
        }
        self.orders[order_id] = order
        return 200, _public(order)

    async def get_order(self, request: Request) -> Response:
        order_id = request.path_params["id"]

        def work(_: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            return 200, _public(self._order(order_id))

        return await self._serve(request, work)

    def _order(self, order_id: str) -> dict[str, Any]:
        if order_id not in self.orders:
            raise PaypalError(
                404, "RESOURCE_NOT_FOUND", "The specified resource does not exist.", "INVALID_RESOURCE_ID"
            )
        return self.orders[order_id]

    async def capture_order(self, request: Request) -> Response:
        order_id = request.path_params["id"]
        return await self._serve(request, lambda _: self._capture(order_id))

    def _capture(self, order_id: str) -> tuple[int, dict[str, Any]]:
        order = self._order(order_id)
        if order["status"] == "COMPLETED":
            raise PaypalError(
                422, "UNPROCESSABLE_ENTITY", "The order was captured already.", "ORDER_ALREADY_CAPTURED"
            )
        if order["status"] != "APPROVED":
            raise PaypalError(
                422, "UNPROCESSABLE_ENTITY", "The payer has not approved the order.", "ORDER_NOT_APPROVED"
            )
        unit = order["purchase_units"][0]
        capture_id = _id()
        capture = {
            "id": capture_id,
            "status": self._capture_outcomes.pop(0) if self._capture_outcomes else "COMPLETED",
            "amount": dict(unit["amount"]),
            "final_capture": True,
            "custom_id": unit.get("custom_id"),
            "create_time": _now(),
            "supplementary_data": {"related_ids": {"order_id": order_id}},
            "links": [{"href": f"{API}/v2/payments/captures/{capture_id}", "rel": "self", "method": "GET"}],
            "_refunded": 0,
        }
        self.captures[capture_id] = capture
        unit["payments"] = {"captures": [capture]}
        order["status"] = "COMPLETED"
        return 201, _public(order)

    async def refund_capture(self, request: Request) -> Response:
        capture_id = request.path_params["id"]
        return await self._serve(request, lambda body: self._refund(capture_id, body))

    def _refund(self, capture_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        capture = self.captures.get(capture_id)
        if capture is None:
            raise PaypalError(404, "RESOURCE_NOT_FOUND", "No such capture.", "INVALID_RESOURCE_ID")
        if capture["status"] not in ("COMPLETED", "PARTIALLY_REFUNDED"):
            raise PaypalError(
                422, "UNPROCESSABLE_ENTITY", "The capture cannot be refunded.", "CAPTURE_STATUS_NOT_VALID"
            )
        total = _cents(capture["amount"]["value"])
        amount = body.get("amount") or {
            "currency_code": capture["amount"]["currency_code"],
            "value": f"{Decimal(total - capture['_refunded']) / 100:.2f}",
        }
        cents = _cents(amount["value"])
        if (
            amount["currency_code"] != capture["amount"]["currency_code"]
            or not 0 < cents <= total - capture["_refunded"]
        ):
            raise PaypalError(
                422, "UNPROCESSABLE_ENTITY", "Refund amount exceeded.", "REFUND_AMOUNT_EXCEEDED"
            )
        capture["_refunded"] += cents
        capture["status"] = "REFUNDED" if capture["_refunded"] == total else "PARTIALLY_REFUNDED"
        refund_id = _id()
        refund = {
            "id": refund_id,
            "status": "COMPLETED",
            "amount": amount,
            "create_time": _now(),
            "links": [
                {"href": f"{API}/v2/payments/refunds/{refund_id}", "rel": "self", "method": "GET"},
                {"href": f"{API}/v2/payments/captures/{capture_id}", "rel": "up", "method": "GET"},
            ],
        }
        self.refunds[refund_id] = refund
        return 201, refund

    async def create_payout(self, request: Request) -> Response:
        return await self._serve(request, self._create_payout)

    def _create_payout(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        header = body.get("sender_batch_header") or {}
        items = body.get("items") or []
        if not header.get("sender_batch_id") or len(items) != 1:
            raise PaypalError(400, "VALIDATION_ERROR", "Invalid request.", "MISSING_REQUIRED_PARAMETER")
        if any(
            b["batch_header"]["sender_batch_header"]["sender_batch_id"] == header["sender_batch_id"]
            for b in self.batches.values()
        ):
            raise PaypalError(
                400,
                "USER_BUSINESS_ERROR",
                "Batch with given sender_batch_id already exists",
                "SENDER_BATCH_ID_ALREADY_USED",
            )
        item = items[0]
        if item.get("recipient_wallet") == "VENMO" and (
            item.get("recipient_type") not in ("USER_HANDLE", "PHONE", "EMAIL")
            or item["amount"]["currency"] != "USD"
            or not item.get("note")
        ):
            raise PaypalError(
                422, "VALIDATION_ERROR", "Venmo payouts are USD, with a note.", "INVALID_VENMO_PAYOUT"
            )
        if self.short_of_funds:
            raise PaypalError(422, "INSUFFICIENT_FUNDS", "Sender does not have sufficient funds.")
        batch_id, item_id = _id(13), _id(13)
        batch = {
            "batch_header": {
                "payout_batch_id": batch_id,
                "batch_status": "PENDING",
                "sender_batch_header": header,
                "time_created": _now(),
            },
            "links": [{"href": f"{API}/v1/payments/payouts/{batch_id}", "rel": "self", "method": "GET"}],
        }
        self.batches[batch_id] = batch
        status = self.payout_outcome.get(item["receiver"], "SUCCESS")
        self.items[item_id] = {
            "payout_item_id": item_id,
            "transaction_id": _id() if status == "SUCCESS" else None,
            "transaction_status": status,
            "payout_batch_id": batch_id,
            "payout_item": item,
            "time_processed": _now(),
            **(
                {"errors": {"name": "RECEIVER_UNREGISTERED", "message": f"Payout {status.lower()}"}}
                if status != "SUCCESS"
                else {}
            ),
        }
        return 201, batch

    async def get_batch(self, request: Request) -> Response:
        batch_id = request.path_params["id"]

        def work(_: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            batch = self.batches.get(batch_id)
            if batch is None:
                raise PaypalError(404, "INVALID_RESOURCE_ID", "No such batch.")
            items = [i for i in self.items.values() if i["payout_batch_id"] == batch_id]
            return 200, {
                **batch,
                "batch_header": {**batch["batch_header"], "batch_status": "SUCCESS"},
                "items": items,
            }

        return await self._serve(request, work)

    async def get_item(self, request: Request) -> Response:
        item_id = request.path_params["id"]

        def work(_: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            if item_id not in self.items:
                raise PaypalError(404, "INVALID_RESOURCE_ID", "No such payout item.")
            return 200, self.items[item_id]

        return await self._serve(request, work)

    async def verify(self, request: Request) -> Response:
        def work(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            fields = (
                "auth_algo",
                "cert_url",
                "transmission_id",
                "transmission_sig",
                "transmission_time",
                "webhook_id",
            )
            if any(not isinstance(body.get(f), str) for f in fields) or "webhook_event" not in body:
                raise PaypalError(400, "VALIDATION_ERROR", "Invalid request.", "MISSING_REQUIRED_PARAMETER")
            expected = self._signature(
                body["transmission_id"], body["transmission_time"], self.webhook_id, body["webhook_event"]
            )
            ok = body["webhook_id"] == self.webhook_id and hmac.compare_digest(
                expected, body["transmission_sig"]
            )
            return 200, {"verification_status": "SUCCESS" if ok else "FAILURE"}

        return await self._serve(request, work)


def _public(resource: dict[str, Any]) -> dict[str, Any]:
    """A resource without the fake's own bookkeeping (keys starting with `_`), deep-copied."""

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if not k.startswith("_")}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return dict(strip(resource))


def _cents(value: str) -> int:
    return int(Decimal(value) * 100)


def _parse(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else {}
    except ValueError as error:
        raise PaypalError(400, "MALFORMED_REQUEST_JSON", "The request JSON is not well formed.") from error


def _tampered(signature: str) -> str:
    """The signature with its first character changed (to one it is not: "x" + signature[1:]
    left one in 64 signatures as they were)."""
    return ("A" if signature[0] != "A" else "B") + signature[1:]

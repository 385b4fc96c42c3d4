"""A local Mollie API (v2) for the tests: the documented JSON of payments, refunds, the current
organization and Connect balance transfers, kept in memory.

What Mollie does on its side is done by the test through this object: `set_status` (the shopper
paid, or the payment expired), `refuse_organization` (a creator whose organisation has not
authorised transfers), `fail_next` (Mollie has a bad moment).
"""

from __future__ import annotations

import json
import secrets
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
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
        self.refused_organizations: set[str] = set()
        self.transfer_status = "created"
        self.requests: list[tuple[str, str, str | None]] = []  # method, path, Idempotency-Key
        self._replies: dict[str, tuple[int, dict[str, Any]]] = {}
        self._failures: list[int] = []
        self._lock = threading.Lock()
        self.app = Starlette(
            routes=[
                Route("/v2/payments", self.create_payment, methods=["POST"]),
                Route("/v2/payments/{id}", self.get_payment, methods=["GET"]),
                Route("/v2/payments/{id}/refunds", self.create_refund, methods=["POST"]),
                Route("/v2/organizations/me", self.get_organization, methods=["GET"]),
                Route("/v2/connect/balance-transfers", self.create_transfer, methods=["POST"]),
                Route("/v2/connect/balance-transfers/{id}", self.get_transfer, methods=["GET"]),
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
                payment["method"] = "ideal"
                payment["amountRefunded"] = {"currency": payment["amount"]["currency"], "value": "0.00"}
                payment["amountRemaining"] = dict(payment["amount"])
            elif status in {"failed", "expired", "canceled"}:
                payment[f"{status}At"] = _now()

    def refuse_organization(self, organization_id: str) -> None:
        self.refused_organizations.add(organization_id)

    def fail_next(self, status: int = 503, times: int = 1) -> None:
        self._failures.extend([status] * times)

    def reset(self) -> None:
        with self._lock:
            self.payments.clear()
            self.refunds.clear()
            self.transfers.clear()
            self.refused_organizations.clear()
            self.transfer_status = "created"
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
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return self._error(MollieError(401, "Missing authentication, or failed to authenticate"))
        if self._failures:
            status = self._failures.pop(0)
            return self._error(MollieError(status, "Mollie is having a bad moment; try again later"))
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
                "method": None,
                "metadata": body.get("metadata"),
                "status": "open",
                "isCancelable": False,
                "expiresAt": (created + timedelta(minutes=15)).isoformat(timespec="seconds"),
                "details": None,
                "profileId": "pfl_QkEhN94Ba",
                "sequenceType": "oneoff",
                "redirectUrl": body["redirectUrl"],
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

    async def get_organization(self, request: Request) -> Response:
        def work(_: Request, __: dict[str, Any]) -> tuple[int, dict[str, Any]]:
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

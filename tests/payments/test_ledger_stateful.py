"""The money flows, property-based: a hypothesis state machine drives long random sequences
through the API and checks the ledger against a model of what must have happened, after
every step.

Steps: orders by several clients of several creators' gigs; checkouts, each charged the order's
amount plus a processing fee (1.5 % + 0.25, so that rounding shows); the sandbox page's pay /
fail / cancel / expire; webhooks run as jobs, posted again by hand (duplicates, early ones) and
stale notices applied out of order; deliveries, revisions, approvals; cancellations before
payment, by agreement after it, and by the client alone after a missed delivery date; refund
requests before any delivery (all of the escrow, part of it, or more than it holds), accepted,
declined or withdrawn, and a second one while one is open; disputes opened by either party and
split by an admin (some splits wrong); auto-completions made due; withdrawals (within, above and
below the limits, with cents .13 that the sandbox refuses, with Idempotency-Keys replayed or
reused, and by a creator without a verified payout method); weekly and monthly payout schedules
(and bad ones), and the scheduled-payout job run for a random "now" in five weeks that cross a
month's and an ISO year's end, sometimes twice in a row; jobs run at random points. Actions by
the wrong party or a stranger are mixed in.

After every step: `ledger_check.check()` finds nothing; every order, payment, refund request,
withdrawal, dispute, payout schedule and scheduled payout is in the state the model says; each
order's escrow holds its amount exactly while it is paid and not finished (an accepted partial
refund lowers that amount, and with it the platform fee and what the creator earns); each
creator's available balance is the earnings of their completed orders plus their dispute
releases net of the fee, minus what they withdrew (paid or in transit); the processing fees
account holds the fees of the paid payments (never refunded), the platform's revenue the
platform fees of what was released, the refunds account the refunds not yet sent, and the
provider's clearing account what was charged less what went back out (refunds, payouts net of
their fee). A scheduled payout withdraws the whole available balance once it is at least
MINIMUM_PAYOUT, once per creator and period. Every refused action answers the expected 4xx
(409 for a transition the state machine does not allow) and changes nothing in the database;
nothing answers 5xx.

Each example starts from an empty database. `HYPOTHESIS_PROFILE=long` runs many more and
longer examples.
"""

from __future__ import annotations

import asyncio
import calendar
import os
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import httpx
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text

from reelbyte.core.config import FeeRule, PayoutFee, Settings
from reelbyte.core.db import get_database
from reelbyte.core.money import format_minor, percentage_of
from reelbyte.payments import service as payments
from reelbyte.payments.ledger_check import check
from reelbyte.payments.providers.base import ProviderPayment
from reelbyte.payments.schedule_jobs import run_schedules
from tests.conftest import reset_state, run_jobs
from tests.factories import (
    gig_for_sale,
    make_admin,
    make_paid_order,
    payout_ready,
    sandbox_id,
    seller_and_buyer,
    signed_up,
)

T = TypeVar("T")

# (examples, steps at most in each): about 30 s by default; `HYPOTHESIS_PROFILE=long`: about 10 min.
PROFILES = {"default": (10, 50), "long": (150, 120)}
FEE = Decimal("15")
MAX_OPEN_ORDERS = 4  # a few orders at a time, so that each gets far
MINIMUM_PAYOUT = 2000
# The sandbox's payout fee here: whole euros, so that what arrives ends in the same cents as
# the withdrawal (the sandbox refuses payouts ending in .13).
PAYOUT_FEE = 100
# The sandbox's processing fee, charged on top of each checkout (kept apart, never refunded).
PROCESSING_PERCENT, PROCESSING_FIXED = Decimal("1.5"), 25
# The scheduled-payout job runs at a random "now" from Monday 30 November 2026 (2026-W49, the
# month's last day) for five weeks: December, and 2026-W53 that ends on Sunday 3 January 2027.
SCHEDULE_START = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
SCHEDULE_DAYS = 34
DAYS = [1, 2, 15, 28, 30, 31]  # the days of the month schedules pay on
PRICES = [2000, 2500, 4999, 5000, 10013, 12345, 33333]
HELD = {"in_progress", "delivered", "revision_requested", "disputed"}
PAID_STATES = {"in_progress", "delivered", "revision_requested"}
SANDBOX_ACTIONS = {"pay": "paid", "fail": "failed", "cancel": "canceled", "expire": "expired"}
# The model's own table of where a payment may go on a notice (the provider's word, read back).
NOTICE_MOVES: dict[str, set[str]] = {
    "open": {"paid", "failed", "canceled", "expired"},
    **{final: set() for final in ("paid", "failed", "canceled", "expired", "refunded")},
}

ERROR_KEYS = {"error", "message", "details"}
# Everything a refused action must leave untouched.
SNAPSHOT_TABLES = [
    "orders",
    "order_events",
    "deliveries",
    "deliverables",
    "disputes",
    "payments",
    "refunds",
    "refund_requests",
    "withdrawals",
    "payout_methods",
    "payout_schedules",
    "scheduled_payouts",
    "ledger_accounts",
    "ledger_transfers",
    "ledger_entries",
    "idempotency_records",
    "sandbox_payments",
    "sandbox_payouts",
    "sandbox_refunds",
]
SNAPSHOT_SQL = (
    "SELECT "
    + ", ".join(
        f"(SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {table} t)"
        for table in SNAPSHOT_TABLES
    )
    + (
        ", (SELECT coalesce(md5(string_agg((j.id, j.status, j.scheduled_at, j.args)::text, '|' ORDER BY j.id)), '')"
        " FROM procrastinate_jobs j)"
    )
)

pick = st.integers(min_value=0, max_value=2**16)
mostly = st.sampled_from([True, True, True, False])  # pick where the action is allowed, mostly
rarely = st.sampled_from([False] * 7 + [True])
# Mostly the right person; sometimes the other party or a stranger.
who = st.sampled_from(["party"] * 6 + ["other", "stranger"])


@dataclass(frozen=True)
class Action:
    name: str
    weight: int
    ready: Callable[[Any], Any]
    arguments: dict[str, st.SearchStrategy[Any]]


ACTIONS: list[Action] = []
# Hypothesis tries the first of a list first, and shrinks towards it: there, the happy path
# (move an order on, or place one), rather than a checkout handed out again fifty times.
SIMPLEST = ["advance", "place_order"]


def simplest_first(action: Action) -> int:
    return SIMPLEST.index(action.name) if action.name in SIMPLEST else len(SIMPLEST)


def action(
    weight: int, ready: Callable[[Any], Any] = lambda machine: True, **arguments: st.SearchStrategy[Any]
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """An action of the machine, drawn `weight` times as often as a weight-1 one when `ready`.

    The actions are not hypothesis rules of their own: hypothesis turns a random part of the
    rules off in each example (swarm testing), and with the few examples a quick run affords,
    examples without checkouts or deliveries never get deep. One rule draws among them instead.
    """

    def register(method: Callable[..., None]) -> Callable[..., None]:
        ACTIONS.append(Action(method.__name__, weight, ready, arguments))
        return method

    return register


def eur(minor: int) -> dict[str, str]:
    return {"currency": "EUR", "value": format_minor(minor)}


def processing_fee(amount: int) -> int:
    return percentage_of(amount, PROCESSING_PERCENT) + PROCESSING_FIXED


def payout_period(schedule: tuple[str, int | None], now: datetime) -> str | None:
    """The model's period due at `now`: an ISO week from its weekday on, a month from its day on
    (the month's last day when it is shorter); None when nothing is due."""
    interval, day = schedule
    if interval == "weekly" and day is not None and now.isoweekday() >= day:
        year, week, _ = now.isocalendar()
        return f"{year}-W{week:02d}"
    if interval == "monthly" and day is not None:
        last = calendar.monthrange(now.year, now.month)[1]
        return f"{now:%Y-%m}" if now.day >= min(day, last) else None
    return None


# --- the model ----------------------------------------------------------------------------


@dataclass(eq=False)
class Party:
    name: str
    id: str
    headers: dict[str, str] = field(repr=False)


@dataclass(eq=False)
class MOrder:
    id: str
    client: Party = field(repr=False)
    creator: Party = field(repr=False)
    amount: int
    revisions_allowed: int
    status: str = "pending_payment"
    revisions_used: int = 0
    delivered: bool = False  # delivered_at is set (it stays set after a revision request)
    late: bool = False  # the delivery date has passed
    cancel_requested_by: str | None = None
    scheduled_auto: list[tuple[int, str]] = field(default_factory=list)  # (job number, delivery id)
    deliveries: list[str] = field(default_factory=list)
    released: int = 0  # what a resolved dispute released to the creator (gross)
    via_dispute: bool = False

    @property
    def fee(self) -> int:
        return percentage_of(self.amount, FEE)

    @property
    def earnings(self) -> int:
        return self.amount - self.fee


@dataclass(eq=False)
class MPayment:
    id: str
    sandbox_id: str
    order: MOrder = field(repr=False)
    amount: int  # charged: the order's amount and the processing fee
    fee: int  # the processing fee, never refunded
    status: str = "open"  # what the app says
    remote: str = "open"  # what the sandbox says
    history: list[str] = field(default_factory=lambda: ["open"])
    refund_sent: int = 0

    @property
    def escrowed(self) -> int:
        return self.amount - self.fee


@dataclass(eq=False)
class MRefundRequest:
    id: str
    order: MOrder
    amount: int
    status: str = "requested"


@dataclass(eq=False)
class MDispute:
    id: str
    order: MOrder
    status: str = "open"


@dataclass(eq=False)
class MWithdrawal:
    id: str
    creator: Party
    amount: int
    status: str = "requested"


@dataclass
class Env:
    loop: asyncio.AbstractEventLoop
    client: httpx.AsyncClient


class LedgerMachine(RuleBasedStateMachine):
    env: Env  # set by the test

    def __init__(self) -> None:
        super().__init__()
        self.creators: list[Party] = []
        self.unready: Party | None = None  # a creator without a verified payout method
        self.clients: list[Party] = []
        self.admin: Party | None = None
        self.gigs: dict[str, tuple[Any, Any]] = {}  # creator id → (gig, package)
        self.orders: list[MOrder] = []
        self.payments: list[MPayment] = []
        self.disputes: list[MDispute] = []
        self.withdrawals: list[MWithdrawal] = []
        self.refund_requests: list[MRefundRequest] = []
        self.schedules: dict[str, tuple[str, int | None]] = {}  # creator id → (interval, day)
        self.scheduled: dict[tuple[str, str], str] = {}  # (creator id, period) → withdrawal id
        self.keyed: dict[tuple[str, str], tuple[int, Any]] = {}  # (user, key) → (amount, answer)
        self.jobs = 0  # numbers the jobs in the order they are deferred
        self.queue: list[tuple[int, str, Any]] = []  # due jobs: (number, kind, what)

    # --- plumbing -------------------------------------------------------------------------

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.env.loop.run_until_complete(work)

    @property
    def http(self) -> httpx.AsyncClient:
        return self.env.client

    async def send(
        self,
        expected: int,
        request: Callable[[], Awaitable[httpx.Response]],
        *,
        what: str,
    ) -> httpx.Response:
        """Send; the answer must be `expected`; a refusal must leave the database as it was."""
        before = await snapshot() if expected >= 400 else None
        response = await request()
        assert response.status_code < 500, (what, response.status_code, response.text)
        assert response.status_code == expected, (what, expected, response.status_code, response.text)
        if before is not None:
            assert set(response.json()) == ERROR_KEYS, response.text
            assert await snapshot() == before, f"{what} was refused ({expected}) but changed something"
        return response

    def defer(self, kind: str, what: Any, *, due: bool = True) -> int:
        self.jobs += 1
        if due:
            self.queue.append((self.jobs, kind, what))
        return self.jobs

    def stranger(self, order: MOrder, n: int) -> Party:
        others = [p for p in self.clients + self.creators if p not in (order.client, order.creator)]
        return others[n % len(others)]

    def funding(self, order: MOrder) -> MPayment:
        """The payment whose escrow holds the (paid) order's money."""
        [payment] = [p for p in self.payments if p.order is order and p.status == "paid"]
        return payment

    def unfinished(self) -> int:
        return sum(o.status not in ("completed", "cancelled") for o in self.orders)

    def choose_order(self, n: int, valid: bool, can: Callable[[MOrder], bool]) -> MOrder:
        """An order; when `valid`, one on which the action is allowed if there is any."""
        candidates = [o for o in self.orders if can(o)] if valid else []
        pool = candidates or self.orders
        return pool[n % len(pool)]

    def actor(self, order: MOrder, role: str, whom: str, n: int) -> tuple[Party, int | None]:
        """(who acts, the answer forced by who they are, or None when they may act)."""
        party, other = (order.client, order.creator) if role == "client" else (order.creator, order.client)
        if whom == "stranger":
            return self.stranger(order, n), 404
        if whom == "other":
            return other, 403
        return party, None

    # --- the example's cast -----------------------------------------------------------------

    @initialize(
        prices=st.lists(st.sampled_from(PRICES), min_size=3, max_size=3),
        revisions=st.lists(st.integers(0, 2), min_size=3, max_size=3),
        schedules=st.lists(
            st.tuples(
                st.sampled_from(["weekly", "monthly", "manual"]), st.integers(1, 7), st.sampled_from(DAYS)
            ),
            min_size=3,
            max_size=3,
        ),
    )
    def cast(self, prices: list[int], revisions: list[int], schedules: list[tuple[str, int, int]]) -> None:
        self.run(self._cast(prices, revisions))
        for i, (interval, weekday, day) in enumerate(schedules):  # most creators are paid out by themselves
            self.set_payout_schedule(i, interval, weekday, day, as_client=False)

    async def _cast(self, prices: list[int], revisions: list[int]) -> None:
        await reset_state()
        for i, (price, revision_count) in enumerate(zip(prices, revisions, strict=True)):
            user, headers = await signed_up(self.http, "creator")
            creator = Party(f"creator{i}", user["id"], headers)
            self.creators.append(creator)
            await payout_ready(creator.id)
            self.gigs[creator.id] = await gig_for_sale(
                creator.id, price_minor=price, revisions=revision_count
            )
        user, headers = await signed_up(self.http, "creator")
        self.unready = Party("unready", user["id"], headers)
        for i in range(3):
            user, headers = await signed_up(self.http, "client")
            self.clients.append(Party(f"client{i}", user["id"], headers))
        admin = await make_admin(self.http)
        me = (await self.http.get("/v1/users/me", headers=admin)).json()
        self.admin = Party("admin", me["id"], admin)

    # --- ordering and paying ----------------------------------------------------------------

    @action(2, lambda self: self.unfinished() < MAX_OPEN_ORDERS, buyer=pick, seller=pick, as_creator=rarely)
    def place_order(self, buyer: int, seller: int, as_creator: bool) -> None:
        creator = self.creators[seller % len(self.creators)]
        gig, package = self.gigs[creator.id]
        body = {"gig_id": str(gig.id), "package_id": str(package.id)}
        if as_creator:  # a creator account is not a client
            other = self.creators[buyer % len(self.creators)]
            self.run(
                self.send(
                    403, lambda: self.http.post("/v1/orders", json=body, headers=other.headers), what="order"
                )
            )
            return
        client = self.clients[buyer % len(self.clients)]
        response = self.run(
            self.send(
                201, lambda: self.http.post("/v1/orders", json=body, headers=client.headers), what="order"
            )
        )
        order = response.json()
        assert order["status"] == "pending_payment"
        self.orders.append(MOrder(order["id"], client, creator, package.price_minor, package.revisions))
        assert order["platform_fee"] == eur(self.orders[-1].fee)

    @action(1, lambda self: self.orders, n=pick, valid=mostly, whom=who)
    def checkout(self, n: int, valid: bool, whom: str) -> None:
        order = self.choose_order(
            n,
            valid,
            lambda o: (
                o.status == "pending_payment"
                and not any(p.order is o and p.remote == "open" for p in self.payments)
            ),
        )
        self.checkout_order(order, whom, n)

    def checkout_order(self, order: MOrder, whom: str = "party", n: int = 0) -> None:
        user, forced = self.actor(order, "client", whom, n)
        expected = 404 if forced else (201 if order.status == "pending_payment" else 409)
        response = self.run(
            self.send(
                expected,
                lambda: self.http.post(
                    "/v1/payments/checkout", json={"order_id": order.id}, headers=user.headers
                ),
                what="checkout",
            )
        )
        if expected != 201:
            return
        body = response.json()
        open_ones = [p for p in self.payments if p.order is order and p.status == "open"]
        if open_ones:  # an open checkout is handed out again
            assert body["payment_id"] == open_ones[0].id
            return
        assert body["payment_id"] not in {p.id for p in self.payments}
        fee = processing_fee(order.amount)
        assert body["amount"] == eur(order.amount + fee)
        self.payments.append(MPayment(body["payment_id"], sandbox_id(body), order, order.amount + fee, fee))

    @action(
        2,
        lambda self: self.payments,
        n=pick,
        valid=mostly,
        button=st.sampled_from(["pay"] * 4 + ["fail", "cancel", "expire"]),
    )
    def click_on_the_sandbox_page(self, n: int, valid: bool, button: str) -> None:
        still_open = [p for p in self.payments if p.remote == "open"] if valid else []
        pool = still_open or self.payments
        self.click(pool[n % len(pool)], button)

    def click(self, payment: MPayment, button: str) -> None:
        self.run(
            self.send(
                303,
                lambda: self.http.post(f"/sandbox/checkout/{payment.sandbox_id}", data={"action": button}),
                what="sandbox page",
            )
        )
        if payment.remote == "open":
            payment.remote = SANDBOX_ACTIONS[button]
        self.defer("webhook", payment)  # sent whatever the page did, like Mollie

    @action(
        10,
        lambda self: self.unfinished(),
        n=pick,
        button=st.sampled_from(["pay"] * 6 + ["fail", "cancel", "expire"]),
        how=st.sampled_from(["hook"] * 3 + ["by_hand"]),
        detour=st.sampled_from(
            ["none"] * 8 + ["cancel", "dispute", "late", "revise", "wait"] + ["refund"] * 2
        ),
    )
    def advance(self, n: int, button: str, how: str, detour: str) -> None:
        """The next step of an unfinished order: pay it, confirm it, deliver it, approve it; or,
        now and then, a detour: cancel it (ask, accept), dispute it, let its delivery date pass
        and cancel, ask for a revision, leave it to complete by itself, or ask for (part of) the
        money back before delivery, which the creator mostly accepts."""
        unfinished = [o for o in self.orders if o.status not in ("completed", "cancelled")]
        order = unfinished[n % len(unfinished)]
        payment = next((p for p in reversed(self.payments) if p.order is order), None)
        either = order.client if n % 2 else order.creator
        if detour == "cancel" and order.status != "disputed":
            self.cancel_order(order, either)
        elif detour == "dispute" and order.status in PAID_STATES:
            self.dispute_order(order, either)
        elif detour == "refund" and self.refundable(order):
            request = self.ask_refund(order, "part" if n % 3 else "all", n)
            if request is not None:
                self.decide_refund_request(request, "accept" if n % 4 else "decline")
        elif order.status == "pending_payment":
            if payment is None or payment.status != "open":
                self.checkout_order(order)
            elif payment.remote == "open":
                self.click(payment, button)
            elif how == "by_hand":
                self.webhook_for(payment)
            else:
                self.jobs_run()
        elif order.status in ("in_progress", "revision_requested"):
            if detour == "late" and not order.delivered:
                self.make_late(order)
                self.cancel_order(order, order.client)
            else:
                self.deliver_order(order, with_file=how == "by_hand")
        elif order.status == "delivered":
            if detour == "revise":
                self.revise_order(order)
            elif detour == "wait":
                self.make_auto_completion_due(order)
                self.jobs_run()
            else:
                self.approve_order(order)
        else:  # disputed: what an admin does
            self.resolve_dispute(n, True, n % 5, n, 0, False)

    @action(1, lambda self: self.payments, n=pick)
    def webhook_by_hand(self, n: int) -> None:
        """A duplicate, early or late notice: the app reads the payment back and acts on that."""
        self.webhook_for(self.payments[n % len(self.payments)])

    def webhook_for(self, payment: MPayment) -> None:
        response = self.run(
            self.send(
                200,
                lambda: self.http.post("/v1/payments/webhook", data={"id": payment.sandbox_id}),
                what="webhook",
            )
        )
        self.notice(payment)
        assert response.json() == {"status": payment.status}

    @action(1)
    def webhook_for_an_unknown_payment(self) -> None:
        self.run(
            self.send(
                404,
                lambda: self.http.post("/v1/payments/webhook", data={"id": f"tr_{uuid.uuid4().hex[:16]}"}),
                what="unknown webhook",
            )
        )

    @action(1, lambda self: self.payments, n=pick, which=pick)
    def stale_notice(self, n: int, which: int) -> None:
        """A provider that pushes statuses delivers an old one late: nothing changes."""
        payment = self.payments[n % len(self.payments)]
        stale = payment.history[which % len(payment.history)]

        async def apply() -> None:
            before = await snapshot()
            remote = ProviderPayment(payment.sandbox_id, stale, payment.amount, "EUR")
            async with get_database().sessions() as session:
                applied = await payments.apply_remote_status(session, uuid.UUID(payment.id), remote)
                assert applied.status.value == payment.status
            assert await snapshot() == before

        self.run(apply())

    def notice(self, payment: MPayment) -> None:
        """What a notice does: the app moves to what the sandbox says, if that is a move."""
        if payment.remote not in NOTICE_MOVES[payment.status]:
            return
        payment.status = payment.remote
        payment.history.append(payment.remote)
        if payment.remote != "paid":
            return
        order = payment.order
        if order.status == "pending_payment":
            order.status = "in_progress"
        else:  # paid through an old checkout after the order was cancelled: given back, less the fee
            self.defer("refund", (payment, payment.escrowed, None))

    @action(3, day=st.integers(0, SCHEDULE_DAYS) | st.none())
    def jobs_run(self, day: int | None = None) -> None:
        """The due jobs run; then, on a `day` of the schedules' five weeks, the periodic
        scheduled-payout job (its payouts are jobs of the next run)."""
        self.run(run_jobs())
        while self.queue:
            self.queue.sort(key=lambda job: job[0])
            _, kind, what = self.queue.pop(0)
            if kind == "webhook":
                self.notice(what)
            elif kind == "refund":
                payment, amount, request = what
                payment.refund_sent += amount
                if payment.refund_sent >= payment.escrowed:
                    payment.status = "refunded"
                    payment.history.append("refunded")
                if request is not None:
                    request.status = "refunded"
            elif kind == "payout":
                what.status = "failed" if what.amount % 100 == 13 else "paid"
            elif kind == "auto":
                order, delivery_id = what
                if order.status == "delivered" and order.deliveries[-1] == delivery_id:
                    order.status = "completed"
        if day is not None:
            self.run_scheduled_payouts(SCHEDULE_START + timedelta(days=day, hours=12))

    # --- the work -----------------------------------------------------------------------------

    @action(2, lambda self: self.orders, n=pick, valid=mostly, whom=who, with_file=st.booleans())
    def deliver(self, n: int, valid: bool, whom: str, with_file: bool) -> None:
        can = lambda o: o.status in ("in_progress", "revision_requested")  # noqa: E731
        self.deliver_order(self.choose_order(n, valid, can), whom, n, with_file)

    def deliver_order(self, order: MOrder, whom: str = "party", n: int = 0, with_file: bool = False) -> None:
        user, forced = self.actor(order, "creator", whom, n)
        expected = forced or (200 if order.status in ("in_progress", "revision_requested") else 409)
        files = [{"url": "https://vimeo.com/76979871", "title": "Cut"}] if with_file else []
        response = self.run(
            self.send(
                expected,
                lambda: self.http.post(
                    f"/v1/orders/{order.id}/deliver",
                    json={"message": "Here it is", "deliverables": files},
                    headers=user.headers,
                ),
                what="deliver",
            )
        )
        if expected == 200:
            order.status, order.delivered = "delivered", True
            order.deliveries.append(response.json()["id"])
            order.scheduled_auto.append((self.defer("auto", None, due=False), order.deliveries[-1]))

    @action(1, lambda self: self.orders, n=pick, valid=mostly, whom=who)
    def approve(self, n: int, valid: bool, whom: str) -> None:
        self.approve_order(self.choose_order(n, valid, lambda o: o.status == "delivered"), whom, n)

    def approve_order(self, order: MOrder, whom: str = "party", n: int = 0) -> None:
        user, forced = self.actor(order, "client", whom, n)
        expected = forced or (200 if order.status == "delivered" else 409)
        response = self.run(
            self.send(
                expected,
                lambda: self.http.post(f"/v1/orders/{order.id}/approve", headers=user.headers),
                what="approve",
            )
        )
        if expected == 200:
            order.status = "completed"
            assert response.json()["status"] == "completed"

    @action(2, lambda self: self.orders, n=pick, valid=mostly, whom=who)
    def request_revision(self, n: int, valid: bool, whom: str) -> None:
        can = lambda o: o.status == "delivered" and o.revisions_used < o.revisions_allowed  # noqa: E731
        self.revise_order(self.choose_order(n, valid, can), whom, n)

    def revise_order(self, order: MOrder, whom: str = "party", n: int = 0) -> None:
        user, forced = self.actor(order, "client", whom, n)
        allowed = order.status == "delivered" and order.revisions_used < order.revisions_allowed
        expected = forced or (200 if allowed else 409)
        self.run(
            self.send(
                expected,
                lambda: self.http.post(
                    f"/v1/orders/{order.id}/request-revision",
                    json={"reason": "Shorter"},
                    headers=user.headers,
                ),
                what="revision",
            )
        )
        if expected == 200:
            order.status = "revision_requested"
            order.revisions_used += 1

    @action(1, lambda self: any(o.status in PAID_STATES for o in self.orders), n=pick)
    def miss_the_delivery_date(self, n: int) -> None:
        """Time passes: the paid order's delivery date is an hour ago."""
        paid = [o for o in self.orders if o.status in PAID_STATES]
        self.make_late(paid[n % len(paid)])

    def make_late(self, order: MOrder) -> None:
        async def move() -> None:
            async with get_database().engine.begin() as connection:
                await connection.execute(
                    text("UPDATE orders SET delivery_date = now() - interval '1 hour' WHERE id = :id"),
                    {"id": order.id},
                )

        self.run(move())
        order.late = True

    @action(2, lambda self: any(o.scheduled_auto for o in self.orders), n=pick)
    def auto_completion_comes_due(self, n: int) -> None:
        """Time passes: the order's auto-completion jobs are due now."""
        waiting = [o for o in self.orders if o.scheduled_auto]
        self.make_auto_completion_due(waiting[n % len(waiting)])

    def make_auto_completion_due(self, order: MOrder) -> None:
        async def move() -> int:
            async with get_database().engine.begin() as connection:
                result = await connection.execute(
                    text(
                        "UPDATE procrastinate_jobs SET scheduled_at = now() - interval '1 second' "
                        "WHERE task_name = 'auto_complete_order' AND status = 'todo' "
                        # not one already made due and waiting in the model's queue to run
                        "AND scheduled_at > now() AND args->>'order_id' = :id"
                    ),
                    {"id": order.id},
                )
                return result.rowcount

        assert self.run(move()) == len(order.scheduled_auto)
        self.queue.extend((number, "auto", (order, delivery)) for number, delivery in order.scheduled_auto)
        order.scheduled_auto.clear()

    # --- cancelling and disputing --------------------------------------------------------------

    @action(
        2,
        lambda self: self.orders,
        n=pick,
        valid=mostly,
        whom=st.sampled_from(["client", "creator"] * 3 + ["stranger"]),
    )
    def cancel(self, n: int, valid: bool, whom: str) -> None:
        order = self.choose_order(
            n, valid, lambda o: o.status == "pending_payment" or o.status in PAID_STATES
        )
        self.cancel_order(
            order, {"client": order.client, "creator": order.creator}.get(whom) or self.stranger(order, n)
        )

    def cancel_order(self, order: MOrder, user: Party) -> None:
        outcome = "refused"
        if user not in (order.client, order.creator):
            expected = 404
        elif order.status == "pending_payment":
            expected, outcome = 200, "cancelled"
        elif order.status in PAID_STATES:
            late = user is order.client and not order.delivered and order.late
            agreed = order.cancel_requested_by not in (None, user.id)
            if late or agreed:
                expected, outcome = 200, "refunded"
            elif order.cancel_requested_by == user.id:
                expected = 409
            else:
                expected, outcome = 200, "asked"
        else:
            expected = 409
        response = self.run(
            self.send(
                expected,
                lambda: self.http.post(
                    f"/v1/orders/{order.id}/cancel", json={"reason": "Changed plans"}, headers=user.headers
                ),
                what="cancel",
            )
        )
        if outcome == "asked":
            order.cancel_requested_by = user.id
            assert response.json()["cancellation_requested_by"] == user.id
        elif outcome in ("cancelled", "refunded"):
            order.status = "cancelled"
            if outcome == "refunded":
                self.defer("refund", (self.funding(order), order.amount, None))

    @action(
        2,
        lambda self: self.orders,
        n=pick,
        valid=mostly,
        whom=st.sampled_from(["client", "creator"] * 3 + ["stranger"]),
    )
    def open_dispute(self, n: int, valid: bool, whom: str) -> None:
        order = self.choose_order(n, valid, lambda o: o.status in PAID_STATES)
        self.dispute_order(
            order, {"client": order.client, "creator": order.creator}.get(whom) or self.stranger(order, n)
        )

    def dispute_order(self, order: MOrder, user: Party) -> None:
        if user not in (order.client, order.creator):
            expected = 404
        else:
            expected = 201 if order.status in PAID_STATES else 409
        response = self.run(
            self.send(
                expected,
                lambda: self.http.post(
                    f"/v1/orders/{order.id}/dispute", json={"reason": "Not as agreed"}, headers=user.headers
                ),
                what="dispute",
            )
        )
        if expected == 201:
            order.status = "disputed"
            self.disputes.append(MDispute(response.json()["id"], order))

    @action(
        2,
        lambda self: self.disputes,
        n=pick,
        valid=mostly,
        share=st.sampled_from([0, 1, 2, 3, 4]),
        exact=st.integers(0, 10**6),
        mistake=st.sampled_from([0] * 6 + [-1, 1]),
        by_party=rarely,
    )
    def resolve_dispute(
        self, n: int, valid: bool, share: int, exact: int, mistake: int, by_party: bool
    ) -> None:
        """An admin splits the held money: all back, all released, or anything between."""
        open_ones = [d for d in self.disputes if d.status == "open"]
        pool = open_ones if valid and open_ones else self.disputes
        dispute = pool[n % len(pool)]
        order = dispute.order
        held = order.amount
        refund = {0: 0, 1: held, 2: held // 2, 3: exact % (held + 1), 4: 1}[share]
        release = held - refund + mistake
        if release < 0:
            release, refund = 0, held - 1  # still a wrong split, in amounts that are not negative
        user = order.client if by_party else self.admin
        assert user is not None
        if by_party:
            expected = 403
        elif dispute.status != "open":
            expected = 409
        else:
            expected = 400 if refund + release != held else 200
        body = {"refund": eur(refund), "release": eur(release), "note": "Split"}
        self.run(
            self.send(
                expected,
                lambda: self.http.post(
                    f"/v1/admin/disputes/{dispute.id}/resolve", json=body, headers=user.headers
                ),
                what="resolve",
            )
        )
        if expected != 200:
            return
        dispute.status = "resolved"
        order.status = "completed" if release > 0 else "cancelled"
        order.via_dispute, order.released = True, release
        if refund:
            self.defer("refund", (self.funding(order), refund, None))

    # --- refund requests -------------------------------------------------------------------------

    @action(
        3,
        lambda self: self.orders,
        n=pick,
        valid=mostly,
        whom=who,
        size=st.sampled_from(["all", "exact", "part", "part", "above"]),
        extra=st.integers(1, 50_000),
    )
    def request_refund(self, n: int, valid: bool, whom: str, size: str, extra: int) -> None:
        """The client asks for all, part or more than all of an undelivered order's escrow."""
        order = self.choose_order(n, valid, self.refundable)
        self.ask_refund(order, size, extra, whom, n)

    def refundable(self, order: MOrder) -> bool:
        return order.status in PAID_STATES and not order.delivered and self.open_request(order) is None

    def open_request(self, order: MOrder) -> MRefundRequest | None:
        return next((r for r in self.refund_requests if r.order is order and r.status == "requested"), None)

    def ask_refund(
        self, order: MOrder, size: str, extra: int, whom: str = "party", n: int = 0
    ) -> MRefundRequest | None:
        amount = {
            "all": None,  # all that escrow holds
            "exact": order.amount,
            "part": 1 + extra % max(order.amount - 1, 1),
            "above": order.amount + extra,
        }[size]
        user, forced = self.actor(order, "client", whom, n)
        if forced:
            expected = forced
        elif order.delivered or order.status not in PAID_STATES:
            expected = 409  # work was delivered, or nothing is in escrow
        elif amount is not None and amount > order.amount:
            expected = 422
        elif self.open_request(order) is not None:
            expected = 409
        else:
            expected = 201
        body: dict[str, Any] = {"order_id": order.id, "reason": "We no longer need it."}
        if amount is not None:
            body["amount"] = eur(amount)
        response = self.run(
            self.send(
                expected,
                lambda: self.http.post("/v1/payments/refunds", json=body, headers=user.headers),
                what=f"refund request {size}",
            )
        )
        if expected != 201:
            return None
        shown = response.json()
        assert (shown["status"], shown["amount"]) == ("requested", eur(amount or order.amount)), shown
        request = MRefundRequest(shown["id"], order, amount or order.amount)
        self.refund_requests.append(request)
        return request

    @action(
        2,
        lambda self: self.refund_requests,
        n=pick,
        valid=mostly,
        whom=who,
        decision=st.sampled_from(["accept"] * 3 + ["decline", "cancel"]),
    )
    def decide_refund(self, n: int, valid: bool, whom: str, decision: str) -> None:
        """The creator accepts or declines a refund request, or the client withdraws it."""
        waiting = [r for r in self.refund_requests if r.status == "requested"] if valid else []
        pool = waiting or self.refund_requests
        self.decide_refund_request(pool[n % len(pool)], decision, whom, n)

    def decide_refund_request(
        self, request: MRefundRequest, decision: str, whom: str = "party", n: int = 0
    ) -> None:
        order = request.order
        user, forced = self.actor(order, "client" if decision == "cancel" else "creator", whom, n)
        if forced:
            expected = forced
        elif request.status != "requested":
            expected = 409
        elif decision == "accept" and order.status not in PAID_STATES:
            expected = 409  # disputed, cancelled or completed since: escrow is not the creator's to give
        elif decision == "accept" and request.amount > order.amount:
            expected = 422
        else:
            expected = 200
        body = {"note": "The work has started."} if decision == "decline" else None
        response = self.run(
            self.send(
                expected,
                lambda: self.http.post(
                    f"/v1/payments/refunds/{request.id}/{decision}", json=body, headers=user.headers
                ),
                what=f"refund {decision}",
            )
        )
        if expected != 200:
            return
        request.status = {"accept": "accepted", "decline": "declined", "cancel": "cancelled"}[decision]
        assert response.json()["status"] == request.status
        if decision != "accept":
            return
        self.defer("refund", (self.funding(order), request.amount, request))
        if request.amount == order.amount:
            order.status = "cancelled"
        else:  # a lower price: the platform fee and the creator's earnings follow (MOrder.fee)
            order.amount -= request.amount

    # --- withdrawals ---------------------------------------------------------------------------

    @action(
        4,
        n=pick,
        kind=st.sampled_from(["fits", "all", "above", "cents13", "below_minimum"]),
        extra=st.integers(1, 50_000),
        key=st.none() | st.sampled_from(["k1", "k2"]),
        as_client=rarely,
        unready=rarely,
    )
    def withdraw(
        self, n: int, kind: str, extra: int, key: str | None, as_client: bool, unready: bool
    ) -> None:
        creator = self.creators[n % len(self.creators)]
        available = self.expected_balances(creator)[0]
        amount = {
            "fits": MINIMUM_PAYOUT + extra % max(available - MINIMUM_PAYOUT + 1, 1),
            "all": max(available, MINIMUM_PAYOUT),
            "above": available + extra,
            "cents13": max((available - 13) // 100 * 100 + 13, MINIMUM_PAYOUT + 13),
            "below_minimum": 1 + extra % (MINIMUM_PAYOUT - 1),
        }[kind]
        user = self.clients[n % len(self.clients)] if as_client else creator
        if unready and not as_client:  # no verified payout method: refused, nothing moves
            assert self.unready is not None
            user, key = self.unready, None
        headers = {**user.headers, **({"Idempotency-Key": key} if key else {})}
        earlier = self.keyed.get((user.id, key)) if key else None
        if as_client:
            expected = 403
        elif earlier is not None:
            expected = 201 if earlier[0] == amount else 409
        elif amount < MINIMUM_PAYOUT:
            expected = 400
        elif user is self.unready:
            expected = 409
        else:
            expected = 201 if amount <= available else 409
        response = self.run(
            self.send(
                expected,
                lambda: self.http.post(
                    "/v1/payments/me/withdraw", json={"amount": eur(amount)}, headers=headers
                ),
                what=f"withdraw {kind}",
            )
        )
        if expected != 201:
            return
        if earlier is not None:  # the first answer again, and nothing moved
            assert response.json() == earlier[1]
            return
        body = response.json()
        assert body["amount"] == eur(amount)
        withdrawal = MWithdrawal(body["id"], creator, amount)
        self.withdrawals.append(withdrawal)
        self.defer("payout", withdrawal)
        if key:
            self.keyed[(user.id, key)] = (amount, body)

    # --- payout schedules ------------------------------------------------------------------------

    @action(
        1,
        n=pick,
        interval=st.sampled_from(["weekly", "weekly", "monthly", "monthly", "manual", "bad"]),
        weekday=st.integers(1, 7),
        day=st.sampled_from(DAYS),
        as_client=rarely,
    )
    def set_payout_schedule(self, n: int, interval: str, weekday: int, day: int, as_client: bool) -> None:
        creator = self.creators[n % len(self.creators)]
        bodies: dict[str, dict[str, Any]] = {
            "weekly": {"interval": "weekly", "weekday": weekday},
            "monthly": {"interval": "monthly", "day_of_month": day},
            "manual": {"interval": "manual"},
            "bad": {"interval": "monthly", "weekday": weekday},
        }
        body = bodies[interval]
        if as_client:  # only creators have a schedule
            user, expected, body = self.clients[n % len(self.clients)], 403, {"interval": "manual"}
        else:
            user, expected = creator, 422 if interval == "bad" else 200
        response = self.run(
            self.send(
                expected,
                lambda: self.http.put("/v1/payments/me/payout-schedule", json=body, headers=user.headers),
                what=f"payout schedule {interval}",
            )
        )
        if expected != 200:
            return
        day_of = {"weekly": weekday, "monthly": day}.get(interval)
        self.schedules[creator.id] = (interval, day_of)
        shown = response.json()
        assert shown["interval"] == interval
        assert (shown["weekday"], shown["day_of_month"]) == (
            day_of if interval == "weekly" else None,
            day_of if interval == "monthly" else None,
        )
        assert (shown["next_payout_on"] is None) == (interval == "manual")

    @action(
        2,
        lambda self: self.schedules,
        day=st.integers(0, SCHEDULE_DAYS),
        hour=st.integers(0, 23),
        again=st.sampled_from([False, False, True]),
    )
    def scheduled_payouts_run(self, day: int, hour: int, again: bool) -> None:
        """The periodic job at `now`; run again at once, it finds nothing more to pay."""
        now = SCHEDULE_START + timedelta(days=day, hours=hour)
        self.run_scheduled_payouts(now)
        if again:
            self.run_scheduled_payouts(now)

    def run_scheduled_payouts(self, now: datetime) -> None:
        due: dict[tuple[str, str], tuple[Party, int]] = {}
        for creator in self.creators:
            schedule = self.schedules.get(creator.id)
            period = payout_period(schedule, now) if schedule else None
            available = self.expected_balances(creator)[0]
            if period and (creator.id, period) not in self.scheduled and available >= MINIMUM_PAYOUT:
                due[(creator.id, period)] = (creator, available)

        async def run() -> dict[tuple[str, str], tuple[str, int]]:
            before = await snapshot()
            outcomes = await run_schedules(now)
            assert outcomes == ({"requested": len(due)} if due else {}), (now, outcomes, due)
            if not due:  # nothing is due, or it was paid this period already: nothing moves
                assert await snapshot() == before
            async with get_database().engine.connect() as connection:
                made = await connection.execute(
                    text(
                        "SELECT s.user_id, s.period, w.id, w.amount_minor FROM scheduled_payouts s "
                        "JOIN withdrawals w ON w.id = s.withdrawal_id"
                    )
                )
                return {(str(user), period): (str(w), amount) for user, period, w, amount in made}

        made = self.run(run())
        new = {key: value for key, value in made.items() if key not in self.scheduled}
        assert {key: amount for key, (_, amount) in new.items()} == {
            key: available for key, (_, available) in due.items()
        }, now
        for key, (withdrawal_id, amount) in sorted(new.items()):
            withdrawal = MWithdrawal(withdrawal_id, due[key][0], amount)
            self.withdrawals.append(withdrawal)
            self.defer("payout", withdrawal)
            self.scheduled[key] = withdrawal_id

    @action(1, n=pick)
    def balance_through_the_api(self, n: int) -> None:
        creator = self.creators[n % len(self.creators)]
        response = self.run(
            self.send(
                200, lambda: self.http.get("/v1/payments/me/balance", headers=creator.headers), what="balance"
            )
        )
        available, in_transit, pending = self.expected_balances(creator)
        assert response.json() == {
            "available": eur(available),
            "pending": eur(pending),
            "in_transit": eur(in_transit),
        }

    # --- the one rule ------------------------------------------------------------------------------

    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        ready = {a.name: a for a in sorted(ACTIONS, key=simplest_first) if a.ready(self)}
        name = data.draw(
            st.sampled_from([a.name for a in ready.values() for _ in range(a.weight)]), label="action"
        )
        arguments = {key: data.draw(strategy, label=key) for key, strategy in ready[name].arguments.items()}
        getattr(self, name)(**arguments)

    # --- what must hold after every step ---------------------------------------------------------

    def expected_balances(self, creator: Party) -> tuple[int, int, int]:
        """(available, in transit, pending) by the model: earned, minus withdrawn."""
        mine = [o for o in self.orders if o.creator is creator]
        earned = sum(o.earnings for o in mine if o.status == "completed" and not o.via_dispute)
        released = sum(o.released - percentage_of(o.released, FEE) for o in mine if o.via_dispute)
        withdrawals = [w for w in self.withdrawals if w.creator is creator]
        withdrawn = sum(w.amount for w in withdrawals if w.status in ("requested", "paid"))
        in_transit = sum(w.amount for w in withdrawals if w.status == "requested")
        pending = sum(o.earnings for o in mine if o.status in HELD)
        return earned + released - withdrawn, in_transit, pending

    @invariant()
    def the_books_match_the_model(self) -> None:
        self.run(self._check_books())

    async def _check_books(self) -> None:
        async with get_database().sessions() as session:
            assert await check(session) == []
        async with get_database().engine.connect() as connection:

            async def rows(sql: str) -> dict[str, Any]:
                return {str(row[0]): row[1] for row in (await connection.execute(text(sql))).all()}

            orders = {
                str(row[0]): tuple(row[1:])
                for row in await connection.execute(
                    text("SELECT id, status::text, revisions_used, cancellation_requested_by FROM orders")
                )
            }
            balances = await rows("SELECT key, balance_minor FROM ledger_accounts")
            payment_rows = await rows("SELECT id, status::text FROM payments")
            withdrawal_rows = await rows("SELECT id, status::text FROM withdrawals")
            dispute_rows = await rows("SELECT id, status::text FROM disputes")
            request_rows = await rows("SELECT id, status::text FROM refund_requests")
            schedule_rows = {
                str(row[0]): (row[1], row[2] or row[3])
                for row in await connection.execute(
                    text("SELECT user_id, interval::text, weekday, day_of_month FROM payout_schedules")
                )
            }
            scheduled_rows = {
                (str(row[0]), row[1]): str(row[2])
                for row in await connection.execute(
                    text("SELECT user_id, period, withdrawal_id FROM scheduled_payouts")
                )
            }
            twice = (
                await connection.execute(
                    text(
                        "SELECT order_id, kind FROM order_events WHERE kind IN ('paid', 'approved', "
                        "'auto_completed', 'dispute_resolved') GROUP BY order_id, kind HAVING count(*) > 1"
                    )
                )
            ).all()
        assert twice == []
        assert len(orders) == len(self.orders)
        for order in self.orders:
            requested = order.cancel_requested_by and uuid.UUID(order.cancel_requested_by)
            assert orders[order.id] == (order.status, order.revisions_used, requested), order
            escrow = balances.get(f"escrow:order:{order.id}", 0)
            assert escrow == (order.amount if order.status in HELD else 0), (order, escrow)
        assert payment_rows == {p.id: p.status for p in self.payments}
        assert withdrawal_rows == {w.id: w.status for w in self.withdrawals}
        assert dispute_rows == {d.id: d.status for d in self.disputes}
        assert request_rows == {r.id: r.status for r in self.refund_requests}
        assert schedule_rows == self.schedules
        assert scheduled_rows == self.scheduled
        self.check_platform_accounts(balances)
        for creator in self.creators:
            available, in_transit, _ = self.expected_balances(creator)
            assert balances.get(f"user:{creator.id}:available:EUR", 0) == available, creator.name
            assert balances.get(f"user:{creator.id}:in_transit:EUR", 0) == in_transit, creator.name
        for client in self.clients:  # clients never hold a balance
            assert balances.get(f"user:{client.id}:available:EUR", 0) == 0

    def check_platform_accounts(self, balances: dict[str, Any]) -> None:
        """Processing fees, platform revenue, refunds under way and the provider's clearing
        account, by the model."""
        charged = [p for p in self.payments if p.status in ("paid", "refunded")]
        assert balances.get("platform:processing_fees:EUR", 0) == sum(p.fee for p in charged)
        revenue = sum(o.fee for o in self.orders if o.status == "completed" and not o.via_dispute)
        revenue += sum(percentage_of(o.released, FEE) for o in self.orders if o.via_dispute)
        assert balances.get("platform:revenue:EUR", 0) == revenue
        under_way = sum(what[1] for _, kind, what in self.queue if kind == "refund")
        assert balances.get("platform:refunds:EUR", 0) == under_way
        paid_out = [w for w in self.withdrawals if w.status == "paid"]
        assert balances.get("platform:payout_fees:EUR", 0) == PAYOUT_FEE * len(paid_out)
        clearing = -sum(p.amount for p in charged) + sum(p.refund_sent for p in self.payments)
        clearing += sum(w.amount - PAYOUT_FEE for w in paid_out)
        assert balances.get("provider:sandbox:clearing:EUR", 0) == clearing


async def snapshot() -> Sequence[str]:
    async with get_database().engine.connect() as connection:
        row = (await connection.execute(text(SNAPSHOT_SQL))).one()
    return tuple(row)


@pytest.fixture(scope="session")
async def session_loop() -> asyncio.AbstractEventLoop:
    """The loop the app's database pool lives on; the machine's sync rules run their steps on it."""
    return asyncio.get_running_loop()


@pytest.mark.slow
def test_random_money_flows_keep_the_ledger_right(
    session_loop: asyncio.AbstractEventLoop,
    client: httpx.AsyncClient,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "payout_fees", {"sandbox": PayoutFee(fixed=Decimal(PAYOUT_FEE) / 100)})
    monkeypatch.setattr(
        settings,
        "processing_fees",
        {"sandbox": {"card": FeeRule(percent=PROCESSING_PERCENT, fixed=Decimal(PROCESSING_FIXED) / 100)}},
    )
    examples, steps = PROFILES[os.environ.get("HYPOTHESIS_PROFILE", "default")]
    LedgerMachine.env = Env(session_loop, client)
    run_state_machine_as_test(
        LedgerMachine,
        settings=hypothesis_settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


async def test_the_ledger_check_sees_refunds_booked_wrongly(client: httpx.AsyncClient) -> None:
    """The invariants the machine leans on for refund requests do fire."""
    creator, buyer, gig, package = await seller_and_buyer(client)
    order = await make_paid_order(client, buyer, gig, package)
    asked = await client.post(
        "/v1/payments/refunds",
        json={"order_id": order["id"], "amount": eur(2000), "reason": "Only the short cut."},
        headers=buyer,
    )
    accepted = await client.post(f"/v1/payments/refunds/{asked.json()['id']}/accept", headers=creator)
    assert accepted.status_code == 200, accepted.text
    await run_jobs()

    async def broken_after(*statements: str) -> set[str]:
        async with get_database().engine.begin() as connection:
            for sql in statements:
                await connection.execute(text(sql))
        async with get_database().sessions() as session:
            return {violation.invariant for violation in await check(session)}

    assert await broken_after() == set()
    assert await broken_after("UPDATE refund_requests SET status = 'accepted'") == {
        "every accepted refund request is one refund of its amount, refunded when the request is"
    }
    assert await broken_after("UPDATE refund_requests SET status = 'refunded', amount_minor = 1999") == {
        "every accepted refund request is one refund of its amount, refunded when the request is"
    }
    assert await broken_after(
        "UPDATE refund_requests SET amount_minor = 2000",
        "UPDATE payments SET processing_fee_minor = amount_minor - 1999",
    ) == {
        "no payment is refunded more than it put in escrow",
        "the processing fees account holds the fees of the paid payments",
    }

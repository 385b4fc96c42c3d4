"""The soak's load: what it records, how it calls the API (with safe retries), and the four kinds
of work (browse, order flows, chat, uploads). bench/soak.py schedules them and reports."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import random
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
import websockets
from PIL import Image

from bench._common import median, percentile

KINDS = ("browse", "order", "chat", "upload")
PASSWORD = "Soak!Passw0rd"
EXAMPLES_PER_KIND = 12
RETRY_FOR_SECONDS = 90  # how long a flow keeps retrying one step through a fault
ACK_TIMEOUT_SECONDS = 20
POLL_SECONDS = 1.0
SEARCH_WORDS = ("wedding", "logo", "motion", "film", "edit", "travel", "youtube", "reel", "color", "music")


class OpFailed(Exception):
    """One operation gave up (after its retries)."""


# --- what is recorded -----------------------------------------------------------------------


@dataclass
class Recorder:
    """Latency and errors of every request, per kind, per 30 s window and per chaos phase."""

    phase: str = "warm-up"
    window: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    window_errors: Counter[str] = field(default_factory=Counter)
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)  # (phase, kind)
    requests: Counter[tuple[str, str]] = field(default_factory=Counter)
    disconnects: Counter[str] = field(default_factory=Counter)  # chat sockets dropped, per phase
    ops_done: Counter[str] = field(default_factory=Counter)
    ops_failed: Counter[str] = field(default_factory=Counter)
    ops_shed: Counter[str] = field(default_factory=Counter)
    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    examples: list[str] = field(default_factory=list)
    example_counts: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def request(self, kind: str, seconds: float, error: str | None = None) -> None:
        self.requests[self.phase, kind] += 1
        self.window[kind].append(seconds)
        self.latencies[kind].append(seconds)
        if error is not None:
            self.errors[self.phase, kind] += 1
            self.window_errors[kind] += 1
            if self.example_counts[kind] < EXAMPLES_PER_KIND:
                self.example_counts[kind] += 1
                self.examples.append(self.line(kind, error))

    def failed(self, kind: str, reason: str) -> None:
        """An operation gave up: why (its requests' errors are recorded already)."""
        self.ops_failed[kind] += 1
        if self.ops_failed[kind] <= EXAMPLES_PER_KIND:
            self.failures.append(self.line(kind, reason))

    def line(self, kind: str, text: str) -> str:
        return (
            f"{time.monotonic() - self.started:6.1f}s [{self.phase}] {kind}: {' '.join(text.split())[:300]}"
        )

    def take_window(self) -> tuple[dict[str, list[float]], Counter[str]]:
        window, errors = self.window, self.window_errors
        self.window, self.window_errors = defaultdict(list), Counter()
        return window, errors


def summary(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"count": 0, "p50_ms": float("nan"), "p99_ms": float("nan")}
    return {
        "count": len(samples),
        "p50_ms": median(samples) * 1000,
        "p99_ms": percentile(samples, 99) * 1000,
    }


# --- calling the API ------------------------------------------------------------------------


class Api:
    """The HTTP client through nginx. Every request is timed and recorded under its kind; with
    `retry`, a transport error or a 5xx is recorded and the same request sent again (a POST with
    its same Idempotency-Key or client_id) until it answers or RETRY_FOR_SECONDS pass."""

    def __init__(self, http: httpx.AsyncClient, recorder: Recorder) -> None:
        self.http = http
        self.recorder = recorder

    async def call(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        ok: tuple[int, ...] = (200,),
        retry: bool = False,
        **options: Any,
    ) -> httpx.Response:
        deadline = time.monotonic() + RETRY_FOR_SECONDS
        pause = 0.25
        while True:
            started = time.perf_counter()
            try:
                response = await self.http.request(method, path, **options)
            except httpx.TransportError as error:
                problem = f"{method} {path}: {type(error).__name__} {error}"
                transient = True
            else:
                if response.status_code in ok:
                    self.recorder.request(kind, time.perf_counter() - started)
                    return response
                problem = f"{method} {path}: {response.status_code} {response.text[:200]}"
                transient = response.status_code >= 500
            self.recorder.request(kind, time.perf_counter() - started, problem)
            if not (retry and transient) or time.monotonic() > deadline:
                raise OpFailed(problem)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 2.0)


@dataclass
class Person:
    id: str
    username: str
    email: str
    password: str
    headers: dict[str, str]


async def sign_up(api: Api, role: str) -> Person:
    name = f"soak-{role}-{uuid.uuid4().hex[:10]}"
    email = f"{name}@example.com"
    body = {"email": email, "username": name, "password": PASSWORD, "full_name": name, "role": role}
    user = (await api.call("setup", "POST", "/v1/auth/register", json=body, ok=(201,), retry=True)).json()
    return await log_in(api, email, PASSWORD, user["id"], name)


async def log_in(api: Api, email: str, password: str, user_id: str = "", username: str = "") -> Person:
    body = {"email": email, "password": password}
    tokens = (await api.call("setup", "POST", "/v1/auth/login", json=body, retry=True)).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    if not user_id:
        me = (await api.call("setup", "GET", "/v1/users/me", headers=headers, retry=True)).json()
        user_id, username = me["id"], me["username"]
    return Person(user_id, username, email, password, headers)


# --- browse and search (70 %) ---------------------------------------------------------------


@dataclass
class Catalog:
    gigs: list[dict[str, Any]]  # GigSummary
    creator_ids: list[str]


async def load_catalog(api: Api) -> Catalog:
    page = (await api.call("setup", "GET", "/v1/gigs", params={"page_size": 100}, retry=True)).json()
    gigs = page["items"]
    return Catalog(gigs, sorted({gig["creator"]["id"] for gig in gigs}))


async def browse(api: Api, catalog: Catalog) -> None:
    """One anonymous page view, as the web app's pages ask for them."""
    pick = random.random()
    word = random.choice(SEARCH_WORDS)
    if pick < 0.25:
        await api.call("browse", "GET", "/v1/gigs", params={"page": 1, "page_size": 24})
    elif pick < 0.5:
        gig = random.choice(catalog.gigs)
        await api.call("browse", "GET", f"/v1/gigs/{gig['slug']}")
    elif pick < 0.7:
        await api.call("browse", "GET", "/v1/search/gigs", params={"q": word})
    elif pick < 0.85:
        await api.call("browse", "GET", "/v1/search/suggestions", params={"q": word[:3]})
    elif pick < 0.95:
        await api.call("browse", "GET", f"/v1/users/{random.choice(catalog.creator_ids)}")
    else:
        await api.call("browse", "GET", "/v1/search/creators", params={"q": word})


# --- order flows with sandbox payments (10 %) -------------------------------------------------

PAID = {"in_progress", "delivered", "completed"}
CONFIRMED = "payment confirmed (pay → the worker's webhook → order paid)"


@dataclass
class Offer:
    gig_id: str
    package_id: str
    creator: Person


async def order_flow(api: Api, buyer: Person, offer: Offer) -> str:
    """order → checkout → pay on the sandbox page → the webhook (sent by the worker) → deliver →
    approve. Every step is retried through faults: the checkout with its Idempotency-Key, the
    transitions by reading the order back when the retry finds it already moved on."""
    order_body = {"gig_id": offer.gig_id, "package_id": offer.package_id, "requirements": "soak"}
    order = (
        await api.call(
            "order", "POST", "/v1/orders", json=order_body, headers=buyer.headers, ok=(201,), retry=True
        )
    ).json()
    order_id = str(order["id"])
    headers = {**buyer.headers, "Idempotency-Key": f"soak-checkout-{order_id}"}
    payment = (
        await api.call(
            "order",
            "POST",
            "/v1/payments/checkout",
            json={"order_id": order_id},
            headers=headers,
            ok=(200, 201),
            retry=True,
        )
    ).json()
    provider_id = payment["checkout_url"].rsplit("/", 1)[1]
    await api.call(
        "order", "POST", f"/sandbox/checkout/{provider_id}", data={"action": "pay"}, ok=(303,), retry=True
    )
    paid_at = time.monotonic()
    await _wait_for_status(api, buyer, order_id, PAID)
    api.recorder.durations[CONFIRMED].append(time.monotonic() - paid_at)
    await _transition(
        api, offer.creator, order_id, "deliver", {"message": "done"}, {"delivered", "completed"}
    )
    await _transition(api, buyer, order_id, "approve", None, {"completed"})
    return order_id


async def _order_status(api: Api, who: Person, order_id: str) -> str:
    response = await api.call("order", "GET", f"/v1/orders/{order_id}", headers=who.headers, retry=True)
    return str(response.json()["status"])


async def _wait_for_status(api: Api, who: Person, order_id: str, wanted: set[str]) -> None:
    deadline = time.monotonic() + 300  # the worker may be down (and slow to start) for a while
    while (status := await _order_status(api, who, order_id)) not in wanted:
        if time.monotonic() > deadline:
            raise OpFailed(f"order {order_id} still {status}, waiting for {sorted(wanted)}")
        await asyncio.sleep(POLL_SECONDS)


async def _transition(
    api: Api, who: Person, order_id: str, action: str, body: dict[str, Any] | None, after: set[str]
) -> None:
    """POST the transition; a 409 on a retry is fine when the order has already moved on (the
    first attempt committed but its answer was lost)."""
    path = f"/v1/orders/{order_id}/{action}"
    response = await api.call(
        "order", "POST", path, json=body, headers=who.headers, ok=(200, 409), retry=True
    )
    if response.status_code == 409 and await _order_status(api, who, order_id) not in after:
        raise OpFailed(f"POST {path}: 409 {response.text[:200]}")


# --- uploads (5 %) --------------------------------------------------------------------------


def small_png() -> bytes:
    """A 64x64 PNG with random pixels (a new file each time)."""
    picture = Image.frombytes("RGB", (64, 64), random.randbytes(64 * 64 * 3))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


async def upload(api: Api, storage: httpx.AsyncClient, who: Person) -> float:
    """Start an avatar upload, PUT the bytes to the presigned URL, complete, and wait until the
    media worker has processed it; returns the seconds until it was ready."""
    started_at = time.monotonic()
    data = small_png()
    body = {"filename": "soak.png", "size": len(data), "content_type": "image/png", "purpose": "avatar"}
    started = (
        await api.call(
            "upload", "POST", "/v1/uploads/image", json=body, headers=who.headers, ok=(201,), retry=True
        )
    ).json()
    single = started["single"]
    await _send_to_storage(api, storage, single, data)
    upload_id = started["upload"]["id"]
    path = f"/v1/uploads/{upload_id}"
    await api.call(
        "upload", "POST", f"{path}/complete", json={}, headers=who.headers, ok=(200, 409), retry=True
    )
    deadline = time.monotonic() + 300
    while True:
        state = (await api.call("upload", "GET", path, headers=who.headers, retry=True)).json()["state"]
        if state == "ready":
            return time.monotonic() - started_at
        if state in ("failed", "pending") or time.monotonic() > deadline:
            raise OpFailed(f"upload {upload_id} is {state}")
        await asyncio.sleep(POLL_SECONDS)


async def _send_to_storage(api: Api, storage: httpx.AsyncClient, single: dict[str, Any], data: bytes) -> None:
    deadline = time.monotonic() + RETRY_FOR_SECONDS
    while True:
        started = time.perf_counter()
        try:
            if single["method"] == "PUT":
                response = await storage.put(single["url"], content=data, headers=single["headers"])
            else:
                response = await storage.post(
                    single["url"], data=single["fields"], files={"file": ("soak.png", data)}
                )
            problem = None if response.status_code in (200, 201, 204) else f"storage {response.status_code}"
        except httpx.TransportError as error:
            problem = f"storage: {type(error).__name__}"
        api.recorder.request("upload", time.perf_counter() - started, problem)
        if problem is None:
            return
        if time.monotonic() > deadline:
            raise OpFailed(problem)
        await asyncio.sleep(1)


# --- chat (15 %) ----------------------------------------------------------------------------


class Socket:
    """One user's chat socket through nginx, reconnected after a drop. A sender's socket resolves
    the acknowledgements of its sends; a receiver's counts every message frame by id and, after a
    reconnect, catches up over HTTP on what it missed (as the web app does)."""

    def __init__(self, api: Api, ws_base: str, who: Person, conversation_id: str) -> None:
        self.api, self.ws_base, self.who, self.conversation_id = api, ws_base, who, conversation_id
        self.ws: websockets.ClientConnection | None = None
        self.connected = asyncio.Event()
        self.pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.on_socket: Counter[int] = Counter()  # message id → frames seen
        self.caught_up: set[int] = set()  # ids first seen over HTTP after a reconnect
        self.reconnects = 0
        self.sent_at: dict[str, float] = {}  # content → when the sender sent it (for delivery time)
        self.delivery: list[float] = []
        self._task: asyncio.Task[None] | None = None

    @property
    def received(self) -> set[int]:
        return set(self.on_socket) | self.caught_up

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self.connected.wait(), 60)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.ws is not None:
            await self.ws.close()

    async def _run(self) -> None:
        first = True
        while True:
            try:
                ticket = (
                    await self.api.call("chat", "POST", "/v1/ws/ticket", headers=self.who.headers, retry=True)
                ).json()["ticket"]
                self.ws = await websockets.connect(f"{self.ws_base}/ws/chat?ticket={ticket}", open_timeout=10)
            except (OpFailed, OSError, websockets.WebSocketException, TimeoutError) as error:
                self.api.recorder.request("chat", 0.0, f"connect: {type(error).__name__} {error}")
                await asyncio.sleep(1)
                continue
            if not first:
                self.reconnects += 1
                await self._catch_up()
            first = False
            self.connected.set()
            try:
                async for raw in self.ws:
                    self._frame(json.loads(raw))
            except websockets.WebSocketException:
                pass
            self.connected.clear()
            self.api.recorder.disconnects[self.api.recorder.phase] += 1
            for future in self.pending.values():
                if not future.done():
                    future.set_exception(OpFailed("socket closed before the acknowledgement"))
            await asyncio.sleep(0.5)

    def _frame(self, frame: dict[str, Any]) -> None:
        data = frame.get("data") or {}
        if frame.get("type") == "message" and data.get("conversation_id") == self.conversation_id:
            if data["sender_id"] != self.who.id:
                self.on_socket[data["id"]] += 1
                sent_at = self.sent_at.pop(data["content"], None)
                if sent_at is not None:
                    self.delivery.append(time.perf_counter() - sent_at)
            future = self.pending.get(data.get("client_id") or "")
            if future is not None and not future.done():
                future.set_result(data)
        elif frame.get("type") == "error":
            future = self.pending.get((frame.get("data") or {}).get("client_id") or "")
            if future is not None and not future.done():
                future.set_exception(OpFailed(f"error frame {frame}"))

    async def _catch_up(self) -> None:
        """Read the conversation back, newest first, until a message already seen."""
        seen = self.received
        cursor: str | None = None
        while True:
            params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            page = (
                await self.api.call(
                    "chat",
                    "GET",
                    f"/v1/conversations/{self.conversation_id}/messages",
                    params=params,
                    headers=self.who.headers,
                    retry=True,
                )
            ).json()
            fresh = [m["id"] for m in page["items"] if m["sender_id"] != self.who.id]
            self.caught_up.update(i for i in fresh if i not in seen)
            cursor = page["next_cursor"]
            if cursor is None or any(i in seen for i in fresh):
                return

    async def send(self, content: str, client_id: str, receiver: Socket) -> dict[str, Any]:
        """Send a message frame and wait for its acknowledgement; after a drop or a timeout, send it
        again with the same client_id (the server answers with the message already stored)."""
        deadline = time.monotonic() + RETRY_FOR_SECONDS
        receiver.sent_at.setdefault(content, time.perf_counter())
        frame = {"conversation_id": self.conversation_id, "content": content, "client_id": client_id}
        while True:
            started = time.perf_counter()
            try:
                acknowledged = await self._attempt(frame, client_id)
                self.api.recorder.request("chat", time.perf_counter() - started)
                return acknowledged
            except (OpFailed, TimeoutError, websockets.WebSocketException) as error:
                self.api.recorder.request(
                    "chat", time.perf_counter() - started, f"send {client_id}: {error!r}"
                )
                if time.monotonic() > deadline:
                    raise OpFailed(f"message {client_id} never acknowledged") from error
                await asyncio.sleep(0.5)

    async def _attempt(self, frame: dict[str, Any], client_id: str) -> dict[str, Any]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[client_id] = future
        try:
            await asyncio.wait_for(self.connected.wait(), ACK_TIMEOUT_SECONDS)
            assert self.ws is not None
            await self.ws.send(json.dumps({"type": "message", "data": frame}))
            return await asyncio.wait_for(future, ACK_TIMEOUT_SECONDS)
        finally:
            self.pending.pop(client_id, None)


@dataclass
class ChatPair:
    sender: Socket
    receiver: Socket
    acknowledged: dict[str, int] = field(default_factory=dict)  # client_id → message id

    async def send_one(self) -> None:
        client_id = uuid.uuid4().hex
        message = await self.sender.send(f"soak {client_id}", client_id, self.receiver)
        self.acknowledged[client_id] = message["id"]


async def chat_pair(api: Api, ws_base: str, sender: Person, receiver: Person) -> ChatPair:
    body = {"participant_id": receiver.id}
    conversation = (
        await api.call(
            "setup", "POST", "/v1/conversations", json=body, headers=sender.headers, ok=(200, 201), retry=True
        )
    ).json()
    pair = ChatPair(
        Socket(api, ws_base, sender, conversation["id"]), Socket(api, ws_base, receiver, conversation["id"])
    )
    await pair.sender.start()
    await pair.receiver.start()
    return pair

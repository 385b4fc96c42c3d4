"""Outgoing webhooks: endpoints, Standard Webhooks signatures checked by the `standardwebhooks`
library on a real local receiver, retries with backoff, disabling, redelivery, SSRF refusals
(at registration and at connect time) and the domain events that become deliveries."""

from __future__ import annotations

import base64
import ipaddress
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks import Webhook, WebhookVerificationError

from reelbyte.billing import net_guard, webhook_handlers, webhooks
from reelbyte.billing.models import (
    Subscription,
    SubscriptionStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from reelbyte.billing.webhook_schemas import VideoJobData, WebhookEventType
from reelbyte.core.audit import AuditEntry
from reelbyte.core.config import Settings
from reelbyte.core.db import get_database, transaction
from reelbyte.orders.models import Order, OrderEvent
from tests.conftest import Mailbox, run_jobs
from tests.factories import (
    Actor,
    actor,
    count_rows,
    gig_for_sale,
    make_admin,
    make_paid_order,
    make_project,
    make_proposal,
    send_message,
    signed_up,
    start_conversation,
)
from tests.payments.fakes.flows import cancel_paid_order
from tests.payments.fakes.server import BackgroundServer

E = WebhookEventType
ENDPOINTS = "/v1/webhooks/endpoints"


# --- a local receiver ------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An ASGI app that records every request and answers the statuses queued (200 after)."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    always: int = 200

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {key.decode(): value.decode() for key, value in scope["headers"]}
        self.requests.append(Received(scope["path"], headers, body))
        status = self.statuses.pop(0) if self.statuses else self.always
        await send(
            {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]}
        )
        await send({"type": "http.response.body", "body": b"ok"})

    def to(self, path: str) -> list[Received]:
        return [request for request in self.requests if request.path == path]


@pytest.fixture
async def receiver(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Receiver]:
    """The receiver on 127.0.0.1, which WEBHOOK_ALLOWED_HOSTS lets webhooks reach."""
    receiver = Receiver()
    server = BackgroundServer(receiver).start()
    receiver.url = server.url
    monkeypatch.setattr(settings, "webhook_allowed_hosts", ["127.0.0.1"])
    yield receiver
    server.stop()


def verified(secret: str, request: Received) -> dict[str, Any]:
    """The body, verified as a Standard Webhooks receiver verifies it."""
    payload: dict[str, Any] = Webhook(secret).verify(request.body, request.headers)
    return payload


# --- helpers ---------------------------------------------------------------------------------


async def subscribe(user_id: str | uuid.UUID, plan: str = "premium") -> None:
    now = datetime.now(UTC)

    async def write(session: AsyncSession) -> None:
        session.add(
            Subscription(
                user_id=uuid.UUID(str(user_id)),
                plan_code=plan,
                status=SubscriptionStatus.ACTIVE,
                provider="sandbox",
                current_period_start=now,
                current_period_end=now + timedelta(days=30),
            )
        )

    await transaction(write)


async def premium(client: httpx.AsyncClient, role: str = "creator") -> Actor:
    user = await actor(client, role)
    await subscribe(user.id)
    return user


async def create_endpoint(
    client: httpx.AsyncClient, headers: dict[str, str], url: str, events: list[str], **extra: Any
) -> dict[str, Any]:
    response = await client.post(ENDPOINTS, json={"url": url, "events": events, **extra}, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def deliveries_of(
    client: httpx.AsyncClient, headers: dict[str, str], endpoint_id: str
) -> list[dict[str, Any]]:
    response = await client.get(f"{ENDPOINTS}/{endpoint_id}/deliveries", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def emit_video_job(owner_id: str | uuid.UUID, status: str = "completed") -> int:
    """An event no request produces yet (video jobs), announced as media will."""
    data = VideoJobData(job_id=uuid.uuid4(), upload_id=None, kind="trim", status=status)
    event_type = E.VIDEO_JOB_COMPLETED if status == "completed" else E.VIDEO_JOB_FAILED
    return await transaction(
        lambda session: webhooks.emit(
            session,
            event_type,
            data,
            parties=[uuid.UUID(str(owner_id))],
            event_key=f"video_job:{data.job_id}",
        )
    )


async def scheduled_attempts() -> list[tuple[datetime, dict[str, Any]]]:
    async with get_database().engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT scheduled_at, args FROM procrastinate_jobs WHERE task_name = :task AND status = 'todo'"
            ),
            {"task": webhooks.DELIVER_TASK},
        )
        return [(row.scheduled_at, row.args) for row in rows]


async def retries_due_now() -> None:
    """Move time: the scheduled retries are due."""
    async with get_database().engine.begin() as connection:
        await connection.execute(
            text(
                "UPDATE procrastinate_jobs SET scheduled_at = now() WHERE task_name = :task AND status = 'todo'"
            ),
            {"task": webhooks.DELIVER_TASK},
        )


async def endpoint_row(endpoint_id: str) -> WebhookEndpoint:
    async with get_database().sessions() as session:
        return await session.get_one(WebhookEndpoint, uuid.UUID(endpoint_id))


def resolving(monkeypatch: pytest.MonkeyPatch, names: dict[str, str]) -> dict[str, str]:
    """Make these host names resolve to these addresses (others resolve as usual); the dict
    may be changed later, as a DNS answer changes."""
    real = net_guard.resolve

    async def fake(host: str, port: int) -> list[net_guard.IPAddress]:
        if host in names:
            return [ipaddress.ip_address(names[host])]
        return await real(host, port)

    monkeypatch.setattr(net_guard, "resolve", fake)
    return names


# --- endpoints -------------------------------------------------------------------------------


async def test_the_secret_is_shown_on_creation_only(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolving(monkeypatch, {"hooks.example.com": "93.184.215.14"})
    user = await premium(client)
    created = await create_endpoint(
        client,
        user.headers,
        "https://hooks.example.com/hook",
        ["order.paid", "order.paid"],
        description="Studio",
    )
    assert created["secret"].startswith("whsec_")
    assert len(base64.b64decode(created["secret"].removeprefix("whsec_"))) == 32
    assert created["events"] == ["order.paid"]  # without repeats
    assert created["is_active"] is True

    listed = await client.get(ENDPOINTS, headers=user.headers)
    one = await client.get(f"{ENDPOINTS}/{created['id']}", headers=user.headers)
    assert listed.json()["total"] == 1
    assert "secret" not in listed.json()["items"][0]
    assert "secret" not in one.json()
    assert one.json()["description"] == "Studio"


async def test_users_without_premium_may_not_register_endpoints(client: httpx.AsyncClient) -> None:
    free = await actor(client)
    pro = await actor(client)
    await subscribe(pro.id, "pro")
    for user in (free, pro):
        response = await client.post(
            ENDPOINTS,
            json={"url": "https://hooks.example.com/", "events": ["order.paid"]},
            headers=user.headers,
        )
        assert response.status_code == 403, response.text
        assert response.json()["error"] == "plan_has_no_webhooks"
    assert await count_rows(WebhookEndpoint) == 0


@pytest.mark.parametrize(
    ("url", "resolves_to"),
    [
        ("http://127.0.0.1/hook", None),
        ("http://169.254.169.254/latest/meta-data/", None),
        ("http://[fd00:ec2::254]/", None),
        ("http://[::ffff:127.0.0.1]/", None),
        ("http://2130706433/", None),  # 127.0.0.1 as one number
        ("http://localhost:8080/", None),
        ("https://internal.example.com/hook", "10.0.0.1"),
        ("https://sixtofour.example.com/hook", "2002:a00:1::1"),  # 6to4 of 10.0.0.1
    ],
)
async def test_internal_targets_are_refused(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, url: str, resolves_to: str | None
) -> None:
    if resolves_to is not None:
        resolving(monkeypatch, {httpx.URL(url).host: resolves_to})
    user = await premium(client)
    response = await client.post(ENDPOINTS, json={"url": url, "events": ["order.paid"]}, headers=user.headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "webhook_url_not_allowed"
    assert response.json()["details"]["reason"]
    assert await count_rows(WebhookEndpoint) == 0


async def test_a_host_that_does_not_resolve_is_refused(client: httpx.AsyncClient) -> None:
    user = await premium(client)
    response = await client.post(
        ENDPOINTS,
        json={"url": "https://no-such-host.invalid/hook", "events": ["order.paid"]},
        headers=user.headers,
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "webhook_url_not_allowed"


@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://hooks.example.com/", "events": ["order.paid"]},
        {"url": "https://user:pw@hooks.example.com/", "events": ["order.paid"]},
        {"url": "https://hooks.example.com/", "events": []},
        {"url": "https://hooks.example.com/", "events": ["order.exploded"]},
        {"url": "https://hooks.example.com/", "events": ["order.paid"], "description": "   "},
        {"url": "https://hooks.example.com/", "events": ["order.paid"], "secret": "whsec_mine"},
    ],
)
async def test_bad_endpoint_bodies_are_refused(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    user = await premium(client)
    response = await client.post(ENDPOINTS, json=body, headers=user.headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "validation_error"
    assert await count_rows(WebhookEndpoint) == 0


async def test_an_update_to_an_internal_url_changes_nothing(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolving(monkeypatch, {"hooks.example.com": "93.184.215.14", "evil.example.com": "10.0.0.1"})
    user = await premium(client)
    created = await create_endpoint(client, user.headers, "https://hooks.example.com/in", ["order.paid"])
    url = f"{ENDPOINTS}/{created['id']}"
    for target in ("https://evil.example.com/in", "http://169.254.169.254/"):
        response = await client.put(url, json={"url": target}, headers=user.headers)
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "webhook_url_not_allowed"
    assert (await endpoint_row(created["id"])).url == "https://hooks.example.com/in"
    refused = await client.put(url, json={"events": None}, headers=user.headers)
    assert refused.status_code == 422

    changed = await client.put(
        url,
        json={"events": ["order.completed", "review.published"], "description": "CRM"},
        headers=user.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["events"] == ["order.completed", "review.published"]
    assert changed.json()["description"] == "CRM"


async def test_an_owner_has_at_most_ten_endpoints(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolving(monkeypatch, {"hooks.example.com": "93.184.215.14"})
    user = await premium(client)
    for n in range(webhooks.MAX_ENDPOINTS_PER_OWNER):
        await create_endpoint(client, user.headers, f"https://hooks.example.com/{n}", ["order.paid"])
    response = await client.post(
        ENDPOINTS,
        json={"url": "https://hooks.example.com/more", "events": ["order.paid"]},
        headers=user.headers,
    )
    assert response.status_code == 409, response.text
    assert response.json()["error"] == "webhook_endpoint_limit"
    assert await count_rows(WebhookEndpoint) == webhooks.MAX_ENDPOINTS_PER_OWNER


async def test_another_users_endpoint_and_deliveries_are_not_found(
    client: httpx.AsyncClient, receiver: Receiver
) -> None:
    owner = await premium(client)
    other = await premium(client)
    endpoint = await create_endpoint(client, owner.headers, f"{receiver.url}/hook", ["order.paid"])
    sent = await client.post(f"{ENDPOINTS}/{endpoint['id']}/test", headers=owner.headers)
    await run_jobs()
    url = f"{ENDPOINTS}/{endpoint['id']}"
    attempts = [
        client.get(url, headers=other.headers),
        client.put(url, json={"description": "mine now"}, headers=other.headers),
        client.post(f"{url}/rotate-secret", headers=other.headers),
        client.post(f"{url}/test", headers=other.headers),
        client.get(f"{url}/deliveries", headers=other.headers),
        client.delete(url, headers=other.headers),
    ]
    for attempt in attempts:
        response = await attempt
        assert response.status_code == 404, response.text
        assert response.json()["error"] == "webhook_endpoint_not_found"
    redelivery = await client.post(
        f"/v1/webhooks/deliveries/{sent.json()['id']}/redeliver", headers=other.headers
    )
    assert redelivery.status_code == 404
    assert redelivery.json()["error"] == "webhook_delivery_not_found"
    assert (await endpoint_row(endpoint["id"])).description is None
    assert len(receiver.requests) == 1  # the owner's test only


async def test_deleting_an_endpoint_drops_its_deliveries(
    client: httpx.AsyncClient, receiver: Receiver
) -> None:
    user = await premium(client)
    endpoint = await create_endpoint(client, user.headers, f"{receiver.url}/hook", ["video_job.completed"])
    assert await emit_video_job(user.id) == 1
    response = await client.delete(f"{ENDPOINTS}/{endpoint['id']}", headers=user.headers)
    assert response.status_code == 204
    await run_jobs()  # the queued job finds no delivery
    assert receiver.requests == []
    assert await count_rows(WebhookDelivery) == 0


# --- delivery --------------------------------------------------------------------------------


async def test_a_test_event_is_signed_per_standard_webhooks(
    client: httpx.AsyncClient, receiver: Receiver
) -> None:
    user = await premium(client)
    endpoint = await create_endpoint(client, user.headers, f"{receiver.url}/hook", ["order.paid"])
    response = await client.post(f"{ENDPOINTS}/{endpoint['id']}/test", headers=user.headers)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "pending"
    await run_jobs()

    [request] = receiver.requests
    body = verified(endpoint["secret"], request)
    assert body["type"] == "webhook.test"
    assert body["version"] == 1
    assert body["data"]["endpoint_id"] == endpoint["id"]
    assert request.headers["webhook-id"] == response.json()["id"]
    assert request.headers["content-type"] == "application/json"
    with pytest.raises(WebhookVerificationError):  # signed with this endpoint's secret only
        Webhook(webhooks.new_secret()).verify(request.body, request.headers)

    [delivery] = await deliveries_of(client, user.headers, endpoint["id"])
    assert delivery["status"] == "succeeded"
    assert delivery["last_status_code"] == 200
    assert delivery["attempt_count"] == 1
    [attempt] = delivery["attempts"]
    assert attempt["status_code"] == 200
    assert attempt["latency_ms"] >= 0
    assert attempt["error"] is None


async def test_failures_are_retried_with_backoff_until_one_succeeds(
    client: httpx.AsyncClient, receiver: Receiver
) -> None:
    user = await premium(client)
    endpoint = await create_endpoint(client, user.headers, f"{receiver.url}/hook", ["video_job.completed"])
    receiver.statuses = [500, 503]  # then 200
    assert await emit_video_job(user.id) == 1

    await run_jobs()
    [(due, args)] = await scheduled_attempts()
    assert args["attempt"] == 2
    assert timedelta(seconds=3) < due - datetime.now(UTC) <= timedelta(seconds=5)
    await run_jobs()  # not due yet: nothing happens
    assert len(receiver.requests) == 1

    await retries_due_now()
    await run_jobs()
    [(due, args)] = await scheduled_attempts()
    assert args["attempt"] == 3
    assert timedelta(minutes=4) < due - datetime.now(UTC) <= timedelta(minutes=5)

    await retries_due_now()
    await run_jobs()
    assert await scheduled_attempts() == []
    assert len(receiver.requests) == 3
    assert len({request.headers["webhook-id"] for request in receiver.requests}) == 1  # one message
    for request in receiver.requests:
        assert verified(endpoint["secret"], request)["type"] == "video_job.completed"
    [delivery] = await deliveries_of(client, user.headers, endpoint["id"])
    assert delivery["status"] == "succeeded"
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 503, 200]
    assert [a["error"] for a in delivery["attempts"]] == ["HTTP 500", "HTTP 503", None]
    assert (await endpoint_row(endpoint["id"])).consecutive_failures == 0


async def test_an_endpoint_failing_for_good_is_disabled_and_its_owner_emailed(
    client: httpx.AsyncClient,
    receiver: Receiver,
    mailbox: Mailbox,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "webhook_disable_after_failures", 2)
    user = await premium(client)
    endpoint = await create_endpoint(client, user.headers, f"{receiver.url}/hook", ["video_job.failed"])
    receiver.always = 500

    for delivered in range(1, 3):
        await emit_video_job(user.id, "failed")
        await run_jobs()
        for _ in range(webhooks.MAX_ATTEMPTS - 1):
            await retries_due_now()
            await run_jobs()
        assert len(receiver.requests) == delivered * webhooks.MAX_ATTEMPTS
        assert await scheduled_attempts() == []

    row = await endpoint_row(endpoint["id"])
    assert row.is_active is False
    assert row.consecutive_failures == 2
    assert row.disabled_reason == "2 deliveries in a row failed"
    deliveries = await deliveries_of(client, user.headers, endpoint["id"])
    assert [d["status"] for d in deliveries] == ["failed", "failed"]
    assert len(deliveries[0]["attempts"]) == webhooks.MAX_ATTEMPTS
    [message] = [m for m in mailbox.to(user.email) if "webhook" in m["Subject"]]
    assert message["Subject"] == "Your ReelByte webhook endpoint was disabled"
    assert f"{receiver.url}/hook" in message.get_body(("plain",)).get_content()

    assert await emit_video_job(user.id, "failed") == 0  # a disabled endpoint gets nothing new
    turned_on = await client.put(
        f"{ENDPOINTS}/{endpoint['id']}", json={"is_active": True}, headers=user.headers
    )
    assert turned_on.json()["is_active"] is True
    assert turned_on.json()["consecutive_failures"] == 0
    assert turned_on.json()["disabled_at"] is None


async def test_a_finished_delivery_can_be_redelivered(client: httpx.AsyncClient, receiver: Receiver) -> None:
    user = await premium(client)
    endpoint = await create_endpoint(client, user.headers, f"{receiver.url}/hook", ["video_job.completed"])
    receiver.always = 500
    await emit_video_job(user.id)
    await run_jobs()
    [delivery] = await deliveries_of(client, user.headers, endpoint["id"])
    redeliver = f"/v1/webhooks/deliveries/{delivery['id']}/redeliver"
    pending = await client.post(redeliver, headers=user.headers)
    assert pending.status_code == 409, pending.text
    assert pending.json()["error"] == "webhook_delivery_pending"

    for _ in range(webhooks.MAX_ATTEMPTS - 1):
        await retries_due_now()
        await run_jobs()
    receiver.always = 200
    response = await client.post(redeliver, headers=user.headers)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "pending"
    await run_jobs()

    first, *_, last = receiver.requests
    assert last.headers["webhook-id"] == first.headers["webhook-id"] == delivery["id"]
    assert verified(endpoint["secret"], last)["type"] == "video_job.completed"
    [delivery] = await deliveries_of(client, user.headers, endpoint["id"])
    assert delivery["status"] == "succeeded"
    assert delivery["attempt_count"] == webhooks.MAX_ATTEMPTS + 1
    assert await scheduled_attempts() == []


async def test_a_rotated_secret_signs_from_then_on(client: httpx.AsyncClient, receiver: Receiver) -> None:
    user = await premium(client)
    endpoint = await create_endpoint(client, user.headers, f"{receiver.url}/hook", ["order.paid"])
    rotated = await client.post(f"{ENDPOINTS}/{endpoint['id']}/rotate-secret", headers=user.headers)
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["secret"]
    assert new_secret != endpoint["secret"]

    await client.post(f"{ENDPOINTS}/{endpoint['id']}/test", headers=user.headers)
    await run_jobs()
    [request] = receiver.requests
    assert verified(new_secret, request)["type"] == "webhook.test"
    with pytest.raises(WebhookVerificationError):
        verified(endpoint["secret"], request)


async def test_a_name_rebound_to_an_internal_address_is_not_connected_to(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = resolving(monkeypatch, {"hooks.example.com": "93.184.215.14"})
    user = await premium(client)
    endpoint = await create_endpoint(client, user.headers, "http://hooks.example.com/in", ["order.paid"])
    names["hooks.example.com"] = "127.0.0.1"  # DNS rebinding: public when checked, loopback later
    await client.post(f"{ENDPOINTS}/{endpoint['id']}/test", headers=user.headers)
    await run_jobs()
    [delivery] = await deliveries_of(client, user.headers, endpoint["id"])
    assert delivery["status"] == "failed"
    [attempt] = delivery["attempts"]
    assert attempt["status_code"] is None
    assert "127.0.0.1" in attempt["error"]


async def test_a_paused_endpoint_receives_nothing(client: httpx.AsyncClient, receiver: Receiver) -> None:
    user = await premium(client)
    endpoint = await create_endpoint(client, user.headers, f"{receiver.url}/hook", ["video_job.completed"])
    await emit_video_job(user.id)  # queued before the pause: dropped when its turn comes
    paused = await client.put(
        f"{ENDPOINTS}/{endpoint['id']}", json={"is_active": False}, headers=user.headers
    )
    assert paused.json()["disabled_reason"] == "paused by its owner"
    assert await emit_video_job(user.id) == 0
    await run_jobs()
    assert receiver.requests == []
    [delivery] = await deliveries_of(client, user.headers, endpoint["id"])
    assert delivery["status"] == "failed"
    assert delivery["attempts"] == []


async def test_the_delivery_log_pages_by_cursor(client: httpx.AsyncClient, receiver: Receiver) -> None:
    user = await premium(client)
    endpoint = await create_endpoint(client, user.headers, f"{receiver.url}/hook", ["video_job.completed"])
    for _ in range(3):
        await emit_video_job(user.id)
    url = f"{ENDPOINTS}/{endpoint['id']}/deliveries"
    first = (await client.get(url, params={"limit": 2}, headers=user.headers)).json()
    second = (
        await client.get(url, params={"limit": 2, "cursor": first["next_cursor"]}, headers=user.headers)
    ).json()
    assert len(first["items"]) == 2
    assert len(second["items"]) == 1
    assert second["next_cursor"] is None
    ids = [d["id"] for d in first["items"] + second["items"]]
    assert len(set(ids)) == 3
    stranger = await client.get(url, params={"cursor": str(uuid.uuid4())}, headers=user.headers)
    assert stranger.status_code == 400
    assert stranger.json()["error"] == "invalid_cursor"
    succeeded = await client.get(url, params={"status": "succeeded"}, headers=user.headers)
    assert succeeded.json()["items"] == []


# --- domain events ---------------------------------------------------------------------------


async def test_a_paid_order_reaches_each_subscribed_endpoint_once(
    client: httpx.AsyncClient, receiver: Receiver
) -> None:
    creator, creator_headers = await signed_up(client, "creator")
    buyer, buyer_headers = await signed_up(client, "client")
    outsider = await premium(client)
    for user in (creator, buyer):
        await subscribe(user["id"])
    admin_headers = await make_admin(client)
    hooks = {
        "creator": await create_endpoint(client, creator_headers, f"{receiver.url}/creator", ["order.paid"]),
        "buyer": await create_endpoint(
            client, buyer_headers, f"{receiver.url}/buyer", ["order.created", "order.paid"]
        ),
        "buyer-completed": await create_endpoint(
            client, buyer_headers, f"{receiver.url}/buyer-completed", ["order.completed"]
        ),
        "outsider": await create_endpoint(
            client, outsider.headers, f"{receiver.url}/outsider", ["order.paid"]
        ),
        "platform": await create_endpoint(client, admin_headers, f"{receiver.url}/platform", ["order.paid"]),
    }
    gig, package = await gig_for_sale(creator["id"])
    order = await make_paid_order(client, buyer_headers, gig, package)
    await run_jobs()

    assert receiver.to("/outsider") == receiver.to("/buyer-completed") == []
    for name in ("creator", "platform"):
        [request] = receiver.to(f"/{name}")
        body = verified(hooks[name]["secret"], request)
        assert body["type"] == "order.paid"
        assert body["data"]["order_id"] == order["id"]
        assert body["data"]["status"] == "in_progress"
        assert body["data"]["amount"] == {"currency": "EUR", "value": "50.00"}
    assert sorted(verified(hooks["buyer"]["secret"], r)["type"] for r in receiver.to("/buyer")) == [
        "order.created",
        "order.paid",
    ]

    # The handler announcing the same event again (a retried unit of work) queues nothing new.
    async def announce_again(session: AsyncSession) -> int:
        paid = await session.scalar(
            select(OrderEvent).where(OrderEvent.order_id == uuid.UUID(order["id"]), OrderEvent.kind == "paid")
        )
        assert paid is not None
        await webhook_handlers.on_order_event(session, (await session.get_one(Order, paid.order_id), paid))
        return int(await session.scalar(select(func.count()).select_from(WebhookDelivery)) or 0)

    before = await count_rows(WebhookDelivery)
    assert before == 4
    assert await transaction(announce_again) == before
    await run_jobs()
    assert len(receiver.requests) == 4

    async def audited(session: AsyncSession) -> list[str]:
        return list(
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.target_type == "webhook_endpoint")
            )
        )

    assert await transaction(audited) == ["webhook_endpoint.create"]  # the admin's endpoint only


async def test_a_refund_and_the_cancellation_reach_the_client(
    client: httpx.AsyncClient, receiver: Receiver
) -> None:
    creator, creator_headers = await signed_up(client, "creator")
    buyer, buyer_headers = await signed_up(client, "client")
    await subscribe(buyer["id"])
    endpoint = await create_endpoint(
        client, buyer_headers, f"{receiver.url}/buyer", ["order.cancelled", "payment.refunded"]
    )
    gig, package = await gig_for_sale(creator["id"])
    order = await make_paid_order(client, buyer_headers, gig, package)
    await cancel_paid_order(client, creator_headers, buyer_headers, order)
    await run_jobs()

    bodies = {body["type"]: body for body in (verified(endpoint["secret"], r) for r in receiver.requests)}
    assert sorted(bodies) == ["order.cancelled", "payment.refunded"]
    assert bodies["order.cancelled"]["data"]["change"] == "cancellation_accepted"
    assert bodies["payment.refunded"]["data"]["order_id"] == order["id"]
    assert bodies["payment.refunded"]["data"]["amount"] == {"currency": "EUR", "value": "50.00"}


async def test_an_order_from_an_accepted_proposal_is_announced(
    client: httpx.AsyncClient, receiver: Receiver
) -> None:
    owner = await premium(client, "client")
    creator = await actor(client, "creator")
    endpoint = await create_endpoint(client, owner.headers, f"{receiver.url}/owner", ["order.created"])
    project = await make_project(client, owner)
    proposal = await make_proposal(client, creator, project["id"])
    accepted = await client.post(f"/v1/proposals/{proposal['id']}/accept", headers=owner.headers)
    assert accepted.status_code == 200, accepted.text
    await run_jobs()

    [request] = receiver.to("/owner")
    body = verified(endpoint["secret"], request)
    assert body["type"] == "order.created"
    assert body["data"]["client_id"] == owner.id
    assert body["data"]["creator_id"] == creator.id


async def test_a_message_reaches_its_recipients_endpoint(
    client: httpx.AsyncClient, receiver: Receiver
) -> None:
    sender, sender_headers = await signed_up(client, "client")
    recipient = await premium(client)
    await subscribe(sender["id"])
    endpoints = {
        "recipient": await create_endpoint(
            client, recipient.headers, f"{receiver.url}/recipient", ["message.received"]
        ),
        "sender": await create_endpoint(
            client, sender_headers, f"{receiver.url}/sender", ["message.received"]
        ),
    }
    conversation = await start_conversation(client, sender_headers, recipient.id)
    message = await send_message(client, sender_headers, conversation["id"], "Hello there")
    await run_jobs()

    assert receiver.to("/sender") == []
    [request] = receiver.to("/recipient")
    body = verified(endpoints["recipient"]["secret"], request)
    assert body["type"] == "message.received"
    assert body["data"]["message_id"] == message["id"]
    assert body["data"]["sender_id"] == sender["id"]
    assert "Hello there" not in request.body.decode()  # the text stays in the API


async def test_a_user_who_left_premium_gets_no_new_deliveries(
    client: httpx.AsyncClient, receiver: Receiver
) -> None:
    user = await premium(client)
    await create_endpoint(client, user.headers, f"{receiver.url}/hook", ["video_job.completed"])

    async def cancel(session: AsyncSession) -> None:
        subscription = await session.scalar(
            select(Subscription).where(Subscription.user_id == uuid.UUID(user.id))
        )
        assert subscription is not None
        subscription.status = SubscriptionStatus.CANCELED

    await transaction(cancel)
    assert await emit_video_job(user.id) == 0
    listed = await client.get(ENDPOINTS, headers=user.headers)
    assert listed.json()["total"] == 1  # still listed, and deletable
    test = await client.post(f"{ENDPOINTS}/{listed.json()['items'][0]['id']}/test", headers=user.headers)
    assert test.status_code == 403


# --- the address check -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.251",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fd00:ec2::254",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",
        "ff02::1",
    ],
)
def test_special_addresses_are_not_public(address: str) -> None:
    assert not net_guard.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_internet_addresses_are_public(address: str) -> None:
    assert net_guard.is_public(ipaddress.ip_address(address))


@given(
    st.sampled_from(
        ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "fc00::/7"]
    ).flatmap(lambda network: st.ip_addresses(network=network))
)
def test_no_address_of_a_private_network_is_public(address: net_guard.IPAddress) -> None:
    assert not net_guard.is_public(address)
    if isinstance(address, ipaddress.IPv4Address):  # nor the same address mapped into IPv6
        assert not net_guard.is_public(ipaddress.IPv6Address(f"::ffff:{address}"))


async def test_the_allow_list_takes_names_addresses_and_networks() -> None:
    allowed = net_guard.AllowList.parse(["Receiver.Test", "127.0.0.1", "10.1.0.0/16"])
    assert allowed.allows_name("receiver.test.")
    assert allowed.allows_address(ipaddress.ip_address("127.0.0.1"))
    assert allowed.allows_address(ipaddress.ip_address("10.1.2.3"))
    assert not allowed.allows_address(ipaddress.ip_address("10.2.0.1"))
    with pytest.raises(net_guard.UnsafeTarget):
        await net_guard.checked_addresses("10.2.0.1", 80, allowed)
    assert await net_guard.checked_addresses("10.1.2.3", 80, allowed) == [ipaddress.ip_address("10.1.2.3")]

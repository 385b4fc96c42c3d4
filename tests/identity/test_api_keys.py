"""API keys: made on Pro and Premium (shown once, kept as a hash), listed, revoked; a key acts as
its owner within its scopes only, has its own rate limit, is recorded when used, and stops
working when deleted, expired or when the plan loses API access (and works again after an
upgrade)."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, update

from reelbyte.billing.hooks import api_access_allowed
from reelbyte.billing.models import Subscription, SubscriptionStatus
from reelbyte.catalog.models import Gig
from reelbyte.core.config import Settings
from reelbyte.core.db import transaction
from reelbyte.identity import api_keys
from reelbyte.identity.models import ApiKey, User
from tests.factories import Actor, actor, count_rows, get_row, gig_body, make_admin

CLIENT_IP = "203.0.113.7"  # the `client` fixture's address


# --- helpers --------------------------------------------------------------------------------


async def subscribe(user_id: str, plan: str = "pro") -> None:
    async def write(session: Any) -> None:
        session.add(
            Subscription(
                user_id=uuid.UUID(user_id),
                plan_code=plan,
                status=SubscriptionStatus.ACTIVE,
                provider="sandbox",
            )
        )

    await transaction(write)


async def end_subscription(user_id: str) -> None:
    await transaction(
        lambda session: session.execute(
            update(Subscription)
            .where(Subscription.user_id == uuid.UUID(user_id))
            .values(status=SubscriptionStatus.CANCELED, ended_at=func.now())
        )
    )


async def pro(client: httpx.AsyncClient, role: str = "creator") -> Actor:
    who = await actor(client, role)
    await subscribe(who.id)
    return who


async def create_key(
    client: httpx.AsyncClient, who: Actor, scopes: tuple[str, ...] = ("gigs:read",), **body: Any
) -> dict[str, Any]:
    response = await client.post(
        "/v1/api-keys", headers=who.headers, json={"name": "Shop sync", "scopes": list(scopes), **body}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def with_key(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def set_key_columns(key_id: str, **values: Any) -> None:
    await transaction(
        lambda session: session.execute(update(ApiKey).where(ApiKey.id == uuid.UUID(key_id)).values(**values))
    )


async def key_row(key_id: str) -> ApiKey:
    row = await get_row(ApiKey, key_id)
    assert row is not None
    return row


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = dict(response.json())
    assert body["error"] == code
    return body


# --- making, listing and deleting keys --------------------------------------------------------


async def test_a_key_is_shown_once_and_only_its_hash_is_kept(client: httpx.AsyncClient) -> None:
    who = await pro(client)
    response = await client.post(
        "/v1/api-keys",
        headers=who.headers,
        json={"name": "Shop sync", "scopes": ["gigs:read", "orders:read"]},
    )
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    created = response.json()
    key = created["key"]
    assert api_keys.KEY_PATTERN.fullmatch(key)
    assert created["prefix"] == key[:16]
    assert created["prefix"].startswith("rb_live_")
    assert created["scopes"] == ["gigs:read", "orders:read"]
    assert created["status"] == "active"

    row = await key_row(created["id"])
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert row.prefix == created["prefix"]
    assert str(row.user_id) == who.id
    stored = [str(getattr(row, column.key)) for column in ApiKey.__table__.columns]
    assert not any(key in value for value in stored)


async def test_the_list_shows_keys_without_their_secret(client: httpx.AsyncClient) -> None:
    who = await pro(client)
    first = await create_key(client, who, ("gigs:read",))
    second = await create_key(
        client, who, ("orders:read",), expires_at=(datetime.now(UTC) + timedelta(days=30)).isoformat()
    )

    response = await client.get("/v1/api-keys", headers=who.headers)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == 2
    assert [item["id"] for item in page["items"]] == [second["id"], first["id"]]  # newest first
    listed = page["items"][0]
    assert set(listed) == {
        "id", "name", "prefix", "scopes", "created_at", "expires_at",
        "last_used_at", "last_used_ip", "disabled_at", "status",
    }  # fmt: skip
    assert listed["expires_at"] is not None
    assert listed["last_used_at"] is None


async def test_keys_are_well_formed_and_distinct() -> None:
    made = {api_keys.new_key() for _ in range(500)}
    assert len(made) == 500
    assert all(api_keys.KEY_PATTERN.fullmatch(key) for key in made)


async def test_a_deleted_key_is_refused(client: httpx.AsyncClient) -> None:
    who = await pro(client)
    created = await create_key(client, who)
    assert (await client.get("/v1/users/me/gigs", headers=with_key(created["key"]))).status_code == 200

    assert (await client.delete(f"/v1/api-keys/{created['id']}", headers=who.headers)).status_code == 204

    refused = assert_error(
        await client.get("/v1/users/me/gigs", headers=with_key(created["key"])), 401, "invalid_api_key"
    )
    assert "deleted" in refused["message"]
    assert (await client.get("/v1/api-keys", headers=who.headers)).json()["total"] == 0
    assert_error(
        await client.delete(f"/v1/api-keys/{created['id']}", headers=who.headers), 404, "api_key_not_found"
    )


async def test_two_deletions_at_once_revoke_once(client: httpx.AsyncClient) -> None:
    who = await pro(client)
    created = await create_key(client, who)
    answers = await asyncio.gather(
        *(client.delete(f"/v1/api-keys/{created['id']}", headers=who.headers) for _ in range(2))
    )
    assert sorted(answer.status_code for answer in answers) == [204, 404]


async def test_another_users_key_cannot_be_deleted(client: httpx.AsyncClient) -> None:
    owner, other = await pro(client), await pro(client)
    created = await create_key(client, owner)

    assert_error(
        await client.delete(f"/v1/api-keys/{created['id']}", headers=other.headers), 404, "api_key_not_found"
    )

    assert (await client.get("/v1/users/me/gigs", headers=with_key(created["key"]))).status_code == 200
    assert (await client.get("/v1/api-keys", headers=other.headers)).json()["total"] == 0


async def test_an_expired_key_is_refused(client: httpx.AsyncClient) -> None:
    who = await pro(client)
    created = await create_key(client, who, expires_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat())
    await set_key_columns(created["id"], expires_at=datetime.now(UTC) - timedelta(seconds=1))

    refused = assert_error(
        await client.get("/v1/users/me/gigs", headers=with_key(created["key"])), 401, "invalid_api_key"
    )
    assert "expired" in refused["message"]
    assert (await client.get("/v1/api-keys", headers=who.headers)).json()["items"][0]["status"] == "expired"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Shop", "scopes": ["everything"]},
        {"name": "Shop", "scopes": ["gigs:read", "gigs:admin"]},
        {"name": "Shop", "scopes": []},
        {"name": "Shop", "scopes": ["gigs:read", "gigs:read"]},
        {"name": "   ", "scopes": ["gigs:read"]},
        {"name": "Shop", "scopes": ["gigs:read"], "expires_at": "2030-01-01T00:00:00"},  # no time zone
        {"name": "Shop", "scopes": ["gigs:read"], "expires_at": 1900000000},  # a number is no time
        {"name": "Shop", "scopes": ["gigs:read"], "owner": "someone else"},
    ],
)
async def test_a_bad_key_request_is_refused_and_makes_nothing(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    who = await pro(client)
    assert_error(await client.post("/v1/api-keys", headers=who.headers, json=body), 422, "validation_error")
    assert await count_rows(ApiKey) == 0


async def test_an_expiry_in_the_past_is_refused(client: httpx.AsyncClient) -> None:
    who = await pro(client)
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    response = await client.post(
        "/v1/api-keys",
        headers=who.headers,
        json={"name": "Shop", "scopes": ["gigs:read"], "expires_at": past},
    )
    assert_error(response, 422, "api_key_expiry_in_past")
    assert await count_rows(ApiKey) == 0


# --- the plan -------------------------------------------------------------------------------


async def test_the_free_plan_cannot_make_keys(client: httpx.AsyncClient) -> None:
    who = await actor(client, "creator")
    response = await client.post(
        "/v1/api-keys", headers=who.headers, json={"name": "Shop", "scopes": ["gigs:read"]}
    )
    body = assert_error(response, 403, "plan_has_no_api_access")
    assert body["details"]["upgrade_url"]
    assert await count_rows(ApiKey) == 0


async def test_premium_and_admins_make_keys(client: httpx.AsyncClient) -> None:
    premium = await actor(client, "client")
    await subscribe(premium.id, "premium")
    await create_key(client, premium, ("orders:read",))
    admin = await make_admin(client)  # on no plan at all
    response = await client.post("/v1/api-keys", headers=admin, json={"name": "Ops", "scopes": ["gigs:read"]})
    assert response.status_code == 201, response.text


@pytest.fixture
def no_access_check() -> Iterator[None]:
    """No plan check installed (as when billing registers none); the app's own is put back."""
    api_keys.set_api_access_check(None)
    yield
    api_keys.set_api_access_check(api_access_allowed)


async def test_without_a_plan_check_everyone_has_api_access(
    client: httpx.AsyncClient, no_access_check: None
) -> None:
    who = await actor(client, "client")  # on Free
    created = await create_key(client, who, ("orders:read",))
    assert (await client.get("/v1/orders", headers=with_key(created["key"]))).status_code == 200


async def test_a_downgrade_disables_keys_and_an_upgrade_enables_them(client: httpx.AsyncClient) -> None:
    who = await pro(client)
    first = await create_key(client, who)
    second = await create_key(client, who)
    await end_subscription(who.id)  # back on Free

    refused = assert_error(
        await client.get("/v1/users/me/gigs", headers=with_key(first["key"])), 403, "api_key_disabled"
    )
    assert refused["details"]["upgrade_url"]
    for created in (first, second):  # the owner's keys all, although the request failed
        row = await key_row(created["id"])
        assert row.disabled_at is not None
    listed = (await client.get("/v1/api-keys", headers=who.headers)).json()["items"]
    assert {item["status"] for item in listed} == {"disabled"}
    assert_error(
        await client.get("/v1/users/me/gigs", headers=with_key(second["key"])), 403, "api_key_disabled"
    )

    await subscribe(who.id, "premium")

    assert (await client.get("/v1/users/me/gigs", headers=with_key(second["key"]))).status_code == 200
    for created in (first, second):
        row = await key_row(created["id"])
        assert row.disabled_at is None
    assert (await client.get("/v1/users/me/gigs", headers=with_key(first["key"]))).status_code == 200


async def test_a_key_of_a_closed_account_is_refused(client: httpx.AsyncClient) -> None:
    who = await pro(client)
    created = await create_key(client, who)
    await transaction(
        lambda session: session.execute(
            update(User).where(User.id == uuid.UUID(who.id)).values(is_active=False)
        )
    )
    assert_error(
        await client.get("/v1/users/me/gigs", headers=with_key(created["key"])), 401, "invalid_api_key"
    )


# --- what a key may do ----------------------------------------------------------------------


async def test_a_key_does_what_its_scopes_allow_and_nothing_else(client: httpx.AsyncClient) -> None:
    who = await pro(client)
    key = (await create_key(client, who, ("gigs:read",)))["key"]

    mine = await client.get("/v1/users/me/gigs", headers=with_key(key))
    assert mine.status_code == 200, mine.text
    assert mine.json()["total"] == 0

    refused = assert_error(
        await client.post("/v1/gigs", headers=with_key(key), json=await gig_body()), 403, "missing_scope"
    )
    assert refused["details"] == {"required": "gigs:write", "granted": ["gigs:read"]}
    assert await count_rows(Gig) == 0
    assert_error(await client.get("/v1/orders", headers=with_key(key)), 403, "missing_scope")


async def test_a_key_with_the_scope_writes(client: httpx.AsyncClient) -> None:
    who = await pro(client)
    key = (await create_key(client, who, ("gigs:read", "gigs:write")))["key"]

    created = await client.post("/v1/gigs", headers=with_key(key), json=await gig_body())
    assert created.status_code == 201, created.text
    assert created.json()["creator"]["id"] == who.id
    listed = await client.get("/v1/users/me/gigs", headers=with_key(key))
    assert listed.json()["total"] == 1


async def test_orders_read_opens_the_order_list(client: httpx.AsyncClient) -> None:
    who = await pro(client, "client")
    key = (await create_key(client, who, ("orders:read",)))["key"]
    response = await client.get("/v1/orders", headers={"X-API-Key": key})
    assert response.status_code == 200, response.text
    assert_error(
        await client.get(f"/v1/orders/{uuid.uuid4()}", headers={"X-API-Key": key}), 404, "order_not_found"
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/users/me"),
        ("GET", "/v1/api-keys"),  # a key cannot manage keys
        ("POST", "/v1/api-keys"),
        ("POST", "/v1/auth/logout"),
        ("GET", "/v1/payments/me/balance"),
        ("GET", "/v1/conversations"),
    ],
)
async def test_a_route_no_scope_opens_refuses_keys(client: httpx.AsyncClient, method: str, path: str) -> None:
    who = await pro(client)
    key = (await create_key(client, who, tuple(scope.value for scope in api_keys.ApiScope)))["key"]
    body = {"name": "Minted by a key", "scopes": ["gigs:read"]} if method == "POST" else None
    refused = assert_error(
        await client.request(method, path, headers=with_key(key), json=body), 403, "missing_scope"
    )
    assert refused["details"]["required"] is None
    assert await count_rows(ApiKey) == 1


async def test_the_x_api_key_header_authenticates(client: httpx.AsyncClient) -> None:
    who = await pro(client)
    key = (await create_key(client, who))["key"]
    assert (await client.get("/v1/users/me/gigs", headers={"X-API-Key": key})).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer rb_live_not-a-real-key"},
        {"Authorization": "Bearer rb_live_" + "A" * 43},  # well formed, unknown
        {"X-API-Key": "not-a-key"},
    ],
)
async def test_an_unknown_key_is_refused(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    assert_error(await client.get("/v1/users/me/gigs", headers=headers), 401, "invalid_api_key")


async def test_access_tokens_keep_every_scope(client: httpx.AsyncClient) -> None:
    who = await pro(client)
    assert (await client.post("/v1/gigs", headers=who.headers, json=await gig_body())).status_code == 201
    assert (await client.get("/v1/users/me", headers=who.headers)).status_code == 200
    assert (await client.get("/v1/orders", headers=who.headers)).status_code == 200


async def test_public_lists_stay_public(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/gigs")).status_code == 200
    assert (
        await client.get("/v1/categories", headers={"X-API-Key": "ignored on a public route"})
    ).status_code == 200


# --- recording use and the rate limit ---------------------------------------------------------


async def test_use_is_recorded_at_most_once_a_minute(client: httpx.AsyncClient) -> None:
    who = await pro(client)
    created = await create_key(client, who)
    assert (await client.get("/v1/users/me/gigs", headers=with_key(created["key"]))).status_code == 200

    row = await key_row(created["id"])
    first_use = row.last_used_at
    assert first_use is not None
    assert row.last_used_ip == CLIENT_IP
    listed = (await client.get("/v1/api-keys", headers=who.headers)).json()["items"][0]
    assert listed["last_used_ip"] == CLIENT_IP

    assert (await client.get("/v1/users/me/gigs", headers=with_key(created["key"]))).status_code == 200
    row = await key_row(created["id"])
    assert row.last_used_at == first_use  # within the minute: not written again

    await set_key_columns(
        created["id"], last_used_at=first_use - timedelta(minutes=2), last_used_ip="198.51.100.1"
    )
    assert (await client.get("/v1/users/me/gigs", headers=with_key(created["key"]))).status_code == 200
    row = await key_row(created["id"])
    assert row.last_used_at is not None
    assert row.last_used_at > first_use - timedelta(minutes=1)
    assert row.last_used_ip == CLIENT_IP


async def api_calls_used(client: httpx.AsyncClient, who: Actor) -> int:
    usage = (await client.get("/v1/users/me/usage", headers=who.headers)).json()
    return next(metric["used"] for metric in usage["metrics"] if metric["metric"] == "api_call")


async def test_each_call_with_a_key_is_metered(client: httpx.AsyncClient) -> None:
    who = await pro(client)
    key = (await create_key(client, who, ("gigs:read",)))["key"]
    assert await api_calls_used(client, who) == 0

    for _ in range(3):
        assert (await client.get("/v1/users/me/gigs", headers=with_key(key))).status_code == 200
    assert_error(await client.get("/v1/orders", headers=with_key(key)), 403, "missing_scope")
    assert await api_calls_used(client, who) == 4  # a refused call is a call too

    assert (await client.get("/v1/users/me/gigs", headers=who.headers)).status_code == 200
    assert await api_calls_used(client, who) == 4  # the owner's own session is not an API call


async def test_webhook_endpoints_take_the_webhooks_scope(client: httpx.AsyncClient) -> None:
    who = await actor(client, "creator")
    await subscribe(who.id, "premium")  # outgoing webhooks are Premium's
    without = (await create_key(client, who, ("gigs:read",)))["key"]
    refused = assert_error(
        await client.get("/v1/webhooks/endpoints", headers=with_key(without)), 403, "missing_scope"
    )
    assert refused["details"]["required"] == "webhooks:write"

    with_scope = (await create_key(client, who, ("webhooks:write",)))["key"]
    listed = await client.get("/v1/webhooks/endpoints", headers=with_key(with_scope))
    assert listed.status_code == 200, listed.text
    assert listed.json()["total"] == 0


async def test_a_refused_use_is_still_recorded(client: httpx.AsyncClient) -> None:
    who = await pro(client)
    created = await create_key(client, who, ("gigs:read",))
    assert_error(await client.get("/v1/users/me", headers=with_key(created["key"])), 403, "missing_scope")
    row = await key_row(created["id"])
    assert row.last_used_at is not None


async def test_each_key_has_its_own_rate_limit(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    who = await pro(client)
    first = (await create_key(client, who))["key"]
    second = (await create_key(client, who))["key"]
    monkeypatch.setattr(settings, "rate_limit_api_key", "2/minute")

    answers = [await client.get("/v1/users/me/gigs", headers=with_key(first)) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert answers[0].headers["RateLimit-Limit"] == "2"
    assert answers[1].headers["RateLimit-Remaining"] == "0"
    limited = assert_error(answers[2], 429, "rate_limited")
    assert limited["details"]["retry_after"] >= 1
    assert "Retry-After" in answers[2].headers

    assert (await client.get("/v1/users/me/gigs", headers=with_key(second))).status_code == 200
    assert (
        await client.get("/v1/users/me/gigs", headers=who.headers)
    ).status_code == 200  # the owner's token


async def test_made_up_keys_count_against_the_ip(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    """A new made-up key per request gets no fresh limit: each counts as a public request."""
    monkeypatch.setattr(settings, "rate_limit_public", "2/minute")
    answers = [await client.get("/v1/users/me/gigs", headers=with_key(api_keys.new_key())) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [401, 401, 429]

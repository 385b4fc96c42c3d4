"""Suspending an account: its sessions end, log in is refused with the reason, its profile and
gigs leave public lists, running orders go on, its payouts wait; lifting it (by an admin, or by
the job when `until` passes) brings it all back. Bad requests change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text, update

from reelbyte.admin.service import lift_ended_suspensions
from reelbyte.core.audit import AuditEntry
from reelbyte.core.db import transaction
from reelbyte.identity.models import User
from reelbyte.payments.models import Withdrawal
from tests.admin.test_users import assert_error, me
from tests.conftest import run_jobs
from tests.factories import (
    TEST_PASSWORD,
    Headers,
    balance_of,
    bearer,
    can_withdraw,
    count_rows,
    get_row,
    login,
    make_admin,
    make_gig,
    make_paid_order,
    register,
    seller_and_buyer,
    signed_up,
)


def suspend(client: httpx.AsyncClient, admin: Headers, user_id: str, **body: Any) -> Any:
    return client.put(f"/v1/admin/users/{user_id}/suspend", json={"reason": "Spam", **body}, headers=admin)


def in_hours(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


async def listed_gigs(client: httpx.AsyncClient) -> list[str]:
    return [gig["id"] for gig in (await client.get("/v1/gigs")).json()["items"]]


async def test_a_suspension_ends_sessions_and_hides_the_account(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    maya = await register(client, "creator")
    tokens = await login(client, maya["email"])
    headers = bearer(tokens)
    listed = await make_gig(client, headers, title="I will cut your wedding film")
    paused = await make_gig(client, headers, title="I will grade your short film")
    await client.put(f"/v1/gigs/{paused['id']}", json={"is_active": False}, headers=headers)
    until = in_hours(48)

    response = await suspend(client, admin, maya["id"], reason="Asked clients to pay outside", until=until)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "suspended"
    assert body["suspension_reason"] == "Asked clients to pay outside"
    assert datetime.fromisoformat(body["suspended_until"]) == datetime.fromisoformat(until)
    # The ended session's tokens say why, so the app can tell its user.
    ended = await client.get("/v1/users/me", headers=headers)
    assert_error(ended, 403, "account_suspended")
    assert "Asked clients to pay outside" in ended.json()["message"]
    refreshed = await client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert_error(refreshed, 403, "account_suspended")
    refused = await client.post("/v1/auth/login", json={"email": maya["email"], "password": TEST_PASSWORD})
    assert_error(refused, 403, "account_suspended")
    assert "Asked clients to pay outside" in refused.json()["message"]
    assert refused.json()["details"]["until"] is not None
    assert (await client.get(f"/v1/users/{maya['id']}")).status_code == 404
    assert await listed_gigs(client) == []
    assert (await client.get(f"/v1/gigs/{listed['id']}")).status_code == 404
    creators = (await client.get("/v1/search/creators", params={"q": maya["full_name"]})).json()
    assert creators["items"] == []

    lifted = await client.put(f"/v1/admin/users/{maya['id']}/unsuspend", headers=admin)

    assert lifted.status_code == 200
    assert lifted.json()["status"] == "active"
    assert lifted.json()["suspended_until"] is None
    assert await listed_gigs(client) == [listed["id"]]  # the gig its creator paused stays paused
    assert (await get_row(User, maya["id"])).is_active is True  # type: ignore[union-attr]
    await login(client, maya["email"])
    assert (await client.get(f"/v1/users/{maya['id']}")).status_code == 200


async def test_new_terms_keep_what_the_first_suspension_hid(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    maya, headers = await signed_up(client, "creator")
    gig = await make_gig(client, headers)
    await suspend(client, admin, maya["id"])
    again = await suspend(client, admin, maya["id"], reason="Fake reviews", until=in_hours(2))
    assert again.status_code == 200
    assert again.json()["suspension_reason"] == "Fake reviews"

    await client.put(f"/v1/admin/users/{maya['id']}/unsuspend", headers=admin)

    assert await listed_gigs(client) == [gig["id"]]


async def test_the_job_lifts_a_suspension_whose_time_is_up(client: httpx.AsyncClient, admin: Headers) -> None:
    maya, headers = await signed_up(client, "creator")
    gig = await make_gig(client, headers)
    other, _ = await signed_up(client, "creator")
    await suspend(client, admin, maya["id"], until=in_hours(1))
    await suspend(client, admin, other["id"], until=in_hours(1))
    ended = datetime.now(UTC) - timedelta(minutes=1)
    await transaction(
        lambda session: session.execute(
            update(User).where(User.id == maya["id"]).values(suspended_until=ended)
        )
    )

    assert await transaction(lift_ended_suspensions) == 1

    assert (await get_row(User, maya["id"])).suspended_at is None  # type: ignore[union-attr]
    assert (await get_row(User, other["id"])).suspended_at is not None  # type: ignore[union-attr]
    assert await listed_gigs(client) == [gig["id"]]
    log = (await client.get("/v1/admin/audit", params={"action": "user.unsuspend"}, headers=admin)).json()
    assert [(e["actor_id"], e["target_id"]) for e in log["items"]] == [(None, maya["id"])]
    assert await transaction(lift_ended_suspensions) == 0


async def test_running_orders_go_on_and_payouts_wait(client: httpx.AsyncClient, admin: Headers) -> None:
    creator_headers, client_headers, gig, package = await seller_and_buyer(client, price_minor=10000)
    creator = await me(client, creator_headers)
    done = await make_paid_order(client, client_headers, gig, package)
    running = await make_paid_order(client, client_headers, gig, package)
    for order in (done, running):
        await client.post(
            f"/v1/orders/{order['id']}/deliver", json={"message": "done"}, headers=creator_headers
        )
    await client.post(f"/v1/orders/{done['id']}/approve", headers=client_headers)
    await can_withdraw(client, creator_headers)
    withdrawal = await client.post(
        "/v1/payments/me/withdraw",
        json={"amount": {"currency": "EUR", "value": "85.00"}},
        headers=creator_headers,
    )
    assert withdrawal.status_code == 201, withdrawal.text

    assert (await suspend(client, admin, creator["id"])).status_code == 200
    await run_jobs()

    held = await get_row(Withdrawal, withdrawal.json()["id"])
    assert held is not None
    assert held.status.value == "requested"
    approved = await client.post(f"/v1/orders/{running['id']}/approve", headers=client_headers)
    assert approved.status_code == 200, approved.text  # the client is not punished
    assert (await get_row(User, creator["id"])).suspended_at is not None  # type: ignore[union-attr]

    released = await client.put(f"/v1/admin/withdrawals/{held.id}/release", headers=admin)
    assert released.status_code == 200, released.text
    await run_jobs()
    paid = await get_row(Withdrawal, held.id)
    assert paid is not None
    assert paid.status.value == "paid"
    assert paid.released_at is not None
    assert_error(
        await client.put(f"/v1/admin/withdrawals/{held.id}/release", headers=admin),
        409,
        "withdrawal_not_held",
    )
    missing = "00000000-0000-4000-8000-000000000000"
    assert_error(
        await client.put(f"/v1/admin/withdrawals/{missing}/release", headers=admin),
        404,
        "withdrawal_not_found",
    )


async def test_lifting_a_suspension_pays_the_held_withdrawals(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    creator_headers, client_headers, gig, package = await seller_and_buyer(client, price_minor=10000)
    creator = await me(client, creator_headers)
    order = await make_paid_order(client, client_headers, gig, package)
    await client.post(f"/v1/orders/{order['id']}/deliver", json={"message": "done"}, headers=creator_headers)
    await client.post(f"/v1/orders/{order['id']}/approve", headers=client_headers)
    await can_withdraw(client, creator_headers)
    await client.post(
        "/v1/payments/me/withdraw",
        json={"amount": {"currency": "EUR", "value": "85.00"}},
        headers=creator_headers,
    )
    await suspend(client, admin, creator["id"])
    await run_jobs()

    await client.put(f"/v1/admin/users/{creator['id']}/unsuspend", headers=admin)
    await run_jobs()

    again = bearer(await login(client, creator["email"]))
    assert (await balance_of(client, again))["in_transit"] == "0.00"


async def test_admins_and_oneself_cannot_be_suspended(client: httpx.AsyncClient, admin: Headers) -> None:
    me_admin = await me(client, admin)
    assert_error(await suspend(client, admin, me_admin["id"]), 409, "cannot_suspend_yourself")
    other_admin = await me(client, await make_admin(client))
    assert_error(await suspend(client, admin, other_admin["id"]), 409, "cannot_suspend_admin")
    assert await count_rows(AuditEntry) == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"until": "2020-01-01T00:00:00Z"}, "suspension_end_in_past"),
        ({"reason": " "}, "validation_error"),
        ({"reason": None}, "validation_error"),
        ({"until": "tomorrow"}, "validation_error"),
        ({"until": "2099-01-01T00:00:00"}, "validation_error"),  # no time zone
        ({"extra": True}, "validation_error"),
    ],
)
async def test_bad_suspensions_change_nothing(
    client: httpx.AsyncClient, admin: Headers, body: dict[str, Any], code: str
) -> None:
    maya, headers = await signed_up(client, "creator")
    assert_error(await suspend(client, admin, maya["id"], **body), 422, code)
    assert (await client.get("/v1/users/me", headers=headers)).status_code == 200
    assert await count_rows(AuditEntry) == 0


async def test_unsuspending_an_active_account_is_a_conflict(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    maya, _ = await signed_up(client, "creator")
    response = await client.put(f"/v1/admin/users/{maya['id']}/unsuspend", headers=admin)
    assert_error(response, 409, "not_suspended")


async def test_the_audit_log_is_append_only(client: httpx.AsyncClient, admin: Headers) -> None:
    maya, _ = await signed_up(client, "creator")
    await suspend(client, admin, maya["id"], reason="Spam links")
    entry = (await client.get("/v1/admin/audit", headers=admin)).json()["items"][0]
    assert (entry["action"], entry["target_type"], entry["reason"]) == ("user.suspend", "user", "Spam links")
    assert entry["before"]["status"] == "active"
    assert entry["after"]["status"] == "suspended"
    assert entry["actor_id"] == (await me(client, admin))["id"]

    for statement in ("UPDATE audit_log SET reason = 'nothing'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"):
            await transaction(lambda session, sql=statement: session.execute(text(sql)))
    assert await count_rows(AuditEntry) == 1

"""The account's own security: changing the password (other sessions end, this one stays), the
list of live login sessions and ending one of them, and becoming both a creator and a client
(`hybrid`) with the access token already held."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import update

from reelbyte.core.db import transaction, utcnow
from reelbyte.identity.models import AuthSession, RefreshToken
from tests.conftest import Mailbox, link_in, run_jobs
from tests.factories import (
    TEST_PASSWORD,
    bearer,
    category_id,
    get_row,
    gig_body,
    login,
    make_admin,
    project_body,
    register,
    signed_up,
)

ME = "/v1/users/me"
PASSWORD = f"{ME}/password"
SESSIONS = f"{ME}/sessions"
ROLE = f"{ME}/role"
NEW_PASSWORD = "An0ther!Secret"


def _sid(tokens: dict[str, Any]) -> str:
    return str(jwt.decode(tokens["access_token"], options={"verify_signature": False})["sid"])


def _assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code, body
    assert set(body) == {"error", "message", "details"}
    assert body["message"]


async def _login_as(client: httpx.AsyncClient, email: str, agent: str) -> dict[str, Any]:
    response = await client.post(
        "/v1/auth/login", json={"email": email, "password": TEST_PASSWORD}, headers={"User-Agent": agent}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _refresh(client: httpx.AsyncClient, tokens: dict[str, Any]) -> httpx.Response:
    return await client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})


async def _can_log_in(client: httpx.AsyncClient, email: str, password: str) -> bool:
    response = await client.post("/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


async def _sessions(client: httpx.AsyncClient, tokens: dict[str, Any]) -> list[dict[str, Any]]:
    response = await client.get(SESSIONS, headers=bearer(tokens))
    assert response.status_code == 200, response.text
    return list(response.json())


# --- changing the password ----------------------------------------------------------------


async def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    user = await register(client, "creator")
    this, other = await login(client, user["email"]), await login(client, user["email"])

    response = await client.post(
        PASSWORD,
        json={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(this),
    )
    assert response.status_code == 204, response.text

    # The other session is over at once: its access token and its refresh token.
    _assert_error(await client.get(ME, headers=bearer(other)), 401, "invalid_token")
    _assert_error(await _refresh(client, other), 401, "session_revoked")
    # This one stays logged in, and keeps refreshing.
    assert (await client.get(ME, headers=bearer(this))).json()["id"] == user["id"]
    refreshed = await _refresh(client, this)
    assert refreshed.status_code == 200, refreshed.text
    assert (await client.get(ME, headers=bearer(refreshed.json()))).status_code == 200
    assert [s["id"] for s in await _sessions(client, this)] == [_sid(this)]
    ended = await get_row(AuthSession, _sid(other))
    assert ended is not None
    assert ended.revoked_reason == "password_changed"

    # The new password logs in, the old one no more.
    assert await _can_log_in(client, user["email"], NEW_PASSWORD)
    assert not await _can_log_in(client, user["email"], TEST_PASSWORD)

    # The owner is told, with a way back in if it was not them.
    await run_jobs()
    [notice] = [m for m in mailbox.to(user["email"]) if "password was changed" in m["Subject"]]
    assert link_in(notice) == "http://testserver/forgot-password"


async def test_a_wrong_current_password_changes_nothing(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    user = await register(client, "client")
    this, other = await login(client, user["email"]), await login(client, user["email"])
    response = await client.post(
        PASSWORD,
        json={"current_password": "Not!The0ne", "new_password": NEW_PASSWORD},
        headers=bearer(this),
    )
    _assert_error(response, 403, "wrong_password")
    for tokens in (this, other):
        assert (await client.get(ME, headers=bearer(tokens))).status_code == 200
    assert await _can_log_in(client, user["email"], TEST_PASSWORD)
    assert not await _can_log_in(client, user["email"], NEW_PASSWORD)
    await run_jobs()
    assert not [m for m in mailbox.to(user["email"]) if "password was changed" in m["Subject"]]


async def test_the_same_password_again_is_refused(client: httpx.AsyncClient) -> None:
    user = await register(client, "creator")
    this, other = await login(client, user["email"]), await login(client, user["email"])
    response = await client.post(
        PASSWORD,
        json={"current_password": TEST_PASSWORD, "new_password": TEST_PASSWORD},
        headers=bearer(this),
    )
    _assert_error(response, 422, "same_password")
    assert (await client.get(ME, headers=bearer(other))).status_code == 200
    assert await _can_log_in(client, user["email"], TEST_PASSWORD)


async def test_a_password_change_spends_the_reset_links_in_the_mailbox(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    user = await register(client, "creator")
    tokens = await login(client, user["email"])
    await client.post("/v1/auth/forgot-password", json={"email": user["email"]})
    await run_jobs()
    [reset] = [m for m in mailbox.to(user["email"]) if "Reset" in m["Subject"]]
    response = await client.post(
        PASSWORD,
        json={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(tokens),
    )
    assert response.status_code == 204, response.text
    link_token = link_in(reset).split("token=")[1]
    response = await client.post(
        "/v1/auth/reset-password", json={"token": link_token, "new_password": "Th1rd!Secret"}
    )
    _assert_error(response, 400, "invalid_link")
    assert await _can_log_in(client, user["email"], NEW_PASSWORD)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"current_password": TEST_PASSWORD},
        {"new_password": NEW_PASSWORD},
        {"current_password": "", "new_password": NEW_PASSWORD},
        {"current_password": "    ", "new_password": NEW_PASSWORD},
        {"current_password": TEST_PASSWORD, "new_password": "        "},
        {"current_password": TEST_PASSWORD, "new_password": "Sh0rt!"},
        {"current_password": TEST_PASSWORD, "new_password": "no-upper-case-1"},
        {"current_password": TEST_PASSWORD, "new_password": "N" + "0!x" * 50},
        {"current_password": TEST_PASSWORD, "new_password": 12345678},
        {"current_password": None, "new_password": NEW_PASSWORD},
        {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD, "logout_others": False},
    ],
)
async def test_a_bad_password_change_body_is_a_422_and_changes_nothing(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    user = await register(client, "creator")
    this, other = await login(client, user["email"]), await login(client, user["email"])
    response = await client.post(PASSWORD, json=body, headers=bearer(this))
    _assert_error(response, 422, "validation_error")
    assert (await client.get(ME, headers=bearer(other))).status_code == 200
    assert await _can_log_in(client, user["email"], TEST_PASSWORD)


# --- the list of login sessions -----------------------------------------------------------


async def test_my_sessions_are_listed_live_only_most_recently_used_first(client: httpx.AsyncClient) -> None:
    user = await register(client, "creator")
    laptop = await _login_as(client, user["email"], "Firefox on the laptop")
    phone = await _login_as(client, user["email"], "Safari on the phone")
    tablet = await _login_as(client, user["email"], "Chrome on the tablet")
    logged_out = await _login_as(client, user["email"], "A browser since closed")
    lapsed = await _login_as(client, user["email"], "A browser long unused")
    assert (await client.post("/v1/auth/logout", headers=bearer(logged_out))).status_code == 204

    async def expire_refresh_token(session: Any) -> None:
        await session.execute(
            update(RefreshToken)
            .where(RefreshToken.session_id == uuid.UUID(_sid(lapsed)))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )

    await transaction(expire_refresh_token)
    # The laptop refreshes last, so it was used most recently.
    laptop = (await _refresh(client, laptop)).json()

    listed = await _sessions(client, phone)
    assert [s["id"] for s in listed] == [_sid(laptop), _sid(tablet), _sid(phone)]
    assert [s["user_agent"] for s in listed] == [
        "Firefox on the laptop",
        "Chrome on the tablet",
        "Safari on the phone",
    ]
    assert [s["current"] for s in listed] == [False, False, True]
    for item in listed:
        assert set(item) == {"id", "created_at", "last_used_at", "user_agent", "ip_address", "current"}
        assert item["ip_address"] == "203.0.113.7"
    assert listed[0]["last_used_at"] > listed[0]["created_at"]
    # Asked from the laptop, the laptop is the current one.
    assert [s["current"] for s in await _sessions(client, laptop)] == [True, False, False]


async def test_another_users_token_lists_only_its_own_sessions(client: httpx.AsyncClient) -> None:
    mine = await register(client, "creator")
    my_tokens = await login(client, mine["email"])
    await login(client, mine["email"])
    theirs = await register(client, "client")
    their_tokens = await login(client, theirs["email"])
    assert [s["id"] for s in await _sessions(client, their_tokens)] == [_sid(their_tokens)]
    assert len(await _sessions(client, my_tokens)) == 2


# --- ending a session ---------------------------------------------------------------------


async def test_ending_another_of_my_sessions_logs_it_out(client: httpx.AsyncClient) -> None:
    user = await register(client, "client")
    this, other = await login(client, user["email"]), await login(client, user["email"])
    response = await client.delete(f"{SESSIONS}/{_sid(other)}", headers=bearer(this))
    assert response.status_code == 204, response.text
    assert "set-cookie" not in response.headers  # this session's refresh cookie stays

    _assert_error(await client.get(ME, headers=bearer(other)), 401, "invalid_token")
    _assert_error(await _refresh(client, other), 401, "session_revoked")
    assert (await client.get(ME, headers=bearer(this))).status_code == 200
    assert [s["id"] for s in await _sessions(client, this)] == [_sid(this)]
    ended = await get_row(AuthSession, _sid(other))
    assert ended is not None
    assert ended.revoked_reason == "ended_by_user"

    # Ended already: not found, like any other session that is not live.
    again = await client.delete(f"{SESSIONS}/{_sid(other)}", headers=bearer(this))
    _assert_error(again, 404, "session_not_found")


async def test_ending_this_session_is_a_logout(client: httpx.AsyncClient) -> None:
    user = await register(client, "creator")
    this, other = await login(client, user["email"]), await login(client, user["email"])
    response = await client.delete(f"{SESSIONS}/{_sid(this)}", headers=bearer(this))
    assert response.status_code == 204, response.text
    assert 'refresh_token=""' in response.headers["set-cookie"]  # the cookie is cleared
    _assert_error(await client.get(ME, headers=bearer(this)), 401, "invalid_token")
    _assert_error(await _refresh(client, this), 401, "session_revoked")
    assert (await client.get(ME, headers=bearer(other))).status_code == 200


async def test_another_users_session_cannot_be_ended_nor_told_apart_from_an_unknown_one(
    client: httpx.AsyncClient,
) -> None:
    victim = await register(client, "creator")
    victim_tokens = await login(client, victim["email"])
    _, intruder = await signed_up(client, "creator")

    theirs = await client.delete(f"{SESSIONS}/{_sid(victim_tokens)}", headers=intruder)
    unknown = await client.delete(f"{SESSIONS}/{uuid.uuid4()}", headers=intruder)
    _assert_error(theirs, 404, "session_not_found")
    _assert_error(unknown, 404, "session_not_found")
    assert theirs.json() == unknown.json()
    # The victim's session lives on.
    assert (await client.get(ME, headers=bearer(victim_tokens))).status_code == 200
    assert (await _refresh(client, victim_tokens)).status_code == 200


async def test_a_session_id_that_is_no_uuid_is_a_422(client: httpx.AsyncClient) -> None:
    _, headers = await signed_up(client, "creator")
    _assert_error(await client.delete(f"{SESSIONS}/not-a-uuid", headers=headers), 422, "validation_error")


# --- becoming both creator and client -----------------------------------------------------


async def test_a_client_becomes_hybrid_and_its_token_can_sell_at_once(client: httpx.AsyncClient) -> None:
    user, headers = await signed_up(client, "client")
    body = await gig_body()
    _assert_error(await client.post("/v1/gigs", json=body, headers=headers), 403, "wrong_role")

    response = await client.post(ROLE, json={"role": "hybrid"}, headers=headers)
    assert response.status_code == 200, response.text
    profile = response.json()
    assert profile["id"] == user["id"]
    assert profile["role"] == "hybrid"
    assert profile["email"] == user["email"]  # the private profile

    # The same access token (its `role` claim still says client) now creates a gig...
    assert jwt.decode(headers["Authorization"][7:], options={"verify_signature": False})["role"] == "client"
    created = await client.post("/v1/gigs", json=body, headers=headers)
    assert created.status_code == 201, created.text
    # ... and still does what a client does.
    project = await client.post("/v1/projects", json=project_body(await category_id()), headers=headers)
    assert project.status_code == 201, project.text
    assert (await client.get(ME, headers=headers)).json()["role"] == "hybrid"


async def test_a_creator_becomes_hybrid_and_its_token_can_buy_at_once(client: httpx.AsyncClient) -> None:
    _, headers = await signed_up(client, "creator")
    body = project_body(await category_id())
    _assert_error(await client.post("/v1/projects", json=body, headers=headers), 403, "wrong_role")
    assert (await client.post(ROLE, json={"role": "hybrid"}, headers=headers)).status_code == 200
    project = await client.post("/v1/projects", json=body, headers=headers)
    assert project.status_code == 201, project.text


async def test_a_hybrid_cannot_become_hybrid_again(client: httpx.AsyncClient) -> None:
    _, headers = await signed_up(client, "hybrid")
    _assert_error(await client.post(ROLE, json={"role": "hybrid"}, headers=headers), 409, "already_hybrid")
    assert (await client.get(ME, headers=headers)).json()["role"] == "hybrid"


async def test_an_admin_cannot_change_role(client: httpx.AsyncClient) -> None:
    headers = await make_admin(client)
    response = await client.post(ROLE, json={"role": "hybrid"}, headers=headers)
    _assert_error(response, 403, "role_change_not_allowed")
    assert (await client.get(ME, headers=headers)).json()["role"] == "admin"


@pytest.mark.parametrize(
    "body",
    [{}, {"role": "creator"}, {"role": "admin"}, {"role": ""}, {"role": "  "}, {"role": None}, {"role": 1}],
)
async def test_a_bad_role_body_is_a_422_and_changes_nothing(client: httpx.AsyncClient, body: Any) -> None:
    _, headers = await signed_up(client, "client")
    _assert_error(await client.post(ROLE, json=body, headers=headers), 422, "validation_error")
    assert (await client.get(ME, headers=headers)).json()["role"] == "client"


# --- without a login ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", PASSWORD, {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD}),
        ("GET", SESSIONS, None),
        ("DELETE", f"{SESSIONS}/5485d2ff-fa06-4fb2-b963-fb62384ba4ab", None),
        ("POST", ROLE, {"role": "hybrid"}),
    ],
)
async def test_every_account_security_route_needs_a_login(
    client: httpx.AsyncClient, method: str, path: str, body: Any
) -> None:
    response = await client.request(method, path, json=body)
    _assert_error(response, 401, "not_authenticated")
    garbage = await client.request(method, path, json=body, headers={"Authorization": "Bearer nonsense"})
    _assert_error(garbage, 401, "invalid_token")

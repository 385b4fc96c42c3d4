"""Access tokens belong to a live login session of their own user; refresh-token rotation with
a short grace window for racing refreshes; the row locks (lock_one) that make racing uses of one
token or link, or racing portfolio additions, take turns."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
from sqlalchemy import select, update

from reelbyte.core.config import get_settings
from reelbyte.core.db import get_database, transaction
from reelbyte.identity.models import AuthSession, RefreshToken
from reelbyte.identity.service import MAX_PORTFOLIO_ITEMS
from tests.conftest import Mailbox, link_in, run_jobs
from tests.factories import bearer, login, register, signed_up

ME = "/v1/users/me"
NEW_PASSWORD = "An0ther!Secret"


def _forge(**claims: Any) -> str:
    now = datetime.now(UTC)
    payload = {"type": "access", "role": "creator", "iat": now, "exp": now + timedelta(minutes=5), **claims}
    return jwt.encode(payload, get_settings().secret_key, algorithm="HS256")


def _assert_invalid_token(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_token"
    assert response.headers["www-authenticate"] == "Bearer"


async def _session_id(tokens: dict[str, Any]) -> str:
    return str(jwt.decode(tokens["access_token"], options={"verify_signature": False})["sid"])


# --- the session claim --------------------------------------------------------------------


async def test_every_issued_access_token_names_its_session(client: httpx.AsyncClient) -> None:
    user = await register(client, "creator")
    tokens = await login(client, user["email"])
    sid = await _session_id(tokens)
    async with get_database().sessions() as session:
        stored = await session.get(AuthSession, uuid.UUID(sid))
    assert stored is not None
    assert str(stored.user_id) == user["id"]


async def test_a_token_without_a_session_claim_is_refused(client: httpx.AsyncClient) -> None:
    """Signed with the right key, for a real, active user: still refused, since no logout or
    password reset could ever revoke it."""
    user, headers = await signed_up(client, "creator")
    assert (await client.get(ME, headers=headers)).status_code == 200
    _assert_invalid_token(await client.get(ME, headers=bearer({"access_token": _forge(sub=user["id"])})))
    # Where a token is optional, a bad one is refused too rather than read as anonymous.
    _assert_invalid_token(
        await client.get("/v1/gigs/whatever", headers=bearer({"access_token": _forge(sub=user["id"])}))
    )


async def test_a_token_naming_another_users_session_is_refused(client: httpx.AsyncClient) -> None:
    victim = await register(client, "creator")
    victim_tokens = await login(client, victim["email"])
    intruder, _ = await signed_up(client, "creator")
    stolen_sid = await _session_id(victim_tokens)
    token = _forge(sub=intruder["id"], sid=stolen_sid)  # the intruder's id, the victim's live session
    _assert_invalid_token(await client.get(ME, headers=bearer({"access_token": token})))
    # The victim's own token still works.
    assert (await client.get(ME, headers=bearer(victim_tokens))).json()["id"] == victim["id"]


async def test_logout_revokes_the_access_token_and_only_its_session(client: httpx.AsyncClient) -> None:
    user = await register(client, "client")
    first, second = await login(client, user["email"]), await login(client, user["email"])
    assert (await client.post("/v1/auth/logout", headers=bearer(first))).status_code == 204
    _assert_invalid_token(await client.get(ME, headers=bearer(first)))
    assert (await client.get(ME, headers=bearer(second))).status_code == 200
    async with get_database().sessions() as session:
        revoked = await session.get(AuthSession, uuid.UUID(await _session_id(first)))
    assert revoked is not None
    assert revoked.revoked_reason == "logout"


async def test_a_password_reset_revokes_every_access_token(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    user = await register(client, "creator")
    sessions = [await login(client, user["email"]) for _ in range(2)]
    await client.post("/v1/auth/forgot-password", json={"email": user["email"]})
    await run_jobs()
    [message] = [m for m in mailbox.to(user["email"]) if "Reset" in m["Subject"]]
    token = link_in(message).split("token=")[1]
    response = await client.post(
        "/v1/auth/reset-password", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 200
    for tokens in sessions:
        _assert_invalid_token(await client.get(ME, headers=bearer(tokens)))


# --- refresh: the grace window for racing refreshes ---------------------------------------


async def _refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post("/v1/auth/refresh", json={"refresh_token": refresh_token})


async def test_two_simultaneous_refreshes_get_the_same_pair_and_keep_the_session(
    client: httpx.AsyncClient,
) -> None:
    user = await register(client, "creator")
    tokens = await login(client, user["email"])
    first, second = await asyncio.gather(
        _refresh(client, tokens["refresh_token"]), _refresh(client, tokens["refresh_token"])
    )
    assert first.status_code == second.status_code == 200, (first.text, second.text)
    assert first.json()["refresh_token"] == second.json()["refresh_token"]
    assert first.json()["access_token"] == second.json()["access_token"]
    assert first.json()["refresh_token"] != tokens["refresh_token"]

    # The session lives on: the new access token works and the new refresh token rotates.
    new = first.json()
    assert (await client.get(ME, headers=bearer(new))).json()["id"] == user["id"]
    sid = uuid.UUID(await _session_id(tokens))
    async with get_database().sessions() as session:
        auth_session = await session.get(AuthSession, sid)
        family = list(await session.scalars(select(RefreshToken).where(RefreshToken.session_id == sid)))
    assert auth_session is not None
    assert auth_session.revoked_at is None
    # The spent token and its one successor: not one new token per racing refresh.
    assert len(family) == 2
    assert len([token for token in family if token.rotated_at is None]) == 1
    third = await _refresh(client, new["refresh_token"])
    assert third.status_code == 200
    assert (await client.get(ME, headers=bearer(third.json()))).status_code == 200


async def test_a_retry_within_the_grace_window_gets_the_same_pair(client: httpx.AsyncClient) -> None:
    user = await register(client, "creator")
    tokens = await login(client, user["email"])
    first = await _refresh(client, tokens["refresh_token"])
    retry = await _refresh(client, tokens["refresh_token"])
    assert retry.status_code == 200
    assert (retry.json()["access_token"], retry.json()["refresh_token"]) == (
        first.json()["access_token"],
        first.json()["refresh_token"],
    )
    assert 0 < retry.json()["expires_in"] <= first.json()["expires_in"]


async def _age_rotations(seconds: float) -> None:
    """Move every rotation `seconds` into the past (as if that long ago)."""
    await transaction(
        lambda session: session.execute(
            update(RefreshToken)
            .where(RefreshToken.rotated_at.is_not(None))
            .values(rotated_at=RefreshToken.rotated_at - timedelta(seconds=seconds))
        )
    )


async def test_reuse_after_the_grace_window_revokes_the_family(client: httpx.AsyncClient) -> None:
    user = await register(client, "creator")
    stolen = await login(client, user["email"])
    rotated = (await _refresh(client, stolen["refresh_token"])).json()
    await _age_rotations(get_settings().refresh_reuse_grace_seconds + 1)

    response = await _refresh(client, stolen["refresh_token"])
    assert response.status_code == 401
    assert response.json()["error"] == "refresh_token_reused"
    # The revocation was committed although the request failed: the whole family is dead.
    assert (await _refresh(client, rotated["refresh_token"])).json()["error"] == "session_revoked"
    _assert_invalid_token(await client.get(ME, headers=bearer(rotated)))
    async with get_database().sessions() as session:
        auth_session = await session.get(AuthSession, uuid.UUID(await _session_id(stolen)))
    assert auth_session is not None
    assert auth_session.revoked_reason == "refresh_token_reuse"


async def test_reuse_within_the_window_after_the_successor_was_spent_revokes(
    client: httpx.AsyncClient,
) -> None:
    """The grace window hands out the successor only while it is the session's newest token."""
    user = await register(client, "creator")
    tokens = await login(client, user["email"])
    second = (await _refresh(client, tokens["refresh_token"])).json()
    third = await _refresh(client, second["refresh_token"])
    assert third.status_code == 200
    response = await _refresh(client, tokens["refresh_token"])
    assert response.status_code == 401
    assert response.json()["error"] == "refresh_token_reused"
    _assert_invalid_token(await client.get(ME, headers=bearer(third.json())))


async def test_the_grace_window_is_configurable_and_ten_seconds_by_default(client: httpx.AsyncClient) -> None:
    settings = get_settings()
    assert type(settings).model_fields["refresh_reuse_grace_seconds"].default == 10
    user = await register(client, "creator")
    tokens = await login(client, user["email"])
    await _refresh(client, tokens["refresh_token"])
    original = settings.refresh_reuse_grace_seconds
    settings.refresh_reuse_grace_seconds = 0
    try:
        response = await _refresh(client, tokens["refresh_token"])
    finally:
        settings.refresh_reuse_grace_seconds = original
    assert response.json()["error"] == "refresh_token_reused"


# --- racing uses of one link, and racing portfolio additions ------------------------------


async def test_one_reset_link_used_twice_at_once_works_once(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    user = await register(client, "creator")
    await client.post("/v1/auth/forgot-password", json={"email": user["email"]})
    await run_jobs()
    [message] = [m for m in mailbox.to(user["email"]) if "Reset" in m["Subject"]]
    token = link_in(message).split("token=")[1]
    responses = await asyncio.gather(
        *(
            client.post(
                "/v1/auth/reset-password", json={"token": token, "new_password": f"{NEW_PASSWORD}{i}"}
            )
            for i in range(3)
        )
    )
    assert sorted(r.status_code for r in responses) == [200, 400, 400]
    assert {r.json().get("error") for r in responses if r.status_code == 400} == {"invalid_link"}


async def test_racing_portfolio_additions_never_pass_the_limit(client: httpx.AsyncClient) -> None:
    user, headers = await signed_up(client, "creator")
    item = {"title": "Reel", "video_url": "https://vimeo.com/76979871"}
    for _ in range(MAX_PORTFOLIO_ITEMS - 2):
        assert (await client.post("/v1/users/me/portfolio", json=item, headers=headers)).status_code == 201
    responses = await asyncio.gather(
        *(client.post("/v1/users/me/portfolio", json=item, headers=headers) for _ in range(5))
    )
    assert sorted(r.status_code for r in responses) == [201, 201, 409, 409, 409]
    assert {r.json()["error"] for r in responses if r.status_code == 409} == {"portfolio_full"}
    assert len((await client.get(f"/v1/users/{user['id']}/portfolio")).json()) == MAX_PORTFOLIO_ITEMS

"""Registration, login, refresh rotation and reuse detection, logout, e-mail flows."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import get_settings
from reelbyte.core.db import get_database, transaction, utcnow
from reelbyte.identity.models import AccountToken, RefreshToken, User
from tests.conftest import Mailbox, link_in, run_jobs
from tests.factories import TEST_PASSWORD, bearer, login, register, signed_up, unique_name

NEW_PASSWORD = "An0ther!Secret"


def _path_of(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


async def test_register_returns_the_user_without_secrets(client: httpx.AsyncClient) -> None:
    user = await register(client, "creator", verified=False)
    assert user["role"] == "creator"
    assert user["email_verified"] is False
    assert "password" not in str(user).lower()
    assert "password_hash" not in user


async def test_email_and_username_are_unique_whatever_their_case(client: httpx.AsyncClient) -> None:
    user = await register(client, "client")
    again = {
        "email": user["email"].upper(),
        "username": unique_name(),
        "password": TEST_PASSWORD,
        "full_name": "Copy",
        "role": "client",
    }
    response = await client.post("/v1/auth/register", json=again)
    assert response.status_code == 409
    assert response.json()["error"] == "account_exists"

    again.update(email="other@example.com", username=user["username"].upper())
    response = await client.post("/v1/auth/register", json=again)
    assert response.status_code == 409


async def test_two_racing_registrations_of_one_email_make_one_account(client: httpx.AsyncClient) -> None:
    def body() -> dict[str, str]:
        return {
            "email": "race@example.com",
            "username": unique_name(),
            "password": TEST_PASSWORD,
            "full_name": "Racer",
            "role": "creator",
        }

    responses = await asyncio.gather(*(client.post("/v1/auth/register", json=body()) for _ in range(4)))
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 409, 409, 409]
    async with get_database().sessions() as session:
        users = (await session.scalars(select(User).where(User.email == "race@example.com"))).all()
    assert len(users) == 1


async def test_admin_role_cannot_be_registered(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/register",
        json={
            "email": "boss@example.com",
            "username": "boss",
            "password": TEST_PASSWORD,
            "full_name": "Boss",
            "role": "admin",
        },
    )
    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"


async def test_verification_link_from_the_email_verifies_once(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    user = await register(client, "creator", verified=False)
    await run_jobs()
    [message] = mailbox.to(user["email"])
    assert "Confirm your e-mail" in message["Subject"]
    link = link_in(message)
    assert link.startswith("http://testserver/account/verify-email?token=")

    page = await client.get(_path_of(link))
    assert page.status_code == 200
    assert "confirmed" in page.text

    headers = bearer(await login(client, user["email"]))
    me = (await client.get("/v1/users/me", headers=headers)).json()
    assert me["email_verified"] is True

    again = await client.get(_path_of(link))
    assert again.status_code == 400


async def test_verify_email_api_and_resend(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    user, headers = await signed_up(client, "client", verified=False)
    response = await client.post("/v1/auth/resend-verification", headers=headers)
    assert response.status_code == 202
    await run_jobs()
    messages = mailbox.to(user["email"])
    assert len(messages) == 2
    token = link_in(messages[-1]).split("token=")[1]

    response = await client.post("/v1/auth/verify-email", json={"token": token})
    assert response.status_code == 200
    assert response.json()["email_verified"] is True

    response = await client.post("/v1/auth/resend-verification", headers=headers)
    assert response.status_code == 409
    response = await client.post("/v1/auth/verify-email", json={"token": "x" * 43})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_link"


async def test_login_issues_a_short_lived_access_token_and_a_refresh_cookie(
    client: httpx.AsyncClient,
) -> None:
    user = await register(client, "hybrid")
    response = await client.post("/v1/auth/login", json={"email": user["email"], "password": TEST_PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    claims = jwt.decode(body["access_token"], get_settings().secret_key, algorithms=["HS256"])
    assert claims["sub"] == user["id"]
    assert claims["type"] == "access"
    assert claims["role"] == "hybrid"
    assert claims["exp"] - claims["iat"] == 15 * 60

    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"refresh_token={body['refresh_token']}")
    for attribute in ("HttpOnly", "Secure", "SameSite=strict", "Path=/v1/auth"):
        assert attribute.lower() in cookie.lower()


async def test_wrong_password_and_unknown_email_get_the_same_answer(client: httpx.AsyncClient) -> None:
    user = await register(client, "client")
    wrong = await client.post("/v1/auth/login", json={"email": user["email"], "password": "Wr0ng!Password"})
    unknown = await client.post(
        "/v1/auth/login", json={"email": "nobody@example.com", "password": "Wr0ng!Pass"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


async def test_oauth2_token_endpoint_for_swagger(client: httpx.AsyncClient) -> None:
    user = await register(client, "creator")
    response = await client.post(
        "/v1/auth/token", data={"username": user["email"], "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    me = await client.get("/v1/users/me", headers=bearer(response.json()))
    assert me.json()["id"] == user["id"]


async def test_refresh_rotates_and_the_old_token_stops_working(client: httpx.AsyncClient) -> None:
    user = await register(client, "creator")
    first = await login(client, user["email"])
    response = await client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert (await client.get("/v1/users/me", headers=bearer(second))).status_code == 200

    # The cookie works as well as the body.
    client.cookies.clear()
    response = await client.post(
        "/v1/auth/refresh", headers={"Cookie": f"refresh_token={second['refresh_token']}"}
    )
    assert response.status_code == 200


async def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(client: httpx.AsyncClient) -> None:
    user = await register(client, "creator")
    stolen = await login(client, user["email"])
    rotated = (await client.post("/v1/auth/refresh", json={"refresh_token": stolen["refresh_token"]})).json()
    # Later than the grace window for racing refreshes (tests/identity/test_sessions.py) …
    await transaction(
        lambda session: session.execute(
            update(RefreshToken).values(rotated_at=RefreshToken.rotated_at - timedelta(minutes=1))
        )
    )

    # … the thief (or the victim) presents the already-rotated token.
    response = await client.post("/v1/auth/refresh", json={"refresh_token": stolen["refresh_token"]})
    assert response.status_code == 401
    assert response.json()["error"] == "refresh_token_reused"

    # Everything in that family is now dead: the newest refresh token and its access token.
    response = await client.post("/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert response.status_code == 401
    assert (await client.get("/v1/users/me", headers=bearer(rotated))).status_code == 401

    # Other sessions of the same user are untouched.
    other = await login(client, user["email"])
    assert (await client.get("/v1/users/me", headers=bearer(other))).status_code == 200


async def test_refresh_without_or_with_a_bad_token(client: httpx.AsyncClient) -> None:
    client.cookies.clear()
    response = await client.post("/v1/auth/refresh")
    assert response.status_code == 401
    response = await client.post("/v1/auth/refresh", json={"refresh_token": "n" * 43})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_refresh_token"


async def test_logout_ends_the_session(client: httpx.AsyncClient) -> None:
    user = await register(client, "client")
    tokens = await login(client, user["email"])
    response = await client.post("/v1/auth/logout", headers=bearer(tokens))
    assert response.status_code == 204
    assert (await client.get("/v1/users/me", headers=bearer(tokens))).status_code == 401
    response = await client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 401


async def test_forgot_password_never_tells_whether_the_account_exists(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    response = await client.post("/v1/auth/forgot-password", json={"email": "ghost@example.com"})
    assert response.status_code == 202
    user = await register(client, "client")
    await run_jobs()
    mailbox.messages.clear()
    known = await client.post("/v1/auth/forgot-password", json={"email": user["email"]})
    assert known.status_code == 202
    assert known.json() == response.json()
    await run_jobs()
    assert mailbox.to("ghost@example.com") == []
    assert len(mailbox.to(user["email"])) == 1


async def test_reset_through_the_emailed_link_revokes_every_session(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    user = await register(client, "creator")
    sessions = [await login(client, user["email"]) for _ in range(2)]
    await client.post("/v1/auth/forgot-password", json={"email": user["email"]})
    await run_jobs()
    [message] = [m for m in mailbox.to(user["email"]) if "Reset" in m["Subject"]]
    link = link_in(message)
    assert link.startswith("http://testserver/account/reset-password?token=")
    token = link.split("token=")[1]

    form = await client.get(_path_of(link))
    assert form.status_code == 200
    assert f'value="{token}"' in form.text

    weak = await client.post("/account/reset-password", data={"token": token, "new_password": "weak"})
    assert weak.status_code == 400
    done = await client.post("/account/reset-password", data={"token": token, "new_password": NEW_PASSWORD})
    assert done.status_code == 200
    assert "changed" in done.text

    for tokens in sessions:
        assert (await client.get("/v1/users/me", headers=bearer(tokens))).status_code == 401
        refreshed = await client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert refreshed.status_code == 401
    old = await client.post("/v1/auth/login", json={"email": user["email"], "password": TEST_PASSWORD})
    assert old.status_code == 401
    await login(client, user["email"], NEW_PASSWORD)

    # Single use.
    again = await client.post("/v1/auth/reset-password", json={"token": token, "new_password": TEST_PASSWORD})
    assert again.status_code == 400


async def test_reset_token_expires_after_an_hour(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    user = await register(client, "client")
    await client.post("/v1/auth/forgot-password", json={"email": user["email"]})
    await run_jobs()
    [message] = [m for m in mailbox.to(user["email"]) if "Reset" in m["Subject"]]
    token = link_in(message).split("token=")[1]

    async def _write(session: AsyncSession) -> Any:
        lifetimes = (await session.scalars(select(AccountToken.expires_at - AccountToken.created_at))).all()
        assert any(timedelta(minutes=59) < lifetime <= timedelta(minutes=61) for lifetime in lifetimes)
        await session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))

    await transaction(_write)
    response = await client.post(
        "/v1/auth/reset-password", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "link_expired"
    await login(client, user["email"])  # the password did not change


async def test_deactivation_keeps_the_data_but_closes_the_account(client: httpx.AsyncClient) -> None:
    user, headers = await signed_up(client, "creator")
    tokens = await login(client, user["email"])
    response = await client.delete("/v1/users/me", headers=headers)
    assert response.status_code == 204

    assert (await client.get("/v1/users/me", headers=headers)).status_code == 401
    refresh = await client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401
    again = await client.post("/v1/auth/login", json={"email": user["email"], "password": TEST_PASSWORD})
    assert again.status_code == 403
    assert again.json()["error"] == "account_deactivated"
    assert (await client.get(f"/v1/users/{user['id']}")).status_code == 404
    assert (await client.get(f"/v1/users/{user['id']}/portfolio")).status_code == 404

    async with get_database().sessions() as session:
        stored = await session.scalar(select(User).where(User.email == user["email"]))
    assert stored is not None
    assert stored.is_active is False
    assert stored.deactivated_at is not None

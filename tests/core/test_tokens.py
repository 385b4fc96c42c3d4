"""Bearer access tokens on GET /v1/users/me: only an unexpired HS256 access token of a live session."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from reelbyte.core.config import get_settings

PASSWORD = "Sup3r!Secret"
ME = "/v1/users/me"


# --- helpers --------------------------------------------------------------------------------


async def signed_up(
    client: httpx.AsyncClient, role: str = "creator"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Register and log in: (the user as returned by register, the token pair)."""
    name = f"{role}-{uuid.uuid4().hex[:10]}"
    body = {
        "email": f"{name}@example.com",
        "username": name,
        "password": PASSWORD,
        "full_name": "Token Tester",
        "role": role,
    }
    registered = await client.post("/v1/auth/register", json=body)
    assert registered.status_code == 201, registered.text
    login = await client.post("/v1/auth/login", json={"email": body["email"], "password": PASSWORD})
    assert login.status_code == 200, login.text
    return dict(registered.json()), dict(login.json())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def session_of(tokens: dict[str, Any]) -> str:
    """The login session (`sid`) an issued access token names."""
    return str(jwt.decode(tokens["access_token"], options={"verify_signature": False})["sid"])


def claims(user_id: str, sid: str, **overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    payload: dict[str, Any] = {
        "sub": user_id,
        "sid": sid,
        "type": "access",
        "role": "creator",
        "iat": now,
        "exp": now + timedelta(minutes=15),
    }
    payload.update(overrides)
    return {key: value for key, value in payload.items() if value is not None}


def forge(payload: dict[str, Any], key: str | None = None, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, key if key is not None else get_settings().secret_key, algorithm=algorithm)


def b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, default=lambda value: int(value.timestamp())).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def assert_unauthorized(response: httpx.Response, code: str = "invalid_token") -> dict[str, Any]:
    assert response.status_code == 401, response.text
    body = response.json()
    assert set(body) == {"error", "message", "details"}
    assert body["error"] == code
    assert response.headers["www-authenticate"] == "Bearer"
    return dict(body)


# --- the controls: what a valid token looks like --------------------------------------------


async def test_a_token_from_login_works(client: httpx.AsyncClient) -> None:
    user, tokens = await signed_up(client)
    response = await client.get(ME, headers=bearer(tokens["access_token"]))
    assert response.status_code == 200
    assert response.json()["id"] == user["id"]
    header = jwt.get_unverified_header(tokens["access_token"])
    assert header["alg"] == "HS256"


async def test_a_token_forged_with_the_right_key_and_claims_works(client: httpx.AsyncClient) -> None:
    """The forging helper makes tokens the API accepts, so each rejection below is for its one flaw."""
    user, tokens = await signed_up(client)
    response = await client.get(ME, headers=bearer(forge(claims(user["id"], session_of(tokens)))))
    assert response.status_code == 200
    assert response.json()["id"] == user["id"]


# --- rejections -----------------------------------------------------------------------------


async def test_no_token_is_401(client: httpx.AsyncClient) -> None:
    body = assert_unauthorized(await client.get(ME), "not_authenticated")
    assert "bearer" in body["message"].lower()


@pytest.mark.parametrize("authorization", ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc.def.ghi"])
async def test_an_authorization_header_without_a_bearer_token_is_401(
    client: httpx.AsyncClient, authorization: str
) -> None:
    assert_unauthorized(await client.get(ME, headers={"Authorization": authorization}), "not_authenticated")


async def test_an_expired_token_is_401(client: httpx.AsyncClient) -> None:
    user, tokens = await signed_up(client)
    past = datetime.now(UTC) - timedelta(hours=1)
    token = forge(claims(user["id"], session_of(tokens), iat=past - timedelta(minutes=15), exp=past))
    body = assert_unauthorized(await client.get(ME, headers=bearer(token)))
    assert "expired" in body["message"]


async def test_a_token_signed_with_another_key_is_401(client: httpx.AsyncClient) -> None:
    user, tokens = await signed_up(client)
    token = forge(
        claims(user["id"], session_of(tokens)), key="another-secret-key-that-is-long-enough-for-hs256"
    )
    assert_unauthorized(await client.get(ME, headers=bearer(token)))


async def test_an_unsigned_alg_none_token_is_401(client: httpx.AsyncClient) -> None:
    user, tokens = await signed_up(client)
    payload = claims(user["id"], session_of(tokens))
    for header in ({"alg": "none", "typ": "JWT"}, {"alg": "None"}, {"alg": "NONE"}):
        for signature in ("", "AAAA"):
            token = f"{b64(header)}.{b64(payload)}.{signature}"
            assert_unauthorized(await client.get(ME, headers=bearer(token)))
    # and the library's own rendering of an unsigned token
    token = jwt.encode(payload, None, algorithm="none")
    assert_unauthorized(await client.get(ME, headers=bearer(token)))


@pytest.mark.filterwarnings("ignore:The HMAC key is .* bytes long")
@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
async def test_another_hmac_algorithm_with_the_right_key_is_401(
    client: httpx.AsyncClient, algorithm: str
) -> None:
    """The algorithm is pinned to HS256: the right key under another algorithm is refused."""
    user, tokens = await signed_up(client)
    token = forge(claims(user["id"], session_of(tokens)), algorithm=algorithm)
    assert jwt.get_unverified_header(token)["alg"] == algorithm
    assert_unauthorized(await client.get(ME, headers=bearer(token)))


async def test_a_refresh_type_token_is_401(client: httpx.AsyncClient) -> None:
    user, tokens = await signed_up(client)
    for token_type in ("refresh", "reset", "", None):
        token = forge(claims(user["id"], session_of(tokens), type=token_type))
        assert_unauthorized(await client.get(ME, headers=bearer(token)))


async def test_the_opaque_refresh_token_is_not_an_access_token(client: httpx.AsyncClient) -> None:
    _, tokens = await signed_up(client)
    assert_unauthorized(await client.get(ME, headers=bearer(tokens["refresh_token"])))


@pytest.mark.parametrize("missing", ["sub", "sid", "exp", "iat"])
async def test_a_token_missing_a_required_claim_is_401(client: httpx.AsyncClient, missing: str) -> None:
    user, tokens = await signed_up(client)
    payload = claims(user["id"], session_of(tokens))
    del payload[missing]
    token = forge(payload)
    assert_unauthorized(await client.get(ME, headers=bearer(token)))


async def test_a_token_for_a_user_that_does_not_exist_is_401(client: httpx.AsyncClient) -> None:
    _, tokens = await signed_up(client)
    for subject in (str(uuid.uuid4()), "not-a-uuid", "1"):
        token = forge(claims(subject, session_of(tokens)))  # a live session, but not this subject's
        assert_unauthorized(await client.get(ME, headers=bearer(token)))


async def test_a_token_with_a_made_up_session_is_401(client: httpx.AsyncClient) -> None:
    user, _ = await signed_up(client)
    for session_id in (str(uuid.uuid4()), "not-a-uuid"):
        token = forge(claims(user["id"], session_id))
        assert_unauthorized(await client.get(ME, headers=bearer(token)))


async def test_a_token_issued_in_the_future_is_401(client: httpx.AsyncClient) -> None:
    user, tokens = await signed_up(client)
    future = datetime.now(UTC) + timedelta(hours=1)
    token = forge(claims(user["id"], session_of(tokens), iat=future, exp=future + timedelta(minutes=15)))
    assert_unauthorized(await client.get(ME, headers=bearer(token)))


@pytest.mark.parametrize(
    "garbage",
    ["garbage", "a.b.c", "....", "eyJhbGciOiJIUzI1NiJ9", "Bearer x", "x" * 5000, "\u00e9t\u00e9"],
)
async def test_a_garbage_token_is_401(client: httpx.AsyncClient, garbage: str) -> None:
    response = await client.get(ME, headers={"Authorization": f"Bearer {garbage}".encode()})
    assert_unauthorized(response)


async def test_a_tampered_token_is_401(client: httpx.AsyncClient) -> None:
    """Changing the role in the payload of a real token breaks its signature."""
    _, tokens = await signed_up(client)
    header, payload, signature = tokens["access_token"].split(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    decoded["role"] = "admin"
    token = f"{header}.{b64(decoded)}.{signature}"
    assert_unauthorized(await client.get(ME, headers=bearer(token)))


async def test_a_token_of_a_logged_out_session_is_401(client: httpx.AsyncClient) -> None:
    _, tokens = await signed_up(client)
    _, other = await signed_up(client)
    headers = bearer(tokens["access_token"])
    assert (await client.get(ME, headers=headers)).status_code == 200

    logout = await client.post("/v1/auth/logout", headers=headers)
    assert logout.status_code == 204

    assert_unauthorized(await client.get(ME, headers=headers))
    # the refresh token of that session is dead too, and other sessions are untouched
    refresh = await client.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401
    assert (await client.get(ME, headers=bearer(other["access_token"]))).status_code == 200


async def test_logging_out_one_session_keeps_the_others(client: httpx.AsyncClient) -> None:
    user, first = await signed_up(client)
    login = await client.post("/v1/auth/login", json={"email": user["email"], "password": PASSWORD})
    second = login.json()
    assert (await client.post("/v1/auth/logout", headers=bearer(first["access_token"]))).status_code == 204
    assert_unauthorized(await client.get(ME, headers=bearer(first["access_token"])))
    assert (await client.get(ME, headers=bearer(second["access_token"]))).status_code == 200


async def test_a_token_of_a_deactivated_account_is_401(client: httpx.AsyncClient) -> None:
    user, tokens = await signed_up(client)
    headers = bearer(tokens["access_token"])
    assert (await client.delete(ME, headers=headers)).status_code == 204
    assert_unauthorized(await client.get(ME, headers=headers))
    # even a freshly forged token is refused for the deactivated account
    assert_unauthorized(await client.get(ME, headers=bearer(forge(claims(user["id"], session_of(tokens))))))

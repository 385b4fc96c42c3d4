"""Small helpers for driving the API in tests."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx

TEST_PASSWORD = "Sup3r!Secret"


def unique_name(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def register(
    client: httpx.AsyncClient, role: str = "creator", *, email: str | None = None, **extra: Any
) -> dict[str, Any]:
    username = unique_name(role)
    body = {
        "email": email or f"{username}@example.com",
        "username": username,
        "password": TEST_PASSWORD,
        "full_name": f"Test {role.title()}",
        "role": role,
        **extra,
    }
    response = await client.post("/v1/auth/register", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def login(client: httpx.AsyncClient, email: str, password: str = TEST_PASSWORD) -> dict[str, Any]:
    response = await client.post("/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return dict(response.json())


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def signed_up(
    client: httpx.AsyncClient, role: str = "creator"
) -> tuple[dict[str, Any], dict[str, str]]:
    """Register and log in: (the user as returned by register, auth headers)."""
    user = await register(client, role)
    return user, bearer(await login(client, user["email"]))


def link_in(message: Any) -> str:
    """The first http(s) link in the plain-text part of an e-mail."""
    text = message.get_body(("plain",)).get_content()
    match = re.search(r"https?://\S+", text)
    assert match, f"no link in {text!r}"
    return match.group(0)

"""Helpers shared by the messaging tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.helpers import signed_up


async def pair(
    client: httpx.AsyncClient,
) -> tuple[dict[str, Any], dict[str, str], dict[str, Any], dict[str, str]]:
    """Two users: (a, a's headers, b, b's headers)."""
    a, a_headers = await signed_up(client, "client")
    b, b_headers = await signed_up(client, "creator")
    return a, a_headers, b, b_headers


async def start(
    client: httpx.AsyncClient, headers: dict[str, str], participant_id: str, **extra: Any
) -> dict[str, Any]:
    response = await client.post(
        "/v1/conversations", json={"participant_id": participant_id, **extra}, headers=headers
    )
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


async def send(
    client: httpx.AsyncClient, headers: dict[str, str], conversation_id: str, content: str, **extra: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/conversations/{conversation_id}/messages", json={"content": content, **extra}, headers=headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())

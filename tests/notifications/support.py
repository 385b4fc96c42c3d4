"""Helpers of the notification tests."""

from __future__ import annotations

from typing import Any

import httpx


async def notifications(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    response = await client.get("/v1/notifications", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def types_of(client: httpx.AsyncClient, headers: dict[str, str]) -> list[str]:
    """Notification types, oldest first."""
    return [n["type"] for n in reversed(await notifications(client, headers, limit=100))]


async def set_preferences(client: httpx.AsyncClient, headers: dict[str, str], preferences: Any) -> None:
    response = await client.put(
        "/v1/users/me", json={"notification_preferences": preferences}, headers=headers
    )
    assert response.status_code == 200, response.text

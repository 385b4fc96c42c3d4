"""The notifications API: cursor pages, unread filter and count, read, read-all, delete."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.db import transaction
from reelbyte.notifications import service
from tests.factories import notifications_of, signed_up


async def _notify(user_id: str, count: int) -> list[int]:
    async def work(session: AsyncSession) -> list[int]:
        ids = []
        for n in range(count):
            notification = await service.notify(
                session, uuid.UUID(user_id), "proposal_received", f"Title {n}", f"Content {n}", link="/x"
            )
            assert notification is not None
            ids.append(notification.id)
        return ids

    return await transaction(work)


async def test_cursor_pages_newest_first(client: httpx.AsyncClient) -> None:
    user, headers = await signed_up(client, "client")
    ids = await _notify(user["id"], 5)
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, int] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/notifications", headers=headers, params=params)).json()
        seen += [n["id"] for n in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)
    bad = await client.get("/v1/notifications", headers=headers, params={"limit": 101})
    assert bad.status_code == 422


async def test_read_unread_only_and_counts(client: httpx.AsyncClient) -> None:
    user, headers = await signed_up(client, "client")
    first, second, third = await _notify(user["id"], 3)
    count = await client.get("/v1/notifications/unread-count", headers=headers)
    assert count.json() == {"count": 3}

    read = await client.put(f"/v1/notifications/{second}/read", headers=headers)
    assert read.status_code == 200, read.text
    assert read.json()["is_read"] is True
    assert read.json()["read_at"] is not None
    again = await client.put(f"/v1/notifications/{second}/read", headers=headers)
    assert again.json()["read_at"] == read.json()["read_at"]
    unread = await notifications_of(client, headers, unread_only="true")
    assert [n["id"] for n in unread] == [third, first]
    assert (await client.get("/v1/notifications/unread-count", headers=headers)).json() == {"count": 2}

    all_read = await client.put("/v1/notifications/read-all", headers=headers)
    assert all_read.status_code == 200, all_read.text
    assert all_read.json() == {"updated": 2}
    assert await notifications_of(client, headers, unread_only="true") == []
    assert (await client.get("/v1/notifications/unread-count", headers=headers)).json() == {"count": 0}


async def test_delete(client: httpx.AsyncClient) -> None:
    user, headers = await signed_up(client, "client")
    first, second = await _notify(user["id"], 2)
    deleted = await client.delete(f"/v1/notifications/{first}", headers=headers)
    assert deleted.status_code == 204
    assert [n["id"] for n in await notifications_of(client, headers)] == [second]
    gone = await client.delete(f"/v1/notifications/{first}", headers=headers)
    assert gone.status_code == 404
    assert gone.json()["error"] == "notification_not_found"


async def test_another_users_notification_is_not_found(client: httpx.AsyncClient) -> None:
    owner, owner_headers = await signed_up(client, "client")
    _, other_headers = await signed_up(client, "creator")
    [notification_id] = await _notify(owner["id"], 1)
    assert await notifications_of(client, other_headers) == []
    read = await client.put(f"/v1/notifications/{notification_id}/read", headers=other_headers)
    assert read.status_code == 404
    deleted = await client.delete(f"/v1/notifications/{notification_id}", headers=other_headers)
    assert deleted.status_code == 404
    all_read = await client.put("/v1/notifications/read-all", headers=other_headers)
    assert all_read.json() == {"updated": 0}
    assert (await client.get("/v1/notifications/unread-count", headers=owner_headers)).json() == {"count": 1}


async def test_anonymous_is_refused(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/notifications")).status_code == 401
    assert (await client.get("/v1/notifications/unread-count")).status_code == 401

"""The archive (listing archived conversations, bringing one back) and the presence snapshot a
conversation carries of the other participant."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from reelbyte.messaging import presence
from tests.factories import Headers, pair, send_message, signed_up, start_conversation


async def _listed(client: httpx.AsyncClient, headers: Headers, **params: Any) -> list[dict[str, Any]]:
    """Every page of my conversations, following the cursor."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = params | ({"cursor": cursor} if cursor else {})
        page = await client.get("/v1/conversations", params=query, headers=headers)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items


async def test_archived_conversations_are_listed_apart_and_paged(client: httpx.AsyncClient) -> None:
    _me, my_h = await signed_up(client, "client")
    others = [await signed_up(client, "creator") for _ in range(4)]
    conversations = [await start_conversation(client, my_h, other["id"]) for other, _ in others]
    await send_message(client, others[0][1], conversations[0]["id"], "unread by me")
    for conversation in conversations[1:3]:
        await send_message(client, my_h, conversation["id"], "hi")
    for conversation in conversations[:3]:
        assert (
            await client.delete(f"/v1/conversations/{conversation['id']}", headers=my_h)
        ).status_code == 204

    archived = await _listed(client, my_h, archived="true", limit=2)
    assert [c["id"] for c in archived] == [c["id"] for c in reversed(conversations[:3])]
    assert all(c["archived"] for c in archived)
    assert [c["unread_count"] for c in archived] == [0, 0, 1]  # the first one has their unread message
    assert [c["id"] for c in await _listed(client, my_h)] == [conversations[3]["id"]]
    assert [c["id"] for c in await _listed(client, my_h, archived="false")] == [conversations[3]["id"]]
    # Archived for me only: the other side still lists it.
    assert [c["id"] for c in await _listed(client, others[0][1])] == [conversations[0]["id"]]
    assert await _listed(client, others[0][1], archived="true") == []


async def test_unarchive_brings_it_back_for_me_only(client: httpx.AsyncClient) -> None:
    _a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"], message="hello")
    cid = conversation["id"]
    for headers in (a_h, b_h):
        assert (await client.delete(f"/v1/conversations/{cid}", headers=headers)).status_code == 204

    back = await client.post(f"/v1/conversations/{cid}/unarchive", headers=a_h)
    assert back.status_code == 200, back.text
    assert back.json()["id"] == cid
    assert back.json()["archived"] is False
    assert back.json()["participant"]["id"] == b["id"]
    assert back.json()["last_message"]["content"] == "hello"
    assert [c["id"] for c in await _listed(client, a_h)] == [cid]
    assert await _listed(client, a_h, archived="true") == []
    # The other participant's archive is theirs.
    assert [c["id"] for c in await _listed(client, b_h, archived="true")] == [cid]

    # Bringing back one that is not archived changes nothing.
    again = await client.post(f"/v1/conversations/{cid}/unarchive", headers=a_h)
    assert again.status_code == 200, again.text
    assert again.json()["archived"] is False


async def test_unarchive_is_for_participants_only(client: httpx.AsyncClient) -> None:
    _a, a_h, b, _b_h = await pair(client)
    _outsider, out_h = await signed_up(client, "client")
    conversation = await start_conversation(client, a_h, b["id"], message="private")
    cid = conversation["id"]
    assert (await client.delete(f"/v1/conversations/{cid}", headers=a_h)).status_code == 204

    for path in (f"/v1/conversations/{cid}/unarchive", f"/v1/conversations/{uuid.uuid4()}/unarchive"):
        response = await client.post(path, headers=out_h)
        assert (response.status_code, response.json()["error"]) == (404, "conversation_not_found")
    assert (await client.post(f"/v1/conversations/{cid}/unarchive")).status_code == 401
    bad_id = await client.post("/v1/conversations/not-a-uuid/unarchive", headers=a_h)
    assert bad_id.status_code == 422
    # The outsider's attempt left it archived, and their own archive is empty.
    assert [c["id"] for c in await _listed(client, a_h, archived="true")] == [cid]
    assert await _listed(client, out_h, archived="true") == []

    bad = await client.get("/v1/conversations", params={"archived": "maybe"}, headers=a_h)
    assert bad.status_code == 422
    assert bad.json()["error"] == "validation_error"


async def test_a_conversation_carries_the_other_participants_presence(client: httpx.AsyncClient) -> None:
    a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"], message="hi")
    cid = conversation["id"]
    assert conversation["participant_presence"] == {"user_id": b["id"], "online": False, "last_seen_at": None}

    await presence.connected(uuid.UUID(b["id"]), "b-phone")
    for shown in (
        (await client.get(f"/v1/conversations/{cid}", headers=a_h)).json(),
        (await _listed(client, a_h))[0],
    ):
        assert shown["participant_presence"]["user_id"] == b["id"]
        assert shown["participant_presence"]["online"] is True
        assert shown["participant_presence"]["last_seen_at"] is not None
    # B sees A's presence, not their own.
    assert (await client.get(f"/v1/conversations/{cid}", headers=b_h)).json()["participant_presence"] == {
        "user_id": a["id"],
        "online": False,
        "last_seen_at": None,
    }

    await presence.disconnected(uuid.UUID(b["id"]), "b-phone")
    left = (await client.get(f"/v1/conversations/{cid}", headers=a_h)).json()["participant_presence"]
    assert left["online"] is False
    assert left["last_seen_at"] is not None


async def test_presence_does_not_cross_a_block(client: httpx.AsyncClient) -> None:
    a, a_h, b, b_h = await pair(client)
    cid = (await start_conversation(client, a_h, b["id"], message="hi"))["id"]
    await presence.connected(uuid.UUID(a["id"]), "a-laptop")
    await presence.connected(uuid.UUID(b["id"]), "b-phone")
    hidden = {"online": False, "last_seen_at": None}

    # Whoever blocked whom, neither sees the other online.
    for blocker_h, blocked in ((a_h, b), (b_h, a)):
        assert (await client.post(f"/v1/users/{blocked['id']}/block", headers=blocker_h)).status_code == 204
        for headers, other in ((a_h, b), (b_h, a)):
            shown = (await client.get(f"/v1/conversations/{cid}", headers=headers)).json()
            assert shown["participant_presence"] == {"user_id": other["id"]} | hidden
        assert (await client.delete(f"/v1/users/{blocked['id']}/block", headers=blocker_h)).status_code == 204

    unblocked = (await client.get(f"/v1/conversations/{cid}", headers=a_h)).json()["participant_presence"]
    assert unblocked["online"] is True

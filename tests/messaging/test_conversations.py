"""Conversations and messages over HTTP: starting, listing, reading, editing, deleting, archiving,
unread counts, and who may see what."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from reelbyte.core.config import Settings
from reelbyte.core.redis import get_redis
from reelbyte.messaging import presence
from tests.factories import pair, send_message, signed_up, start_conversation


async def test_start_returns_the_existing_conversation_for_the_same_pair(client: httpx.AsyncClient) -> None:
    a, a_h, b, b_h = await pair(client)
    first = await client.post(
        "/v1/conversations", json={"participant_id": b["id"], "message": "Hi!"}, headers=a_h
    )
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["participant"] == {
        "id": b["id"],
        "username": b["username"],
        "full_name": b["full_name"],
        "avatar_url": None,
        "role": "creator",
    }
    assert body["last_message"]["content"] == "Hi!"
    assert body["unread_count"] == 0  # my own message

    again = await client.post("/v1/conversations", json={"participant_id": a["id"]}, headers=b_h)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == body["id"]
    assert again.json()["unread_count"] == 1
    assert again.json()["participant"]["id"] == a["id"]
    assert "email" not in again.json()["participant"]


async def test_concurrent_starts_make_one_conversation(client: httpx.AsyncClient) -> None:
    a, a_h, b, b_h = await pair(client)
    responses = await asyncio.gather(
        *[client.post("/v1/conversations", json={"participant_id": b["id"]}, headers=a_h) for _ in range(4)],
        *[client.post("/v1/conversations", json={"participant_id": a["id"]}, headers=b_h) for _ in range(4)],
    )
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201], [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1


async def test_messages_page_newest_first_and_unread_counts(client: httpx.AsyncClient) -> None:
    _a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"])
    sent = [await send_message(client, a_h, conversation["id"], f"message {i}") for i in range(5)]

    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = await client.get(
            f"/v1/conversations/{conversation['id']}/messages", params=params, headers=b_h
        )
        assert page.status_code == 200, page.text
        seen += [m["content"] for m in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"message {i}" for i in reversed(range(5))]

    counts = (await client.get("/v1/conversations/unread-count", headers=b_h)).json()
    assert counts == {"total": 5, "conversations": {conversation["id"]: 5}}
    assert (await client.get("/v1/conversations/unread-count", headers=a_h)).json()["total"] == 0

    # Reading the third marks it and every earlier one read; an earlier mark never moves back.
    read = await client.post(f"/v1/messages/{sent[2]['id']}/read", headers=b_h)
    assert read.status_code == 200, read.text
    assert read.json()["last_read_message_id"] == sent[2]["id"]
    assert read.json()["unread_count"] == 2
    back = await client.post(f"/v1/messages/{sent[0]['id']}/read", headers=b_h)
    assert back.json()["last_read_message_id"] == sent[2]["id"]
    assert (await client.get("/v1/conversations/unread-count", headers=b_h)).json()["total"] == 2

    mine = (await client.get("/v1/conversations", headers=b_h)).json()["items"]
    assert [(c["id"], c["unread_count"], c["last_message"]["id"]) for c in mine] == [
        (conversation["id"], 2, sent[4]["id"])
    ]
    # The sender sees how far the other side has read (read receipts).
    theirs = (await client.get(f"/v1/conversations/{conversation['id']}", headers=a_h)).json()
    assert theirs["participant_last_read_message_id"] == sent[2]["id"]


async def test_list_is_newest_activity_first_with_cursor(client: httpx.AsyncClient) -> None:
    _me, my_h = await signed_up(client, "client")
    others = [await signed_up(client, "creator") for _ in range(3)]
    conversations = [await start_conversation(client, my_h, other["id"]) for other, _ in others]
    await send_message(client, my_h, conversations[0]["id"], "bump the first")

    ids, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/conversations", params=params, headers=my_h)).json()
        ids += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert ids == [conversations[0]["id"], conversations[2]["id"], conversations[1]["id"]]

    bad = await client.get("/v1/conversations", params={"cursor": "not-a-cursor"}, headers=my_h)
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_cursor"


async def test_edit_and_delete_by_the_sender_only(client: httpx.AsyncClient) -> None:
    _a, a_h, b, b_h = await pair(client)
    _outsider, out_h = await signed_up(client, "client")
    conversation = await start_conversation(client, a_h, b["id"])
    message = await send_message(
        client, a_h, conversation["id"], "first draft", attachment_url="https://example.com/a.mp4"
    )

    for headers, status, code in ((b_h, 403, "not_owner"), (out_h, 404, "message_not_found")):
        edit = await client.put(f"/v1/messages/{message['id']}", json={"content": "hacked"}, headers=headers)
        assert (edit.status_code, edit.json()["error"]) == (status, code)
        gone = await client.delete(f"/v1/messages/{message['id']}", headers=headers)
        assert (gone.status_code, gone.json()["error"]) == (status, code)

    edited = await client.put(f"/v1/messages/{message['id']}", json={"content": "final"}, headers=a_h)
    assert edited.status_code == 200, edited.text
    assert edited.json()["content"] == "final"
    assert edited.json()["edited"] is True
    assert edited.json()["edited_at"] is not None

    assert (await client.delete(f"/v1/messages/{message['id']}", headers=a_h)).status_code == 204
    items = (await client.get(f"/v1/conversations/{conversation['id']}/messages", headers=b_h)).json()[
        "items"
    ]
    assert items[0]["id"] == message["id"]
    assert items[0]["deleted"] is True
    assert items[0]["content"] is None
    assert items[0]["attachment_url"] is None

    again = await client.put(f"/v1/messages/{message['id']}", json={"content": "undo"}, headers=a_h)
    assert (again.status_code, again.json()["error"]) == (409, "message_deleted")
    # A deleted message no longer counts as unread.
    assert (await client.get("/v1/conversations/unread-count", headers=b_h)).json()["total"] == 0


async def test_only_participants_see_a_conversation(client: httpx.AsyncClient) -> None:
    _a, a_h, b, _ = await pair(client)
    _, out_h = await signed_up(client, "client")
    conversation = await start_conversation(client, a_h, b["id"], message="private")
    message_id = conversation["last_message"]["id"]
    cid = conversation["id"]

    for method, path, body in (
        ("GET", f"/v1/conversations/{cid}", None),
        ("DELETE", f"/v1/conversations/{cid}", None),
        ("GET", f"/v1/conversations/{cid}/messages", None),
        ("POST", f"/v1/conversations/{cid}/messages", {"content": "let me in"}),
        ("POST", f"/v1/messages/{message_id}/read", None),
        ("GET", f"/v1/conversations/{uuid.uuid4()}", None),
    ):
        response = await client.request(method, path, json=body, headers=out_h)
        assert response.status_code == 404, (path, response.text)
        assert response.json()["error"] in ("conversation_not_found", "message_not_found")
    assert (await client.get("/v1/conversations", headers=out_h)).json() == {"items": [], "next_cursor": None}
    listed = (await client.get(f"/v1/conversations/{cid}/messages", headers=a_h)).json()["items"]
    assert [m["content"] for m in listed] == ["private"]
    assert (await client.get(f"/v1/conversations/{cid}/messages")).status_code == 401


async def test_archive_is_mine_only_and_a_new_message_brings_it_back(client: httpx.AsyncClient) -> None:
    _a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"], message="hello")
    assert (await client.delete(f"/v1/conversations/{conversation['id']}", headers=a_h)).status_code == 204

    assert (await client.get("/v1/conversations", headers=a_h)).json()["items"] == []
    assert len((await client.get("/v1/conversations", headers=b_h)).json()["items"]) == 1
    archived = (await client.get(f"/v1/conversations/{conversation['id']}", headers=a_h)).json()
    assert archived["archived"] is True

    await send_message(client, b_h, conversation["id"], "still there?")
    back = (await client.get("/v1/conversations", headers=a_h)).json()["items"]
    assert [(c["id"], c["archived"], c["unread_count"]) for c in back] == [(conversation["id"], False, 1)]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"content": ""}, 422),
        ({"content": "   "}, 422),
        ({"content": "x" * 5001}, 422),
        ({"content": "nul \x00 byte"}, 422),
        ({"content": "ok", "attachment_url": "http://127.0.0.1/admin"}, 422),
        ({"content": "ok", "attachment_url": "file:///etc/passwd"}, 422),
        ({"content": "ok", "extra": 1}, 422),
        ({}, 422),
    ],
)
async def test_bad_messages_are_refused_and_change_nothing(
    client: httpx.AsyncClient, body: dict[str, object], status: int
) -> None:
    _a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"])
    response = await client.post(f"/v1/conversations/{conversation['id']}/messages", json=body, headers=a_h)
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error", "message", "details"}
    messages = (await client.get(f"/v1/conversations/{conversation['id']}/messages", headers=b_h)).json()
    assert messages["items"] == []


async def test_five_thousand_characters_is_the_limit(client: httpx.AsyncClient) -> None:
    _a, a_h, b, _ = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"])
    message = await send_message(client, a_h, conversation["id"], "é" * 5000)
    assert len(message["content"]) == 5000


async def test_bad_starts_and_ids(client: httpx.AsyncClient) -> None:
    a, a_h, b, _ = await pair(client)
    cases = [
        ({"participant_id": a["id"]}, 400, "cannot_message_yourself"),
        ({"participant_id": str(uuid.uuid4())}, 404, "user_not_found"),
        ({"participant_id": "nope"}, 422, "validation_error"),
        (
            {"participant_id": b["id"], "order_id": str(uuid.uuid4()), "project_id": str(uuid.uuid4())},
            422,
            "validation_error",
        ),
        ({"participant_id": b["id"], "order_id": str(uuid.uuid4())}, 404, "order_not_found"),
        ({"participant_id": b["id"], "project_id": str(uuid.uuid4())}, 404, "project_not_found"),
        ({"participant_id": b["id"], "message": ""}, 422, "validation_error"),
    ]
    for body, status, code in cases:
        response = await client.post("/v1/conversations", json=body, headers=a_h)
        assert (response.status_code, response.json()["error"]) == (status, code), (body, response.text)
    assert (await client.get("/v1/conversations", headers=a_h)).json()["items"] == []

    for path in ("/v1/messages/0/read", f"/v1/messages/{2**63}/read", "/v1/messages/abc/read"):
        assert (await client.post(path, headers=a_h)).status_code == 422, path
    assert (await client.post(f"/v1/messages/{2**62}/read", headers=a_h)).status_code == 404
    bad_cursor = await client.get(
        f"/v1/conversations/{uuid.uuid4()}/messages", params={"cursor": "-1"}, headers=a_h
    )
    assert bad_cursor.status_code == 422


async def test_sending_is_rate_limited_per_user(
    client: httpx.AsyncClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "rate_limit_messages", "3/hour")
    _a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"], message="one")
    for text in ("two", "three"):
        await send_message(client, a_h, conversation["id"], text)
    refused = await client.post(
        f"/v1/conversations/{conversation['id']}/messages", json={"content": "four"}, headers=a_h
    )
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"] == "message_rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    items = (await client.get(f"/v1/conversations/{conversation['id']}/messages", headers=a_h)).json()[
        "items"
    ]
    assert [m["content"] for m in items] == ["three", "two", "one"]
    # The other user has their own budget.
    await send_message(client, b_h, conversation["id"], "my turn")


async def test_public_profile_shows_presence(client: httpx.AsyncClient) -> None:
    user, _ = await signed_up(client, "creator")
    profile = (await client.get(f"/v1/users/{user['id']}")).json()
    assert (profile["online"], profile["last_seen_at"]) == (False, None)

    await presence.connected(uuid.UUID(user["id"]), "device-1")
    profile = (await client.get(f"/v1/users/{user['id']}")).json()
    assert profile["online"] is True
    assert profile["last_seen_at"] is not None

    await presence.disconnected(uuid.UUID(user["id"]), "device-1")
    profile = (await client.get(f"/v1/users/{user['id']}")).json()
    assert profile["online"] is False
    assert profile["last_seen_at"] is not None


async def test_ws_ticket_needs_a_token_and_lives_briefly(client: httpx.AsyncClient) -> None:
    _, headers = await signed_up(client, "client")
    assert (await client.post("/v1/ws/ticket")).status_code == 401
    response = await client.post("/v1/ws/ticket", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert 30 <= body["expires_in"] <= 60
    assert len(body["ticket"]) >= 32
    keys = [key async for key in get_redis().scan_iter("ws:ticket:*")]
    assert len(keys) == 1
    assert body["ticket"] not in keys[0]  # stored hashed
    assert 0 < await get_redis().ttl(keys[0]) <= 60

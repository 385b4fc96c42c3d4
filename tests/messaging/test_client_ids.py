"""A message sent again with the same client_id (a lost answer, a reconnect) is stored once."""

from __future__ import annotations

import asyncio

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import pair, send_message, signed_up, start_conversation


async def _messages(client: httpx.AsyncClient, headers: dict[str, str], conversation_id: str) -> list[dict]:
    page = await client.get(f"/v1/conversations/{conversation_id}/messages", headers=headers)
    assert page.status_code == 200, page.text
    return list(page.json()["items"])


async def _post(
    client: httpx.AsyncClient, headers: dict[str, str], conversation_id: str, body: dict[str, object]
) -> httpx.Response:
    return await client.post(f"/v1/conversations/{conversation_id}/messages", json=body, headers=headers)


async def test_sending_again_with_the_same_client_id_returns_the_first_message(
    client: httpx.AsyncClient,
) -> None:
    _a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"])
    body = {"content": "The cut is ready", "client_id": "c-1"}
    first = await _post(client, a_h, conversation["id"], body)
    again = await _post(client, a_h, conversation["id"], body)
    assert (first.status_code, again.status_code) == (201, 201), (first.text, again.text)
    assert again.json() == first.json()
    assert first.json()["client_id"] == "c-1"

    assert [m["id"] for m in await _messages(client, b_h, conversation["id"])] == [first.json()["id"]]
    unread = (await client.get("/v1/conversations/unread-count", headers=b_h)).json()
    assert unread["total"] == 1


async def test_a_different_message_under_a_used_client_id_is_refused(client: httpx.AsyncClient) -> None:
    _a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"])
    other = await start_conversation(client, a_h, (await signed_up(client, "creator"))[0]["id"])
    await _post(client, a_h, conversation["id"], {"content": "one", "client_id": "same"})
    for conversation_id, body in [
        (conversation["id"], {"content": "two", "client_id": "same"}),
        (
            conversation["id"],
            {"content": "one", "client_id": "same", "attachment_url": "https://example.com/a.mp4"},
        ),
        (other["id"], {"content": "one", "client_id": "same"}),
    ]:
        refused = await _post(client, a_h, conversation_id, body)
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"] == "client_id_reused"
    assert [m["content"] for m in await _messages(client, b_h, conversation["id"])] == ["one"]
    assert await _messages(client, a_h, other["id"]) == []


async def test_client_ids_belong_to_their_sender(client: httpx.AsyncClient) -> None:
    """The other participant may use the same client_id: it names a different message."""
    _a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"])
    mine = await _post(client, a_h, conversation["id"], {"content": "hello", "client_id": "k"})
    theirs = await _post(client, b_h, conversation["id"], {"content": "hello", "client_id": "k"})
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    # ...and it is not a way into somebody else's message: in a conversation I am not part of, 404.
    _, outsider_h = await signed_up(client, "client")
    peek = await _post(client, outsider_h, conversation["id"], {"content": "hello", "client_id": "k"})
    assert peek.status_code == 404, peek.text


async def test_concurrent_sends_of_one_message_store_it_once(client: httpx.AsyncClient) -> None:
    _a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"])
    body = {"content": "sent from a flaky network", "client_id": "race"}
    responses = await asyncio.gather(*(_post(client, a_h, conversation["id"], body) for _ in range(6)))
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert len(await _messages(client, b_h, conversation["id"])) == 1


async def test_bad_client_ids_are_refused(client: httpx.AsyncClient) -> None:
    _a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"])
    for client_id in ["", "x" * 65, "has space", "slash/", "é", 7]:
        response = await _post(client, a_h, conversation["id"], {"content": "hi", "client_id": client_id})
        assert response.status_code == 422, (client_id, response.text)
        assert response.json()["error"] == "validation_error"
    assert await _messages(client, b_h, conversation["id"]) == []
    sent = await send_message(client, a_h, conversation["id"], "no client id is fine")
    assert sent["client_id"] is None


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(sends=st.lists(st.one_of(st.none(), st.sampled_from("abc")), min_size=1, max_size=8))
async def test_one_message_per_client_id_whatever_the_resends(
    client: httpx.AsyncClient, sends: list[str | None]
) -> None:
    """Any run of sends, some repeating a client_id: one message per client_id, one per send without."""
    _a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"])
    for client_id in sends:
        body: dict[str, object] = {"content": f"about {client_id}"}
        if client_id is not None:
            body["client_id"] = f"{conversation['id']}-{client_id}"
        assert (await _post(client, a_h, conversation["id"], body)).status_code == 201
    expected = len({c for c in sends if c is not None}) + sends.count(None)
    assert len(await _messages(client, b_h, conversation["id"])) == expected
    unread = (await client.get("/v1/conversations/unread-count", headers=b_h)).json()
    assert unread["total"] == expected

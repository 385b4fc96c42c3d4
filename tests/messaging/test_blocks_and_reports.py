"""Blocking (both directions stop messaging) and reports (allowed even when blocked)."""

from __future__ import annotations

import uuid

import httpx

from reelbyte.core.db import get_database
from reelbyte.messaging import service
from tests.factories import pair, send_message, signed_up, start_conversation


async def test_a_block_stops_messaging_both_ways_until_unblocked(client: httpx.AsyncClient) -> None:
    a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"], message="hello")
    cid = conversation["id"]

    assert (await client.post(f"/v1/users/{a['id']}/block", headers=b_h)).status_code == 204
    assert (await client.post(f"/v1/users/{a['id']}/block", headers=b_h)).status_code == 204  # idempotent

    blocked = (await client.get("/v1/users/me/blocked", headers=b_h)).json()["items"]
    assert [(item["user"]["id"], item["user"]["username"]) for item in blocked] == [(a["id"], a["username"])]
    assert "email" not in blocked[0]["user"]

    # The blocked user can neither start nor send...
    again = await client.post(
        "/v1/conversations", json={"participant_id": b["id"], "message": "hi"}, headers=a_h
    )
    assert (again.status_code, again.json()["error"]) == (403, "blocked_by_user")
    sent = await client.post(f"/v1/conversations/{cid}/messages", json={"content": "hey"}, headers=a_h)
    assert (sent.status_code, sent.json()["error"]) == (403, "blocked_by_user")
    edit = await client.put(
        f"/v1/messages/{conversation['last_message']['id']}", json={"content": "edited"}, headers=a_h
    )
    assert (edit.status_code, edit.json()["error"]) == (403, "blocked_by_user")
    # ...and the blocker cannot message the blocked either.
    back = await client.post(f"/v1/conversations/{cid}/messages", json={"content": "hey"}, headers=b_h)
    assert (back.status_code, back.json()["error"]) == (403, "user_blocked")
    # Nothing was stored; the history stays readable.
    items = (await client.get(f"/v1/conversations/{cid}/messages", headers=a_h)).json()["items"]
    assert [m["content"] for m in items] == ["hello"]

    assert (await client.delete(f"/v1/users/{a['id']}/block", headers=b_h)).status_code == 204
    assert (await client.get("/v1/users/me/blocked", headers=b_h)).json()["items"] == []
    await send_message(client, a_h, cid, "thanks for unblocking")


async def test_block_bad_targets(client: httpx.AsyncClient) -> None:
    me, headers = await signed_up(client, "client")
    myself = await client.post(f"/v1/users/{me['id']}/block", headers=headers)
    assert (myself.status_code, myself.json()["error"]) == (400, "cannot_block_yourself")
    nobody = await client.post(f"/v1/users/{uuid.uuid4()}/block", headers=headers)
    assert (nobody.status_code, nobody.json()["error"]) == (404, "user_not_found")
    assert (await client.post(f"/v1/users/{me['id']}/block")).status_code == 401
    assert (await client.get("/v1/users/me/blocked", headers=headers)).json()["items"] == []


async def test_reports_are_stored_once_even_when_blocked(client: httpx.AsyncClient) -> None:
    a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, b_h, a["id"], message="rude words")
    message_id = conversation["last_message"]["id"]
    assert (await client.post(f"/v1/users/{a['id']}/block", headers=b_h)).status_code == 204

    # a is blocked by b, and can still report b and b's message.
    report = await client.post(
        "/v1/reports", json={"target_type": "user", "target_id": b["id"], "reason": "spam"}, headers=a_h
    )
    assert report.status_code == 201, report.text
    assert report.json()["status"] == "open"
    duplicate = await client.post(
        "/v1/reports", json={"target_type": "user", "target_id": b["id"], "reason": "again"}, headers=a_h
    )
    assert (duplicate.status_code, duplicate.json()["error"]) == (409, "already_reported")
    on_message = await client.post(
        "/v1/reports",
        json={"target_type": "message", "target_id": str(message_id), "reason": "abusive"},
        headers=a_h,
    )
    assert on_message.status_code == 201, on_message.text
    review = await client.post(
        "/v1/reports",
        json={"target_type": "review", "target_id": str(uuid.uuid4()), "reason": "fake"},
        headers=a_h,
    )
    assert (review.status_code, review.json()["error"]) == (404, "review_not_found")


async def test_bad_reports(client: httpx.AsyncClient) -> None:
    a, a_h, b, _b_h = await pair(client)
    _, out_h = await signed_up(client, "client")
    conversation = await start_conversation(client, a_h, b["id"], message="hello")
    message_id = str(conversation["last_message"]["id"])
    cases = [
        (out_h, {"target_type": "message", "target_id": message_id, "reason": "x"}, 404, "message_not_found"),
        (
            a_h,
            {"target_type": "message", "target_id": message_id, "reason": "x"},
            400,
            "cannot_report_yourself",
        ),
        (a_h, {"target_type": "message", "target_id": "abc", "reason": "x"}, 404, "message_not_found"),
        (a_h, {"target_type": "user", "target_id": a["id"], "reason": "x"}, 400, "cannot_report_yourself"),
        (a_h, {"target_type": "user", "target_id": "not-a-uuid", "reason": "x"}, 400, "invalid_target_id"),
        (a_h, {"target_type": "user", "target_id": str(uuid.uuid4()), "reason": "x"}, 404, "user_not_found"),
        (a_h, {"target_type": "gig", "target_id": str(uuid.uuid4()), "reason": "x"}, 404, "gig_not_found"),
        (a_h, {"target_type": "planet", "target_id": b["id"], "reason": "x"}, 422, "validation_error"),
        (a_h, {"target_type": "user", "target_id": b["id"], "reason": ""}, 422, "validation_error"),
        (a_h, {"target_type": "user", "target_id": b["id"], "reason": "x" * 2001}, 422, "validation_error"),
    ]
    for headers, body, status, code in cases:
        response = await client.post("/v1/reports", json=body, headers=headers)
        assert (response.status_code, response.json()["error"]) == (status, code), (body, response.text)


async def test_presence_is_not_announced_across_a_block(client: httpx.AsyncClient) -> None:
    a, a_h, b, b_h = await pair(client)
    c, c_h = await signed_up(client, "client")
    await start_conversation(client, a_h, b["id"], message="hello")
    await start_conversation(client, c_h, a["id"], message="hi a")
    async with get_database().sessions() as session:
        assert set(await service.partner_ids(session, uuid.UUID(a["id"]))) == {
            uuid.UUID(b["id"]),
            uuid.UUID(c["id"]),
        }
    assert (await client.post(f"/v1/users/{a['id']}/block", headers=b_h)).status_code == 204
    async with get_database().sessions() as session:
        assert await service.partner_ids(session, uuid.UUID(a["id"])) == [uuid.UUID(c["id"])]
        assert await service.partner_ids(session, uuid.UUID(b["id"])) == []


async def test_a_closed_account_receives_no_more_messages(client: httpx.AsyncClient) -> None:
    _, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"], message="hello")
    assert (await client.delete("/v1/users/me", headers=b_h)).status_code == 204
    sent = await client.post(
        f"/v1/conversations/{conversation['id']}/messages", json={"content": "still there?"}, headers=a_h
    )
    assert (sent.status_code, sent.json()["error"]) == (403, "recipient_unavailable")
    items = (await client.get(f"/v1/conversations/{conversation['id']}/messages", headers=a_h)).json()[
        "items"
    ]
    assert [m["content"] for m in items] == ["hello"]

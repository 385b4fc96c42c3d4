"""Timecoded review comments on deliveries, through the API: threads by timecode, replies, resolve,
edit and delete; bundled into a revision request and addressed by the next delivery; live on the
chat socket; a notification (in-app and e-mail) for the other party; 404 for anyone else; 4xx for
bad input; read-only once the order is closed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from redis.asyncio.client import PubSub

from reelbyte.core.config import Settings
from reelbyte.core.redis import get_redis
from reelbyte.orders.comment_schemas import CommentCreate
from tests.conftest import Mailbox, run_jobs
from tests.factories import (
    Headers,
    gig_for_sale,
    make_admin,
    make_paid_order,
    notifications_of,
    set_notification_preferences,
    signed_up,
)
from tests.media import clips
from tests.media.uploading import uploaded
from tests.messaging.conftest import frames, listen
from tests.messaging.test_realtime import Instance, _next, _socket

COMMENT_TYPE = "order_delivery_comment"


@dataclass
class Deal:
    creator: dict[str, Any]
    creator_h: Headers
    buyer: dict[str, Any]
    buyer_h: Headers
    order_id: str


async def _deal(client: httpx.AsyncClient, revisions: int = 3) -> Deal:
    """A paid order between a new creator and a new client."""
    creator, creator_h = await signed_up(client, "creator")
    buyer, buyer_h = await signed_up(client, "client")
    gig, package = await gig_for_sale(creator["id"], revisions=revisions)
    order = await make_paid_order(client, buyer_h, gig, package)
    return Deal(creator, creator_h, buyer, buyer_h, order["id"])


async def _deliver(
    client: httpx.AsyncClient, deal: Deal, message: str = "v1", **extra: Any
) -> dict[str, Any]:
    body = {"message": message, "deliverables": [{"url": "https://vimeo.com/1", "title": "cut"}], **extra}
    response = await client.post(f"/v1/orders/{deal.order_id}/deliver", json=body, headers=deal.creator_h)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _post(client: httpx.AsyncClient, headers: Headers, delivery_id: str, **body: Any) -> httpx.Response:
    return await client.post(f"/v1/deliveries/{delivery_id}/comments", json=body, headers=headers)


async def _comment(
    client: httpx.AsyncClient, headers: Headers, delivery_id: str, **body: Any
) -> dict[str, Any]:
    response = await _post(client, headers, delivery_id, **body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _threads(client: httpx.AsyncClient, headers: Headers, delivery_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/deliveries/{delivery_id}/comments", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json())


def _error(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, str(response.json()["error"])


async def _revision(client: httpx.AsyncClient, deal: Deal, **body: Any) -> httpx.Response:
    return await client.post(
        f"/v1/orders/{deal.order_id}/request-revision",
        json={"reason": "Tighter", **body},
        headers=deal.buyer_h,
    )


def _bundled(detail: dict[str, Any]) -> list[str]:
    [*_, revision] = [e for e in detail["events"] if e["kind"] == "revision_requested"]
    return list(revision["data"].get("comment_ids", []))


# --- the flow ---------------------------------------------------------------------------


async def test_threads_come_in_timecode_order_with_replies_under_them(client: httpx.AsyncClient) -> None:
    deal = await _deal(client)
    delivery = await _deliver(client, deal)
    did = delivery["id"]
    late = await _comment(client, deal.buyer_h, did, timecode_ms=5000, text="Music too loud")
    early = await _comment(client, deal.buyer_h, did, timecode_ms=1000, text="Logo here", x=0.25, y=0.75)
    middle = await _comment(client, deal.creator_h, did, timecode_ms=3000, text="Colour pass pending")
    tie = await _comment(client, deal.creator_h, did, timecode_ms=1000, text="Same frame, later")
    reply_1 = await _comment(client, deal.creator_h, did, parent_id=late["id"], text="Lowered by 3 dB?")
    reply_2 = await _comment(client, deal.buyer_h, did, parent_id=late["id"], timecode_ms=1, text="Yes")

    assert (early["x"], early["y"], early["author_id"], early["resolved"]) == (
        0.25,
        0.75,
        deal.buyer["id"],
        False,
    )
    assert (late["x"], late["y"], late["parent_id"]) == (None, None, None)
    # Replies share their thread's timecode (a timecode sent with a reply is not the reply's).
    assert (reply_1["parent_id"], reply_1["timecode_ms"], reply_2["timecode_ms"]) == (late["id"], 5000, 5000)

    for headers in (deal.buyer_h, deal.creator_h, await make_admin(client)):
        threads = await _threads(client, headers, did)
        assert [t["id"] for t in threads] == [early["id"], tie["id"], middle["id"], late["id"]]
        assert [r["id"] for r in threads[3]["replies"]] == [reply_1["id"], reply_2["id"]]
        assert all(t["replies"] == [] for t in threads[:3])
        assert threads[0]["text"] == "Logo here"


async def test_either_party_resolves_and_reopens_a_thread(client: httpx.AsyncClient) -> None:
    deal = await _deal(client)
    did = (await _deliver(client, deal))["id"]
    thread = await _comment(client, deal.buyer_h, did, timecode_ms=100, text="Fix the title")
    reply = await _comment(client, deal.creator_h, did, parent_id=thread["id"], text="Done")
    url = f"/v1/delivery-comments/{thread['id']}/resolve"

    resolved = await client.put(url, headers=deal.creator_h)
    assert resolved.status_code == 200, resolved.text
    assert (resolved.json()["resolved"], resolved.json()["resolved_by"]) == (True, deal.creator["id"])
    again = await client.put(url, headers=deal.buyer_h)  # resolving twice changes nothing
    assert (again.json()["resolved"], again.json()["resolved_by"]) == (True, deal.creator["id"])
    assert (await _threads(client, deal.buyer_h, did))[0]["resolved"] is True

    reopened = await client.delete(url, headers=deal.buyer_h)
    assert reopened.status_code == 200, reopened.text
    assert (reopened.json()["resolved"], reopened.json()["resolved_at"]) == (False, None)
    assert (await _threads(client, deal.creator_h, did))[0]["resolved"] is False

    on_reply = await client.put(f"/v1/delivery-comments/{reply['id']}/resolve", headers=deal.buyer_h)
    assert _error(on_reply) == (400, "reply_not_resolvable")


async def test_authors_edit_and_delete_their_own_comments(client: httpx.AsyncClient) -> None:
    deal = await _deal(client)
    did = (await _deliver(client, deal))["id"]
    thread = await _comment(client, deal.buyer_h, did, timecode_ms=2000, text="Too dark")
    lone = await _comment(client, deal.buyer_h, did, timecode_ms=4000, text="Typo in the lower third")
    reply = await _comment(client, deal.creator_h, did, parent_id=thread["id"], text="Brighter now?")

    edited = await client.patch(
        f"/v1/delivery-comments/{thread['id']}", json={"text": "Far too dark"}, headers=deal.buyer_h
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["text"], edited.json()["edited_at"] is not None) == ("Far too dark", True)
    not_mine = await client.patch(
        f"/v1/delivery-comments/{thread['id']}", json={"text": "Fine"}, headers=deal.creator_h
    )
    assert _error(not_mine) == (403, "not_owner")
    assert _error(await client.delete(f"/v1/delivery-comments/{reply['id']}", headers=deal.buyer_h)) == (
        403,
        "not_owner",
    )

    # A comment without replies goes; a thread's first comment with replies stays as a placeholder.
    assert (
        await client.delete(f"/v1/delivery-comments/{lone['id']}", headers=deal.buyer_h)
    ).status_code == 204
    assert (
        await client.delete(f"/v1/delivery-comments/{thread['id']}", headers=deal.buyer_h)
    ).status_code == 204
    [placeholder] = await _threads(client, deal.creator_h, did)
    assert (placeholder["id"], placeholder["deleted"], placeholder["text"]) == (thread["id"], True, None)
    assert [r["id"] for r in placeholder["replies"]] == [reply["id"]]
    gone = await client.patch(
        f"/v1/delivery-comments/{thread['id']}", json={"text": "back"}, headers=deal.buyer_h
    )
    assert _error(gone) == (409, "comment_deleted")
    answer = await _post(client, deal.buyer_h, did, parent_id=thread["id"], text="Reply to nothing")
    assert _error(answer) == (409, "comment_deleted")

    # Its last reply deleted, the placeholder goes too.
    assert (
        await client.delete(f"/v1/delivery-comments/{reply['id']}", headers=deal.creator_h)
    ).status_code == 204
    assert await _threads(client, deal.buyer_h, did) == []
    missing = await client.delete(f"/v1/delivery-comments/{thread['id']}", headers=deal.buyer_h)
    assert _error(missing) == (404, "delivery_comment_not_found")


# --- revisions and the next delivery ----------------------------------------------------


async def test_a_revision_bundles_open_threads_and_the_next_delivery_addresses_them(
    client: httpx.AsyncClient,
) -> None:
    deal = await _deal(client)
    v1 = await _deliver(client, deal, "v1")
    a = await _comment(client, deal.buyer_h, v1["id"], timecode_ms=3000, text="Swap the music")
    b = await _comment(client, deal.buyer_h, v1["id"], timecode_ms=1000, text="Cut the intro")
    done = await _comment(client, deal.buyer_h, v1["id"], timecode_ms=2000, text="Nice transition")
    reply = await _comment(client, deal.creator_h, v1["id"], parent_id=a["id"], text="Which track?")
    resolved = await client.put(f"/v1/delivery-comments/{done['id']}/resolve", headers=deal.buyer_h)
    assert resolved.status_code == 200

    # Only threads of this order's deliveries can be bundled: not a reply, not an unknown id.
    for wrong in (reply["id"], str(uuid.uuid4())):
        refused = await _revision(client, deal, comment_ids=[wrong])
        assert _error(refused) == (400, "comments_not_in_order")
        assert refused.json()["details"] == {"comment_ids": [wrong]}
    # The creator cannot ask for a revision, comments or not.
    by_creator = await client.post(
        f"/v1/orders/{deal.order_id}/request-revision",
        json={"reason": "x", "include_open_comments": True},
        headers=deal.creator_h,
    )
    assert _error(by_creator) == (403, "not_owner")

    revised = await _revision(client, deal, include_open_comments=True)
    assert revised.status_code == 200, revised.text
    assert _bundled(revised.json()) == [b["id"], a["id"]]  # the open ones, by timecode

    # The creator's next delivery addresses two threads; they are marked addressed by it.
    v2 = await _deliver(client, deal, "v2", addresses_comment_ids=[a["id"], b["id"]])
    assert v2["addresses_comment_ids"] == [b["id"], a["id"]]
    addressed = {
        t["id"]: t["addressed_by_delivery_id"] for t in await _threads(client, deal.buyer_h, v1["id"])
    }
    assert addressed == {b["id"]: v2["id"], done["id"]: None, a["id"]: v2["id"]}
    detail = (await client.get(f"/v1/orders/{deal.order_id}", headers=deal.buyer_h)).json()
    assert [d["addresses_comment_ids"] for d in detail["deliveries"]] == [[], [b["id"], a["id"]]]

    # A thread on v2 itself is open; addressed and resolved ones are not. An explicit id is
    # bundled whatever its state, before the open ones.
    c = await _comment(client, deal.buyer_h, v2["id"], timecode_ms=500, text="Still a typo")
    revised = await _revision(client, deal, comment_ids=[done["id"]], include_open_comments=True)
    assert revised.status_code == 200, revised.text
    assert _bundled(revised.json()) == [done["id"], c["id"]]

    # Addressing a thread of the delivery itself, or of another order, is refused (and nothing changes).
    other = await _deal(client)
    other_thread = await _comment(
        client, other.buyer_h, (await _deliver(client, other))["id"], timecode_ms=0, text="Elsewhere"
    )
    body = {"message": "v3", "addresses_comment_ids": [other_thread["id"]]}
    refused = await client.post(f"/v1/orders/{deal.order_id}/deliver", json=body, headers=deal.creator_h)
    assert _error(refused) == (400, "comments_not_in_order")
    after = (await client.get(f"/v1/orders/{deal.order_id}", headers=deal.buyer_h)).json()
    assert (after["status"], len(after["deliveries"])) == ("revision_requested", 2)


async def test_a_revision_without_comments_lists_none(client: httpx.AsyncClient) -> None:
    deal = await _deal(client)
    await _deliver(client, deal)
    revised = await _revision(client, deal)
    assert revised.status_code == 200, revised.text
    assert _bundled(revised.json()) == []


# --- the delivered video ----------------------------------------------------------------


@pytest.fixture(scope="module")
def two_second_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clips.make_video(tmp_path_factory.mktemp("review") / "cut.mp4", 320, 240, seconds=2.0, fps=10)


async def test_the_timecode_must_lie_within_the_delivered_video(
    client: httpx.AsyncClient, two_second_clip: Path
) -> None:
    deal = await _deal(client)
    video = await uploaded(client, deal.creator_h, two_second_clip, "deliverable", deal.order_id)
    body = {"message": "cut", "deliverables": [{"upload_id": video["id"], "title": "Cut"}]}
    response = await client.post(f"/v1/orders/{deal.order_id}/deliver", json=body, headers=deal.creator_h)
    assert response.status_code == 200, response.text
    did = response.json()["id"]

    past = await _post(client, deal.buyer_h, did, timecode_ms=2600, text="After the end")
    assert _error(past) == (400, "timecode_past_video")
    assert 1900 <= past.json()["details"]["duration_ms"] <= 2100
    assert (await _post(client, deal.buyer_h, did, timecode_ms=1500, text="Inside")).status_code == 201
    # A delivery of links only has no length to check against.
    other = await _deal(client)
    links = await _deliver(client, other)
    assert (
        await _post(client, other.buyer_h, links["id"], timecode_ms=3_600_000, text="Ok")
    ).status_code == 201


# --- refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"timecode_ms": 0, "text": ""}, 422),
        ({"timecode_ms": 0, "text": "   "}, 422),
        ({"timecode_ms": 0, "text": "x" * 5001}, 422),
        ({"timecode_ms": -1, "text": "before the start"}, 422),
        ({"timecode_ms": 2**31, "text": "too far"}, 422),
        ({"timecode_ms": "soon", "text": "not a number"}, 422),
        ({"text": "no timecode"}, 422),
        ({"timecode_ms": 0, "text": "off frame", "x": 1.5, "y": 0.5}, 422),
        ({"timecode_ms": 0, "text": "off frame", "x": 0.5, "y": -0.1}, 422),
        ({"timecode_ms": 0, "text": "half a point", "x": 0.5}, 422),
        ({"timecode_ms": 0, "text": "extra", "colour": "red"}, 422),
    ],
)
async def test_bad_comments_are_refused(client: httpx.AsyncClient, body: dict[str, Any], status: int) -> None:
    deal = await _deal(client)
    did = (await _deliver(client, deal))["id"]
    response = await _post(client, deal.buyer_h, did, **body)
    assert response.status_code == status, response.text
    assert response.json()["error"] == "validation_error"
    assert await _threads(client, deal.buyer_h, did) == []


async def test_bad_replies_and_edits_are_refused(client: httpx.AsyncClient) -> None:
    deal = await _deal(client)
    did = (await _deliver(client, deal))["id"]
    thread = await _comment(client, deal.buyer_h, did, timecode_ms=10, text="Here")
    reply = await _comment(client, deal.creator_h, did, parent_id=thread["id"], text="Ok")

    nested = await _post(client, deal.buyer_h, did, parent_id=reply["id"], text="Nested")
    assert _error(nested) == (400, "reply_to_reply")
    placed = await _post(client, deal.buyer_h, did, parent_id=thread["id"], text="Here?", x=0.1, y=0.1)
    assert _error(placed) == (422, "validation_error")
    unknown = await _post(client, deal.buyer_h, did, parent_id=str(uuid.uuid4()), text="Who?")
    assert _error(unknown) == (404, "delivery_comment_not_found")
    for text in ("", "y" * 5001):
        edit = await client.patch(
            f"/v1/delivery-comments/{thread['id']}", json={"text": text}, headers=deal.buyer_h
        )
        assert _error(edit) == (422, "validation_error")
    # A reply names a thread of the same delivery.
    v2_deal = await _deal(client)
    elsewhere = await _deliver(client, v2_deal)
    cross = await _post(client, v2_deal.buyer_h, elsewhere["id"], parent_id=thread["id"], text="Cross")
    assert _error(cross) == (404, "delivery_comment_not_found")


async def test_a_closed_orders_review_is_read_only(client: httpx.AsyncClient) -> None:
    deal = await _deal(client)
    did = (await _deliver(client, deal))["id"]
    thread = await _comment(client, deal.buyer_h, did, timecode_ms=10, text="Last note")
    approved = await client.post(f"/v1/orders/{deal.order_id}/approve", headers=deal.buyer_h)
    assert approved.status_code == 200, approved.text

    attempts = [
        await _post(client, deal.buyer_h, did, timecode_ms=20, text="Too late"),
        await client.patch(f"/v1/delivery-comments/{thread['id']}", json={"text": "x"}, headers=deal.buyer_h),
        await client.put(f"/v1/delivery-comments/{thread['id']}/resolve", headers=deal.creator_h),
        await client.delete(f"/v1/delivery-comments/{thread['id']}", headers=deal.buyer_h),
    ]
    assert [_error(r) for r in attempts] == [(409, "comments_closed")] * 4
    assert [t["text"] for t in await _threads(client, deal.creator_h, did)] == ["Last note"]


async def test_another_users_token_gets_404_on_every_endpoint(client: httpx.AsyncClient) -> None:
    deal = await _deal(client)
    did = (await _deliver(client, deal))["id"]
    thread = await _comment(client, deal.buyer_h, did, timecode_ms=10, text="Mine")
    _, stranger = await signed_up(client, "hybrid")
    cid = thread["id"]

    calls = [
        ("GET", f"/v1/deliveries/{did}/comments", None, "delivery_not_found"),
        ("POST", f"/v1/deliveries/{did}/comments", {"timecode_ms": 1, "text": "Hi"}, "delivery_not_found"),
        ("PATCH", f"/v1/delivery-comments/{cid}", {"text": "Mine now"}, "delivery_comment_not_found"),
        ("DELETE", f"/v1/delivery-comments/{cid}", None, "delivery_comment_not_found"),
        ("PUT", f"/v1/delivery-comments/{cid}/resolve", None, "delivery_comment_not_found"),
        ("DELETE", f"/v1/delivery-comments/{cid}/resolve", None, "delivery_comment_not_found"),
    ]
    for method, url, body, code in calls:
        response = await client.request(method, url, json=body, headers=stranger)
        assert _error(response) == (404, code), (method, url)
        assert (await client.request(method, url, json=body)).status_code == 401
    reply = await _post(client, stranger, did, parent_id=cid, text="Hi")
    assert _error(reply) == (404, "delivery_not_found")
    # An admin reads the review but writes nothing in it.
    admin = await make_admin(client)
    assert len(await _threads(client, admin, did)) == 1
    assert _error(await _post(client, admin, did, timecode_ms=1, text="Admin")) == (403, "not_owner")
    # Nothing changed.
    [shown] = await _threads(client, deal.creator_h, did)
    assert (shown["text"], shown["resolved"], shown["replies"]) == ("Mine", False, [])


# --- live and notified ------------------------------------------------------------------


@pytest.fixture
async def subscriber() -> AsyncIterator[PubSub]:
    pubsub = get_redis().pubsub()
    try:
        yield pubsub
    finally:
        await pubsub.unsubscribe()
        await pubsub.aclose()  # type: ignore[no-untyped-call]


async def test_changes_are_published_to_both_parties_after_commit(
    client: httpx.AsyncClient, subscriber: PubSub
) -> None:
    deal = await _deal(client)
    did = (await _deliver(client, deal))["id"]
    await listen(subscriber, deal.creator["id"])
    await listen(subscriber, deal.buyer["id"])

    thread = await _comment(client, deal.buyer_h, did, timecode_ms=1200, text="Live note", x=0.5, y=0.5)
    created = [f for f in await frames(subscriber) if f["type"] == "delivery_comment"]
    assert len(created) == 2  # one for each party
    for frame in created:
        assert frame["data"]["event"] == "created"
        assert (frame["data"]["order_id"], frame["data"]["delivery_id"]) == (deal.order_id, did)
        assert frame["data"]["actor_id"] == deal.buyer["id"]
        assert frame["data"]["comment"] == thread

    assert (
        await client.put(f"/v1/delivery-comments/{thread['id']}/resolve", headers=deal.creator_h)
    ).status_code == 200
    assert [f["data"]["event"] for f in await frames(subscriber) if f["type"] == "delivery_comment"] == [
        "resolved"
    ] * 2
    assert (
        await client.delete(f"/v1/delivery-comments/{thread['id']}", headers=deal.buyer_h)
    ).status_code == 204
    deleted = [f for f in await frames(subscriber) if f["type"] == "delivery_comment"]
    assert [
        (f["data"]["event"], f["data"]["comment"]["deleted"], f["data"]["comment"]["text"]) for f in deleted
    ] == [("deleted", True, None)] * 2

    # A refused change publishes nothing.
    assert (await _post(client, deal.buyer_h, did, parent_id=str(uuid.uuid4()), text="x")).status_code == 404
    assert [f for f in await frames(subscriber, within=0.5) if f["type"] == "delivery_comment"] == []


async def test_a_delivery_addressing_threads_publishes_them_as_addressed(
    client: httpx.AsyncClient, subscriber: PubSub
) -> None:
    deal = await _deal(client)
    v1 = await _deliver(client, deal, "v1")
    thread = await _comment(client, deal.buyer_h, v1["id"], timecode_ms=700, text="Redo the fade")
    assert (await _revision(client, deal, comment_ids=[thread["id"]])).status_code == 200
    await listen(subscriber, deal.buyer["id"])
    v2 = await _deliver(client, deal, "v2", addresses_comment_ids=[thread["id"]])
    [frame] = [f for f in await frames(subscriber) if f["type"] == "delivery_comment"]
    assert (frame["data"]["event"], frame["data"]["actor_id"]) == ("addressed", deal.creator["id"])
    assert (frame["data"]["comment"]["id"], frame["data"]["comment"]["addressed_by_delivery_id"]) == (
        thread["id"],
        v2["id"],
    )


async def test_the_other_party_is_notified_in_app_and_by_e_mail(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    deal = await _deal(client)
    did = (await _deliver(client, deal))["id"]
    await run_jobs()
    mailbox.messages.clear()

    thread = await _comment(client, deal.buyer_h, did, timecode_ms=83_000, text="Cut here")
    await run_jobs()
    [notice] = [n for n in await notifications_of(client, deal.creator_h) if n["type"] == COMMENT_TYPE]
    assert "1:23" in notice["content"]
    assert notice["link"] == f"/orders/{deal.order_id}"
    assert COMMENT_TYPE not in [n["type"] for n in await notifications_of(client, deal.buyer_h)]
    [mail] = [m for m in mailbox.to(deal.creator["email"]) if m["Subject"] == "ReelByte: New review comment"]
    assert "review comment" in mail.get_body(("plain",)).get_content()
    assert mailbox.to(deal.buyer["email"]) == []

    # The buyer hears of the creator's reply; with e-mail switched off, in-app only.
    await set_notification_preferences(client, deal.buyer_h, {COMMENT_TYPE: {"in_app": True, "email": False}})
    await _comment(client, deal.creator_h, did, parent_id=thread["id"], text="On it")
    await run_jobs()
    [reply_notice] = [n for n in await notifications_of(client, deal.buyer_h) if n["type"] == COMMENT_TYPE]
    assert "replied" in reply_notice["content"]
    assert mailbox.to(deal.buyer["email"]) == []
    # Resolving is not news: no further notification.
    assert (
        await client.put(f"/v1/delivery-comments/{thread['id']}/resolve", headers=deal.buyer_h)
    ).status_code == 200
    await run_jobs()
    assert len([n for n in await notifications_of(client, deal.creator_h) if n["type"] == COMMENT_TYPE]) == 1


@pytest.mark.slow
async def test_a_comment_arrives_live_on_the_other_partys_chat_socket(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> None:
    """A real `reelbyte serve` holds the creator's /ws/chat socket; the client comments through
    this process's API, and the frame reaches the socket through Redis."""
    deal = await _deal(client)
    did = (await _deliver(client, deal))["id"]
    instance = Instance(settings, tmp_path)
    try:
        instance.wait_ready()
        async with httpx.AsyncClient(timeout=10) as http, _socket(http, instance, deal.creator_h) as ws:
            thread = await _comment(client, deal.buyer_h, did, timecode_ms=42_000, text="Over the socket")
            frame = await _next(ws, "delivery_comment")
            assert frame["data"]["event"] == "created"
            assert frame["data"]["comment"] == thread
            reply = await _comment(client, deal.creator_h, did, parent_id=thread["id"], text="Seen it")
            frame = await _next(ws, "delivery_comment")  # the author's own devices get it too
            assert (frame["data"]["comment"]["id"], frame["data"]["comment"]["timecode_ms"]) == (
                reply["id"],
                42_000,
            )
    finally:
        instance.stop()
    assert "Traceback" not in instance.output(), instance.output()


@given(
    timecode=st.one_of(st.none(), st.integers(min_value=-(2**40), max_value=2**40)),
    x=st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False, min_value=-2, max_value=2)),
    y=st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False, min_value=-2, max_value=2)),
    reply=st.booleans(),
)
def test_a_comment_is_accepted_exactly_when_its_shape_is_valid(
    timecode: int | None, x: float | None, y: float | None, reply: bool
) -> None:
    """The request schema's rules, over any timecode and position: a thread needs a timecode in
    0..2^31-1; a position is both coordinates in 0..1 or none; a reply has no position."""
    body: dict[str, Any] = {"text": "note", "timecode_ms": timecode, "x": x, "y": y}
    if reply:
        body["parent_id"] = str(uuid.uuid4())
    in_range = timecode is None or 0 <= timecode < 2**31
    position_ok = (x is None and y is None) or (
        x is not None and y is not None and 0 <= x <= 1 and 0 <= y <= 1 and not reply
    )
    valid = in_range and position_ok and (reply or timecode is not None)
    try:
        CommentCreate.model_validate(body)
    except ValidationError:
        assert not valid
    else:
        assert valid

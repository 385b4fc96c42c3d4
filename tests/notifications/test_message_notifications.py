"""New chat messages: a notice for an offline recipient, and one digest e-mail after a quiet period
(received through the local SMTP server), never one mail per message and never a message twice."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import Settings
from reelbyte.core.db import transaction, utcnow
from reelbyte.messaging import presence
from reelbyte.notifications.messages import send_due_digests, send_message_digests
from tests.conftest import Mailbox, run_jobs
from tests.factories import (
    notifications_of,
    pair,
    send_message,
    set_notification_preferences,
    signed_up,
    start_conversation,
)

AFTER_QUIET = timedelta(minutes=16)


async def _messages_to(
    client: httpx.AsyncClient, sender: dict[str, str], recipient_id: str, *texts: str
) -> str:
    conversation = await start_conversation(client, sender, recipient_id)
    for content in texts:
        await send_message(client, sender, conversation["id"], content)
    return str(conversation["id"])


async def _send_due_digests(after: timedelta = AFTER_QUIET) -> int:
    return await send_due_digests(now=utcnow() + after)


def _digests_to(mailbox: Mailbox, address: str) -> list[Any]:
    return [m for m in mailbox.to(address) if "unread message" in m["Subject"]]


def _plain(message: Any) -> str:
    return str(message.get_body(("plain",)).get_content())


# --- the notice for an offline recipient --------------------------------------------------


async def test_an_offline_recipient_gets_one_notice_per_conversation(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    a, a_headers, b, b_headers = await pair(client)
    conversation_id = await _messages_to(client, a_headers, b["id"], "Hello there")

    [notice] = await notifications_of(client, b_headers)
    assert notice["type"] == "message_received"
    assert notice["title"] == f"New message from {a['full_name']}"
    assert notice["content"] == "Hello there"
    assert notice["link"] == f"/conversations/{conversation_id}"
    assert notice["reference_type"] == "conversation"
    assert notice["reference_id"] == conversation_id

    await send_message(client, a_headers, conversation_id, "Are you there?")
    [notice] = await notifications_of(client, b_headers)
    assert notice["title"] == f"2 new messages from {a['full_name']}"
    assert notice["content"] == "Are you there?"
    assert await notifications_of(client, a_headers) == []  # the sender is told nothing

    await run_jobs()
    # Messages are e-mailed only as the digest (the one mail so far asks to verify the address).
    assert [m["Subject"] for m in mailbox.to(b["email"])] == ["Confirm your e-mail address for ReelByte"]


async def test_an_online_recipient_gets_no_notice(client: httpx.AsyncClient) -> None:
    _, a_headers, b, b_headers = await pair(client)
    await presence.connected(uuid.UUID(b["id"]), "a-socket-of-b")
    await _messages_to(client, a_headers, b["id"], "You see this live")
    assert await notifications_of(client, b_headers) == []

    await presence.disconnected(uuid.UUID(b["id"]), "a-socket-of-b")
    await _messages_to(client, a_headers, b["id"], "Now you are away")
    assert [n["content"] for n in await notifications_of(client, b_headers)] == ["Now you are away"]


async def test_a_read_notice_is_kept_and_a_new_one_starts(client: httpx.AsyncClient) -> None:
    _, a_headers, b, b_headers = await pair(client)
    conversation_id = await _messages_to(client, a_headers, b["id"], "first")
    [first] = await notifications_of(client, b_headers)
    response = await client.put(f"/v1/notifications/{first['id']}/read", headers=b_headers)
    assert response.status_code == 200, response.text

    await send_message(client, a_headers, conversation_id, "second")
    newest, older = await notifications_of(client, b_headers)
    assert older["id"] == first["id"]
    assert older["is_read"] is True
    assert newest["is_read"] is False
    assert newest["content"] == "second"


async def test_in_app_off_means_no_notice(client: httpx.AsyncClient) -> None:
    _, a_headers, b, b_headers = await pair(client)
    await set_notification_preferences(
        client, b_headers, {"message_received": {"in_app": False, "email": True}}
    )
    await _messages_to(client, a_headers, b["id"], "quiet please")
    assert await notifications_of(client, b_headers) == []
    assert await _send_due_digests() == 1  # the e-mail digest is still on


# --- the digest ---------------------------------------------------------------------------


async def test_unread_messages_arrive_as_one_digest_after_the_quiet_period(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    a, a_headers, b, _ = await pair(client)
    c, c_headers = await signed_up(client, "client")
    from_a = await _messages_to(client, a_headers, b["id"], "one", "two", "three", "four")
    from_c = await _messages_to(client, c_headers, b["id"], "Can you edit my wedding film?")

    assert await _send_due_digests(after=timedelta(minutes=5)) == 0  # not quiet long enough
    assert await _send_due_digests() == 1
    await run_jobs()

    [digest] = _digests_to(mailbox, b["email"])
    assert digest["Subject"] == "ReelByte: 5 unread messages"
    body = _plain(digest)
    assert f"{a['full_name']} — 4 messages" in body
    assert f"{c['full_name']} — 1 message:" in body
    # The latest three of a conversation are quoted, the oldest is only counted.
    assert "“two”" in body
    assert "“three”" in body
    assert "“four”" in body
    assert "“one”" not in body
    assert "Can you edit my wedding film?" in body
    assert f"/conversations/{from_a}" in body
    assert f"/conversations/{from_c}" in body
    assert "Can you edit my wedding film?" in digest.get_body(("html",)).get_content()
    assert _digests_to(mailbox, a["email"]) == []
    assert _digests_to(mailbox, c["email"]) == []

    # Nothing is due any more, and the same messages are never e-mailed again.
    assert await _send_due_digests(after=timedelta(days=1)) == 0
    await send_message(client, c_headers, from_c, "Just one more thing")
    assert await _send_due_digests() == 1
    await run_jobs()
    latest = _digests_to(mailbox, b["email"])[-1]
    assert latest["Subject"] == "ReelByte: 1 unread message"
    assert "Just one more thing" in _plain(latest)
    assert "wedding film" not in _plain(latest)
    assert "“four”" not in _plain(latest)


async def test_messages_read_before_the_digest_is_due_are_not_e_mailed(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    _, a_headers, b, b_headers = await pair(client)
    conversation_id = await _messages_to(client, a_headers, b["id"], "first", "second")
    newest = (await client.get(f"/v1/conversations/{conversation_id}/messages", headers=b_headers)).json()
    response = await client.post(f"/v1/messages/{newest['items'][0]['id']}/read", headers=b_headers)
    assert response.status_code == 200, response.text

    assert await _send_due_digests() == 0
    await run_jobs()
    assert _digests_to(mailbox, b["email"]) == []
    assert await _send_due_digests(after=timedelta(days=1)) == 0


async def test_deleted_messages_and_blocked_senders_are_left_out(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    _, a_headers, b, b_headers = await pair(client)
    c, c_headers = await signed_up(client, "client")
    conversation_id = await _messages_to(client, a_headers, b["id"], "kept")
    regretted = await send_message(client, a_headers, conversation_id, "regretted")
    assert (await client.delete(f"/v1/messages/{regretted['id']}", headers=a_headers)).status_code == 204
    await _messages_to(client, c_headers, b["id"], "spam spam spam")
    assert (await client.post(f"/v1/users/{c['id']}/block", headers=b_headers)).status_code in (200, 204)

    assert await _send_due_digests() == 1
    await run_jobs()
    [digest] = _digests_to(mailbox, b["email"])
    body = _plain(digest)
    assert digest["Subject"] == "ReelByte: 1 unread message"
    assert "kept" in body
    assert "regretted" not in body
    assert "spam" not in body


async def test_switching_the_e_mail_off_stops_the_digest(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    _, a_headers, b, b_headers = await pair(client)
    await set_notification_preferences(
        client, b_headers, {"message_received": {"in_app": True, "email": False}}
    )
    await _messages_to(client, a_headers, b["id"], "hello")
    assert await _send_due_digests() == 0
    await run_jobs()
    assert _digests_to(mailbox, b["email"]) == []
    assert len(await notifications_of(client, b_headers)) == 1  # in-app stays on


async def _age_messages(conversation_id: str, by: timedelta, content: str | None = None) -> None:
    """Pretend the conversation's messages (or the one with `content`) were sent `by` ago."""

    async def work(session: AsyncSession) -> None:
        await session.execute(
            text(
                "UPDATE messages SET created_at = created_at - :by WHERE conversation_id = :id"
                " AND (CAST(:content AS text) IS NULL OR content = :content)"
            ),
            {"by": by, "id": conversation_id, "content": content},
        )

    await transaction(work)


async def test_each_message_restarts_the_quiet_period(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    _, a_headers, b, _ = await pair(client)
    conversation_id = await _messages_to(client, a_headers, b["id"], "first")
    await _age_messages(conversation_id, timedelta(minutes=10))
    await send_message(client, a_headers, conversation_id, "second")

    # The first message is 16 minutes old by then, but the conversation was quiet only for 6.
    assert await _send_due_digests(after=timedelta(minutes=6)) == 0
    assert await _send_due_digests(after=timedelta(minutes=15, seconds=30)) == 1
    await run_jobs()
    [digest] = _digests_to(mailbox, b["email"])
    assert digest["Subject"] == "ReelByte: 2 unread messages"


async def test_a_conversation_that_never_goes_quiet_is_e_mailed_after_the_maximum_wait(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    _, a_headers, b, _ = await pair(client)
    conversation_id = await _messages_to(client, a_headers, b["id"], "an hour ago", "just now")
    await _age_messages(conversation_id, timedelta(minutes=61), content="an hour ago")
    assert await _send_due_digests(after=timedelta(0)) == 1
    await run_jobs()
    [digest] = _digests_to(mailbox, b["email"])
    assert "an hour ago" in _plain(digest)
    assert "just now" in _plain(digest)


async def test_messages_older_than_the_look_back_window_are_not_e_mailed(client: httpx.AsyncClient) -> None:
    _, a_headers, b, _ = await pair(client)
    conversation_id = await _messages_to(client, a_headers, b["id"], "long ago")
    await _age_messages(conversation_id, timedelta(hours=3))  # the workers were down for hours
    assert await _send_due_digests(after=timedelta(0)) == 0


async def test_the_periodic_job_sends_what_is_due(
    client: httpx.AsyncClient, mailbox: Mailbox, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "message_digest_quiet_minutes", 0)
    _, a_headers, b, _ = await pair(client)
    await _messages_to(client, a_headers, b["id"], "sent through the job")
    await send_message_digests.defer_async(timestamp=0)
    await run_jobs()
    [digest] = _digests_to(mailbox, b["email"])
    assert "sent through the job" in _plain(digest)


async def test_a_refused_message_is_neither_notified_nor_e_mailed(client: httpx.AsyncClient) -> None:
    a, a_headers, b, b_headers = await pair(client)
    conversation_id = (await start_conversation(client, a_headers, b["id"]))["id"]
    assert (await client.post(f"/v1/users/{a['id']}/block", headers=b_headers)).status_code in (200, 204)
    response = await client.post(
        f"/v1/conversations/{conversation_id}/messages", json={"content": "let me in"}, headers=a_headers
    )
    assert response.status_code == 403
    assert await notifications_of(client, b_headers) == []
    assert await _send_due_digests() == 0


async def test_two_digest_runs_at_once_send_one_e_mail(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    _, a_headers, b, _ = await pair(client)
    await _messages_to(client, a_headers, b["id"], "only once")
    results = await asyncio.gather(*(_send_due_digests() for _ in range(4)))
    assert sorted(results) == [0, 0, 0, 1]
    await run_jobs()
    assert len(_digests_to(mailbox, b["email"])) == 1


async def test_reading_the_whole_conversation_marks_its_notice_read(client: httpx.AsyncClient) -> None:
    _, a_headers, b, b_headers = await pair(client)
    conversation_id = await _messages_to(client, a_headers, b["id"], "first", "second")
    newest_first = (
        await client.get(f"/v1/conversations/{conversation_id}/messages", headers=b_headers)
    ).json()
    second, first = newest_first["items"]

    assert (await client.post(f"/v1/messages/{first['id']}/read", headers=b_headers)).status_code == 200
    [notice] = await notifications_of(client, b_headers)
    assert notice["is_read"] is False  # one message is still unread

    read = await client.post(f"/v1/messages/{second['id']}/read", headers=b_headers)
    assert read.json()["unread_count"] == 0
    [notice] = await notifications_of(client, b_headers)
    assert notice["is_read"] is True
    assert notice["read_at"] is not None
    unread = await client.get("/v1/notifications/unread-count", headers=b_headers)
    assert unread.json()["count"] == 0

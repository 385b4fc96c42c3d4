"""Data exports (GDPR art. 20): a job builds a ZIP of the user's data in private storage and
e-mails a link that works for 24 hours; one export at a time, even when asked twice at once; a
failed build can be asked again; nobody sees another user's exports."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.db import get_database, transaction, utcnow
from reelbyte.media.storage import get_storage
from reelbyte.orders.models import Delivery, DeliveryComment
from reelbyte.privacy import export
from reelbyte.privacy.jobs import delete_expired_exports
from reelbyte.privacy.models import DataExport
from reelbyte.studio.models import VideoJob, VideoJobKind, VideoJobState
from tests.conftest import Mailbox, link_in, run_jobs
from tests.factories import bearer, can_withdraw, login, register, send_message, signed_up, start_conversation
from tests.media import clips
from tests.media.uploading import download, uploaded
from tests.privacy.conftest import EXPORTS, ask_for_export, downloaded_zip, my_exports
from tests.reviews.conftest import Deal, completed_order, review_body

READY_SUBJECT = "Your ReelByte data is ready to download"
SECTIONS = {
    "README.txt",
    "profile.json",
    "gigs.json",
    "projects.json",
    "orders.json",
    "messages.json",
    "comments.json",
    "reviews.json",
    "transactions.json",
    "payout_methods.json",
    "uploads.json",
    "video_jobs.json",
}


async def _creator_with_a_history(client: httpx.AsyncClient, name: str) -> tuple[Deal, str]:
    """A creator named `name` with a gig sold, delivered and approved, a review each way and a
    message to the client: (the deal, the conversation's id)."""
    user = await register(client, "creator", full_name=name)
    deal = await completed_order(client, creator=(user, bearer(await login(client, user["email"]))))
    for headers, stars, comment in (
        (deal.client_headers, 5, "Crisp edit"),
        (deal.creator_headers, 4, "Clear brief"),
    ):
        response = await client.post(
            "/v1/reviews", json=review_body(deal.order["id"], stars, comment=comment), headers=headers
        )
        assert response.status_code == 201, response.text
    conversation = await start_conversation(client, deal.creator_headers, deal.client["id"])
    await send_message(client, deal.creator_headers, conversation["id"], f"Here is the final cut, {name}")
    await _review_comment_and_video_job(deal, f"Fixed the jump cut here, {name}")
    return deal, conversation["id"]


async def _review_comment_and_video_job(deal: Deal, comment: str) -> None:
    """A comment of the creator's on the order's delivery and a finished trim of theirs (rows: the
    API's paths to them are tested in orders and studio)."""

    async def write(session: AsyncSession) -> None:
        creator_id, order_id = uuid.UUID(deal.creator["id"]), uuid.UUID(deal.order["id"])
        delivery_id = await session.scalar(select(Delivery.id).where(Delivery.order_id == order_id))
        assert delivery_id is not None
        session.add(
            DeliveryComment(
                order_id=order_id,
                delivery_id=delivery_id,
                author_id=creator_id,
                timecode_ms=1500,
                text=comment,
            )
        )
        session.add(
            VideoJob(
                owner_id=creator_id,
                kind=VideoJobKind.TRIM,
                state=VideoJobState.SUCCEEDED,
                params={"start_ms": 0, "end_ms": 1000, "aspect": None},
                source_seconds=2.0,
                progress=100,
                results=[],
                finished_at=utcnow(),
            )
        )

    await transaction(write)


def _ready_mail(mailbox: Mailbox, address: str) -> Any:
    (mail,) = [m for m in mailbox.to(address) if m["Subject"] == READY_SUBJECT]
    return mail


async def test_the_export_holds_my_data_and_nobody_elses(
    client: httpx.AsyncClient, mailbox: Mailbox, tmp_path: Path
) -> None:
    name = f"Ada {uuid.uuid4().hex[:8]}"
    deal, conversation_id = await _creator_with_a_history(client, name)
    method = await can_withdraw(client, deal.creator_headers, "paypal")
    avatar = await uploaded(client, deal.creator_headers, clips.make_png(tmp_path / "me.png"), "avatar")
    brief = clips.make_pdf(tmp_path / "brief.pdf", pages=1)
    attachment = await uploaded(client, deal.creator_headers, brief, "message_attachment", conversation_id)
    stranger, _ = await _creator_with_a_history(client, "Somebody Else")

    asked = await ask_for_export(client, deal.creator_headers)
    assert asked["status"] == "pending"
    assert asked["download_url"] is None
    await run_jobs()

    files = await downloaded_zip(link_in(_ready_mail(mailbox, deal.creator["email"])))
    assert set(files) == SECTIONS
    profile = files["profile.json"]
    assert profile["profile"]["email"] == deal.creator["email"]
    assert profile["profile"]["full_name"] == name
    assert profile["login_sessions"]
    assert [gig["id"] for gig in files["gigs.json"]] == [deal.gig_id]
    assert files["gigs.json"][0]["packages"]
    (order,) = files["orders.json"]
    assert (order["id"], order["status"]) == (deal.order["id"], "completed")
    assert [m["content"] for m in files["messages.json"]] == [f"Here is the final cut, {name}"]
    [comment] = files["comments.json"]
    assert (comment["text"], comment["timecode_ms"]) == (f"Fixed the jump cut here, {name}", 1500)
    [video_job] = files["video_jobs.json"]
    assert (video_job["kind"], video_job["state"], video_job["attachments"]) == ("trim", "succeeded", [])
    reviews = files["reviews.json"]
    assert [r["comment"] for r in reviews["given"]] == ["Clear brief"]
    assert [r["comment"] for r in reviews["received"]] == ["Crisp edit"]
    transactions = files["transactions.json"]
    assert transactions["balance"]["available"] == {"currency": "EUR", "value": "42.50"}
    assert {"type": "order", "id": deal.order["id"]} in [e["reference"] for e in transactions["entries"]]
    [payout_method] = files["payout_methods.json"]
    assert (payout_method["id"], payout_method["provider"]) == (str(method.id), "paypal")
    assert payout_method["account"] == method.provider_account_id
    public, private = files["uploads.json"]
    # A public file keeps its lasting link; a private one's is signed for the export's 24 hours.
    assert (public["id"], public["original"]["expires_at"]) == (avatar["id"], None)
    assert (await client.get(public["original"]["url"])).status_code == 307
    assert private["id"] == attachment["id"]
    link_lasts = _time(private["original"]["expires_at"]) - utcnow()
    assert timedelta(hours=23) < link_lasts <= timedelta(hours=24)
    assert (await download(private["original"]["url"])).content == brief.read_bytes()
    assert files["projects.json"] == {"projects": [], "proposals": []}

    everything = json.dumps(files)
    for theirs in (stranger.creator["email"], stranger.order["id"], stranger.gig_id, "Somebody Else"):
        assert theirs not in everything

    (listed,) = await my_exports(client, deal.creator_headers)
    assert listed["id"] == asked["id"]
    assert listed["status"] == "ready"
    assert listed["size_bytes"] > 0
    assert listed["expired"] is False
    assert set(await downloaded_zip(listed["download_url"])) == SECTIONS
    # The stranger asked for nothing: the e-mail went to the creator alone.
    assert [m for m in mailbox.to(stranger.creator["email"]) if m["Subject"] == READY_SUBJECT] == []


async def test_the_link_works_for_24_hours_then_the_file_is_deleted(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    user, headers = await signed_up(client, "client")
    asked = await ask_for_export(client, headers)
    await run_jobs()
    mail = _ready_mail(mailbox, user["email"])
    link = link_in(mail)
    assert parse_qs(urlsplit(link).query)["X-Amz-Expires"] == [str(24 * 3600)]
    assert "24 hours" in mail.get_body(("plain",)).get_content()
    (listed,) = await my_exports(client, headers)
    assert listed["expires_at"] is not None
    row = await _export_row(asked["id"])
    assert row.completed_at is not None
    assert row.expires_at is not None
    assert row.expires_at - row.completed_at == timedelta(hours=24)
    assert _time(listed["download_url_expires_at"]) <= _time(listed["expires_at"])
    key = row.storage_key
    assert key is not None
    assert await get_storage().stat(key) is not None

    # The day is over: no more link in the list, and the cleanup job deletes the file.
    await _set_expiry(asked["id"], utcnow() - timedelta(seconds=1))
    (listed,) = await my_exports(client, headers)
    assert (listed["status"], listed["expired"], listed["download_url"]) == ("ready", True, None)
    await delete_expired_exports.defer_async(timestamp=0)  # what the periodic deferrer does
    await run_jobs()
    assert await get_storage().stat(key) is None
    assert (await download(link)).status_code == 404
    assert (await _export_row(asked["id"])).storage_key is None


async def test_asking_twice_at_once_makes_one_export_and_one_job(client: httpx.AsyncClient) -> None:
    _, headers = await signed_up(client, "creator")
    first, second = await asyncio.gather(
        client.post("/v1/users/me/export", headers=headers),
        client.post("/v1/users/me/export", headers=headers),
    )
    assert sorted((first.status_code, second.status_code)) == [202, 409]
    refused = first if first.status_code == 409 else second
    assert refused.json()["error"] == "export_in_progress"
    assert await _count(select(func.count()).select_from(DataExport)) == 1
    assert await _jobs("privacy.build_export") == 1

    # Asked again while it is built: the same refusal; once it is ready, a new one may be asked.
    again = await client.post("/v1/users/me/export", headers=headers)
    assert again.status_code == 409, again.text
    await run_jobs()
    await ask_for_export(client, headers)
    assert [e["status"] for e in await my_exports(client, headers)] == ["pending", "ready"]


async def test_a_failed_build_is_marked_failed_and_may_be_asked_again(
    client: httpx.AsyncClient, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    user, headers = await signed_up(client, "creator")

    async def broken(*_: Any) -> Any:
        raise RuntimeError("the gigs cannot be read")

    monkeypatch.setitem(export.SECTIONS, "gigs.json", broken)
    asked = await ask_for_export(client, headers)
    await run_jobs()
    (listed,) = await my_exports(client, headers)
    assert (listed["id"], listed["status"], listed["download_url"]) == (asked["id"], "failed", None)
    assert [m for m in mailbox.to(user["email"]) if m["Subject"] == READY_SUBJECT] == []

    monkeypatch.undo()
    await ask_for_export(client, headers)
    await run_jobs()
    assert [e["status"] for e in await my_exports(client, headers)] == ["ready", "failed"]


async def test_nobody_sees_or_blocks_another_users_exports(client: httpx.AsyncClient) -> None:
    _, mine = await signed_up(client, "creator")
    _, theirs = await signed_up(client, "client")
    await ask_for_export(client, mine)
    await run_jobs()

    assert await my_exports(client, theirs) == []
    # My export in progress or done is no reason to refuse theirs.
    await ask_for_export(client, theirs)
    assert [e["status"] for e in await my_exports(client, theirs)] == ["pending"]
    assert [e["status"] for e in await my_exports(client, mine)] == ["ready"]
    for response in (await client.get(EXPORTS), await client.post("/v1/users/me/export")):
        assert response.status_code == 401, response.text


# --- reading rows back --------------------------------------------------------------------


def _time(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


async def _export_row(export_id: str) -> DataExport:
    async with get_database().sessions() as session:
        return await session.get_one(DataExport, uuid.UUID(export_id))


async def _set_expiry(export_id: str, when: Any) -> None:
    statement = update(DataExport).where(DataExport.id == uuid.UUID(export_id)).values(expires_at=when)
    await transaction(lambda session: session.execute(statement))


async def _count(query: Any) -> int:
    async with get_database().sessions() as session:
        return int(await session.scalar(query) or 0)


async def _jobs(task_name: str) -> int:
    query = text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = :name").bindparams(name=task_name)
    return await _count(query)

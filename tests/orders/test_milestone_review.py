"""A milestone's submission is reviewed like a delivery: each submission is a delivery of the
order (`milestone_id`) holding its files; the parties comment on it at a time; rejecting the
milestone bundles review threads as a revision request does; the next submission is revision 1;
the milestone's approval releases the original video. Anyone else gets 404."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from reelbyte.core.config import Settings
from tests.factories import (
    Headers,
    checkout,
    make_project,
    make_proposal,
    pay_on_sandbox,
    signed_up,
)
from tests.media import clips
from tests.media.uploading import uploaded


@pytest.fixture(autouse=True)
def fast_encoding(settings: Settings) -> Iterator[None]:
    before = settings.video_encode_preset
    settings.video_encode_preset = "ultrafast"
    yield
    settings.video_encode_preset = before


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clips.make_video(tmp_path_factory.mktemp("milestone") / "cut.mp4", 320, 240, seconds=2.0, fps=10)


@dataclass
class Deal:
    order_id: str
    milestone_id: str
    buyer: Headers
    maker: Headers


async def _funded_milestone(client: httpx.AsyncClient) -> Deal:
    """A hired proposal's order whose first of two milestones is funded."""
    _, buyer = await signed_up(client, "client")
    _, maker = await signed_up(client, "creator")
    project = await make_project(client, buyer)
    proposal = await make_proposal(client, maker, project["id"])
    accepted = await client.post(f"/v1/proposals/{proposal['id']}/accept", headers=buyer)
    assert accepted.status_code == 200, accepted.text
    [order] = (await client.get("/v1/orders", params={"role": "client"}, headers=buyer)).json()["items"]
    currency = order["amount"]["currency"]
    plan = {
        "milestones": [
            {"title": "Rough cut", "amount": {"currency": currency, "value": "100.00"}},
            {"title": "Final cut", "amount": {"currency": currency, "value": "200.00"}},
        ]
    }
    planned = await client.post(f"/v1/orders/{order['id']}/milestones", json=plan, headers=buyer)
    assert planned.status_code == 201, planned.text
    first = planned.json()[0]
    await pay_on_sandbox(client, await checkout(client, buyer, milestone_id=first["id"]))
    return Deal(order["id"], first["id"], buyer, maker)


async def _submit(client: httpx.AsyncClient, deal: Deal, note: str, upload_ids: list[str]) -> None:
    body = {"note": note, "upload_ids": upload_ids}
    response = await client.post(f"/v1/milestones/{deal.milestone_id}/submit", json=body, headers=deal.maker)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "submitted"


async def _detail(client: httpx.AsyncClient, deal: Deal) -> dict[str, Any]:
    response = await client.get(f"/v1/orders/{deal.order_id}", headers=deal.buyer)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _comment(
    client: httpx.AsyncClient, headers: Headers, delivery_id: str, **body: Any
) -> httpx.Response:
    return await client.post(f"/v1/deliveries/{delivery_id}/comments", json=body, headers=headers)


async def _download(client: httpx.AsyncClient, headers: Headers, upload_id: str) -> httpx.Response:
    return await client.get(f"/v1/uploads/{upload_id}/download", headers=headers)


async def test_a_milestone_is_reviewed_like_a_delivery_until_its_original_is_released(
    client: httpx.AsyncClient, clip: Path
) -> None:
    deal = await _funded_milestone(client)
    first_cut = await uploaded(client, deal.maker, clip, "deliverable", deal.order_id)

    await _submit(client, deal, "Rough cut.", [first_cut["id"]])

    [delivery] = (await _detail(client, deal))["deliveries"]
    assert (delivery["milestone_id"], delivery["message"], delivery["revision_number"]) == (
        deal.milestone_id,
        "Rough cut.",
        0,
    )
    [file] = delivery["deliverables"]
    assert (file["file"]["upload_id"], file["milestone_id"], file["delivery_id"]) == (
        first_cut["id"],
        deal.milestone_id,
        delivery["id"],
    )
    # Before the approval the client watches the protected preview only, as on any order.
    refused = await _download(client, deal.buyer, first_cut["id"])
    assert (refused.status_code, refused.json()["error"]) == (403, "delivery_not_released")
    assert (await _download(client, deal.maker, first_cut["id"])).status_code == 307

    # The client comments at 00:01 and sends it back, bundling the open threads.
    posted = await _comment(client, deal.buyer, delivery["id"], timecode_ms=1000, text="Cut here")
    assert posted.status_code == 201, posted.text
    thread = posted.json()
    past = await _comment(client, deal.buyer, delivery["id"], timecode_ms=5000, text="After the end")
    assert (past.status_code, past.json()["error"]) == (400, "timecode_past_video")
    rejected = await client.post(
        f"/v1/milestones/{deal.milestone_id}/reject",
        json={"reason": "Tighter", "include_open_comments": True},
        headers=deal.buyer,
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "funded"
    detail = await _detail(client, deal)
    [event] = [e for e in detail["events"] if e["kind"] == "milestone_rejected"]
    assert event["data"]["comment_ids"] == [thread["id"]]
    assert event["note"] == "Tighter"

    # The second submission is the milestone's revision 1, with its own file.
    second_cut = await uploaded(client, deal.maker, clip, "deliverable", deal.order_id)
    await _submit(client, deal, "Tighter now.", [second_cut["id"]])
    first, second = (await _detail(client, deal))["deliveries"]
    assert first["id"] == delivery["id"]
    assert (second["milestone_id"], second["revision_number"]) == (deal.milestone_id, 1)
    assert [f["file"]["upload_id"] for f in second["deliverables"]] == [second_cut["id"]]
    milestone = (await client.get(f"/v1/milestones/{deal.milestone_id}", headers=deal.buyer)).json()
    assert [f["upload_id"] for f in milestone["files"]] == [first_cut["id"], second_cut["id"]]

    approved = await client.post(f"/v1/milestones/{deal.milestone_id}/approve", headers=deal.buyer)
    assert approved.status_code == 200, approved.text
    assert (await _download(client, deal.buyer, second_cut["id"])).status_code == 307
    # Money as before: the milestone's escrow is released, the order goes on with the next one.
    assert (await _detail(client, deal))["status"] == "in_progress"
    balance = (await client.get("/v1/payments/me/balance", headers=deal.maker)).json()
    assert balance["available"] == {"currency": "EUR", "value": "85.00"}


async def test_rejecting_refuses_threads_that_are_not_the_orders(client: httpx.AsyncClient) -> None:
    deal = await _funded_milestone(client)
    other = await _funded_milestone(client)
    await _submit(client, deal, "Rough cut.", [])
    await _submit(client, other, "Rough cut.", [])
    [theirs] = (await _detail(client, other))["deliveries"]
    elsewhere = await _comment(client, other.buyer, theirs["id"], timecode_ms=0, text="Elsewhere")
    assert elsewhere.status_code == 201, elsewhere.text

    rejected = await client.post(
        f"/v1/milestones/{deal.milestone_id}/reject",
        json={"reason": "Tighter", "comment_ids": [elsewhere.json()["id"]]},
        headers=deal.buyer,
    )

    assert (rejected.status_code, rejected.json()["error"]) == (400, "comments_not_in_order")
    milestone = (await client.get(f"/v1/milestones/{deal.milestone_id}", headers=deal.buyer)).json()
    assert milestone["status"] == "submitted"


async def test_another_users_token_gets_404_on_a_milestones_review(client: httpx.AsyncClient) -> None:
    deal = await _funded_milestone(client)
    await _submit(client, deal, "Rough cut.", [])
    [delivery] = (await _detail(client, deal))["deliveries"]
    thread = (await _comment(client, deal.buyer, delivery["id"], timecode_ms=0, text="Hi")).json()
    _, stranger = await signed_up(client, "client")

    calls = [
        client.get(f"/v1/orders/{deal.order_id}", headers=stranger),
        client.get(f"/v1/deliveries/{delivery['id']}/comments", headers=stranger),
        _comment(client, stranger, delivery["id"], timecode_ms=0, text="Me too"),
        client.post(
            f"/v1/milestones/{deal.milestone_id}/reject",
            json={"reason": "No", "comment_ids": [thread["id"]]},
            headers=stranger,
        ),
        client.post(f"/v1/milestones/{deal.milestone_id}/approve", headers=stranger),
    ]
    for call in calls:
        response = await call
        assert response.status_code == 404, response.text
    # Nor may the creator reject their own submission.
    own = await client.post(
        f"/v1/milestones/{deal.milestone_id}/reject", json={"reason": "No"}, headers=deal.maker
    )
    assert own.status_code == 403, own.text

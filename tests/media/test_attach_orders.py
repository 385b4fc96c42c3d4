"""Uploaded files as an order's deliverables and with a milestone's submission: handed in by the
order's creator, seen (through signed, short-lived URLs) by its two parties and admins only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from tests.factories import (
    Headers,
    checkout,
    gig_for_sale,
    make_admin,
    make_order,
    make_paid_order,
    make_project,
    make_proposal,
    pay_on_sandbox,
    seller_and_buyer,
    signed_up,
)
from tests.media.uploading import download, fetched, uploaded


async def _paid_order(client: httpx.AsyncClient) -> tuple[dict[str, Any], Headers, Headers]:
    """An order under way: (order, its creator's headers, its client's headers)."""
    maker, buyer, gig, package = await seller_and_buyer(client)
    return await make_paid_order(client, buyer, gig, package), maker, buyer


async def _funded_milestone(
    client: httpx.AsyncClient,
) -> tuple[dict[str, Any], dict[str, Any], Headers, Headers]:
    """A proposal order split into one funded milestone: (order, milestone, creator's headers,
    client's headers)."""
    _, buyer = await signed_up(client, "client")
    _, maker = await signed_up(client, "creator")
    project = await make_project(client, buyer)
    proposal = await make_proposal(client, maker, project["id"])
    accepted = await client.post(f"/v1/proposals/{proposal['id']}/accept", headers=buyer)
    assert accepted.status_code == 200, accepted.text
    [order] = (await client.get("/v1/orders", params={"role": "client"}, headers=buyer)).json()["items"]
    plan = {"milestones": [{"title": "Rough cut", "amount": order["amount"]}]}
    planned = await client.post(f"/v1/orders/{order['id']}/milestones", json=plan, headers=buyer)
    assert planned.status_code == 201, planned.text
    [milestone] = planned.json()
    await pay_on_sandbox(client, await checkout(client, buyer, milestone_id=milestone["id"]))
    return order, milestone, maker, buyer


async def _deliverables(client: httpx.AsyncClient, headers: Headers, order_id: str) -> httpx.Response:
    return await client.get(f"/v1/orders/{order_id}/deliverables", headers=headers)


async def _order(client: httpx.AsyncClient, headers: Headers, order_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/orders/{order_id}", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _expires(file: dict[str, Any]) -> datetime:
    assert file["expires_at"] is not None, "a private file's URL is signed and short-lived"
    expires = datetime.fromisoformat(file["expires_at"])
    assert datetime.now(UTC) < expires
    return expires


# --- delivering ---------------------------------------------------------------------------


async def test_a_delivered_video_reaches_the_client_through_a_signed_url_once_approved(
    client: httpx.AsyncClient, video_file: Path
) -> None:
    order, maker, buyer = await _paid_order(client)
    video = await uploaded(client, maker, video_file, "deliverable", order["id"])

    body = {
        "message": "Here is the final cut.",
        "deliverables": [
            {"upload_id": video["id"], "title": "Final cut"},
            {"url": "https://vimeo.com/76979871", "title": "Also on Vimeo"},
        ],
    }
    response = await client.post(f"/v1/orders/{order['id']}/deliver", json=body, headers=maker)
    assert response.status_code == 200, response.text
    delivery = response.json()

    assert (await _order(client, buyer, order["id"]))["status"] == "delivered"
    listed = await _deliverables(client, buyer, order["id"])
    assert listed.status_code == 200, listed.text
    uploaded_file, link = listed.json()
    assert (uploaded_file["title"], uploaded_file["url"]) == ("Final cut", None)
    assert uploaded_file["delivery_id"] == link["delivery_id"] == delivery["id"]
    file = uploaded_file["file"]
    assert (file["upload_id"], file["kind"], file["filename"]) == (video["id"], "video", video_file.name)
    assert file["probe"]["width"] == 1280
    # Until the client approves, a delivered video is shown by its watermarked HLS preview
    # (tests/media/test_protected_delivery.py): no original, no unwatermarked MP4 preview.
    assert {"poster", "protected_preview"} <= set(file["derived"])
    assert "preview" not in file["derived"]
    preview_url = f"http://testserver/v1/uploads/{video['id']}/hls/master.m3u8"
    assert (file["file"]["url"], file["file"]["content_type"]) == (
        preview_url,
        "application/vnd.apple.mpegurl",
    )
    _expires(file["derived"]["poster"])
    assert (link["url"], link["file"]) == ("https://vimeo.com/76979871", None)

    approved = await client.post(f"/v1/orders/{order['id']}/approve", headers=buyer)
    assert approved.status_code == 200, approved.text
    [released, _] = (await _deliverables(client, buyer, order["id"])).json()
    _expires(released["file"]["file"])
    assert "preview" in released["file"]["derived"]
    fetched_video = await download(released["file"]["file"]["url"])
    assert fetched_video.status_code == 200
    assert fetched_video.content == video_file.read_bytes()


async def test_delivered_files_are_seen_by_the_orders_parties_and_admins_only(
    client: httpx.AsyncClient, pdf_file: Path
) -> None:
    order, maker, buyer = await _paid_order(client)
    _, stranger = await signed_up(client, "client")
    pdf = await uploaded(client, maker, pdf_file, "deliverable", order["id"])
    body = {"message": "Done.", "deliverables": [{"upload_id": pdf["id"], "title": "Script"}]}
    response = await client.post(f"/v1/orders/{order['id']}/deliver", json=body, headers=maker)
    assert response.status_code == 200, response.text

    for headers in (buyer, maker, await make_admin(client)):
        listed = await _deliverables(client, headers, order["id"])
        assert listed.status_code == 200, listed.text
        assert [item["file"]["upload_id"] for item in listed.json()] == [pdf["id"]]
    assert (await fetched(client, buyer, pdf["id"]))["state"] == "ready"

    assert (await client.get(f"/v1/orders/{order['id']}", headers=stranger)).status_code == 404
    refused = await _deliverables(client, stranger, order["id"])
    assert (refused.status_code, refused.json()["error"]) == (404, "order_not_found")
    assert (await client.get(f"/v1/uploads/{pdf['id']}", headers=stranger)).status_code == 404
    assert (await client.get(f"/v1/uploads/{pdf['id']}")).status_code == 404


async def test_a_delivered_file_cannot_be_deleted_while_the_order_stands(
    client: httpx.AsyncClient, pdf_file: Path
) -> None:
    order, maker, buyer = await _paid_order(client)
    pdf = await uploaded(client, maker, pdf_file, "deliverable", order["id"])
    body = {"message": "Done.", "deliverables": [{"upload_id": pdf["id"], "title": "Script"}]}
    assert (
        await client.post(f"/v1/orders/{order['id']}/deliver", json=body, headers=maker)
    ).status_code == 200

    refused = await client.delete(f"/v1/uploads/{pdf['id']}", headers=maker)

    assert (refused.status_code, refused.json()["error"]) == (409, "upload_in_use")
    [kept] = (await _deliverables(client, buyer, order["id"])).json()
    assert kept["file"]["upload_id"] == pdf["id"]


async def test_a_file_added_while_working_goes_out_with_the_delivery(
    client: httpx.AsyncClient, png_file: Path
) -> None:
    order, maker, buyer = await _paid_order(client)
    image = await uploaded(client, maker, png_file, "deliverable", order["id"])

    added = await client.post(
        f"/v1/orders/{order['id']}/deliverables",
        json={"upload_id": image["id"], "title": "Thumbnail"},
        headers=maker,
    )
    assert added.status_code == 201, added.text
    assert (added.json()["delivery_id"], added.json()["file"]["kind"]) == (None, "image")
    response = await client.post(
        f"/v1/orders/{order['id']}/deliver", json={"message": "Done."}, headers=maker
    )
    assert response.status_code == 200, response.text

    [item] = (await _deliverables(client, buyer, order["id"])).json()
    assert item["delivery_id"] == response.json()["id"]
    assert item["file"]["upload_id"] == image["id"]


async def test_files_that_are_not_the_creators_ready_files_for_this_order_are_refused(
    client: httpx.AsyncClient, png_file: Path, pdf_file: Path
) -> None:
    order, maker, buyer = await _paid_order(client)
    _, stranger = await signed_up(client, "creator")
    other_order = await make_order(client, buyer, *await _gig_of(client, maker))
    strangers = await uploaded(client, stranger, png_file, "portfolio")
    for_other_order = await uploaded(client, maker, pdf_file, "deliverable", other_order["id"])
    portfolio = await uploaded(client, maker, png_file, "portfolio")
    ready = await uploaded(client, maker, pdf_file, "deliverable", order["id"])
    # Last: uploading another runs the jobs, which would process it.
    unprocessed = await uploaded(client, maker, pdf_file, "deliverable", order["id"], process=False)
    cases = [
        ({"upload_id": strangers["id"]}, 404, "upload_not_found"),
        ({"upload_id": for_other_order["id"]}, 422, "upload_purpose_mismatch"),
        ({"upload_id": portfolio["id"]}, 422, "upload_purpose_mismatch"),
        ({"upload_id": unprocessed["id"]}, 409, "upload_not_ready"),
        ({"upload_id": ready["id"], "url": "https://vimeo.com/1"}, 422, "validation_error"),
        ({}, 422, "validation_error"),
    ]
    before = await _order(client, buyer, order["id"])

    for item, status, code in cases:
        body = {"message": "Done.", "deliverables": [{"title": "Cut", **item}]}
        for path, sent in (("deliver", body), ("deliverables", body["deliverables"][0])):
            response = await client.post(f"/v1/orders/{order['id']}/{path}", json=sent, headers=maker)
            assert (response.status_code, response.json()["error"]) == (status, code), (path, item)

    after = await _order(client, buyer, order["id"])
    assert (after["status"], after["delivered_at"], after["events"]) == (
        "in_progress",
        None,
        before["events"],
    )
    assert (await _deliverables(client, buyer, order["id"])).json() == []
    # The same file is refused to anyone but the order's creator.
    _, other_client = await signed_up(client, "client")
    body = {"message": "Done.", "deliverables": [{"upload_id": ready["id"], "title": "Cut"}]}
    for headers, status in ((other_client, 404), (stranger, 404), (buyer, 403)):
        response = await client.post(f"/v1/orders/{order['id']}/deliver", json=body, headers=headers)
        assert response.status_code == status, response.text
    assert (await _order(client, buyer, order["id"]))["status"] == "in_progress"


async def _gig_of(client: httpx.AsyncClient, creator: Headers) -> tuple[Any, Any]:
    """Another gig for sale by the creator with `creator` headers."""
    me = (await client.get("/v1/users/me", headers=creator)).json()
    return await gig_for_sale(me["id"])


# --- milestones ---------------------------------------------------------------------------


async def test_a_milestone_submission_carries_files(
    client: httpx.AsyncClient, pdf_file: Path, png_file: Path
) -> None:
    order, milestone, maker, buyer = await _funded_milestone(client)
    _, stranger = await signed_up(client, "client")
    pdf = await uploaded(client, maker, pdf_file, "deliverable", order["id"])
    image = await uploaded(client, maker, png_file, "deliverable", order["id"])
    submit = {"note": "Rough cut.", "deliverables": ["https://vimeo.com/2"], "upload_ids": [pdf["id"]]}

    response = await client.post(f"/v1/milestones/{milestone['id']}/submit", json=submit, headers=maker)

    assert response.status_code == 200, response.text
    submitted = response.json()
    assert (submitted["status"], submitted["deliverables"]) == ("submitted", ["https://vimeo.com/2"])
    assert [f["upload_id"] for f in submitted["files"]] == [pdf["id"]]
    seen = (await client.get(f"/v1/milestones/{milestone['id']}", headers=buyer)).json()
    [file] = seen["files"]
    assert (file["filename"], file["kind"]) == (pdf_file.name, "document")
    _expires(file["file"])
    assert (await download(file["file"]["url"])).content == pdf_file.read_bytes()
    [row] = (await _deliverables(client, buyer, order["id"])).json()
    # The submission is a delivery of the order (orders/service.submit_milestone).
    [delivery] = (await _order(client, buyer, order["id"]))["deliveries"]
    assert (row["milestone_id"], row["delivery_id"], row["title"]) == (
        milestone["id"],
        delivery["id"],
        pdf_file.name,
    )

    # Sent back and handed in again: the earlier file stays, each file once.
    rejected = await client.post(
        f"/v1/milestones/{milestone['id']}/reject", json={"reason": "Too long"}, headers=buyer
    )
    assert [f["upload_id"] for f in rejected.json()["files"]] == [pdf["id"]]
    again = {"note": "Shorter.", "upload_ids": [pdf["id"], image["id"]]}
    response = await client.post(f"/v1/milestones/{milestone['id']}/submit", json=again, headers=maker)
    assert response.status_code == 200, response.text
    listed = (await client.get(f"/v1/orders/{order['id']}/milestones", headers=buyer)).json()
    assert [f["upload_id"] for f in listed[0]["files"]] == [pdf["id"], image["id"]]

    for path in (f"/v1/milestones/{milestone['id']}", f"/v1/orders/{order['id']}/milestones"):
        assert (await client.get(path, headers=stranger)).status_code == 404
    assert (await client.get(f"/v1/uploads/{image['id']}", headers=stranger)).status_code == 404
    assert (await client.get(f"/v1/uploads/{image['id']}", headers=buyer)).status_code == 200


async def test_a_milestone_refuses_files_that_are_not_the_creators_ready_files_for_its_order(
    client: httpx.AsyncClient, png_file: Path, pdf_file: Path
) -> None:
    order, milestone, maker, buyer = await _funded_milestone(client)
    _, stranger = await signed_up(client, "creator")
    other_order = await make_order(client, buyer, *await _gig_of(client, maker))
    strangers = await uploaded(client, stranger, png_file, "portfolio")
    for_other_order = await uploaded(client, maker, pdf_file, "deliverable", other_order["id"])
    ready = await uploaded(client, maker, pdf_file, "deliverable", order["id"])
    # Last: uploading another runs the jobs, which would process it.
    unprocessed = await uploaded(client, maker, pdf_file, "deliverable", order["id"], process=False)
    cases = [
        (strangers["id"], 404, "upload_not_found"),
        (for_other_order["id"], 422, "upload_purpose_mismatch"),
        (unprocessed["id"], 409, "upload_not_ready"),
    ]
    before = await _order(client, buyer, order["id"])

    for upload_id, status, code in cases:
        submit = {"note": "Rough cut.", "upload_ids": [ready["id"], upload_id]}
        response = await client.post(f"/v1/milestones/{milestone['id']}/submit", json=submit, headers=maker)
        assert (response.status_code, response.json()["error"]) == (status, code), upload_id

    unchanged = (await client.get(f"/v1/milestones/{milestone['id']}", headers=buyer)).json()
    assert (unchanged["status"], unchanged["files"], unchanged["submitted_at"]) == ("funded", [], None)
    assert (await _order(client, buyer, order["id"]))["events"] == before["events"]
    assert (await _deliverables(client, buyer, order["id"])).json() == []


async def test_once_the_order_is_cancelled_the_creator_may_delete_the_file_and_its_record_stays(
    client: httpx.AsyncClient, pdf_file: Path
) -> None:
    order, maker, buyer = await _paid_order(client)
    pdf = await uploaded(client, maker, pdf_file, "deliverable", order["id"])
    body = {"message": "Done.", "deliverables": [{"upload_id": pdf["id"], "title": "Script"}]}
    assert (
        await client.post(f"/v1/orders/{order['id']}/deliver", json=body, headers=maker)
    ).status_code == 200
    for headers in (maker, buyer):  # one asks, the other accepts
        cancel = await client.post(f"/v1/orders/{order['id']}/cancel", json={"reason": "No"}, headers=headers)
        assert cancel.status_code == 200, cancel.text
    assert cancel.json()["status"] == "cancelled"

    deleted = await client.delete(f"/v1/uploads/{pdf['id']}", headers=maker)

    assert deleted.status_code == 204, deleted.text
    [record] = (await _deliverables(client, buyer, order["id"])).json()
    assert (record["title"], record["url"], record["file"]) == ("Script", None, None)

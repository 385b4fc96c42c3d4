"""A video job's clip attached to the portfolio, a gig's gallery or an order in one call: the clip
is copied into an upload for that place, processed as one, then placed; bad requests get clear
4xx and change nothing; a place that refuses the clip by then fails the attachment, and the copy
stays in the creator's uploads."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from reelbyte.core.db import transaction
from reelbyte.media.storage import get_storage
from reelbyte.orders.models import Order, OrderStatus
from reelbyte.studio.models import VideoJobAttachment
from reelbyte.studio.service import result_key
from tests.conftest import run_jobs
from tests.factories import (
    Actor,
    actor,
    count_rows,
    gig_for_sale,
    make_paid_order,
    notification_types,
    update_gig,
)
from tests.media.uploading import fetched
from tests.studio.test_video_jobs import ready_video, trimmed


@pytest.fixture(scope="module")
def short_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.studio.clips import make_hook_clip

    return make_hook_clip(tmp_path_factory.mktemp("attach") / "source.mp4", width=160, height=120)


async def finished_trim(client: httpx.AsyncClient, creator: Actor, source: Path) -> str:
    upload_id = await ready_video(client, creator, source)
    job = await trimmed(client, creator, upload_id, start_ms=1000, end_ms=2000)
    await run_jobs()
    return str(job["id"])


async def attach(
    client: httpx.AsyncClient, who: Actor, job_id: str, index: int = 0, **body: Any
) -> httpx.Response:
    return await client.post(
        f"/v1/video-jobs/{job_id}/results/{index}/attach", json=body, headers=who.headers
    )


async def attachments_of(client: httpx.AsyncClient, who: Actor, job_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/video-jobs/{job_id}/attachments", headers=who.headers)
    assert response.status_code == 200, response.text
    return list(response.json())


async def test_a_clip_becomes_a_portfolio_item_in_one_call(
    client: httpx.AsyncClient, short_source: Path
) -> None:
    creator = await actor(client)
    job_id = await finished_trim(client, creator, short_source)

    response = await attach(client, creator, job_id, to="portfolio", title="Opening shot")
    assert response.status_code == 202, response.text
    attachment = response.json()
    assert (attachment["state"], attachment["to"], attachment["title"]) == (
        "pending",
        "portfolio",
        "Opening shot",
    )
    again = await attach(client, creator, job_id, to="portfolio", title="Opening shot")
    assert again.json()["id"] == attachment["id"]  # the same clip and place: the same attachment

    await run_jobs()  # the copy, then its processing, then the placing

    [done] = await attachments_of(client, creator, job_id)
    assert (done["state"], done["failure_reason"]) == ("attached", None)
    portfolio = await client.get(f"/v1/users/{creator.id}/portfolio")
    [item] = portfolio.json()
    assert item["title"] == "Opening shot"
    assert item["upload_id"] == done["upload_id"]
    assert item["stream_url"]  # processed as a portfolio video: it streams
    copy = await fetched(client, creator.headers, done["upload_id"])
    assert (copy["state"], copy["purpose"], copy["probe"]["width"]) == ("ready", "portfolio", 160)
    assert copy["probe"]["duration_seconds"] == pytest.approx(1.0, abs=0.1)


async def test_a_clip_joins_my_gigs_gallery(client: httpx.AsyncClient, short_source: Path) -> None:
    creator = await actor(client)
    gig, _ = await gig_for_sale(creator.id)
    job_id = await finished_trim(client, creator, short_source)

    response = await attach(client, creator, job_id, to="gig_gallery", target_id=str(gig.id))
    assert response.status_code == 202, response.text
    assert response.json()["title"] == "Trim 1"
    await run_jobs()

    [done] = await attachments_of(client, creator, job_id)
    assert done["state"] == "attached"
    page = (await client.get(f"/v1/gigs/{gig.slug}")).json()
    assert [entry["upload_id"] for entry in page["gallery_uploads"]] == [done["upload_id"]]


async def test_a_clip_goes_with_my_orders_next_delivery_as_a_protected_file(
    client: httpx.AsyncClient, short_source: Path
) -> None:
    creator = await actor(client)
    buyer = await actor(client, "client")
    gig, package = await gig_for_sale(creator.id)
    order = await make_paid_order(client, buyer.headers, gig, package)
    job_id = await finished_trim(client, creator, short_source)

    response = await attach(client, creator, job_id, to="deliverable", target_id=order["id"], title="Cut 1")
    assert response.status_code == 202, response.text
    await run_jobs()

    [done] = await attachments_of(client, creator, job_id)
    assert done["state"] == "attached"
    files = await client.get(f"/v1/orders/{order['id']}/deliverables", headers=creator.headers)
    [file] = files.json()
    assert (file["title"], file["file"]["upload_id"], file["delivery_id"]) == (
        "Cut 1",
        done["upload_id"],
        None,
    )
    # A deliverable like any other: the client sees it only once delivered, and then cannot
    # fetch the original before approval.
    hidden = await client.get(f"/v1/uploads/{done['upload_id']}", headers=buyer.headers)
    assert hidden.status_code == 404
    response = await client.post(
        f"/v1/orders/{order['id']}/deliver", json={"message": "Cut 1."}, headers=creator.headers
    )
    assert response.status_code == 200, response.text
    refused = await client.get(f"/v1/uploads/{done['upload_id']}/download", headers=buyer.headers)
    assert refused.status_code == 403
    assert refused.json()["error"] == "delivery_not_released"


async def test_a_place_that_refuses_the_clip_meanwhile_fails_the_attachment(
    client: httpx.AsyncClient, short_source: Path
) -> None:
    creator = await actor(client)
    buyer = await actor(client, "client")
    gig, package = await gig_for_sale(creator.id)
    order = await make_paid_order(client, buyer.headers, gig, package)
    job_id = await finished_trim(client, creator, short_source)
    response = await attach(client, creator, job_id, to="deliverable", target_id=order["id"])
    assert response.status_code == 202, response.text

    async def cancel(session: Any) -> None:
        await session.execute(
            update(Order).where(Order.id == order["id"]).values(status=OrderStatus.CANCELLED)
        )

    await transaction(cancel)
    await run_jobs()

    [failed] = await attachments_of(client, creator, job_id)
    assert failed["state"] == "failed"
    assert "kept in your uploads" in failed["failure_reason"]
    assert (await fetched(client, creator.headers, failed["upload_id"]))["state"] == "ready"
    assert "video_clip_attachment_failed" in await notification_types(client, creator.headers)
    # Trying again is a new attachment (the failed one stays as it was).
    retry = await attach(client, creator, job_id, to="deliverable", target_id=order["id"])
    assert retry.json()["id"] != failed["id"]


async def test_a_clip_gone_before_its_copy_fails_the_attachment(
    client: httpx.AsyncClient, short_source: Path
) -> None:
    creator = await actor(client)
    job_id = await finished_trim(client, creator, short_source)
    response = await attach(client, creator, job_id, to="portfolio")
    assert response.status_code == 202, response.text
    await get_storage().delete([result_key(uuid.UUID(creator.id), uuid.UUID(job_id), 0)])  # expired meanwhile
    await run_jobs()

    upload = await fetched(client, creator.headers, response.json()["upload_id"])
    assert (upload["state"], upload["failure_reason"]) == (
        "failed",
        "the file to copy was deleted before it could be copied",
    )
    [failed] = await attachments_of(client, creator, job_id)
    assert failed["state"] == "failed"
    assert "could not be made" in failed["failure_reason"]
    portfolio = await client.get(f"/v1/users/{creator.id}/portfolio")
    assert portfolio.json() == []


async def test_bad_attachments_are_refused_and_change_nothing(
    client: httpx.AsyncClient, short_source: Path
) -> None:
    creator = await actor(client)
    other = await actor(client)
    others_gig, _ = await gig_for_sale(other.id)
    job_id = await finished_trim(client, creator, short_source)

    cases: list[tuple[Actor, int, dict[str, Any], int, str]] = [
        (other, 0, {"to": "portfolio"}, 404, "video_job_not_found"),  # another's job
        (creator, 1, {"to": "portfolio"}, 404, "video_job_result_not_found"),
        (creator, 0, {"to": "gig_gallery"}, 422, "validation_error"),  # no gig named
        (creator, 0, {"to": "portfolio", "target_id": str(others_gig.id)}, 422, "validation_error"),
        (creator, 0, {"to": "gig_gallery", "target_id": str(others_gig.id)}, 404, "upload_target_not_found"),
        (creator, 0, {"to": "deliverable", "target_id": str(others_gig.id)}, 404, "upload_target_not_found"),
        (creator, 0, {"to": "somewhere"}, 422, "validation_error"),
    ]
    for who, index, body, status, code in cases:
        response = await attach(client, who, job_id, index, **body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["error"] == code, body
    assert await count_rows(VideoJobAttachment) == 0
    listed = await client.get(f"/v1/video-jobs/{job_id}/attachments", headers=other.headers)
    assert listed.status_code == 404


async def test_a_job_not_finished_has_nothing_to_attach(
    client: httpx.AsyncClient, short_source: Path
) -> None:
    creator = await actor(client)
    upload_id = await ready_video(client, creator, short_source)
    job = await trimmed(client, creator, upload_id, start_ms=1000, end_ms=2000)
    response = await attach(client, creator, str(job["id"]), to="portfolio")
    assert response.status_code == 409
    assert response.json()["error"] == "video_job_not_succeeded"


async def test_a_full_gallery_takes_no_clip(client: httpx.AsyncClient, short_source: Path) -> None:
    creator = await actor(client)
    gig, _ = await gig_for_sale(creator.id)
    await update_gig(gig.id, gallery_urls=[f"https://example.com/still-{n}.jpg" for n in range(10)])
    job_id = await finished_trim(client, creator, short_source)
    response = await attach(client, creator, job_id, to="gig_gallery", target_id=str(gig.id))
    assert (response.status_code, response.json()["error"]) == (422, "gallery_full")
    assert await count_rows(VideoJobAttachment) == 0

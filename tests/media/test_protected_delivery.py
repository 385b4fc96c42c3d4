"""Protected delivery previews: a delivered video's client watches a watermarked HLS preview (at
most 720p, "ReelByte" and the order's short id, tiled and drifting) and gets the original only
once the order (or the milestone it came with) is approved; the creator and admins always may.

Real ffmpeg on clips made here; the watermark is found by comparing decoded frames."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from PIL import Image, ImageChops, ImageStat

from reelbyte.core.config import Settings
from reelbyte.media import hls
from tests.factories import (
    Headers,
    checkout,
    make_admin,
    make_paid_order,
    make_project,
    make_proposal,
    pay_on_sandbox,
    seller_and_buyer,
    signed_up,
)
from tests.media import clips
from tests.media.uploading import download, uploaded

FPS = 25


@pytest.fixture(autouse=True)
def fast_encoding(settings: Settings) -> Iterator[None]:
    before = settings.video_encode_preset
    settings.video_encode_preset = "ultrafast"
    yield
    settings.video_encode_preset = before


@pytest.fixture(scope="module")
def clip_1080p(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clips.make_video(
        tmp_path_factory.mktemp("delivery") / "final1080.mp4", 1920, 1080, seconds=4.5, fps=FPS
    )


@pytest.fixture(scope="module")
def clip_small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clips.make_video(tmp_path_factory.mktemp("delivery") / "cut.mp4", 640, 360, seconds=3.0, fps=FPS)


async def _paid_order(client: httpx.AsyncClient) -> tuple[dict[str, Any], Headers, Headers]:
    maker, buyer, gig, package = await seller_and_buyer(client)
    return await make_paid_order(client, buyer, gig, package), maker, buyer


async def _deliver(client: httpx.AsyncClient, maker: Headers, order_id: str, upload_id: str) -> None:
    body = {"message": "Final cut.", "deliverables": [{"upload_id": upload_id, "title": "Final cut"}]}
    response = await client.post(f"/v1/orders/{order_id}/deliver", json=body, headers=maker)
    assert response.status_code == 200, response.text


async def _get(client: httpx.AsyncClient, headers: Headers, upload_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/uploads/{upload_id}", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _download(client: httpx.AsyncClient, headers: Headers, upload_id: str) -> httpx.Response:
    return await client.get(f"/v1/uploads/{upload_id}/download", headers=headers)


async def _playlist(client: httpx.AsyncClient, headers: Headers, url: str) -> str:
    response = await client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.apple.mpegurl"
    return response.text


def _uris(playlist: str) -> list[str]:
    return [line for line in playlist.splitlines() if line and not line.startswith("#")]


def _frame(path: Path, index: int, size: tuple[int, int] | None = None) -> Image.Image:
    with av.open(str(path)) as container:
        for number, frame in enumerate(container.decode(video=0)):
            if number == index:
                if size is not None:
                    frame = frame.reformat(width=size[0], height=size[1])
                return frame.to_image().convert("RGB")
    raise AssertionError(f"{path} has no frame {index}")


def _difference(a: Image.Image, b: Image.Image, box: tuple[int, int, int, int]) -> float:
    """Mean absolute difference per channel (0-255) of two pictures in `box`."""
    return sum(ImageStat.Stat(ImageChops.difference(a.crop(box), b.crop(box))).mean) / 3


async def test_the_client_watches_a_watermarked_720p_preview_and_cannot_have_the_original(
    client: httpx.AsyncClient, clip_1080p: Path, tmp_path: Path
) -> None:
    order, maker, buyer = await _paid_order(client)
    video = await uploaded(client, maker, clip_1080p, "deliverable", order["id"])
    await _deliver(client, maker, order["id"], video["id"])

    # The creator sees everything of their own file.
    mine = await _get(client, maker, video["id"])
    assert mine["original"] is not None
    assert "preview" in mine["derived"]
    assert "hls" not in mine["derived"]
    # The client: no original, no unwatermarked preview; the protected preview instead.
    theirs = await _get(client, buyer, video["id"])
    assert theirs["original"] is None
    assert "preview" not in theirs["derived"]
    protected = theirs["derived"]["protected_preview"]
    assert protected["url"] == f"http://testserver/v1/uploads/{video['id']}/hls/master.m3u8"
    assert protected["height"] == 720
    refused = await _download(client, buyer, video["id"])
    assert (refused.status_code, refused.json()["error"]) == (403, "delivery_not_released")

    master = await _playlist(client, buyer, protected["url"])
    assert "RESOLUTION=640x360" in master
    assert "RESOLUTION=1280x720" in master
    assert "1920x1080" not in master  # capped at 720p
    variant_urls = _uris(master)
    assert variant_urls == [
        f"http://testserver/v1/uploads/{video['id']}/hls/360p.m3u8",
        f"http://testserver/v1/uploads/{video['id']}/hls/720p.m3u8",
    ]
    top = await _playlist(client, buyer, variant_urls[-1])
    durations = [seconds for seconds, _ in hls.segments_of(top)]
    assert durations[0] == pytest.approx(hls.SEGMENT_SECONDS, abs=0.25)
    assert sum(durations) == pytest.approx(4.5, abs=0.3)
    segment_urls = _uris(top)
    # Private: each segment is a signed URL straight to the store, fetchable as it is.
    assert all("X-Amz-Signature=" in url for url in segment_urls)
    first = await download(segment_urls[0])
    assert first.status_code == 200, first.text
    segment = tmp_path / "720p_000.ts"
    segment.write_bytes(first.content)
    # …and useless unsigned.
    assert (await download(segment_urls[0].split("?", 1)[0])).status_code == 403

    # The watermark: where the text is drawn at 2 s, the preview differs from the source a lot;
    # between the rows of text it does not.
    index = 2 * FPS
    seconds = index / FPS
    preview = _frame(segment, index)
    assert preview.size == (1280, 720)
    source = _frame(clip_1080p, index, size=(1280, 720))
    size = hls.watermark_font_size(720)
    text_width = int(size * 0.6 * len(hls.watermark_text(order["id"])))
    positions = hls.watermark_positions(1280, 720, seconds)
    assert len(positions) == hls.WATERMARK_COLUMNS * hls.WATERMARK_ROWS
    for x, y in positions:
        box = (x, y, min(1280, x + text_width), y + size)
        assert _difference(preview, source, box) > 20, (x, y)
    between_rows = (0, 200, 1280, 300)
    assert _difference(preview, source, between_rows) < 8
    # It moves: a second later every copy is elsewhere.
    assert set(hls.watermark_positions(1280, 720, seconds + 1)).isdisjoint(positions)


async def test_the_original_is_released_when_the_client_approves(
    client: httpx.AsyncClient, clip_small: Path
) -> None:
    order, maker, buyer = await _paid_order(client)
    admin = await make_admin(client)
    _, stranger = await signed_up(client, "client")
    video = await uploaded(client, maker, clip_small, "deliverable", order["id"])
    await _deliver(client, maker, order["id"], video["id"])

    # Before approval: the creator and admins download, the client may not, a stranger sees nothing.
    for headers in (maker, admin):
        allowed = await _download(client, headers, video["id"])
        assert allowed.status_code == 307, allowed.text
        fetched = await download(allowed.headers["location"])
        assert fetched.content == clip_small.read_bytes()
        assert clip_small.name in fetched.headers["content-disposition"]
    refused = await _download(client, buyer, video["id"])
    assert (refused.status_code, refused.json()["error"]) == (403, "delivery_not_released")
    for headers in (stranger, {}):
        hidden = await _download(client, headers, video["id"])
        assert (hidden.status_code, hidden.json()["error"]) == (404, "upload_not_found")
        playlist = await client.get(f"/v1/uploads/{video['id']}/hls/master.m3u8", headers=headers)
        assert (playlist.status_code, playlist.json()["error"]) == (404, "upload_not_found")

    approved = await client.post(f"/v1/orders/{order['id']}/approve", headers=buyer)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "completed"

    released = await _download(client, buyer, video["id"])
    assert released.status_code == 307, released.text
    assert (await download(released.headers["location"])).content == clip_small.read_bytes()
    shown = await _get(client, buyer, video["id"])
    assert shown["original"] is not None
    assert "preview" in shown["derived"]
    # The stranger still sees nothing.
    assert (await _download(client, stranger, video["id"])).status_code == 404


async def test_a_milestones_file_is_released_when_the_milestone_is_approved(
    client: httpx.AsyncClient, clip_small: Path
) -> None:
    _, buyer = await signed_up(client, "client")
    _, maker = await signed_up(client, "creator")
    project = await make_project(client, buyer)
    proposal = await make_proposal(client, maker, project["id"])
    accepted = await client.post(f"/v1/proposals/{proposal['id']}/accept", headers=buyer)
    assert accepted.status_code == 200, accepted.text
    [order] = (await client.get("/v1/orders", params={"role": "client"}, headers=buyer)).json()["items"]
    half = f"{int(order['amount']['value'].split('.')[0]) // 2}.00"
    rest = f"{float(order['amount']['value']) - float(half):.2f}"
    plan = {
        "milestones": [
            {"title": "Rough cut", "amount": {**order["amount"], "value": half}},
            {"title": "Final", "amount": {**order["amount"], "value": rest}},
        ]
    }
    planned = await client.post(f"/v1/orders/{order['id']}/milestones", json=plan, headers=buyer)
    assert planned.status_code == 201, planned.text
    first = planned.json()[0]
    await pay_on_sandbox(client, await checkout(client, buyer, milestone_id=first["id"]))
    video = await uploaded(client, maker, clip_small, "deliverable", order["id"])
    submitted = await client.post(
        f"/v1/milestones/{first['id']}/submit",
        json={"note": "Rough cut.", "upload_ids": [video["id"]]},
        headers=maker,
    )
    assert submitted.status_code == 200, submitted.text
    refused = await _download(client, buyer, video["id"])
    assert (refused.status_code, refused.json()["error"]) == (403, "delivery_not_released")

    approved = await client.post(f"/v1/milestones/{first['id']}/approve", headers=buyer)
    assert approved.status_code == 200, approved.text

    # The order goes on (a second milestone), but this milestone's file is released.
    assert (await client.get(f"/v1/orders/{order['id']}", headers=buyer)).json()["status"] != "completed"
    assert (await _download(client, buyer, video["id"])).status_code == 307
    assert (await _get(client, buyer, video["id"]))["original"] is not None


async def test_a_file_still_being_worked_on_is_the_creators_until_delivered(
    client: httpx.AsyncClient, clip_small: Path
) -> None:
    """A file added while working (with its spec report) is not the client's to see, list or
    watch until a delivery hands it over: the creator fixes what the check found first."""
    order, maker, buyer = await _paid_order(client)
    upload = await uploaded(client, maker, clip_small, "deliverable", order["id"])
    added = await client.post(
        f"/v1/orders/{order['id']}/deliverables",
        json={"upload_id": upload["id"], "title": "Rough cut"},
        headers=maker,
    )
    assert added.status_code == 201, added.text

    listed = await client.get(f"/v1/orders/{order['id']}/deliverables", headers=buyer)
    assert listed.json() == []
    assert (await client.get(f"/v1/uploads/{upload['id']}", headers=buyer)).status_code == 404
    assert (await _download(client, buyer, upload["id"])).status_code == 404
    mine = await client.get(f"/v1/orders/{order['id']}/deliverables", headers=maker)
    assert [item["title"] for item in mine.json()] == ["Rough cut"]

    response = await client.post(
        f"/v1/orders/{order['id']}/deliver", json={"message": "Here it is."}, headers=maker
    )
    assert response.status_code == 200, response.text
    [delivered] = (await client.get(f"/v1/orders/{order['id']}/deliverables", headers=buyer)).json()
    assert delivered["file"]["upload_id"] == upload["id"]
    assert (await _get(client, buyer, upload["id"]))["id"] == upload["id"]
    # The signed URL as JSON, for the web app: refused to the client until approval, the creator's always.
    refused = await client.get(f"/v1/uploads/{upload['id']}/download-url", headers=buyer)
    assert (refused.status_code, refused.json()["error"]) == (403, "delivery_not_released")
    link = await client.get(f"/v1/uploads/{upload['id']}/download-url", headers=maker)
    assert link.status_code == 200, link.text
    assert (await download(link.json()["url"])).content == clip_small.read_bytes()

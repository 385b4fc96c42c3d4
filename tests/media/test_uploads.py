"""The upload flow end to end: files go to the embedded S3 server over plain HTTP, the API checks
them, the job probes them and makes their derived files."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from PIL import Image

from reelbyte.core.db import get_database
from reelbyte.core.redis import get_redis
from reelbyte.media import processing
from reelbyte.media.models import Upload
from reelbyte.media.storage import get_storage
from reelbyte.messaging.hub import CHANNEL_PREFIX
from tests.conftest import run_jobs
from tests.factories import make_project, signed_up
from tests.media import clips
from tests.media.uploading import complete, download, fetched, send, start, upload_body, uploaded


async def _follow(client: httpx.AsyncClient, url: str) -> httpx.Response:
    """A file URL: a public one goes through /v1/media (a redirect), a signed one straight to S3."""
    if url.startswith("http://testserver/"):
        redirect = await client.get(url)
        assert redirect.status_code == 307, redirect.text
        url = redirect.headers["location"]
    return await download(url)


async def _saved(client: httpx.AsyncClient, url: str, path: Path) -> Path:
    response = await _follow(client, url)
    assert response.status_code == 200, response.text
    path.write_bytes(response.content)
    return path


async def test_a_video_is_probed_and_gets_a_poster_preview_and_storyboard(
    client: httpx.AsyncClient, video_file: Path, tmp_path: Path
) -> None:
    _, headers = await signed_up(client, "creator")

    upload = await uploaded(client, headers, video_file, "portfolio")

    assert upload["state"] == "ready", upload["failure_reason"]
    probe = upload["probe"]
    assert (probe["width"], probe["height"], probe["fps"]) == (1280, 720, 25)
    assert probe["duration_seconds"] == pytest.approx(5.0, abs=0.1)
    assert (probe["video_codec"], probe["audio_codec"]) == ("h264", "aac")
    assert probe["bitrate"] > 0
    assert -40 < probe["loudness_lufs"] < 0
    # A portfolio video also streams: an HLS ladder and its storyboard track (test_hls.py).
    assert set(upload["derived"]) == {"poster", "thumbnail", "preview", "storyboard", "hls", "thumbnails"}
    preview = processing.probe_video(
        await _saved(client, upload["derived"]["preview"]["url"], tmp_path / "p.mp4")
    )
    assert preview.video_codec == "h264"
    assert preview.audio_codec is None  # muted
    assert preview.duration_seconds == pytest.approx(5.0, abs=0.2)
    thumbnail = await _saved(client, upload["derived"]["thumbnail"]["url"], tmp_path / "t.jpg")
    assert Image.open(thumbnail).size == (400, 300)
    poster = await _saved(client, upload["derived"]["poster"]["url"], tmp_path / "poster.jpg")
    assert Image.open(poster).size == (1280, 720)
    storyboard = upload["derived"]["storyboard"]
    sprite = Image.open(await _saved(client, storyboard["url"], tmp_path / "s.jpg"))
    assert sprite.size == (storyboard["width"], storyboard["height"])
    assert storyboard["columns"] * storyboard["tile_width"] == storyboard["width"]
    original = await _follow(client, upload["original"]["url"])
    assert original.content == video_file.read_bytes()


async def test_an_image_gets_a_thumbnail_and_an_avatar(
    client: httpx.AsyncClient, png_file: Path, tmp_path: Path
) -> None:
    _, headers = await signed_up(client, "client")

    upload = await uploaded(client, headers, png_file, "avatar")

    assert upload["state"] == "ready"
    assert (upload["probe"]["width"], upload["probe"]["height"]) == (800, 600)
    assert upload["public"] is True
    assert upload["derived"]["avatar"]["url"].startswith("http://testserver/v1/media/users/")
    avatar = await _saved(client, upload["derived"]["avatar"]["url"], tmp_path / "a.jpg")
    assert Image.open(avatar).size == (200, 200)
    thumbnail = await _saved(client, upload["derived"]["thumbnail"]["url"], tmp_path / "t.jpg")
    assert Image.open(thumbnail).size == (400, 300)


async def test_a_pdf_counts_its_pages_and_stays_private(client: httpx.AsyncClient, pdf_file: Path) -> None:
    _, headers = await signed_up(client, "client")
    project = await make_project(client, headers)

    upload = await uploaded(client, headers, pdf_file, "project_attachment", project["id"])

    assert upload["state"] == "ready"
    assert upload["probe"]["pages"] == 3
    assert upload["public"] is False
    assert upload["original"]["expires_at"] is not None
    assert (await download(upload["original"]["url"])).content == pdf_file.read_bytes()
    tampered = upload["original"]["url"].replace("X-Amz-Expires=", "X-Amz-Expires=9")
    assert (await download(tampered)).status_code == 403


async def test_the_owner_hears_live_when_the_file_is_ready(client: httpx.AsyncClient, png_file: Path) -> None:
    user, headers = await signed_up(client, "creator")
    pubsub = get_redis().pubsub()
    await pubsub.subscribe(f"{CHANNEL_PREFIX}{user['id']}")
    try:
        await pubsub.get_message(timeout=1.0)  # the subscribe confirmation
        upload = await uploaded(client, headers, png_file, "portfolio")
        frames = []
        for _ in range(10):
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
            if message is not None:
                frames.append(json.loads(message["data"]))
    finally:
        await pubsub.unsubscribe()
        await pubsub.aclose()
    assert {
        "type": "upload_updated",
        "upload_id": upload["id"],
        "state": "ready",
        "failure_reason": None,
    } in frames


# --- who may see what ---------------------------------------------------------------------


async def test_another_users_token_gets_404_for_a_private_upload(
    client: httpx.AsyncClient, pdf_file: Path
) -> None:
    _, owner = await signed_up(client, "client")
    _, stranger = await signed_up(client, "creator")
    project = await make_project(client, owner, visibility="invite_only")
    upload = await uploaded(client, owner, pdf_file, "project_attachment", project["id"])

    path = f"/v1/uploads/{upload['id']}"
    assert (await client.get(path, headers=stranger)).status_code == 404
    assert (await client.get(path)).status_code == 404
    assert (await client.delete(path, headers=stranger)).status_code == 404
    assert (await complete(client, stranger, upload["id"])).status_code == 404
    parts = await client.post(f"{path}/parts", json={"part_numbers": [1]}, headers=stranger)
    assert parts.status_code == 404
    assert (await client.get(path, headers=owner)).status_code == 200


async def test_a_public_file_is_seen_by_anyone_once_ready(client: httpx.AsyncClient, png_file: Path) -> None:
    _, owner = await signed_up(client, "creator")
    _, stranger = await signed_up(client, "client")
    pending = await uploaded(client, owner, png_file, "portfolio", process=False)
    assert (await client.get(f"/v1/uploads/{pending['id']}", headers=stranger)).status_code == 404

    await run_jobs()

    seen = await fetched(client, stranger, pending["id"])
    assert seen["state"] == "ready"
    assert (await fetched(client, None, pending["id"]))["id"] == pending["id"]


async def test_media_urls_serve_public_folders_only(client: httpx.AsyncClient, pdf_file: Path) -> None:
    _, headers = await signed_up(client, "client")
    project = await make_project(client, headers)
    upload = await uploaded(client, headers, pdf_file, "project_attachment", project["id"])
    key = await _key_of(upload["id"])

    assert (await client.get(f"/v1/media/{key}")).status_code == 404
    assert (await client.get("/v1/media/users/../projects/x/attachments/a.pdf")).status_code == 404


async def _key_of(upload_id: str) -> str:
    async with get_database().sessions() as session:
        return (await session.get_one(Upload, upload_id)).storage_key


# --- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "overrides", "status", "code"),
    [
        ("image", {"size": 10_000_001}, 413, "upload_too_large"),
        (
            "video",
            {"size": 500_000_001, "filename": "a.mp4", "content_type": "video/mp4"},
            413,
            "upload_too_large",
        ),
        ("image", {"content_type": "image/svg+xml", "filename": "a.svg"}, 415, "upload_type_not_allowed"),
        ("image", {"filename": "still.exe"}, 415, "upload_type_not_allowed"),
        ("video", {}, 415, "upload_type_not_allowed"),  # a PNG declared as a video
        ("image", {"size": 0}, 422, "validation_error"),
        ("image", {"filename": "../etc/passwd.png"}, 422, "validation_error"),
        ("image", {"purpose": "deliverable"}, 422, "upload_target_required"),
        ("image", {"target_id": "00000000-0000-0000-0000-000000000001"}, 422, "upload_target_not_allowed"),
    ],
)
async def test_bad_declarations_are_refused_and_change_nothing(
    client: httpx.AsyncClient, png_file: Path, kind: str, overrides: dict[str, object], status: int, code: str
) -> None:
    _, headers = await signed_up(client, "creator")

    response = await start(client, headers, upload_body(png_file, "portfolio", **overrides), kind)

    assert (response.status_code, response.json()["error"]) == (status, code), response.text
    assert (await client.get("/v1/uploads", headers=headers)).json()["total"] == 0


async def test_an_avatar_must_be_an_image(client: httpx.AsyncClient, video_file: Path) -> None:
    _, headers = await signed_up(client, "creator")
    response = await start(client, headers, upload_body(video_file, "avatar"))
    assert (response.status_code, response.json()["error"]) == (422, "upload_kind_not_allowed")


async def test_files_for_someone_elses_target_are_refused(client: httpx.AsyncClient, pdf_file: Path) -> None:
    _, owner = await signed_up(client, "client")
    _, other_client = await signed_up(client, "client")
    project = await make_project(client, owner)

    response = await start(client, other_client, upload_body(pdf_file, "project_attachment", project["id"]))

    assert (response.status_code, response.json()["error"]) == (404, "upload_target_not_found")


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (Path("/bin/true").read_bytes()[:4096], "still.png"),  # an executable called .png
        (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "still.png"),
    ],
)
async def test_a_file_whose_bytes_are_not_its_type_is_refused_and_deleted(
    client: httpx.AsyncClient, tmp_path: Path, content: bytes, filename: str
) -> None:
    _, headers = await signed_up(client, "creator")
    fake = tmp_path / filename
    fake.write_bytes(content)
    started = (await start(client, headers, upload_body(fake, "portfolio"))).json()
    assert (await send(started, content)).status_code == 200

    response = await complete(client, headers, started["upload"]["id"])

    assert (response.status_code, response.json()["error"]) == (415, "upload_content_mismatch")
    assert await get_storage().stat(await _key_of(started["upload"]["id"])) is None
    assert (await fetched(client, headers, started["upload"]["id"]))["state"] == "pending"


async def test_completing_before_the_file_is_stored_is_refused(
    client: httpx.AsyncClient, png_file: Path
) -> None:
    _, headers = await signed_up(client, "creator")
    started = (await start(client, headers, upload_body(png_file, "portfolio"))).json()

    response = await complete(client, headers, started["upload"]["id"])

    assert (response.status_code, response.json()["error"]) == (409, "upload_object_missing")


async def test_the_store_refuses_a_file_of_another_size_than_declared(
    client: httpx.AsyncClient, png_file: Path
) -> None:
    _, headers = await signed_up(client, "creator")
    started = (await start(client, headers, upload_body(png_file, "portfolio"))).json()

    refused = await send(started, png_file.read_bytes() + b"more")

    assert refused.status_code == 403  # the presigned PUT signs the declared length
    assert await get_storage().stat(await _key_of(started["upload"]["id"])) is None


async def test_a_truncated_video_fails_with_a_reason_and_leaves_nothing_stored(
    client: httpx.AsyncClient, video_file: Path, tmp_path: Path
) -> None:
    _, headers = await signed_up(client, "creator")
    broken = clips.truncated(video_file, tmp_path / "broken.mp4", keep_fraction=0.3)

    upload = await uploaded(client, headers, broken, "portfolio")

    assert upload["state"] == "failed"
    assert upload["failure_reason"]
    assert upload["original"] is None
    await run_jobs()  # the objects' deletion
    assert await get_storage().stat(await _key_of(upload["id"])) is None
    listed = (await client.get("/v1/uploads", headers=headers)).json()
    assert listed["storage"]["used_bytes"] == 0


async def test_a_zero_byte_file_is_refused_by_its_declaration(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    _, headers = await signed_up(client, "creator")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    response = await start(client, headers, upload_body(empty, "portfolio"))
    assert response.status_code == 422


async def test_an_image_stands_in_for_nothing_but_an_image(
    client: httpx.AsyncClient, png_file: Path, tmp_path: Path
) -> None:
    """A PNG renamed .jpg is an image still, but not the one declared: refused."""
    _, headers = await signed_up(client, "creator")
    renamed = tmp_path / "still.jpg"
    renamed.write_bytes(png_file.read_bytes())
    started = (await start(client, headers, upload_body(renamed, "portfolio"))).json()
    await send(started, renamed.read_bytes())

    response = await complete(client, headers, started["upload"]["id"])

    assert response.json()["error"] == "upload_content_mismatch"

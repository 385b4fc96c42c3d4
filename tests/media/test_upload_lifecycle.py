"""An upload's whole life on the real (embedded) S3 server, over plain HTTP as a browser sends it:
a large file in parts with a part lost on the way, the storage quota, the upload rate limit,
deleting, the sweep of uploads never completed, a store that does not answer, and a closed
account's files."""

from __future__ import annotations

import asyncio
import hashlib
import socket
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import imageio_ffmpeg  # type: ignore[import-untyped]
import pytest
from botocore.exceptions import ClientError
from sqlalchemy import update

from reelbyte.billing.models import Plan
from reelbyte.billing.plans import FREE
from reelbyte.core.config import Settings
from reelbyte.core.db import transaction, utcnow
from reelbyte.media.jobs import sweep_pending_uploads
from reelbyte.media.models import Upload
from reelbyte.media.rules import MULTIPART_THRESHOLD, PART_SIZE
from reelbyte.media.service import object_keys
from reelbyte.media.storage import get_storage
from reelbyte.media.storage.s3 import S3Storage
from tests.conftest import run_jobs
from tests.factories import (
    Headers,
    get_row,
    gig_for_sale,
    make_order,
    signed_up,
    start_conversation,
)
from tests.media.uploading import complete, download, fetched, send, start, upload_body, uploaded

# --- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture(scope="session")
def long_video(media_dir: Path) -> Path:
    """A real MP4 of about 70 MB (8 s of 720p noise at 70 Mbit/s, made in ~2 s): over the
    multipart threshold, so it goes up in parts."""
    path = media_dir / "long.mp4"
    source = "testsrc2=size=1280x720:rate=25,noise=alls=60:allf=t+u"
    rate = ["-b:v", "70M", "-maxrate", "80M", "-bufsize", "80M"]
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    command += ["-f", "lavfi", "-i", source, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
    command += ["-t", "8", "-c:a", "aac", "-c:v", "libx264", "-preset", "ultrafast", *rate]
    command += ["-pix_fmt", "yuv420p", str(path)]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    assert MULTIPART_THRESHOLD < path.stat().st_size < 100_000_000
    return path


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def storage_down(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The storage settings point at a port nobody listens on (the store is down)."""
    monkeypatch.setattr(settings, "s3_endpoint_url", f"http://127.0.0.1:{_closed_port()}")
    get_storage.cache_clear()
    yield
    monkeypatch.undo()
    get_storage.cache_clear()


async def _row(upload_id: str) -> Upload:
    upload = await get_row(Upload, upload_id)
    assert upload is not None
    return upload


async def _stored_sizes(keys: list[str]) -> list[int | None]:
    storage = get_storage()
    return [None if (obj := await storage.stat(key)) is None else obj.size for key in keys]


async def _all_gone(keys: list[str]) -> bool:
    return all(size is None for size in await _stored_sizes(keys))


async def _all_there(keys: list[str]) -> bool:
    return all(size is not None for size in await _stored_sizes(keys))


async def _listed(client: httpx.AsyncClient, headers: Headers) -> dict[str, Any]:
    response = await client.get("/v1/uploads", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _put_part(url: str, data: bytes) -> httpx.Response:
    async with httpx.AsyncClient(timeout=60) as storage:
        return await storage.put(url, content=data)


async def _drop_midway(url: str, data: bytes) -> None:
    """Start sending a part (headers announcing all its bytes, then half of them) and lose the
    connection, as a browser whose network goes away does."""
    address = urlsplit(url)
    assert address.hostname is not None
    assert address.port is not None
    _, writer = await asyncio.open_connection(address.hostname, address.port)
    head = (
        f"PUT {address.path}?{address.query} HTTP/1.1\r\n"
        f"Host: {address.netloc}\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    )
    writer.write(head.encode() + data[: len(data) // 2])
    await writer.drain()
    writer.transport.abort()  # no more bytes, no goodbye


def _pieces(data: bytes) -> dict[int, bytes]:
    return {n + 1: data[start : start + PART_SIZE] for n, start in enumerate(range(0, len(data), PART_SIZE))}


async def _backdate(upload_id: str, days: float) -> None:
    statement = (
        update(Upload).where(Upload.id == upload_id).values(created_at=utcnow() - timedelta(days=days))
    )
    await transaction(lambda session: session.execute(statement))


async def _follow(client: httpx.AsyncClient, url: str) -> httpx.Response:
    """A public file's URL: the API's redirect, then the store."""
    redirect = await client.get(url)
    assert redirect.status_code == 307, redirect.text
    return await download(redirect.headers["location"])


# --- a large file in parts ------------------------------------------------------------------


async def test_a_large_video_goes_up_in_parts_survives_a_lost_part_and_arrives_intact(
    client: httpx.AsyncClient, long_video: Path
) -> None:
    _, headers = await signed_up(client, "creator")
    data = long_video.read_bytes()
    pieces = _pieces(data)

    response = await start(client, headers, upload_body(long_video, "portfolio"))

    assert response.status_code == 201, response.text
    started = response.json()
    assert started["single"] is None
    multipart = started["multipart"]
    assert (multipart["part_size"], multipart["part_count"]) == (PART_SIZE, len(pieces))
    urls = {part["part_number"]: part["url"] for part in multipart["parts"]}
    assert sorted(urls) == sorted(pieces)
    upload_id = started["upload"]["id"]

    lost, short = 2, 3
    etags: dict[int, str] = {}
    for number, url in urls.items():
        if number == lost:
            await _drop_midway(url, pieces[number])
            continue
        if number == short:  # a body cut short: the store refuses it (the part's length is signed)
            refused = await _put_part(url, pieces[number][: PART_SIZE // 2])
            assert refused.status_code == 403, refused.text
            continue
        stored = await _put_part(url, pieces[number])
        assert stored.status_code == 200, stored.text
        etags[number] = stored.headers["etag"]

    # Completing with parts left out is refused, and changes nothing.
    partial = [{"part_number": n, "etag": etag} for n, etag in sorted(etags.items())]
    refused = await complete(client, headers, upload_id, parts=partial)
    assert (refused.status_code, refused.json()["error"]) == (422, "upload_parts_required"), refused.text
    assert refused.json()["details"]["missing"] == [lost, short]
    assert (await fetched(client, headers, upload_id))["state"] == "pending"

    again = await client.post(
        f"/v1/uploads/{upload_id}/parts", json={"part_numbers": [short, lost]}, headers=headers
    )
    assert again.status_code == 200, again.text
    for part in again.json()["parts"]:
        stored = await _put_part(part["url"], pieces[part["part_number"]])
        assert stored.status_code == 200, stored.text
        etags[part["part_number"]] = stored.headers["etag"]
    parts = [{"part_number": n, "etag": etag} for n, etag in sorted(etags.items())]
    done = await complete(client, headers, upload_id, parts=parts)
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "processing"
    await run_jobs()

    upload = await fetched(client, headers, upload_id)
    assert upload["state"] == "ready", upload["failure_reason"]
    probe = upload["probe"]
    assert (probe["width"], probe["height"], probe["fps"]) == (1280, 720, 25)
    assert probe["duration_seconds"] == pytest.approx(8.0, abs=0.1)
    assert (probe["video_codec"], probe["audio_codec"]) == ("h264", "aac")
    # A portfolio video also streams: an HLS ladder and its storyboard track (tests/media/test_hls.py).
    assert set(upload["derived"]) == {"poster", "thumbnail", "preview", "storyboard", "hls", "thumbnails"}
    original = await _follow(client, upload["original"]["url"])
    assert original.status_code == 200
    assert hashlib.sha256(original.content).hexdigest() == hashlib.sha256(data).hexdigest()
    listed = await _listed(client, headers)
    derived_bytes = sum(file["size"] for file in upload["derived"].values())
    assert listed["storage"]["used_bytes"] == len(data) + derived_bytes


# --- quota and rate limit -------------------------------------------------------------------


async def _set_free_storage_quota_mb(megabytes: int) -> None:
    """The quota is the user's plan's (billing tells media): a new user is on Free."""
    await transaction(
        lambda session: session.execute(
            update(Plan).where(Plan.code == FREE).values(storage_quota_mb=megabytes)
        )
    )


async def test_the_quota_counts_stored_bytes_with_derived_files_and_refuses_what_does_not_fit(
    client: httpx.AsyncClient, png_file: Path
) -> None:
    await _set_free_storage_quota_mb(1)
    quota = 1024 * 1024
    _, headers = await signed_up(client, "creator")
    first = await uploaded(client, headers, png_file, "portfolio")
    sizes = await _stored_sizes(object_keys(await _row(first["id"])))
    assert len(sizes) == 2  # the original and its thumbnail
    assert None not in sizes

    listed = await _listed(client, headers)
    used = sum(size for size in sizes if size is not None)
    assert listed["storage"] == {"used_bytes": used, "quota_bytes": quota}
    assert used > png_file.stat().st_size

    too_big = await start(client, headers, upload_body(png_file, "portfolio", size=quota - used + 1))

    assert (too_big.status_code, too_big.json()["error"]) == (413, "storage_quota_exceeded"), too_big.text
    assert too_big.json()["details"] == {"used_bytes": used, "quota_bytes": quota}
    assert (await _listed(client, headers))["total"] == 1

    # What just fits is taken, and a pending upload counts its declared size.
    fits = await start(client, headers, upload_body(png_file, "portfolio", size=quota - used))
    assert fits.status_code == 201, fits.text
    assert (await _listed(client, headers))["storage"]["used_bytes"] == quota
    one_more = await start(client, headers, upload_body(png_file, "portfolio", size=1))
    assert one_more.status_code == 413


async def test_starting_too_many_uploads_is_rate_limited(
    client: httpx.AsyncClient, png_file: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "rate_limit_enabled", True)
    monkeypatch.setattr(settings, "rate_limit_uploads", "2/hour")
    _, headers = await signed_up(client, "creator")
    _, other = await signed_up(client, "creator")
    body = upload_body(png_file, "portfolio")
    for _ in range(2):
        assert (await start(client, headers, body)).status_code == 201

    limited = await start(client, headers, body)

    assert (limited.status_code, limited.json()["error"]) == (429, "upload_rate_limited"), limited.text
    assert 0 < int(limited.headers["Retry-After"]) <= 3600
    assert limited.headers["RateLimit-Limit"] == "2"
    assert limited.headers["RateLimit-Remaining"] == "0"
    assert (await _listed(client, headers))["total"] == 2
    assert (await start(client, other, body)).status_code == 201  # counted per user


# --- deleting ---------------------------------------------------------------------------------


async def test_the_owner_deletes_an_upload_with_its_derived_files_and_nobody_else_can(
    client: httpx.AsyncClient, png_file: Path
) -> None:
    _, owner = await signed_up(client, "creator")
    _, stranger = await signed_up(client, "creator")
    upload = await uploaded(client, owner, png_file, "avatar")
    keys = object_keys(await _row(upload["id"]))
    assert len(keys) == 3  # original, thumbnail, avatar
    assert await _all_there(keys)
    path = f"/v1/uploads/{upload['id']}"

    refused = await client.delete(path, headers=stranger)
    await run_jobs()

    assert (refused.status_code, refused.json()["error"]) == (404, "upload_not_found")
    assert await _all_there(keys)
    assert (await fetched(client, owner, upload["id"]))["state"] == "ready"

    deleted = await client.delete(path, headers=owner)

    assert deleted.status_code == 204, deleted.text
    assert (await client.get(path, headers=owner)).status_code == 404
    await run_jobs()
    assert await _all_gone(keys)
    listed = await _listed(client, owner)
    assert (listed["total"], listed["storage"]["used_bytes"]) == (0, 0)


async def test_completing_someone_elses_upload_is_404_and_it_stays_pending(
    client: httpx.AsyncClient, png_file: Path
) -> None:
    _, owner = await signed_up(client, "creator")
    _, stranger = await signed_up(client, "creator")
    started = (await start(client, owner, upload_body(png_file, "portfolio"))).json()
    assert (await send(started, png_file.read_bytes())).status_code == 200
    upload_id = started["upload"]["id"]

    response = await complete(client, stranger, upload_id)
    await run_jobs()

    assert (response.status_code, response.json()["error"]) == (404, "upload_not_found")
    assert (await fetched(client, owner, upload_id))["state"] == "pending"
    assert await _all_there([(await _row(upload_id)).storage_key])
    assert (await complete(client, owner, upload_id)).status_code == 200  # the owner still can


# --- the sweep of uploads never completed ---------------------------------------------------


async def test_uploads_pending_for_over_a_day_are_swept_with_their_objects(
    client: httpx.AsyncClient, png_file: Path
) -> None:
    _, headers = await signed_up(client, "creator")
    body = upload_body(png_file, "portfolio")
    stale = (await start(client, headers, body)).json()
    assert (await send(stale, png_file.read_bytes())).status_code == 200
    video = {"filename": "long.mp4", "size": 70_000_000, "content_type": "video/mp4", "purpose": "portfolio"}
    in_parts = (await start(client, headers, video)).json()
    first_part = in_parts["multipart"]["parts"][0]["url"]
    assert (await _put_part(first_part, b"\0" * PART_SIZE)).status_code == 200
    fresh = (await start(client, headers, body)).json()
    done = await uploaded(client, headers, png_file, "portfolio")
    for upload_id in (stale["upload"]["id"], in_parts["upload"]["id"], done["id"]):
        await _backdate(upload_id, days=1.1)
    stale_key = (await _row(stale["upload"]["id"])).storage_key
    multipart = await _row(in_parts["upload"]["id"])
    done_keys = object_keys(await _row(done["id"]))

    await sweep_pending_uploads.defer_async(timestamp=0)  # what the periodic deferrer does
    await run_jobs()

    assert await get_row(Upload, stale["upload"]["id"]) is None
    assert await get_row(Upload, in_parts["upload"]["id"]) is None
    assert await _all_gone([stale_key])
    storage = get_storage()
    assert isinstance(storage, S3Storage)
    with pytest.raises(ClientError) as aborted:
        await asyncio.to_thread(
            storage.client.list_parts,
            Bucket=storage.bucket,
            Key=multipart.storage_key,
            UploadId=multipart.multipart_id,
        )
    assert aborted.value.response["Error"]["Code"] == "NoSuchUpload"
    # Those still in time, and those completed, stay.
    assert (await fetched(client, headers, fresh["upload"]["id"]))["state"] == "pending"
    assert (await fetched(client, headers, done["id"]))["state"] == "ready"
    assert await _all_there(done_keys)


# --- a store that does not answer -----------------------------------------------------------


@pytest.mark.usefixtures("storage_down")
async def test_a_store_that_does_not_answer_is_a_503_for_uploads_only(
    client: httpx.AsyncClient, png_file: Path
) -> None:
    _, headers = await signed_up(client, "creator")

    response = await start(client, headers, upload_body(png_file, "portfolio"))

    assert (response.status_code, response.json()["error"]) == (503, "storage_unavailable"), response.text
    ready = await client.get("/health/ready")
    assert ready.status_code == 503
    checks = ready.json()["details"]["checks"]
    assert checks["database"] == checks["redis"] == "ok"
    assert checks["storage"] != "ok"
    assert (await client.get("/v1/gigs")).status_code == 200
    assert (await client.get("/v1/users/me", headers=headers)).status_code == 200
    listed = await _listed(client, headers)
    assert (listed["total"], listed["storage"]["used_bytes"]) == (0, 0)


# --- a closed account -------------------------------------------------------------------------


async def test_a_closed_accounts_files_go_but_those_an_order_or_a_conversation_needs(
    client: httpx.AsyncClient, png_file: Path, pdf_file: Path
) -> None:
    creator, creator_headers = await signed_up(client, "creator")
    buyer, buyer_headers = await signed_up(client, "client")
    gig, package = await gig_for_sale(creator["id"])
    order = await make_order(client, buyer_headers, gig, package)
    conversation = await start_conversation(client, creator_headers, buyer["id"])
    avatar = await uploaded(client, creator_headers, png_file, "avatar")
    portfolio = await uploaded(client, creator_headers, png_file, "portfolio")
    unfinished = (await start(client, creator_headers, upload_body(png_file, "portfolio"))).json()
    deliverable = await uploaded(client, creator_headers, pdf_file, "deliverable", order["id"])
    attachment = await uploaded(client, creator_headers, pdf_file, "message_attachment", conversation["id"])
    gone = [avatar["id"], portfolio["id"], unfinished["upload"]["id"]]
    kept = [deliverable["id"], attachment["id"]]
    gone_keys = [key for upload_id in gone for key in object_keys(await _row(upload_id))]
    kept_keys = [key for upload_id in kept for key in object_keys(await _row(upload_id))]
    buyers_own = await uploaded(client, buyer_headers, png_file, "avatar")

    response = await client.delete("/v1/users/me", headers=creator_headers)
    assert response.status_code == 204, response.text
    await run_jobs()

    for upload_id in gone:
        assert await get_row(Upload, upload_id) is None
    assert await _all_gone(gone_keys)
    for upload_id in kept:
        assert await get_row(Upload, upload_id) is not None
    assert await _all_there(kept_keys)
    # The client never had the deliverable (it was not delivered); their own files are untouched.
    missing = await client.get(f"/v1/uploads/{deliverable['id']}", headers=buyer_headers)
    assert missing.status_code == 404
    assert (await fetched(client, buyer_headers, buyers_own["id"]))["state"] == "ready"

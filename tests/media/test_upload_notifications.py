"""Cloudinary's upload notifications: with STORAGE_BACKEND=cloudinary, the signed upload form
names the notification URL, and a notification signed with the API secret completes the upload
as the browser's own `complete` would; anything unsigned, stale or tampered with changes nothing."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reelbyte.core.config import Settings
from reelbyte.media.storage import get_storage
from tests.factories import Headers, signed_up
from tests.media.fakes.cloudinary_server import FakeCloudinary
from tests.media.uploading import fetched, send, start, upload_body

URL = "/v1/uploads/notifications/cloudinary"


@pytest.fixture
def on_cloudinary(
    settings: Settings, cloudinary_server: FakeCloudinary, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeCloudinary]:
    cloudinary_server.reset()
    monkeypatch.setattr(settings, "storage_backend", "cloudinary")
    monkeypatch.setattr(settings, "cloudinary_url", cloudinary_server.cloudinary_url)
    monkeypatch.setattr(settings, "cloudinary_api_base", cloudinary_server.base_url)
    get_storage.cache_clear()
    yield cloudinary_server
    get_storage.cache_clear()


def _signed(
    notice: dict[str, Any], secret: str, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """A notification as Cloudinary sends it: SHA-1 of body + timestamp + API secret."""
    body = json.dumps(notice).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = hashlib.sha1(body + stamp.encode() + secret.encode()).hexdigest()
    return body, {"X-Cld-Timestamp": stamp, "X-Cld-Signature": signature, "Content-Type": "application/json"}


async def _sent_to_cloudinary(
    client: httpx.AsyncClient, headers: Headers, path: Path, data: bytes
) -> dict[str, Any]:
    response = await start(client, headers, upload_body(path, "portfolio"))
    assert response.status_code == 201, response.text
    started = dict(response.json())
    stored = await send(started, data)
    assert stored.status_code == 200, stored.text
    return started


async def test_a_signed_notification_completes_the_upload(
    client: httpx.AsyncClient, on_cloudinary: FakeCloudinary, png_file: Path
) -> None:
    _, headers = await signed_up(client, "creator")
    started = await _sent_to_cloudinary(client, headers, png_file, png_file.read_bytes())
    fields = started["single"]["fields"]
    assert fields["notification_url"] == f"http://testserver{URL}"  # signed into the form

    body, signed = _signed(
        {"notification_type": "upload", "public_id": fields["public_id"], "resource_type": "image"},
        on_cloudinary.api_secret,
    )
    response = await client.post(URL, content=body, headers=signed)

    assert response.json() == {"status": "completed"}
    upload = await fetched(client, headers, started["upload"]["id"])
    assert upload["state"] == "processing"
    again = await client.post(URL, content=body, headers=signed)
    assert again.json() == {"status": "ignored"}  # Cloudinary's retry changes nothing


@pytest.mark.parametrize("tamper", ["body", "signature", "stale", "missing"])
async def test_an_unsigned_stale_or_tampered_notification_is_refused(
    client: httpx.AsyncClient, on_cloudinary: FakeCloudinary, png_file: Path, tamper: str
) -> None:
    _, headers = await signed_up(client, "creator")
    started = await _sent_to_cloudinary(client, headers, png_file, png_file.read_bytes())
    notice = {"notification_type": "upload", "public_id": started["single"]["fields"]["public_id"]}
    stamp = int(time.time()) - 7200 if tamper == "stale" else None
    body, signed = _signed(notice, on_cloudinary.api_secret, stamp)
    if tamper == "body":
        body = body.replace(b"upload", b"uploaD", 1)
    elif tamper == "signature":
        signed["X-Cld-Signature"] = "0" * 40
    elif tamper == "missing":
        del signed["X-Cld-Signature"]

    response = await client.post(URL, content=body, headers=signed)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_notification_signature"
    assert (await fetched(client, headers, started["upload"]["id"]))["state"] == "pending"


async def test_a_notified_file_that_is_not_what_was_declared_is_deleted(
    client: httpx.AsyncClient, on_cloudinary: FakeCloudinary, png_file: Path
) -> None:
    _, headers = await signed_up(client, "creator")
    html = b"<html><script>alert(1)</script></html>".ljust(png_file.stat().st_size, b" ")
    started = await _sent_to_cloudinary(client, headers, png_file, html)
    public_id = started["single"]["fields"]["public_id"]

    body, signed = _signed({"notification_type": "upload", "public_id": public_id}, on_cloudinary.api_secret)
    response = await client.post(URL, content=body, headers=signed)

    assert response.json() == {"status": "refused"}
    assert (await fetched(client, headers, started["upload"]["id"]))["state"] == "pending"
    assert not any(key[2] == public_id for key in on_cloudinary.assets)


async def test_other_notifications_and_unknown_files_are_acknowledged(
    client: httpx.AsyncClient, on_cloudinary: FakeCloudinary
) -> None:
    for notice in (
        {"notification_type": "delete", "public_id": "x"},
        {"notification_type": "upload", "public_id": "users/someone/portfolio/unknown"},
    ):
        body, signed = _signed(notice, on_cloudinary.api_secret)
        response = await client.post(URL, content=body, headers=signed)
        assert response.json() == {"status": "ignored"}
    body, signed = _signed({"notification_type": "upload"}, on_cloudinary.api_secret)
    missing_id = await client.post(URL, content=body, headers=signed)
    assert (missing_id.status_code, missing_id.json()["error"]) == (400, "invalid_notification")


async def test_notifications_are_not_taken_on_s3(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, content=b"{}", headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()["error"]) == (404, "storage_notifications_off")

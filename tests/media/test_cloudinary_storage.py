"""CloudinaryStorage through the real cloudinary SDK against the local Cloudinary: browser uploads
(whole and chunked), reads through signed URLs, server-side writes and deletes, notification
signatures, and Cloudinary failing or out of reach."""

from __future__ import annotations

import hashlib
import struct
import time
import uuid
import zlib
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import cloudinary  # type: ignore[import-untyped]
import cloudinary.utils  # type: ignore[import-untyped]
import httpx
import pytest

from reelbyte.media.storage.base import DirectUpload
from reelbyte.media.storage.cloudinary import (
    CloudinaryAsset,
    CloudinaryStorage,
    asset_for_key,
    parse_cloudinary_url,
)
from reelbyte.media.storage.errors import StorageUnavailable
from tests.media.fakes.cloudinary_server import FakeCloudinary, api_signature
from tests.payments.fakes.server import free_port

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" + b"%" * 2000 + b"\n%%EOF\n"


def png(width: int, height: int) -> bytes:
    """A real (grey) PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def private_key(extension: str) -> str:
    return f"orders/{uuid.uuid4()}/deliverables/{uuid.uuid4().hex}.{extension}"


def public_key(extension: str) -> str:
    return f"users/{uuid.uuid4()}/portfolio/{uuid.uuid4().hex}.{extension}"


async def browser_upload(upload: DirectUpload, name: str, data: bytes, **fields: str) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(upload.url, data={**upload.fields, **fields}, files={"file": (name, data)})


def tampered(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | changes
    return parts._replace(query=urlencode(query)).geturl()


# --- keys and settings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            "users/u1/portfolio/abc.mp4",
            CloudinaryAsset("users/u1/portfolio/abc", "video", "mp4", "upload"),
        ),
        (
            "orders/o1/deliverables/abc.MOV",
            CloudinaryAsset("orders/o1/deliverables/abc", "video", "mov", "authenticated"),
        ),
        ("gigs/g1/gallery/abc.jpg", CloudinaryAsset("gigs/g1/gallery/abc", "image", "jpg", "upload")),
        ("users/u1/avatar/abc.jpeg", CloudinaryAsset("users/u1/avatar/abc", "image", "jpg", "upload")),
        (
            "messages/m1/abc/file.webp",
            CloudinaryAsset("messages/m1/abc/file", "image", "webp", "authenticated"),
        ),
        (
            "orders/o1/deliverables/abc.pdf",
            CloudinaryAsset("orders/o1/deliverables/abc.pdf", "raw", None, "authenticated"),
        ),
        (
            "projects/p1/attachments/notes",
            CloudinaryAsset("projects/p1/attachments/notes", "raw", None, "authenticated"),
        ),
    ],
)
def test_a_key_names_a_public_id_resource_type_and_delivery_type(key: str, expected: CloudinaryAsset) -> None:
    assert asset_for_key(key) == expected


def test_the_cloudinary_url_gives_the_account() -> None:
    account = parse_cloudinary_url("cloudinary://1234:s3cr-et@my-cloud?signature_algorithm=sha256")
    assert (account.cloud_name, account.api_key, account.api_secret) == ("my-cloud", "1234", "s3cr-et")
    assert account.signature_algorithm == "sha256"
    assert account.secure_distribution is None
    with pytest.raises(ValueError, match="cloudinary://"):
        parse_cloudinary_url("https://1234:secret@my-cloud")


async def test_multipart_is_refused_plainly(cloudinary_storage: CloudinaryStorage) -> None:
    assert cloudinary_storage.supports_multipart is False
    with pytest.raises(RuntimeError, match="chunked uploads"):
        await cloudinary_storage.start_multipart(private_key("mp4"), "video/mp4")
    with pytest.raises(RuntimeError, match="chunked uploads"):
        cloudinary_storage.part_url(private_key("mp4"), "id", 1, 60)


# --- uploads from the browser --------------------------------------------------------------------


async def test_a_browser_upload_is_then_stat_read_and_downloaded(
    cloudinary_storage: CloudinaryStorage, cloudinary_server: FakeCloudinary, tmp_path: Path
) -> None:
    key, image = private_key("png"), png(64, 48)
    upload = cloudinary_storage.direct_upload(key, "image/png", len(image), 3600)
    assert upload.method == "POST"
    assert upload.url == f"{cloudinary_server.base_url}/v1_1/{cloudinary_server.cloud_name}/image/upload"
    assert upload.fields["type"] == "authenticated"

    response = await browser_upload(upload, "still.png", image)

    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["public_id"], answer["format"], answer["bytes"]) == (key[:-4], "png", len(image))
    assert (answer["width"], answer["height"]) == (64, 48)
    # The response's signature, as the SDK's verify_api_response_signature checks it.
    version_params = {"public_id": answer["public_id"], "version": answer["version"]}
    assert answer["signature"] == cloudinary.utils.api_sign_request(
        version_params, cloudinary_server.api_secret, signature_version=1
    )

    stored = await cloudinary_storage.stat(key)
    assert stored is not None
    assert (stored.size, stored.content_type) == (len(image), "image/png")
    assert await cloudinary_storage.read_head(key, 16) == image[:16]
    target = tmp_path / "copy.png"
    await cloudinary_storage.download(key, target)
    assert target.read_bytes() == image


async def test_a_large_file_goes_up_in_chunks_to_the_same_signed_endpoint(
    cloudinary_storage: CloudinaryStorage,
) -> None:
    key = private_key("pdf")
    upload = cloudinary_storage.direct_upload(key, "application/pdf", len(PDF), 3600)
    upload_id = uuid.uuid4().hex
    async with httpx.AsyncClient() as client:
        for first in range(0, len(PDF), 1000):
            chunk = PDF[first : first + 1000]
            headers = {
                "Content-Range": f"bytes {first}-{first + len(chunk) - 1}/{len(PDF)}",
                "X-Unique-Upload-Id": upload_id,
            }
            response = await client.post(
                upload.url, data=upload.fields, files={"file": ("brief.pdf", chunk)}, headers=headers
            )
            assert response.status_code == 200, response.text

    assert response.json()["bytes"] == len(PDF)
    stored = await cloudinary_storage.stat(key)
    assert stored is not None
    assert (stored.size, stored.content_type) == (len(PDF), "application/pdf")


async def test_an_upload_with_a_wrong_or_stale_signature_is_refused(
    cloudinary_storage: CloudinaryStorage,
) -> None:
    key = private_key("png")
    upload = cloudinary_storage.direct_upload(key, "image/png", 100, 3600)

    other_key = await browser_upload(upload, "x.png", png(2, 2), public_id="orders/x/deliverables/other")
    bad_signature = await browser_upload(upload, "x.png", png(2, 2), signature="0" * 40)
    stale_at = str(int(time.time()) - 3700)
    stale = await browser_upload(upload, "x.png", png(2, 2), timestamp=stale_at)

    for response in (other_key, bad_signature, stale):
        assert response.status_code == 401
        assert "message" in response.json()["error"]
    assert "Invalid Signature" in bad_signature.json()["error"]["message"]
    assert "Stale request" in stale.json()["error"]["message"]
    assert await cloudinary_storage.stat(key) is None


# --- reads by the browser ------------------------------------------------------------------------


async def test_a_signed_url_serves_the_file_until_it_expires_and_only_as_signed(
    cloudinary_storage: CloudinaryStorage, tmp_path: Path
) -> None:
    key = private_key("pdf")
    source = tmp_path / "brief.pdf"
    source.write_bytes(PDF)
    await cloudinary_storage.put_file(key, source, "application/pdf")
    url = cloudinary_storage.signed_url(key, 300, download_name="Brief.pdf")

    async with httpx.AsyncClient() as client:
        served = await client.get(url)
        part = await client.get(url, headers={"Range": "bytes=4-9"})
        other_file = await client.get(tampered(url, public_id=key.replace("deliverables", "other")))
        longer = await client.get(tampered(url, expires_at=str(int(time.time()) + 86400)))
        expired = await client.get(cloudinary_storage.signed_url(key, -1))

    assert served.status_code == 200
    assert served.content == PDF
    assert served.headers["content-disposition"].startswith("attachment")
    assert (part.status_code, part.content) == (206, PDF[4:10])
    for refused in (other_file, longer, expired):
        assert refused.status_code == 401


async def test_a_public_url_is_cloudinarys_delivery_url_or_the_configured_base(
    cloudinary_storage: CloudinaryStorage, cloudinary_server: FakeCloudinary, tmp_path: Path
) -> None:
    key, image = public_key("png"), png(8, 8)
    source = tmp_path / "frame.png"
    source.write_bytes(image)
    await cloudinary_storage.put_file(key, source, "image/png")

    url = cloudinary_storage.public_url(key)
    async with httpx.AsyncClient() as client:
        served = await client.get(url)

    assert url.startswith(f"{cloudinary_server.base_url}/{cloudinary_server.cloud_name}/image/upload/")
    assert url.endswith(key)
    assert served.content == image
    with_base = CloudinaryStorage(
        cloudinary_url=cloudinary_server.cloudinary_url,
        api_base=cloudinary_server.base_url,
        public_base_url="https://media.reelbyte.example/",
    )
    assert with_base.public_url(key) == f"https://media.reelbyte.example/{key}"


async def test_the_cloudinary_api_host_delivers_from_cloudinarys_cdn() -> None:
    storage = CloudinaryStorage(
        cloudinary_url="cloudinary://1:secret@demo", api_base=None, public_base_url=None
    )
    key = public_key("jpg")
    assert storage.public_url(key) == f"https://res.cloudinary.com/demo/image/upload/v1/{key}"
    assert storage.signed_url(key, 60).startswith("https://api.cloudinary.com/v1_1/demo/image/download?")


# --- server-side writes --------------------------------------------------------------------------


async def test_put_file_then_delete(
    cloudinary_storage: CloudinaryStorage, cloudinary_server: FakeCloudinary, tmp_path: Path
) -> None:
    image, document = tmp_path / "poster.png", tmp_path / "brief.pdf"
    image.write_bytes(png(16, 9))
    document.write_bytes(PDF)
    poster_key, brief_key = public_key("png"), private_key("pdf")
    await cloudinary_storage.put_file(poster_key, image, "image/png")
    await cloudinary_storage.put_file(brief_key, document, "application/pdf")
    assert cloudinary_server.asset("image", "upload", poster_key[:-4]) is not None
    assert cloudinary_server.asset("raw", "authenticated", brief_key) is not None

    await cloudinary_storage.delete([poster_key, brief_key, private_key("mp4")])

    assert await cloudinary_storage.stat(poster_key) is None
    assert await cloudinary_storage.stat(brief_key) is None


async def test_put_file_sends_a_large_file_in_chunks(
    cloudinary_storage: CloudinaryStorage, cloudinary_server: FakeCloudinary, tmp_path: Path
) -> None:
    key, source = private_key("pdf"), tmp_path / "brief.pdf"
    source.write_bytes(PDF)
    cloudinary_storage.chunk_bytes = 512

    await cloudinary_storage.put_file(key, source, "application/pdf")

    uploads = [path for method, path in cloudinary_server.requests if path.endswith("/raw/upload")]
    assert len(uploads) == -(-len(PDF) // 512)
    stored = cloudinary_server.asset("raw", "authenticated", key)
    assert stored is not None
    assert stored.data == PDF


async def test_delete_sends_at_most_a_hundred_public_ids_a_request(
    cloudinary_storage: CloudinaryStorage, cloudinary_server: FakeCloudinary
) -> None:
    await cloudinary_storage.delete([private_key("pdf") for _ in range(150)] + [private_key("png")])

    deletes = [path for method, path in cloudinary_server.requests if method == "DELETE"]
    assert sorted(deletes) == sorted(
        [f"/v1_1/{cloudinary_server.cloud_name}/resources/raw/authenticated"] * 2
        + [f"/v1_1/{cloudinary_server.cloud_name}/resources/image/authenticated"]
    )


# --- upload notifications ------------------------------------------------------------------------


def test_a_notification_is_verified_by_its_signature_and_age(
    cloudinary_storage: CloudinaryStorage, cloudinary_server: FakeCloudinary, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = b'{"notification_type":"upload","public_id":"orders/o1/deliverables/abc","bytes":1024}'
    now = str(int(time.time()))
    signature = hashlib.sha1(body + now.encode() + cloudinary_server.api_secret.encode()).hexdigest()

    assert cloudinary_storage.verify_notification(body, now, signature)
    assert not cloudinary_storage.verify_notification(body.replace(b"1024", b"9999"), now, signature)
    assert not cloudinary_storage.verify_notification(body, str(int(now) + 1), signature)
    old = str(int(time.time()) - 3 * 3600)
    old_signature = hashlib.sha1(body + old.encode() + cloudinary_server.api_secret.encode()).hexdigest()
    assert not cloudinary_storage.verify_notification(body, old, old_signature)
    assert not cloudinary_storage.verify_notification(body, "yesterday", signature)
    assert not cloudinary_storage.verify_notification(body, "\u00b2", signature)
    assert not cloudinary_storage.verify_notification(body, now, "\u00e9" * 40)

    # The SDK's own check, given the same secret through its process-wide configuration, agrees.
    monkeypatch.setattr(cloudinary, "_config", cloudinary.Config())
    cloudinary.config(api_secret=cloudinary_server.api_secret)
    assert cloudinary.utils.verify_notification_signature(body.decode(), now, signature, valid_for=7200)


# --- Cloudinary failing or out of reach ----------------------------------------------------------


async def test_a_cloudinary_out_of_reach_is_storage_unavailable(
    cloudinary_server: FakeCloudinary, tmp_path: Path
) -> None:
    storage = CloudinaryStorage(
        cloudinary_url=cloudinary_server.cloudinary_url,
        api_base=f"http://127.0.0.1:{free_port()}",
        public_base_url=None,
    )
    source = tmp_path / "brief.pdf"
    source.write_bytes(PDF)
    key = private_key("pdf")

    with pytest.raises(StorageUnavailable):
        await storage.ping()
    with pytest.raises(StorageUnavailable):
        await storage.stat(key)
    with pytest.raises(StorageUnavailable):
        await storage.put_file(key, source, "application/pdf")
    with pytest.raises(StorageUnavailable):
        await storage.read_head(key, 8)
    with pytest.raises(StorageUnavailable):
        await storage.download(key, tmp_path / "copy.pdf")


async def test_cloudinary_failing_is_storage_unavailable(
    cloudinary_storage: CloudinaryStorage, cloudinary_server: FakeCloudinary, tmp_path: Path
) -> None:
    source = tmp_path / "brief.pdf"
    source.write_bytes(PDF)
    key = private_key("pdf")
    await cloudinary_storage.ping()

    for status in (500, 503):
        cloudinary_server.fail_next(status)
        with pytest.raises(StorageUnavailable):
            await cloudinary_storage.ping()
        cloudinary_server.fail_next(status)
        with pytest.raises(StorageUnavailable):
            await cloudinary_storage.put_file(key, source, "application/pdf")
    cloudinary_server.fail_next(502)
    with pytest.raises(StorageUnavailable):
        await cloudinary_storage.put_file(key, source, "application/pdf")
    await cloudinary_storage.put_file(key, source, "application/pdf")
    cloudinary_server.fail_next(503)
    with pytest.raises(StorageUnavailable):
        await cloudinary_storage.read_head(key, 8)
    assert await cloudinary_storage.read_head(key, 8) == PDF[:8]


def test_the_fake_signs_as_the_sdk_does(cloudinary_server: FakeCloudinary) -> None:
    params = {"timestamp": "1700000000", "public_id": "a/b&c", "type": "authenticated"}
    secret = cloudinary_server.api_secret
    assert api_signature(params, secret) == cloudinary.utils.api_sign_request(params, secret)
    assert api_signature(params, secret, "sha256") == cloudinary.utils.api_sign_request(
        params, secret, "sha256"
    )

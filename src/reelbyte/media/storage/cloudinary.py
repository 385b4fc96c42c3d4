"""Cloudinary as the file store, through the official `cloudinary` SDK.

Every object key maps to one Cloudinary asset (`asset_for_key`): the key's folders stay in the
public id, its extension picks the resource type. Keys in the public folders (avatars, portfolio,
gig galleries) are stored as `type=upload`, which Cloudinary's CDN serves to anybody; all other
keys as `type=authenticated`, which it serves only through signed URLs.

The browser uploads with a signed POST of a form (`direct_upload`) to the upload endpoint.
Cloudinary has no S3-style multipart upload: a large file goes to the same endpoint in chunks of
at least 5 MB, each a POST of the same signed fields with the chunk as `file`, a `Content-Range:
bytes <first>-<last>/<total>` header and one `X-Unique-Upload-Id` for all of them (the protocol
`cloudinary.uploader.upload_large` speaks). Hence `supports_multipart = False`.

Credentials are kept per instance and passed to every SDK call as options, so two instances (or
the tests' fake account) never share the SDK's process-wide `cloudinary.config()`.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl, urlsplit

import cloudinary.api  # type: ignore[import-untyped]
import cloudinary.exceptions  # type: ignore[import-untyped]
import cloudinary.uploader  # type: ignore[import-untyped]
import cloudinary.utils  # type: ignore[import-untyped]
import httpx
import urllib3

from reelbyte.media.models import UploadKind
from reelbyte.media.rules import KINDS, is_public_key
from reelbyte.media.storage.base import DirectUpload, StoredObject
from reelbyte.media.storage.errors import StorageUnavailable

T = TypeVar("T")

ResourceType = Literal["image", "video", "raw"]
DeliveryType = Literal["upload", "authenticated"]

DEFAULT_API_BASE = "https://api.cloudinary.com"
NOTIFICATION_MAX_AGE_SECONDS = 2 * 3600
INTERNAL_URL_SECONDS = 300  # the signed URLs the server itself reads through
DELETE_BATCH = 100  # the Admin API's delete_resources takes up to 100 public ids
CHUNK_BYTES = 20_000_000  # put_file sends larger files in chunks (the SDK's own chunk size)
SDK_TIMEOUT = urllib3.Timeout(connect=2, read=60)
HTTP_TIMEOUT = httpx.Timeout(60, connect=2)
# Cloudinary unreachable (the SDK's Admin API calls that a GeneralError too), failing or
# rate-limiting: try again later.
_UNAVAILABLE = (
    cloudinary.exceptions.GeneralError,
    cloudinary.exceptions.RateLimited,
    urllib3.exceptions.HTTPError,
    httpx.TransportError,
)


def _extensions(kind: UploadKind) -> frozenset[str]:
    return frozenset(ext.lstrip(".") for exts in KINDS[kind].formats.values() for ext in exts)


_RESOURCE_TYPES: dict[str, ResourceType] = {
    **dict.fromkeys(_extensions(UploadKind.VIDEO), "video"),
    **dict.fromkeys(_extensions(UploadKind.IMAGE), "image"),
}
_CONTENT_TYPES = {
    ext.lstrip("."): content_type
    for rule in KINDS.values()
    for content_type, exts in rule.formats.items()
    for ext in exts
}
# Cloudinary names a format after its container: a .jpeg is a "jpg", an .m4v an "mp4".
_CLOUDINARY_FORMATS = {"jpeg": "jpg", "m4v": "mp4"}


@dataclass(frozen=True, slots=True)
class CloudinaryAsset:
    public_id: str
    resource_type: ResourceType
    # The delivery format for images and videos, whose public id leaves the extension out; None
    # for raw files, whose public id keeps it.
    format: str | None
    delivery_type: DeliveryType


def asset_for_key(key: str) -> CloudinaryAsset:
    """The Cloudinary asset that stores `key`: `users/<id>/portfolio/<random>.mp4` is the video
    `users/<id>/portfolio/<random>`, a .pdf (or any other file) a raw asset named like the key.

    Two keys that differ only in an image (or video) extension name the same asset; the app's
    keys are random per file, so they never do."""
    path = PurePosixPath(key)
    extension = path.suffix.lstrip(".").lower()
    resource_type = _RESOURCE_TYPES.get(extension, "raw")
    delivery_type: DeliveryType = "upload" if is_public_key(key) else "authenticated"
    if resource_type == "raw":
        return CloudinaryAsset(key, "raw", None, delivery_type)
    public_id = str(path.with_suffix(""))
    return CloudinaryAsset(
        public_id, resource_type, _CLOUDINARY_FORMATS.get(extension, extension), delivery_type
    )


def content_type_of(format_or_extension: str) -> str | None:
    return _CONTENT_TYPES.get(format_or_extension.lower())


@dataclass(frozen=True, slots=True)
class CloudinaryAccount:
    cloud_name: str
    api_key: str
    api_secret: str
    signature_algorithm: str = "sha1"
    secure_distribution: str | None = None  # a private CDN's host: the URL's path


def parse_cloudinary_url(url: str) -> CloudinaryAccount:
    """`cloudinary://<api key>:<api secret>@<cloud name>[/<private CDN host>][?signature_algorithm=…]`,
    read the way the SDK's `Config` reads CLOUDINARY_URL (which it does only for the process-wide
    configuration)."""
    parts = urlsplit(url)
    if parts.scheme != "cloudinary" or not (parts.hostname and parts.username and parts.password):
        raise ValueError("CLOUDINARY_URL must look like cloudinary://<api key>:<api secret>@<cloud name>")
    query = dict(parse_qsl(parts.query))
    return CloudinaryAccount(
        cloud_name=parts.hostname,
        api_key=parts.username,
        api_secret=parts.password,
        signature_algorithm=query.get("signature_algorithm", "sha1"),
        secure_distribution=parts.path.lstrip("/") or None,
    )


class CloudinaryStorage:
    name = "cloudinary"
    supports_multipart = False

    def __init__(
        self,
        *,
        cloudinary_url: str,
        api_base: str | None,
        public_base_url: str | None,
        notification_url: str | None = None,
    ) -> None:
        self.account = parse_cloudinary_url(cloudinary_url)
        # Where Cloudinary tells the API that a browser's upload arrived (signed into each form).
        self.notification_url = notification_url
        self.api_base = (api_base or DEFAULT_API_BASE).rstrip("/")
        self.public_base_url = public_base_url.rstrip("/") if public_base_url else None
        self.chunk_bytes = CHUNK_BYTES
        # What the SDK would otherwise read from the process-wide cloudinary.config().
        self._api: dict[str, Any] = {
            "cloud_name": self.account.cloud_name,
            "api_key": self.account.api_key,
            "api_secret": self.account.api_secret,
            "signature_algorithm": self.account.signature_algorithm,
            "signature_version": 2,
            "upload_prefix": self.api_base,
            "timeout": SDK_TIMEOUT,
        }
        self._delivery = _delivery_options(self.account, api_base)

    # --- uploads from the browser ---------------------------------------------------------

    def direct_upload(self, key: str, content_type: str, size: int, expires_seconds: int) -> DirectUpload:
        """A signed upload form. Cloudinary accepts its signature for one hour after `timestamp`
        whatever `expires_seconds` asks, and cannot bind the size or content type: it detects the
        format itself, and `complete` checks the stored size with `stat`."""
        asset = asset_for_key(key)
        params = {
            "timestamp": str(int(time.time())),
            "public_id": asset.public_id,
            "type": asset.delivery_type,
        }
        if self.notification_url:
            params["notification_url"] = self.notification_url
        signature = cloudinary.utils.api_sign_request(
            params, self.account.api_secret, self.account.signature_algorithm, signature_version=2
        )
        url = cloudinary.utils.cloudinary_api_url("upload", resource_type=asset.resource_type, **self._api)
        fields = {**params, "api_key": self.account.api_key, "signature": str(signature)}
        return DirectUpload(method="POST", url=str(url), fields=fields)

    async def start_multipart(self, key: str, content_type: str) -> str:
        raise _no_multipart()

    def part_url(
        self, key: str, multipart_id: str, part_number: int, expires_seconds: int, *, size: int | None = None
    ) -> str:
        raise _no_multipart()

    async def complete_multipart(self, key: str, multipart_id: str, parts: list[tuple[int, str]]) -> None:
        raise _no_multipart()

    async def abort_multipart(self, key: str, multipart_id: str) -> None:
        raise _no_multipart()

    # --- server-side reads and writes -----------------------------------------------------

    async def stat(self, key: str) -> StoredObject | None:
        asset = asset_for_key(key)
        try:
            found = await self._admin(
                cloudinary.api.resource,
                asset.public_id,
                resource_type=asset.resource_type,
                type=asset.delivery_type,
            )
        except cloudinary.exceptions.NotFound:
            return None
        detected = found.get("format") or PurePosixPath(key).suffix.lstrip(".")
        return StoredObject(size=int(found["bytes"]), content_type=content_type_of(detected))

    async def read_head(self, key: str, length: int) -> bytes:
        if length <= 0:
            return b""
        return await self._call(_read_head, self.signed_url(key, INTERNAL_URL_SECONDS), length)

    async def download(self, key: str, path: Path) -> None:
        await self._call(_download, self.signed_url(key, INTERNAL_URL_SECONDS), path)

    async def put_file(self, key: str, path: Path, content_type: str) -> None:
        """Cloudinary detects the format from the bytes, so `content_type` is not sent."""
        asset = asset_for_key(key)
        options = {
            "public_id": asset.public_id,
            "resource_type": asset.resource_type,
            "type": asset.delivery_type,
            "overwrite": True,
            "filename": PurePosixPath(key).name,
            **self._api,
        }
        await self._call(self._upload_file, path, options)

    async def delete(self, keys: list[str]) -> None:
        for (resource_type, delivery_type), public_ids in _grouped(keys).items():
            for start in range(0, len(public_ids), DELETE_BATCH):
                await self._admin(
                    cloudinary.api.delete_resources,
                    public_ids[start : start + DELETE_BATCH],
                    resource_type=resource_type,
                    type=delivery_type,
                )

    # --- reads by the browser -------------------------------------------------------------

    def signed_url(self, key: str, expires_seconds: int, download_name: str | None = None) -> str:
        """A URL of the Upload API's `download` endpoint, signed with the API secret over the
        public id, type, format and `expires_at`: the one signed URL Cloudinary makes that really
        expires with nothing but the API key. (`cloudinary_url(sign_url=True)` signs the delivery
        path but never expires; expiring delivery URLs need token authentication, a separate
        key on premium plans.) It works for public and authenticated assets alike.

        The download endpoint takes no file name: with `download_name` the file comes as an
        attachment named after the public id."""
        asset = asset_for_key(key)
        url = cloudinary.utils.private_download_url(
            asset.public_id,
            asset.format,
            resource_type=asset.resource_type,
            type=asset.delivery_type,
            expires_at=int(time.time()) + expires_seconds,
            attachment=True if download_name is not None else None,
            **self._api,
        )
        return str(url)

    def public_url(self, key: str) -> str:
        if self.public_base_url is not None:
            return f"{self.public_base_url}/{key}"
        asset = asset_for_key(key)
        url, _ = cloudinary.utils.cloudinary_url(
            asset.public_id,
            resource_type=asset.resource_type,
            type=asset.delivery_type,
            format=asset.format,
            **self._delivery,
        )
        return str(url)

    async def ping(self) -> None:
        await self._admin(cloudinary.api.ping)

    # --- upload notifications -------------------------------------------------------------

    def verify_notification(
        self, body: bytes, timestamp: str, signature: str, max_age_seconds: int = NOTIFICATION_MAX_AGE_SECONDS
    ) -> bool:
        """Whether a notification (its raw body, X-Cld-Timestamp and X-Cld-Signature) comes from
        Cloudinary and is recent.

        The same check as `cloudinary.utils.verify_notification_signature`, which reads the API
        secret only from the process-wide `cloudinary.config()`; this one uses the instance's
        secret and compares in constant time."""
        if (
            not (timestamp.isascii() and timestamp.isdigit())
            or int(timestamp) < time.time() - max_age_seconds
        ):
            return False
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return False
        expected = cloudinary.utils.compute_hex_hash(
            text + timestamp + self.account.api_secret, self.account.signature_algorithm
        )
        return hmac.compare_digest(str(expected).encode(), signature.encode())

    # --- plumbing -------------------------------------------------------------------------

    def _upload_file(self, path: Path, options: dict[str, Any]) -> None:
        if path.stat().st_size > self.chunk_bytes:
            cloudinary.uploader.upload_large(str(path), chunk_size=self.chunk_bytes, **options)
        else:
            cloudinary.uploader.upload(str(path), **options)

    async def _admin(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await self._call(function, *args, **kwargs, **self._api)

    async def _call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking call in a thread; a Cloudinary that cannot be reached, fails (5xx) or
        rate-limits is a 503."""
        try:
            return await asyncio.to_thread(function, *args, **kwargs)
        except _UNAVAILABLE as error:
            raise StorageUnavailable() from error
        except httpx.HTTPStatusError as error:
            if error.response.status_code >= 500:
                raise StorageUnavailable() from error
            raise
        except cloudinary.exceptions.Error as error:
            # The Upload API raises the bare base class when the request did not get through,
            # the answer was not JSON (a gateway's error page) or its status has no class (502, 504).
            if type(error) is cloudinary.exceptions.Error:
                raise StorageUnavailable() from error
            raise


def _no_multipart() -> RuntimeError:
    return RuntimeError("Cloudinary takes large files as chunked uploads, not S3 multipart")


def _grouped(keys: list[str]) -> dict[tuple[ResourceType, DeliveryType], list[str]]:
    groups: dict[tuple[ResourceType, DeliveryType], list[str]] = defaultdict(list)
    for key in keys:
        asset = asset_for_key(key)
        groups[asset.resource_type, asset.delivery_type].append(asset.public_id)
    return groups


def _delivery_options(account: CloudinaryAccount, api_base: str | None) -> dict[str, Any]:
    """How `cloudinary_url` builds delivery URLs: Cloudinary's CDN (or the account's private
    one), or the API host itself when that is a test server rather than Cloudinary."""
    options: dict[str, Any] = {
        "cloud_name": account.cloud_name,
        "api_secret": account.api_secret,
        "signature_algorithm": account.signature_algorithm,
        "secure": True,
        "private_cdn": account.secure_distribution is not None,
        "secure_distribution": account.secure_distribution,
    }
    api = urlsplit(api_base or DEFAULT_API_BASE)
    if not api.netloc.endswith("cloudinary.com"):
        # The SDK then builds <scheme>://<host>/<cloud name>/<resource type>/<type>/…: from
        # `secure_distribution` over https, from `cname` over http.
        secure = api.scheme == "https"
        options.update(secure=secure, private_cdn=False, secure_distribution=api.netloc, cname=api.netloc)
    return options


def _read_head(url: str, length: int) -> bytes:
    head = bytearray()
    with (
        httpx.Client(timeout=HTTP_TIMEOUT, follow_redirects=True) as client,
        client.stream("GET", url, headers={"Range": f"bytes=0-{length - 1}"}) as response,
    ):
        response.raise_for_status()
        # A server that ignores Range answers 200 with the whole file: stop reading early.
        for chunk in response.iter_bytes():
            head += chunk
            if len(head) >= length:
                break
    return bytes(head[:length])


def _download(url: str, path: Path) -> None:
    with (
        httpx.Client(timeout=HTTP_TIMEOUT, follow_redirects=True) as client,
        client.stream("GET", url) as response,
    ):
        response.raise_for_status()
        with path.open("wb") as file:
            for chunk in response.iter_bytes(1024 * 1024):
                file.write(chunk)

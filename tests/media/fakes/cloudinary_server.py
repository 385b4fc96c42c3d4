"""A local Cloudinary for the tests, in memory: the Upload API (signed uploads, whole or in chunks,
and the signed `download` endpoint), the Admin API calls the storage makes (resource,
delete_resources, ping) and CDN delivery of public and signed asset URLs, all answering with
Cloudinary's documented JSON and `{"error": {"message": …}}` errors.

Signatures are checked as Cloudinary documents them, without the SDK's help, so a client that
signs wrongly fails here as it would there. The CDN lives on the same host, at
`/<cloud name>/<resource type>/<type>/…`, where the SDK's `cname`/`secure_distribution` options
point delivery URLs. `fail_next` makes Cloudinary have a bad moment.
"""

from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
import re
import struct
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

SIGNATURE_VALID_SECONDS = 3600  # an upload's timestamp, and a download URL without expires_at
UNSIGNED_PARAMS = frozenset({"file", "api_key", "resource_type", "cloud_name", "signature"})
DELETE_LIMIT = 100
MEDIA_RESOURCE_TYPES = {
    "png": "image",
    "jpg": "image",
    "gif": "image",
    "webp": "image",
    "mp4": "video",
    "mov": "video",
}
_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF8", "gif"),
    (b"%PDF", "pdf"),
]
_FORMAT_ALIASES = {"jpeg": "jpg"}

Handler = Callable[[Request], Awaitable[Response]]


class CloudinaryError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class StoredAsset:
    public_id: str
    resource_type: str
    type: str
    format: str | None  # None for raw files, whose public id keeps the extension
    data: bytes
    version: int
    created_at: str
    original_filename: str
    width: int | None = None
    height: int | None = None

    @property
    def source(self) -> str:
        """The public id with the format, as delivery URLs name the asset."""
        return f"{self.public_id}.{self.format}" if self.format else self.public_id


# --- Cloudinary's signatures, from its documentation --------------------------------------------


def string_to_sign(params: Mapping[str, str]) -> str:
    """The parameters as `k=v`, sorted, joined with `&` (an `&` inside one escaped as %26)."""
    return "&".join(sorted(f"{key}={value}".replace("&", "%26") for key, value in params.items() if value))


def api_signature(params: Mapping[str, str], secret: str, algorithm: str = "sha1") -> str:
    return hashlib.new(algorithm, (string_to_sign(params) + secret).encode()).hexdigest()


def delivery_signature(source: str, secret: str) -> str:
    """The `s--XXXXXXXX--` path segment of a signed delivery URL."""
    digest = hashlib.sha1((source + secret).encode()).digest()
    return f"s--{base64.urlsafe_b64encode(digest).decode()[:8]}--"


def _signature_matches(params: Mapping[str, str], signature: str, secret: str) -> bool:
    algorithm = "sha256" if len(signature) == 64 else "sha1"  # whichever the account signs with
    return api_signature(params, secret, algorithm) == signature


# --- what an uploaded file is --------------------------------------------------------------------


def detect_format(data: bytes, filename: str) -> str | None:
    """Cloudinary reads the format from the bytes; the file name's extension when it cannot."""
    for magic, format_ in _MAGIC:
        if data.startswith(magic):
            return format_
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp":
        return "mov" if data[8:12] == b"qt  " else "mp4"
    extension = PurePosixPath(filename).suffix.lstrip(".").lower()
    return _FORMAT_ALIASES.get(extension, extension) or None


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return None


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) of a single `bytes=` range, or None when it cannot be satisfied."""
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip())
    if match is None or match.groups() == ("", ""):
        return None
    first_text, last_text = match.groups()
    if first_text == "":
        first, last = max(size - int(last_text), 0), size - 1
    else:
        first = int(first_text)
        last = min(int(last_text), size - 1) if last_text else size - 1
    return (first, last) if first <= last and first < size else None


class FakeCloudinary:
    def __init__(
        self,
        cloud_name: str = "reelbyte-test",
        api_key: str = "614335564976464",
        api_secret: str = "reelbyte-fake-cloudinary-secret",
    ) -> None:
        self.cloud_name, self.api_key, self.api_secret = cloud_name, api_key, api_secret
        self.base_url = ""  # set once the server runs
        self.assets: dict[tuple[str, str, str], StoredAsset] = {}  # (resource type, type, public id)
        self.requests: list[tuple[str, str]] = []  # method, path
        self._chunks: dict[str, dict[int, bytes]] = {}  # X-Unique-Upload-Id → offset → bytes
        self._failures: list[int] = []
        self._version = int(time.time())
        self._lock = threading.Lock()
        api = f"/v1_1/{cloud_name}"
        self.app = Starlette(
            routes=[
                Route(f"{api}/ping", self._guarded(self.ping), methods=["GET"]),
                Route(
                    f"{api}/resources/{{resource_type}}/{{type}}",
                    self._guarded(self.delete),
                    methods=["DELETE"],
                ),
                Route(
                    f"{api}/resources/{{resource_type}}/{{type}}/{{public_id:path}}",
                    self._guarded(self.resource),
                    methods=["GET"],
                ),
                Route(f"{api}/{{resource_type}}/upload", self._guarded(self.upload), methods=["POST"]),
                Route(f"{api}/{{resource_type}}/download", self._guarded(self.download), methods=["GET"]),
                Route(
                    f"/{cloud_name}/{{resource_type}}/{{type}}/{{path:path}}",
                    self._guarded(self.deliver),
                    methods=["GET"],
                ),
            ]
        )

    @property
    def cloudinary_url(self) -> str:
        return f"cloudinary://{self.api_key}:{self.api_secret}@{self.cloud_name}"

    # --- what the test does on Cloudinary's side ---------------------------------------------

    def fail_next(self, status: int = 503, times: int = 1) -> None:
        self._failures.extend([status] * times)

    def reset(self) -> None:
        with self._lock:
            self.assets.clear()
            self.requests.clear()
            self._chunks.clear()
            self._failures.clear()

    def asset(self, resource_type: str, type_: str, public_id: str) -> StoredAsset | None:
        return self.assets.get((resource_type, type_, public_id))

    def delivery_url(self, asset: StoredAsset) -> str:
        signature = "" if asset.type == "upload" else delivery_signature(asset.source, self.api_secret) + "/"
        return (
            f"{self.base_url}/{self.cloud_name}/{asset.resource_type}/{asset.type}/"
            f"{signature}v{asset.version}/{asset.source}"
        )

    # --- plumbing ------------------------------------------------------------------------------

    def _guarded(self, handler: Handler) -> Handler:
        """Records the request, plays injected failures, turns CloudinaryError into its JSON."""

        async def guarded(request: Request) -> Response:
            self.requests.append((request.method, request.url.path))
            if self._failures:
                status = self._failures.pop(0)
                return _error(status, "General Error - Cloudinary is having a bad moment")
            try:
                return await handler(request)
            except CloudinaryError as error:
                return _error(error.status, error.message)

        return guarded

    def _check_basic_auth(self, request: Request) -> None:
        expected = base64.b64encode(f"{self.api_key}:{self.api_secret}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            raise CloudinaryError(401, "Invalid credentials")

    def _check_signed(self, params: Mapping[str, str]) -> None:
        """An Upload API call: the right api_key, a fresh timestamp, a matching signature."""
        if params.get("api_key") != self.api_key:
            raise CloudinaryError(401, f"Unknown API key {params.get('api_key', '')}")
        timestamp = params.get("timestamp", "")
        if not timestamp.isdigit():
            raise CloudinaryError(400, "Missing required parameter - timestamp")
        if int(timestamp) < time.time() - SIGNATURE_VALID_SECONDS:
            raise CloudinaryError(401, f"Stale request - reported time is {timestamp}, more than 1 hour ago")
        self._check_signature(params)

    def _check_signature(self, params: Mapping[str, str]) -> None:
        signed = {key: value for key, value in params.items() if key not in UNSIGNED_PARAMS}
        signature = params.get("signature", "")
        if not _signature_matches(signed, signature, self.api_secret):
            raise CloudinaryError(
                401, f"Invalid Signature {signature}. String to sign - '{string_to_sign(signed)}'."
            )

    def _next_version(self) -> int:
        self._version = max(self._version + 1, int(time.time()))
        return self._version

    def _find(self, resource_type: str, type_: str, public_id: str) -> StoredAsset:
        asset = self.asset(resource_type, type_, public_id)
        if asset is None:
            raise CloudinaryError(404, f"Resource not found - {public_id}")
        return asset

    def _describe(self, asset: StoredAsset) -> dict[str, Any]:
        folder, _, name = asset.public_id.rpartition("/")
        described: dict[str, Any] = {
            "asset_id": hashlib.md5(
                f"{asset.resource_type}/{asset.type}/{asset.public_id}".encode()
            ).hexdigest(),
            "public_id": asset.public_id,
            "version": asset.version,
            "version_id": hashlib.md5(str(asset.version).encode()).hexdigest(),
            "resource_type": asset.resource_type,
            "type": asset.type,
            "created_at": asset.created_at,
            "bytes": len(asset.data),
            "tags": [],
            "etag": hashlib.md5(asset.data).hexdigest(),
            "placeholder": False,
            "url": self.delivery_url(asset),
            "secure_url": self.delivery_url(asset),
            "asset_folder": folder,
            "display_name": name,
        }
        if asset.format:
            described["format"] = asset.format
        if asset.width is not None:
            described.update(width=asset.width, height=asset.height)
        return described

    # --- Upload API ------------------------------------------------------------------------------

    async def upload(self, request: Request) -> Response:
        form = await request.form()
        params = {key: value for key, value in form.multi_items() if isinstance(value, str)}
        self._check_signed(params)
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise CloudinaryError(400, "Missing required parameter - file")
        data = await file.read()
        content_range = request.headers.get("content-range")
        if content_range is not None:
            whole = self._add_chunk(request.headers.get("x-unique-upload-id", ""), content_range, data)
            if whole is None:  # more chunks to come
                return JSONResponse({"done": False, "public_id": params.get("public_id"), "bytes": len(data)})
            data = whole
        asset = self._store(request.path_params["resource_type"], params, file.filename or "file", data)
        answer = self._describe(asset)
        answer.update(
            signature=api_signature(
                {"public_id": asset.public_id, "version": str(asset.version)}, self.api_secret
            ),
            original_filename=PurePosixPath(file.filename or "file").stem,
            api_key=self.api_key,
        )
        return JSONResponse(answer)

    def _add_chunk(self, upload_id: str, content_range: str, data: bytes) -> bytes | None:
        """The whole file once every chunk of `upload_id` is in, else None."""
        match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", content_range.strip())
        if not upload_id or match is None:
            raise CloudinaryError(
                400, "Chunked upload needs Content-Range: bytes a-b/total and X-Unique-Upload-Id"
            )
        first, last, total = (int(group) for group in match.groups())
        if last - first + 1 != len(data) or last >= total:
            raise CloudinaryError(
                400, f"Content-Range {content_range} does not match a chunk of {len(data)} bytes"
            )
        with self._lock:
            chunks = self._chunks.setdefault(upload_id, {})
            chunks[first] = data
            if sum(len(chunk) for chunk in chunks.values()) < total:
                return None
            del self._chunks[upload_id]
        whole = b"".join(chunks[offset] for offset in sorted(chunks))
        if len(whole) != total:
            raise CloudinaryError(400, "The chunks overlap or leave gaps")
        return whole

    def _store(
        self, resource_type: str, params: Mapping[str, str], filename: str, data: bytes
    ) -> StoredAsset:
        detected = detect_format(data, filename)
        if resource_type == "auto":
            resource_type = MEDIA_RESOURCE_TYPES.get(detected or "", "raw")
        if resource_type not in {"image", "video", "raw"}:
            raise CloudinaryError(400, f"Invalid resource type {resource_type}")
        type_ = params.get("type") or "upload"
        public_id = (
            params.get("public_id") or base64.b32encode(hashlib.sha1(data).digest()).decode()[:20].lower()
        )
        existing = self.asset(resource_type, type_, public_id)
        if existing is not None and params.get("overwrite") in {"0", "false"}:
            return existing
        size = _png_size(data) if resource_type == "image" else None
        asset = StoredAsset(
            public_id=public_id,
            resource_type=resource_type,
            type=type_,
            format=None if resource_type == "raw" else detected,
            data=data,
            version=self._next_version(),
            created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            original_filename=PurePosixPath(filename).stem,
            width=size[0] if size else None,
            height=size[1] if size else None,
        )
        with self._lock:
            self.assets[resource_type, type_, public_id] = asset
        return asset

    async def download(self, request: Request) -> Response:
        """The signed, expiring URL of `cloudinary.utils.private_download_url`."""
        params = dict(request.query_params)
        if params.get("api_key") != self.api_key:
            raise CloudinaryError(401, f"Unknown API key {params.get('api_key', '')}")
        self._check_signature(params)
        deadline = (
            int(params["expires_at"])
            if params.get("expires_at")
            else int(params.get("timestamp") or 0) + 3600
        )
        if time.time() > deadline:
            raise CloudinaryError(401, "Download link expired")
        asset = self._find(
            request.path_params["resource_type"], params.get("type") or "upload", params["public_id"]
        )
        wanted = _FORMAT_ALIASES.get(params.get("format", ""), params.get("format"))
        if wanted and asset.format and wanted != asset.format:
            raise CloudinaryError(404, f"Resource not found - {asset.public_id}.{wanted}")
        return _serve(asset, request, attachment=params.get("attachment") in {"1", "true"})

    # --- Admin API -------------------------------------------------------------------------------

    async def ping(self, request: Request) -> Response:
        self._check_basic_auth(request)
        return JSONResponse({"status": "ok"})

    async def resource(self, request: Request) -> Response:
        self._check_basic_auth(request)
        path = request.path_params
        return JSONResponse(
            self._describe(self._find(path["resource_type"], path["type"], path["public_id"]))
        )

    async def delete(self, request: Request) -> Response:
        """delete_resources: `public_ids` in a JSON body (SDK 1.4x) or as `public_ids[]` fields."""
        self._check_basic_auth(request)
        public_ids = await _public_ids(request)
        if not public_ids:
            raise CloudinaryError(400, "Missing required parameter - public_ids")
        if len(public_ids) > DELETE_LIMIT:
            raise CloudinaryError(400, f"Too many public_ids: at most {DELETE_LIMIT} per request")
        resource_type, type_ = request.path_params["resource_type"], request.path_params["type"]
        deleted: dict[str, str] = {}
        with self._lock:
            for public_id in public_ids:
                found = self.assets.pop((resource_type, type_, public_id), None)
                deleted[public_id] = "deleted" if found else "not_found"
        counts = {
            public_id: {"original": int(state == "deleted"), "derived": 0}
            for public_id, state in deleted.items()
        }
        return JSONResponse({"deleted": deleted, "deleted_counts": counts, "partial": False})

    # --- CDN delivery ----------------------------------------------------------------------------

    async def deliver(self, request: Request) -> Response:
        """`<resource type>/<type>/[s--signature--/][v<version>/]<public id>[.<format>]`."""
        resource_type, type_ = request.path_params["resource_type"], request.path_params["type"]
        segments = request.path_params["path"].split("/")
        signature = segments.pop(0) if re.fullmatch(r"s--[\w-]{8,32}--", segments[0]) else None
        if segments and re.fullmatch(r"v\d+", segments[0]):
            segments.pop(0)
        source = "/".join(segments)
        if type_ != "upload" and signature != delivery_signature(source, self.api_secret):
            return Response(status_code=401, headers={"x-cld-error": "Signature mismatch or missing"})
        public_id, format_ = source, None
        if resource_type != "raw":
            public_id, _, format_ = source.rpartition(".")
        asset = self.asset(resource_type, type_, public_id)
        if asset is None or (format_ and _FORMAT_ALIASES.get(format_, format_) != asset.format):
            return Response(status_code=404, headers={"x-cld-error": "Resource not found"})
        return _serve(asset, request)


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": {"message": message}}, status_code=status)


async def _public_ids(request: Request) -> list[str]:
    if request.headers.get("content-type", "").startswith("application/json"):
        body = json.loads(await request.body() or b"{}")
        return [str(public_id) for public_id in body.get("public_ids") or []]
    form = await request.form()
    return [str(value) for value in form.getlist("public_ids[]")] or request.query_params.getlist(
        "public_ids[]"
    )


def _serve(asset: StoredAsset, request: Request, attachment: bool = False) -> Response:
    content_type = mimetypes.guess_type(f"file.{asset.format or PurePosixPath(asset.public_id).suffix[1:]}")[
        0
    ]
    headers = {"Accept-Ranges": "bytes", "Content-Type": content_type or "application/octet-stream"}
    if attachment:
        headers["Content-Disposition"] = f'attachment; filename="{PurePosixPath(asset.source).name}"'
    data, range_header = asset.data, request.headers.get("range")
    if range_header is None:
        return Response(data, headers=headers)
    span = _byte_range(range_header, len(data))
    if span is None:
        return Response(status_code=416, headers={"Content-Range": f"bytes */{len(data)}"})
    first, last = span
    headers["Content-Range"] = f"bytes {first}-{last}/{len(data)}"
    return Response(data[first : last + 1], status_code=206, headers=headers)

"""Any S3-compatible store (AWS S3, Cloudflare R2, MinIO, the embedded SeaweedFS) through boto3.

The browser uploads with presigned PUTs (SigV4 over the content type and length, so the store
itself refuses another size or type) or, for large files, presigned multipart part URLs (each
over its part's length).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import boto3
from botocore.client import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from reelbyte.media.storage.base import DirectUpload, StoredObject
from reelbyte.media.storage.errors import StorageUnavailable, UploadPartsInvalid

T = TypeVar("T")

_MISSING = {"404", "NoSuchKey", "NotFound", "NoSuchUpload"}
_BAD_PARTS = {"InvalidPart", "InvalidPartOrder", "EntityTooSmall"}


class S3Storage:
    name = "s3"
    supports_multipart = True

    def __init__(
        self,
        *,
        endpoint_url: str | None,
        bucket: str,
        access_key_id: str | None,
        secret_access_key: str | None,
        region: str,
        public_base_url: str,
    ) -> None:
        self.bucket = bucket
        self.public_base_url = public_base_url.rstrip("/")
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                connect_timeout=2,
                read_timeout=60,
                retries={"max_attempts": 2, "mode": "standard"},
            ),
        )

    # --- uploads from the browser ---------------------------------------------------------

    def direct_upload(self, key: str, content_type: str, size: int, expires_seconds: int) -> DirectUpload:
        url = self._presign(
            "put_object",
            {"Key": key, "ContentType": content_type, "ContentLength": size},
            expires_seconds,
        )
        return DirectUpload(method="PUT", url=url, headers={"Content-Type": content_type})

    async def start_multipart(self, key: str, content_type: str) -> str:
        response = await self._call(
            self.client.create_multipart_upload, Bucket=self.bucket, Key=key, ContentType=content_type
        )
        return str(response["UploadId"])

    def part_url(
        self, key: str, multipart_id: str, part_number: int, expires_seconds: int, *, size: int
    ) -> str:
        params = {"Key": key, "UploadId": multipart_id, "PartNumber": part_number, "ContentLength": size}
        return self._presign("upload_part", params, expires_seconds)

    async def complete_multipart(self, key: str, multipart_id: str, parts: list[tuple[int, str]]) -> None:
        listed = {"Parts": [{"PartNumber": number, "ETag": etag} for number, etag in parts]}
        try:
            await self._call(
                self.client.complete_multipart_upload,
                Bucket=self.bucket,
                Key=key,
                UploadId=multipart_id,
                MultipartUpload=listed,
            )
        except ClientError as error:
            if _code(error) in _BAD_PARTS | _MISSING:
                raise UploadPartsInvalid() from error
            raise

    async def abort_multipart(self, key: str, multipart_id: str) -> None:
        try:
            await self._call(
                self.client.abort_multipart_upload, Bucket=self.bucket, Key=key, UploadId=multipart_id
            )
        except ClientError as error:
            if _code(error) not in _MISSING:
                raise

    # --- server-side reads and writes -----------------------------------------------------

    async def stat(self, key: str) -> StoredObject | None:
        try:
            head = await self._call(self.client.head_object, Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _code(error) in _MISSING:
                return None
            raise
        return StoredObject(size=int(head["ContentLength"]), content_type=head.get("ContentType"))

    async def read_head(self, key: str, length: int) -> bytes:
        def read() -> bytes:
            response = self.client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{length - 1}")
            return bytes(response["Body"].read())

        return await self._call(read)

    async def download(self, key: str, path: Path) -> None:
        await self._call(self.client.download_file, self.bucket, key, str(path))

    async def put_file(self, key: str, path: Path, content_type: str) -> None:
        extra = {"ContentType": content_type}
        await self._call(self.client.upload_file, str(path), self.bucket, key, ExtraArgs=extra)

    async def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):  # DeleteObjects takes up to 1,000 keys
            batch = {"Objects": [{"Key": key} for key in keys[start : start + 1000]], "Quiet": True}
            await self._call(self.client.delete_objects, Bucket=self.bucket, Delete=batch)

    # --- reads by the browser -------------------------------------------------------------

    def signed_url(self, key: str, expires_seconds: int, download_name: str | None = None) -> str:
        params: dict[str, Any] = {"Key": key}
        if download_name is not None:
            params["ResponseContentDisposition"] = f"attachment; filename*=UTF-8''{quote(download_name)}"
        return self._presign("get_object", params, expires_seconds)

    def public_url(self, key: str) -> str:
        return f"{self.public_base_url}/{key}"

    async def ping(self) -> None:
        await self._call(self.client.head_bucket, Bucket=self.bucket)

    # --- plumbing -------------------------------------------------------------------------

    def _presign(self, operation: str, params: dict[str, Any], expires_seconds: int) -> str:
        return str(
            self.client.generate_presigned_url(
                operation, Params={"Bucket": self.bucket, **params}, ExpiresIn=expires_seconds
            )
        )

    async def _call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking boto3 call in a thread; a store that cannot be reached is a 503."""
        try:
            return await asyncio.to_thread(function, *args, **kwargs)
        except (EndpointConnectionError, BotoCoreError) as error:
            raise StorageUnavailable() from error
        except ClientError as error:
            if _status(error) >= 500:
                raise StorageUnavailable() from error
            raise


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))

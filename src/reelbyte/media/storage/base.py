"""What every storage backend offers the media domain: direct uploads from the browser, reads
through signed (private) or public URLs, and the few server-side operations the jobs need.

The network calls are coroutines (the clients are synchronous, so they run in a thread);
signing a URL is local work and stays a plain function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol


@dataclass(frozen=True, slots=True)
class DirectUpload:
    """How the browser sends the file: a PUT of the bytes, or a POST of a form with `fields`."""

    method: Literal["PUT", "POST"]
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredObject:
    size: int
    content_type: str | None


class Storage(Protocol):
    name: str
    # Large files go up in parts (S3 multipart); a backend without it takes one request (or its
    # own chunked protocol, as Cloudinary's upload API does).
    supports_multipart: bool

    def direct_upload(self, key: str, content_type: str, size: int, expires_seconds: int) -> DirectUpload: ...

    async def start_multipart(self, key: str, content_type: str) -> str: ...

    # `size` is the part's length, signed, so that the store refuses a part cut short.
    def part_url(
        self, key: str, multipart_id: str, part_number: int, expires_seconds: int, *, size: int
    ) -> str: ...

    async def complete_multipart(self, key: str, multipart_id: str, parts: list[tuple[int, str]]) -> None: ...

    async def abort_multipart(self, key: str, multipart_id: str) -> None: ...

    async def stat(self, key: str) -> StoredObject | None: ...

    async def read_head(self, key: str, length: int) -> bytes: ...

    async def download(self, key: str, path: Path) -> None: ...

    async def put_file(self, key: str, path: Path, content_type: str) -> None: ...

    async def delete(self, keys: list[str]) -> None: ...

    def signed_url(self, key: str, expires_seconds: int, download_name: str | None = None) -> str: ...

    def public_url(self, key: str) -> str: ...

    async def ping(self) -> None: ...

"""Privacy helpers: ask for an export, list them, download one and read its ZIP."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import httpx

from tests.factories import Headers
from tests.media.uploading import download

EXPORTS = "/v1/users/me/exports"


async def ask_for_export(client: httpx.AsyncClient, headers: Headers) -> dict[str, Any]:
    response = await client.post("/v1/users/me/export", headers=headers)
    assert response.status_code == 202, response.text
    return dict(response.json())


async def my_exports(client: httpx.AsyncClient, headers: Headers) -> list[dict[str, Any]]:
    response = await client.get(EXPORTS, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def downloaded_zip(url: str) -> dict[str, Any]:
    """The ZIP at `url` (a storage link, fetched as a browser would): each file by name, the
    JSON ones parsed."""
    response = await download(url)
    assert response.status_code == 200, response.text
    files: dict[str, Any] = {}
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        for name in archive.namelist():
            content = archive.read(name).decode()
            files[name] = json.loads(content) if name.endswith(".json") else content
    return files

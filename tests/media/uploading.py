"""Uploading as a browser does: start through the API, send the bytes straight to the storage
server over real HTTP, complete through the API; then run the processing jobs."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import run_jobs
from tests.factories import Headers

KIND_OF = {"video": "video", "image": "image", "application": "document"}


def upload_body(
    path: Path, purpose: str, /, target_id: str | None = None, **overrides: Any
) -> dict[str, Any]:
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    body = {
        "filename": path.name,
        "size": path.stat().st_size,
        "content_type": content_type,
        "purpose": purpose,
        "target_id": target_id,
    }
    return {**body, **overrides}


def kind_of(body: dict[str, Any]) -> str:
    return KIND_OF[body["content_type"].split("/")[0]]


async def start(
    client: httpx.AsyncClient, headers: Headers, body: dict[str, Any], kind: str | None = None
) -> httpx.Response:
    return await client.post(f"/v1/uploads/{kind or kind_of(body)}", json=body, headers=headers)


async def send(started: dict[str, Any], data: bytes) -> httpx.Response:
    """PUT (or POST as a form) the bytes where the API said, as a browser would."""
    single = started["single"]
    async with httpx.AsyncClient(timeout=60) as storage:
        if single["method"] == "PUT":
            return await storage.put(single["url"], content=data, headers=single["headers"])
        return await storage.post(single["url"], data=single["fields"], files={"file": ("upload", data)})


async def complete(
    client: httpx.AsyncClient, headers: Headers, upload_id: str, **body: Any
) -> httpx.Response:
    return await client.post(f"/v1/uploads/{upload_id}/complete", json=body, headers=headers)


async def uploaded(
    client: httpx.AsyncClient,
    headers: Headers,
    path: Path,
    purpose: str,
    target_id: str | None = None,
    *,
    process: bool = True,
) -> dict[str, Any]:
    """Upload a small file all the way: started, sent, completed and (by default) processed."""
    response = await start(client, headers, upload_body(path, purpose, target_id))
    assert response.status_code == 201, response.text
    started = response.json()
    stored = await send(started, path.read_bytes())
    assert stored.status_code in (200, 201, 204), stored.text
    done = await complete(client, headers, started["upload"]["id"])
    assert done.status_code == 200, done.text
    if not process:
        return dict(done.json())
    await run_jobs()
    return await fetched(client, headers, started["upload"]["id"])


async def fetched(client: httpx.AsyncClient, headers: Headers | None, upload_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/uploads/{upload_id}", headers=headers or {})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def download(url: str, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=60, follow_redirects=False) as http:
        return await http.get(url, headers=headers)

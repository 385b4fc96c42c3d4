"""Request content rules shared by the JSON API."""

from __future__ import annotations

from fastapi import Request

from reelbyte.core.errors import UnsupportedMediaType, raises

BODY_METHODS = {"POST", "PUT", "PATCH"}


@raises(UnsupportedMediaType)
async def require_json(request: Request) -> None:
    """A request that carries a body must say it is JSON (415 otherwise)."""
    if request.method not in BODY_METHODS:
        return
    has_body = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
    if not has_body:
        return
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise UnsupportedMediaType(
            "Send the body as JSON with Content-Type: application/json.",
            details={"content_type": media_type or None},
        )

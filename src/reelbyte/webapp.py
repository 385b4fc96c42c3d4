"""The built web app (`web/dist`, made by `npm run build` in `web/`) served at `/` beside the API.

Hashed assets (`/assets/…`) are cached for a year, `index.html` never: a new build is picked up
at the next page load. Every other GET that names no file and is not one of the server's own
paths gets `index.html`, so that the app's routes (`/gigs/…`, `/login`) open directly and survive
a reload (history-API fallback); the API's unknown paths keep their JSON 404.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse
from starlette.types import Receive, Scope, Send

from reelbyte.core.config import Settings

WEB_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
# The server's own paths: never the app's, so a typo there is a 404, not the app's shell.
SERVER_PATHS = ("v1/", "ws/", "docs", "redoc", "openapi.json", "health", "metrics", "account/", "sandbox/")
IMMUTABLE = "public, max-age=31536000, immutable"


def add_web_app(app: FastAPI, settings: Settings, dist: Path = WEB_DIST) -> bool:
    """Serve the built app from `dist`, if it was built; whether it was.

    It answers only what no route does (the router's `default`), so an API path asked with a
    method it does not take still gets its 405, and an unknown one its JSON 404."""
    index = dist / "index.html"
    if not index.is_file():
        return False
    root = dist.resolve()
    shell_headers = {"Cache-Control": "no-cache", "Content-Security-Policy": app_csp(settings)}
    not_found = app.router.default

    async def web_app(scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", "/")).lstrip("/")
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or path.startswith(SERVER_PATHS):
            await not_found(scope, receive, send)
            return
        file = _built_file(root, path)
        if file is None:
            response = FileResponse(index, headers=shell_headers)
        else:
            cache = IMMUTABLE if path.startswith("assets/") else "no-cache"
            response = FileResponse(file, headers={"Cache-Control": cache})
        await response(scope, receive, send)

    app.router.default = web_app
    app.state.serves_web_app = True  # the payment return page sends the payer on to the app
    return True


def serves_web_app(request: Request) -> bool:
    """Whether this server serves the web app: the server's own pages then send people on to it."""
    return bool(getattr(request.app.state, "serves_web_app", False))


def _built_file(root: Path, path: str) -> Path | None:
    """The file `path` names inside the build, or None (nothing outside it is ever served)."""
    if not path:
        return None
    candidate = (root / path).resolve()
    if candidate != root and root in candidate.parents and candidate.is_file():
        return candidate
    return None


def app_csp(settings: Settings) -> str:
    """The app's own scripts and styles only (inline styles: Radix sets some); pictures, videos
    and uploads also from the media store, which may be another origin (S3, a CDN)."""
    media = " ".join(sorted(_origins(settings.s3_endpoint_url, settings.media_public_base_url))) + " https:"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: blob: {media}; media-src 'self' blob: {media}; "
        f"connect-src 'self' {media}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )


def _origins(*urls: str | None) -> set[str]:
    found = set()
    for url in urls:
        if url:
            parts = urlsplit(url)
            found.add(f"{parts.scheme}://{parts.netloc}")
    return found

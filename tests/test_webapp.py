"""The built web app served beside the API: files from the build with their cache headers, the
app's shell for its own routes, and the server's own paths left alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from reelbyte.core.config import Settings
from reelbyte.main import create_app
from reelbyte.webapp import IMMUTABLE, add_web_app

SHELL = b"<!doctype html><div id=root></div>"


@pytest.fixture
def build(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_bytes(SHELL)
    (dist / "assets" / "home-3f2a.js").write_text("export {};")
    (dist / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("outside the build")
    return dist


@pytest.fixture
async def web(settings: Settings, build: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    assert add_web_app(app, settings, build)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        yield http


async def test_hashed_assets_are_cached_for_a_year_and_the_shell_never(web: httpx.AsyncClient) -> None:
    asset = await web.get("/assets/home-3f2a.js")
    assert (asset.status_code, asset.headers["cache-control"]) == (200, IMMUTABLE)
    assert asset.text == "export {};"
    icon = await web.get("/favicon.svg")
    assert (icon.status_code, icon.headers["cache-control"]) == (200, "no-cache")
    home = await web.get("/")
    assert (home.status_code, home.content, home.headers["cache-control"]) == (200, SHELL, "no-cache")
    assert "script-src 'self'" in home.headers["content-security-policy"]


@pytest.mark.parametrize("route", ["/gigs/wedding-teaser", "/login", "/settings", "/search?q=drone"])
async def test_the_apps_routes_open_directly(web: httpx.AsyncClient, route: str) -> None:
    response = await web.get(route)
    assert (response.status_code, response.content) == (200, SHELL)


@pytest.mark.parametrize("path", ["/v1/nope", "/ws/nope", "/health/nope", "/account/nope"])
async def test_the_servers_own_paths_keep_their_404(web: httpx.AsyncClient, path: str) -> None:
    response = await web.get(path)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


async def test_the_api_is_still_the_api(web: httpx.AsyncClient) -> None:
    response = await web.get("/v1/categories")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt"])
async def test_nothing_outside_the_build_is_served(web: httpx.AsyncClient, path: str) -> None:
    response = await web.get(path)
    assert b"outside the build" not in response.content


async def test_a_method_an_api_path_does_not_take_is_still_405(web: httpx.AsyncClient) -> None:
    response = await web.get("/v1/auth/login")
    assert response.status_code == 405


def test_without_a_build_nothing_is_added(settings: Settings, tmp_path: Path) -> None:
    app = create_app(settings)
    default = app.router.default
    assert not add_web_app(app, settings, tmp_path / "missing")
    assert app.router.default == default


@pytest.mark.parametrize("page", ["verify-email", "reset-password"])
async def test_the_e_mailed_links_go_on_to_the_apps_own_pages(web: httpx.AsyncClient, page: str) -> None:
    response = await web.get(f"/account/{page}", params={"token": "abc+/="})

    assert response.status_code == 303
    assert response.headers["location"] == f"/{page}?token=abc%2B%2F%3D"

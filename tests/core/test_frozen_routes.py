"""The app's routers are frozen once it is built (core/routing.py, `APIRouter.freeze`): their
route versions are taken once instead of re-derived from every router's routes on each request."""

from __future__ import annotations

import fastapi
import httpx
import pytest

from reelbyte.core.config import Settings
from reelbyte.core.routing import APIRouter, prepare_method_rules
from reelbyte.main import create_app


def _included_routers(app: fastapi.FastAPI) -> list[APIRouter]:
    found: list[APIRouter] = []
    pending = [getattr(route, "original_router", None) for route in app.routes]
    while pending:
        router = pending.pop()
        if isinstance(router, APIRouter):
            found.append(router)
            pending += [getattr(route, "original_router", None) for route in router.routes]
    return found


def test_fastapi_still_derives_route_versions_the_way_freezing_overrides() -> None:
    # An upgrade renaming these would silently undo the freeze: this says so instead.
    assert callable(fastapi.APIRouter._get_routes_version)
    assert callable(fastapi.APIRouter._mark_routes_changed)


def test_every_included_router_is_frozen_and_refuses_new_routes(settings: Settings) -> None:
    app = create_app(settings)
    routers = _included_routers(app)
    assert len(routers) > 20
    assert all(router._frozen_version is not None for router in routers)

    async def late() -> None: ...

    with pytest.raises(RuntimeError, match="frozen"):
        routers[0].add_api_route("/late", late, methods=["GET"])


async def test_a_router_built_after_the_app_still_routes(settings: Settings) -> None:
    app = create_app(settings)
    extra = APIRouter(prefix="/v1/extra")

    @extra.get("/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "yes"}

    app.include_router(extra)  # not frozen: FastAPI notices the new routes as usual
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        assert (await http.get("/v1/extra/ping")).json() == {"pong": "yes"}
        assert (await http.get("/health")).status_code == 200


async def test_the_405_rule_is_ready_before_the_first_request(settings: Settings) -> None:
    # The rule reads the OpenAPI, a second or two to build: `serve`'s lifespan builds it then,
    # not the first request (which stalled every request that arrived with it).
    app = create_app(settings)
    assert app.openapi_schema is None
    prepare_method_rules(app)
    assert app.openapi_schema is not None
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        refused = await http.delete("/health")
    assert refused.status_code == 405
    assert refused.headers["allow"] == "GET"

"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Depends, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from reelbyte.core.config import get_settings
from reelbyte.core.db import get_database
from reelbyte.core.errors import MetricsForbidden, error_response, raises
from reelbyte.core.metrics import refresh_shared_figures
from reelbyte.core.ratelimit import client_ip
from reelbyte.core.redis import get_redis
from reelbyte.core.routing import APIRouter

router = APIRouter(tags=["health"])

CHECK_TIMEOUT_SECONDS = 2.0
# Further dependencies that readiness checks, by name (the media domain adds its storage).
readiness_checks: dict[str, Callable[[], Awaitable[None]]] = {}


@router.get("/health")
async def health() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get(
    "/health/ready", responses={503: {"description": "PostgreSQL, Redis or file storage does not answer"}}
)
async def ready() -> JSONResponse:
    """PostgreSQL, Redis and file storage all answer."""
    probes = {"database": _ping_database, "redis": _ping_redis, **readiness_checks}
    checks = {name: await _check(probe()) for name, probe in probes.items()}
    if all(result == "ok" for result in checks.values()):
        return JSONResponse({"status": "ready", "checks": checks})
    return error_response(503, "not_ready", "A dependency does not answer.", {"checks": checks})


async def _ping_database() -> None:
    async with get_database().engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def _ping_redis() -> None:
    await get_redis().ping()


async def _check(probe: Any) -> str:
    try:
        await asyncio.wait_for(probe, CHECK_TIMEOUT_SECONDS)
    except Exception as error:  # any failure means "not ready"; say which kind
        return f"error: {type(error).__name__}"
    return "ok"


@raises(MetricsForbidden)
async def metrics_reader(request: Request) -> None:
    """Metrics tell much about the traffic: only METRICS_ALLOWED_IPS or the METRICS_TOKEN bearer."""
    settings = get_settings()
    if settings.metrics_token and _bearer_matches(request, settings.metrics_token):
        return
    if not _address_in(client_ip(request), settings.metrics_allowed_ips):
        raise MetricsForbidden()


def _bearer_matches(request: Request, token: str) -> bool:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode(), token.encode())


def _address_in(address: str, networks: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # a dual-stack socket shows IPv4 clients as ::ffff:a.b.c.d
    return any(ip in ipaddress.ip_network(network, strict=False) for network in networks)


@router.get("/metrics", include_in_schema=False, dependencies=[Depends(metrics_reader)])
async def metrics() -> Response:
    await refresh_shared_figures()
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from reelbyte.core.db import get_database
from reelbyte.core.errors import error_response
from reelbyte.core.redis import get_redis
from reelbyte.core.routing import APIRouter

router = APIRouter(tags=["health"])

CHECK_TIMEOUT_SECONDS = 2.0


@router.get("/health")
async def health() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/health/ready", responses={503: {"description": "PostgreSQL or Redis does not answer"}})
async def ready() -> JSONResponse:
    """PostgreSQL and Redis both answer."""
    checks = {
        "database": await _check(_ping_database()),
        "redis": await _check(_ping_redis()),
    }
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


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI

from reelbyte.core.config import Settings, get_settings
from reelbyte.core.content import require_json
from reelbyte.core.errors import install_error_handlers
from reelbyte.core.health import router as health_router
from reelbyte.core.middleware import (
    BodySizeLimitMiddleware,
    CORSMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
    TrustedHostMiddleware,
)
from reelbyte.core.ratelimit import global_rate_limit
from reelbyte.core.runtime import Runtime
from reelbyte.identity.pages import pages_router
from reelbyte.identity.router import auth_router, token_router, users_router

MAX_BODY_BYTES = 1024 * 1024

TAGS = [
    {
        "name": "auth",
        "description": "Register, log in, refresh and end sessions, verify e-mail, reset passwords.",
    },
    {"name": "users", "description": "Your account and profile, public profiles and video portfolios."},
    {"name": "health", "description": "Liveness and readiness probes."},
]

DESCRIPTION = """
ReelByte is a video-first freelance marketplace: creators sell video work as gigs and bid on
client projects; clients hire and pay into escrow.

Errors always look like `{"error": "code", "message": "human text", "details": …}`.
Money is `{"currency": "EUR", "value": "12.50"}`. Authenticate with **Authorize** (your e-mail as
the username) or send `Authorization: Bearer <access token>`.
"""


def api_router() -> APIRouter:
    json_only = [Depends(require_json)]
    v1 = APIRouter(prefix="/v1", dependencies=[Depends(global_rate_limit)])
    v1.include_router(auth_router, dependencies=json_only)
    v1.include_router(token_router)  # OAuth2 password flow posts a form
    v1.include_router(users_router, dependencies=json_only)
    return v1


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the app. With a `runtime`, the app starts and stops it with its lifespan."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if runtime is not None:
            await runtime.start()
        try:
            yield
        finally:
            if runtime is not None:
                await runtime.stop()

    app = FastAPI(
        title="ReelByte API",
        version="0.1.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        swagger_ui_parameters={"persistAuthorization": True},
    )
    install_error_handlers(app)
    app.include_router(health_router)
    app.include_router(pages_router)
    app.include_router(api_router())

    # Added innermost first: the security headers wrap everything else, so that they are also on
    # the 500 the request-context middleware sends for an unhandled exception.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
        expose_headers=[
            "X-Request-ID",
            "Retry-After",
            "RateLimit-Limit",
            "RateLimit-Remaining",
            "RateLimit-Reset",
        ],
    )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    return app

"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from reelbyte import registry
from reelbyte.admin.router import admin_router
from reelbyte.billing.portal_pages import portal_pages_router
from reelbyte.billing.router import admin_billing_router, billing_router
from reelbyte.billing.sandbox_pages import billing_pages_router
from reelbyte.billing.usage_router import usage_router
from reelbyte.billing.webhooks_router import document_webhook_events, outgoing_webhooks_router
from reelbyte.catalog.pages import version_watch
from reelbyte.catalog.router import router as catalog_router
from reelbyte.core.config import Settings, get_settings
from reelbyte.core.content import require_json
from reelbyte.core.errors import install_error_handlers
from reelbyte.core.health import router as health_router
from reelbyte.core.middleware import EdgeMiddleware
from reelbyte.core.ratelimit import global_rate_limit
from reelbyte.core.routing import APIRouter, freeze_routes, guarded_by, prepare_method_rules, publish_openapi
from reelbyte.core.runtime import Runtime
from reelbyte.core.telemetry import instrument_app
from reelbyte.identity.api_keys_router import api_keys_router
from reelbyte.identity.pages import pages_router
from reelbyte.identity.router import auth_router, set_presence_lookup, token_router, users_router
from reelbyte.media.notifications import notifications_router as upload_notifications_router
from reelbyte.media.router import media_router, uploads_router
from reelbyte.messaging import presence
from reelbyte.messaging.hub import hub
from reelbyte.messaging.router import (
    blocks_router,
    conversations_router,
    messages_router,
    reports_router,
    ws_ticket_router,
)
from reelbyte.messaging.ws import ws_router
from reelbyte.notifications.router import notifications_router
from reelbyte.orders.comments_router import comments_router, delivery_comments_router
from reelbyte.orders.router import (
    admin_disputes_router,
    admin_orders_router,
    milestones_router,
    orders_router,
)
from reelbyte.payments.payout_router import payout_methods_router, payout_pages_router
from reelbyte.payments.paypal_webhook import paypal_webhook_router
from reelbyte.payments.refund_router import order_refunds_router, refund_requests_router
from reelbyte.payments.router import (
    invoices_router,
    milestone_funding_router,
    payments_router,
    webhooks_router,
)
from reelbyte.payments.sandbox_pages import payment_pages_router
from reelbyte.payments.statement_router import statements_router
from reelbyte.payments.stripe_webhook import stripe_webhook_router
from reelbyte.privacy.router import privacy_router
from reelbyte.projects.router import projects_router, proposals_router
from reelbyte.reviews.router import admin_reviews_router, order_reviews_router, reviews_router
from reelbyte.search.router import search_router
from reelbyte.studio.router import video_jobs_router
from reelbyte.webapp import add_web_app

MAX_BODY_BYTES = 1024 * 1024

# The API's sections in /docs, in this order: name → what it holds.
TAG_DESCRIPTIONS = {
    "auth": "Register, log in, refresh and end sessions, verify e-mail, reset passwords.",
    "users": "Your account and profile, public profiles and video portfolios.",
    "api-keys": "Keys for third-party integrations (Pro and Premium): create (shown once), list, revoke.",
    "projects": "Client projects: post, browse, edit, cancel; invite creators to invite-only ones.",
    "proposals": "Creators' bids on projects: send, edit, withdraw; the client shortlists, accepts, rejects.",
    "search": "Full-text search over gigs, creators and projects; suggestions as you type.",
    "categories": "The two-level tree of video categories.",
    "tags": "The most used gig tags.",
    "gigs": "Creators' offers with Basic, Standard and Premium packages; lists and filters.",
    "orders": "Orders and their state machine: delivery, revisions, approval, cancellation, disputes and milestones.",
    "payments": "Checkout into escrow, provider webhooks, balances, transaction history, withdrawals.",
    "billing": "Creator plans: the plans, checkout, my subscription, the customer portal, cancel and resume; my usage against the plan's limits.",
    "messaging": "Conversations, messages, read state, blocks, reports, WebSocket tickets.",
    "notifications": "Your notifications: list, unread count, mark read, delete (live ones over /v1/ws/notifications).",
    "reviews": "Double-blind reviews of completed orders, and the summaries ratings are read from.",
    "uploads": "Files sent straight to storage: start, upload (presigned), complete; probed and previewed by jobs.",
    "video-jobs": "The creator's video tools: trims (with a re-frame) and auto-hooks of my videos, run as jobs with progress; results, downloads, cancel.",
    "webhooks": "Outgoing webhooks (Premium, and admins for the platform): endpoints, signing secrets, the delivery log; the events are under `webhooks` in the OpenAPI.",
    "admin": "Administration: users (verify, suspend), reports, disputes, reviews, the category tree, plans, analytics and billing figures, the audit log.",
    "health": "Liveness and readiness probes.",
}
TAGS = [{"name": name, "description": text} for name, text in TAG_DESCRIPTIONS.items()]

DESCRIPTION = """
ReelByte is a video-first freelance marketplace: creators sell video work as gigs and bid on
client projects; clients hire and pay into escrow.

Errors always look like `{"error": "code", "message": "human text", "details": …}`.
Money is `{"currency": "EUR", "value": "12.50"}`. Authenticate with **Authorize** (your e-mail as
the username) or send `Authorization: Bearer <access token>`. Integrations use API keys
(`Authorization: Bearer rb_live_…` or `X-API-Key`), limited to their scopes: see docs/api.md.
"""


def api_router() -> APIRouter:
    json_only = guarded_by(Depends(require_json))
    v1 = APIRouter(prefix="/v1", **guarded_by(Depends(global_rate_limit)))
    # FastAPI tries routes in the order they were included: the most requested come first
    # (gig pages and lists, then search), so that they are found after the fewest tries.
    v1.include_router(catalog_router, **json_only)
    v1.include_router(search_router)
    for router in (
        auth_router,
        users_router,
        api_keys_router,
        usage_router,
        billing_router,
        admin_billing_router,
        outgoing_webhooks_router,
        privacy_router,
        projects_router,
        proposals_router,
        orders_router,
        milestones_router,
        delivery_comments_router,
        comments_router,
        admin_disputes_router,
        admin_orders_router,
        admin_reviews_router,
        admin_router,
        statements_router,
        refund_requests_router,  # before payments_router: /payments/refunds is no payment id
        order_refunds_router,
        payout_methods_router,
        payments_router,
        milestone_funding_router,
        conversations_router,
        messages_router,
        blocks_router,
        reports_router,
        notifications_router,
        reviews_router,
        order_reviews_router,
        uploads_router,
        video_jobs_router,
    ):
        v1.include_router(router, **json_only)
    # Bodies that are not JSON: the OAuth2 password flow posts a form; the rest take no body.
    for router in (token_router, invoices_router, ws_ticket_router, media_router):
        v1.include_router(router)
    return v1


def create_app(
    settings: Settings | None = None, runtime: Runtime | None = None, *, web_app: bool = False
) -> FastAPI:
    """Build the app. With a `runtime`, the app starts and stops it with its lifespan; with
    `web_app`, it also serves the built web app (web/dist) at `/`."""
    settings = settings or get_settings()
    registry.load()

    @asynccontextmanager
    async def lifespan(served: FastAPI) -> AsyncIterator[None]:
        if runtime is not None:
            await runtime.start()
            await hub.start()  # the WebSocket hub's Redis subscriber (messaging/hub.py)
            assert settings.database_url is not None
            await version_watch.start(settings.database_url)  # catalog/pages.py
            prepare_method_rules(served)
        try:
            yield
        finally:
            if runtime is not None:
                await version_watch.stop()
                await hub.stop()
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
    publish_openapi(app)
    document_webhook_events(app)  # what we POST to users' endpoints, in OpenAPI's `webhooks`
    app.include_router(health_router)
    app.include_router(pages_router)
    app.include_router(api_router())
    app.include_router(webhooks_router, prefix="/v1")  # providers: forms, no per-IP limit
    app.include_router(stripe_webhook_router, prefix="/v1")  # Stripe: signed JSON, no per-IP limit
    app.include_router(paypal_webhook_router, prefix="/v1")  # PayPal: verified by PayPal, no per-IP limit
    app.include_router(upload_notifications_router, prefix="/v1")  # Cloudinary: signed JSON, no per-IP limit
    app.include_router(payment_pages_router)
    app.include_router(payout_pages_router)  # the sandbox's onboarding, the e-mailed confirmation link
    app.include_router(billing_pages_router)  # the sandbox's checkout and portal, the checkout's return
    app.include_router(portal_pages_router)  # our billing portal for providers without one (Mollie)
    app.include_router(ws_router)  # /ws/chat, /ws/notifications (tickets from /v1/ws/ticket)
    app.state.serves_web_app = False
    if web_app:
        add_web_app(app, settings)  # answers only what no route does
    set_presence_lookup(presence.lookup)
    freeze_routes(app)

    app.add_middleware(
        EdgeMiddleware,
        allowed_hosts=settings.allowed_hosts,
        max_body_bytes=MAX_BODY_BYTES,
        cors={
            "allow_origins": settings.allowed_origins,
            "allow_credentials": True,
            "allow_methods": ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            "allow_headers": [
                "Authorization",
                "Content-Type",
                "Idempotency-Key",
                "X-Request-ID",
                "X-Read-Primary",
            ],
            "expose_headers": [
                "X-Request-ID",
                "Retry-After",
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
            ],
        },
    )
    instrument_app(app)  # outermost, when tracing is on (core/telemetry.py)
    return app

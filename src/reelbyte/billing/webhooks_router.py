"""HTTP routes of outgoing webhooks (under /v1), and the events' documentation in OpenAPI."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, status
from pydantic import BaseModel

from reelbyte.billing import errors, webhooks
from reelbyte.billing.models import DeliveryStatus
from reelbyte.billing.webhook_schemas import (
    EVENT_DATA,
    EndpointCreate,
    EndpointOut,
    EndpointUpdate,
    EndpointWithSecret,
    WebhookDeliveryOut,
    WebhookDeliveryPage,
    WebhookEvent,
)
from reelbyte.core.errors import InvalidCursor, error_responses
from reelbyte.core.pagination import Page, PageParams, page_params
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.identity.api_keys import ApiScope
from reelbyte.identity.deps import CurrentUser, require_scope

# API keys with the webhooks:write scope may manage endpoints (an integration registering itself).
outgoing_webhooks_router = APIRouter(
    prefix="/webhooks", tags=["webhooks"], dependencies=[Depends(require_scope(ApiScope.WEBHOOKS_WRITE))]
)

Pages = Annotated[PageParams, Depends(page_params)]
CHANGE_ERRORS = (errors.PlanHasNoWebhooks, errors.WebhookEndpointNotFound)


@outgoing_webhooks_router.post(
    "/endpoints",
    status_code=status.HTTP_201_CREATED,
    response_model=EndpointWithSecret,
    responses=error_responses(
        errors.PlanHasNoWebhooks, errors.WebhookUrlNotAllowed, errors.WebhookEndpointLimit
    ),
)
async def create_endpoint(data: EndpointCreate, user: CurrentUser, session: SessionDep) -> EndpointWithSecret:
    """Register a URL to receive events (Premium, or an admin for the whole platform's events).

    The answer holds the signing secret, shown only this once. The URL's host must resolve to
    public addresses only (checked now, and again at every delivery)."""
    return await webhooks.create_endpoint(session, user, data)


@outgoing_webhooks_router.get("/endpoints", response_model=Page[EndpointOut])
async def list_endpoints(user: CurrentUser, session: SessionDep, params: Pages) -> Page[EndpointOut]:
    """My endpoints, oldest first (without their secrets)."""
    return await webhooks.list_endpoints(session, user, params)


@outgoing_webhooks_router.get(
    "/endpoints/{endpoint_id}",
    response_model=EndpointOut,
    responses=error_responses(errors.WebhookEndpointNotFound),
)
async def get_endpoint(endpoint_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> EndpointOut:
    return await webhooks.get_endpoint(session, user, endpoint_id)


@outgoing_webhooks_router.put(
    "/endpoints/{endpoint_id}",
    response_model=EndpointOut,
    responses=error_responses(*CHANGE_ERRORS, errors.WebhookUrlNotAllowed),
)
async def update_endpoint(
    endpoint_id: uuid.UUID, changes: EndpointUpdate, user: CurrentUser, session: SessionDep
) -> EndpointOut:
    """Change the URL, the events or the description; `is_active` pauses the endpoint or turns
    a disabled one back on. Only the fields sent change."""
    return await webhooks.update_endpoint(session, user, endpoint_id, changes)


@outgoing_webhooks_router.delete(
    "/endpoints/{endpoint_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(errors.WebhookEndpointNotFound),
)
async def delete_endpoint(endpoint_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    """Delete the endpoint with its delivery log; its pending deliveries are dropped."""
    await webhooks.delete_endpoint(session, user, endpoint_id)


@outgoing_webhooks_router.post(
    "/endpoints/{endpoint_id}/rotate-secret",
    response_model=EndpointWithSecret,
    responses=error_responses(*CHANGE_ERRORS),
)
async def rotate_secret(endpoint_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> EndpointWithSecret:
    """A new signing secret, shown only this once; the old one stops signing at once."""
    return await webhooks.rotate_secret(session, user, endpoint_id)


@outgoing_webhooks_router.post(
    "/endpoints/{endpoint_id}/test",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=WebhookDeliveryOut,
    responses=error_responses(*CHANGE_ERRORS),
)
async def send_test(endpoint_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> WebhookDeliveryOut:
    """Queue a `webhook.test` event to the endpoint, tried once; its outcome shows in the
    delivery log."""
    return await webhooks.send_test(session, user, endpoint_id)


@outgoing_webhooks_router.get(
    "/endpoints/{endpoint_id}/deliveries",
    response_model=WebhookDeliveryPage,
    responses=error_responses(errors.WebhookEndpointNotFound, InvalidCursor),
)
async def list_deliveries(
    endpoint_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    cursor: Annotated[uuid.UUID | None, Query(description="the `next_cursor` of the page before")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="items per page (at most 100)")] = 20,
    delivery_status: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
) -> WebhookDeliveryPage:
    """The endpoint's deliveries, newest first, each with every attempt (status code, latency,
    error)."""
    return await webhooks.list_deliveries(
        session, user, endpoint_id, cursor=cursor, limit=limit, status=delivery_status
    )


@outgoing_webhooks_router.post(
    "/deliveries/{delivery_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=WebhookDeliveryOut,
    responses=error_responses(
        errors.PlanHasNoWebhooks, errors.WebhookDeliveryNotFound, errors.WebhookDeliveryPending
    ),
)
async def redeliver(delivery_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> WebhookDeliveryOut:
    """Send a finished (succeeded or failed) delivery once more, now, with the same
    `webhook-id`, so that a receiver that already has it can tell."""
    return await webhooks.redeliver(session, user, delivery_id)


# --- the events, in OpenAPI's `webhooks` ------------------------------------------------------

SIGNATURE_HEADERS = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "description": "the delivery's id, the same on every retry: deduplicate on it",
        "schema": {"type": "string"},
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "description": "seconds since the epoch when this attempt was signed; refuse old ones",
        "schema": {"type": "string"},
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "description": 'v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}"> with '
        "the endpoint's secret (Standard Webhooks; verify with the `standardwebhooks` libraries)",
        "schema": {"type": "string"},
    },
]


DELIVERY_RULES = (
    "Sent to the endpoints subscribed to the event (`webhook.test`: on request, to any endpoint). "
    "Answer with a 2xx within 10 seconds; anything else is retried with backoff over about "
    "three days (10 attempts), and an endpoint whose deliveries keep failing is disabled."
)


def _receiver(data_model: type[BaseModel]) -> Callable[..., Awaitable[None]]:
    """A stand-in operation whose body is the event's envelope (it is documented, never served)."""

    async def receive(body: Any) -> None:
        return None

    receive.__annotations__ = {"body": WebhookEvent[data_model], "return": None}  # type: ignore[valid-type]
    return receive


def document_webhook_events(app: FastAPI) -> None:
    """List every event under OpenAPI's `webhooks`: what ReelByte POSTs to your endpoint."""
    for event_type, data_model in EVENT_DATA.items():
        app.webhooks.add_api_route(
            str(event_type),
            _receiver(data_model),
            methods=["POST"],
            summary=str(event_type),
            description=f"{inspect.cleandoc(data_model.__doc__ or '')}\n\n{DELIVERY_RULES}",
            operation_id=f"webhook_{str(event_type).replace('.', '_')}",
            responses={
                200: {"description": "received: any 2xx ends the delivery"},
                "default": {"description": "anything else, or no answer within 10 seconds: retried later"},
            },
            openapi_extra={"parameters": SIGNATURE_HEADERS},
            tags=["webhooks"],
        )

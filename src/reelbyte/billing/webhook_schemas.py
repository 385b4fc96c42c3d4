"""Outgoing webhooks: the events and their versioned payloads (documented in OpenAPI under
`webhooks`), and the request and response bodies of the endpoints' API."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field, model_validator

from reelbyte.billing.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from reelbyte.core.money import Money
from reelbyte.core.schemas import RequestModel, ResponseModel
from reelbyte.core.updates import not_nullable
from reelbyte.orders.schemas import NOT_BLANK

PAYLOAD_VERSION: Literal[1] = 1
TEST_EVENT = "webhook.test"  # what `POST /webhooks/endpoints/{id}/test` sends, to any endpoint


class WebhookEventType(enum.StrEnum):
    ORDER_CREATED = "order.created"
    ORDER_PAID = "order.paid"
    ORDER_DELIVERED = "order.delivered"
    ORDER_COMPLETED = "order.completed"
    ORDER_CANCELLED = "order.cancelled"
    ORDER_DISPUTED = "order.disputed"
    PAYMENT_REFUNDED = "payment.refunded"
    REVIEW_PUBLISHED = "review.published"
    VIDEO_JOB_COMPLETED = "video_job.completed"
    VIDEO_JOB_FAILED = "video_job.failed"
    MESSAGE_RECEIVED = "message.received"


# --- payloads --------------------------------------------------------------------------------

D = TypeVar("D", bound=BaseModel)


class WebhookEvent(BaseModel, Generic[D]):
    """The body of every delivery: the event's type, the payload version, when it happened, and
    its data. Signed per the Standard Webhooks specification: `webhook-id` (the same on every
    retry: deduplicate on it), `webhook-timestamp`, `webhook-signature`."""

    type: str = Field(description="the event type, e.g. `order.paid`")
    version: Literal[1] = Field(default=PAYLOAD_VERSION, description="the version of `data`'s shape")
    timestamp: datetime = Field(description="when the event happened (UTC)")
    data: D


class OrderData(BaseModel):
    """order.created, .paid, .delivered, .completed, .cancelled, .disputed."""

    order_id: uuid.UUID
    status: str = Field(description="the order's status after the event")
    change: str = Field(
        description="what happened, finer than the event type: `approved`, `auto_completed` and "
        "`dispute_resolved` all complete an order, for instance"
    )
    title: str
    client_id: uuid.UUID
    creator_id: uuid.UUID
    gig_id: uuid.UUID | None
    amount: Money
    created_at: datetime


class RefundData(BaseModel):
    """payment.refunded: the provider paid money back to the client."""

    refund_id: uuid.UUID
    payment_id: uuid.UUID
    order_id: uuid.UUID
    amount: Money
    reason: str


class ReviewData(BaseModel):
    """review.published: a review became visible (double-blind: both wrote, or the window passed)."""

    review_id: uuid.UUID
    order_id: uuid.UUID
    gig_id: uuid.UUID | None
    author_id: uuid.UUID
    reviewee_id: uuid.UUID
    rating: int
    communication_rating: int
    quality_rating: int
    timeliness_rating: int
    comment: str
    published_at: datetime


class MessageData(BaseModel):
    """message.received. The text is not sent (read it through the API): a webhook must not
    carry what the conversation masks, nor private words to a platform-wide endpoint."""

    message_id: int
    conversation_id: uuid.UUID
    sender_id: uuid.UUID
    recipient_id: uuid.UUID
    sent_at: datetime


class VideoJobData(BaseModel):
    """video_job.completed, video_job.failed."""

    job_id: uuid.UUID
    upload_id: uuid.UUID | None
    kind: str
    status: str
    error: str | None = None


class PingData(BaseModel):
    """webhook.test: sent on request, to check that an endpoint receives and verifies."""

    endpoint_id: uuid.UUID
    message: str


EVENT_DATA: dict[str, type[BaseModel]] = {
    WebhookEventType.ORDER_CREATED: OrderData,
    WebhookEventType.ORDER_PAID: OrderData,
    WebhookEventType.ORDER_DELIVERED: OrderData,
    WebhookEventType.ORDER_COMPLETED: OrderData,
    WebhookEventType.ORDER_CANCELLED: OrderData,
    WebhookEventType.ORDER_DISPUTED: OrderData,
    WebhookEventType.PAYMENT_REFUNDED: RefundData,
    WebhookEventType.REVIEW_PUBLISHED: ReviewData,
    WebhookEventType.VIDEO_JOB_COMPLETED: VideoJobData,
    WebhookEventType.VIDEO_JOB_FAILED: VideoJobData,
    WebhookEventType.MESSAGE_RECEIVED: MessageData,
    TEST_EVENT: PingData,
}


# --- the endpoints' API ----------------------------------------------------------------------

# http(s), a host without spaces, control characters or credentials, then no control
# characters; whether the host may be reached is the service's check (net_guard).
_URL_PATTERN = r"^[hH][tT][tT][pP][sS]?://[^\x00-\x20\x7f@/?#\\]+([/?#][^\x00-\x1f\x7f]*)?$"
WebhookUrl = Annotated[str, Field(min_length=10, max_length=2048, pattern=_URL_PATTERN)]
Description = Annotated[str, Field(min_length=1, max_length=500, pattern=NOT_BLANK)]
Events = Annotated[
    list[WebhookEventType],
    Field(
        min_length=1,
        max_length=len(WebhookEventType),
        description="the events to receive (at least one; a repeat counts once)",
    ),
]


class EndpointCreate(RequestModel):
    url: WebhookUrl
    events: Events
    description: Description | None = None

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "url": "https://hooks.example.com/reelbyte",
                    "events": ["order.paid", "order.completed"],
                    "description": "Studio dashboard",
                }
            ]
        }
    }


class EndpointUpdate(RequestModel):
    """Only the fields sent change. `is_active: true` turns a disabled endpoint back on (its
    failure count starts again); `false` pauses it."""

    url: WebhookUrl | None = None
    events: Events | None = None
    description: Description | None = None
    is_active: Annotated[bool, Field(strict=True)] | None = None

    model_config = {"json_schema_extra": not_nullable("url", "events", "is_active")}

    @model_validator(mode="after")
    def _no_null_required(self) -> EndpointUpdate:
        for name in ("url", "events", "is_active"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class EndpointOut(ResponseModel):
    id: uuid.UUID
    url: str
    description: str | None
    events: list[str]
    is_active: bool
    consecutive_failures: int = Field(description="deliveries failed for good in a row")
    disabled_at: datetime | None
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> EndpointOut:
        return cls.model_validate(endpoint)


class EndpointWithSecret(EndpointOut):
    """Answered once, on creation and on rotation: the secret is never shown again."""

    secret: str = Field(description="the signing secret (`whsec_…`): keep it, it is shown only now")

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> EndpointWithSecret:
        return cls.model_validate(endpoint)


class AttemptOut(ResponseModel):
    attempted_at: datetime
    status_code: int | None = Field(description="the receiver's HTTP status; null when none came")
    latency_ms: int | None
    error: str | None

    @classmethod
    def of(cls, attempt: WebhookAttempt) -> AttemptOut:
        return cls.model_validate(attempt)


class WebhookDeliveryOut(ResponseModel):
    id: uuid.UUID = Field(description="the `webhook-id` header: the same on every attempt")
    endpoint_id: uuid.UUID
    event_type: str
    status: DeliveryStatus
    attempt_count: int
    last_status_code: int | None
    last_latency_ms: int | None
    last_error: str | None
    next_attempt_at: datetime | None = Field(description="when the next retry is due, while pending")
    created_at: datetime
    delivered_at: datetime | None
    payload: dict[str, Any]
    attempts: list[AttemptOut] = Field(description="every attempt, oldest first")

    @classmethod
    def of(cls, delivery: WebhookDelivery, attempts: list[WebhookAttempt]) -> WebhookDeliveryOut:
        return cls(
            id=delivery.id,
            endpoint_id=delivery.endpoint_id,
            event_type=delivery.event_type,
            status=delivery.status,
            attempt_count=delivery.attempts,
            last_status_code=delivery.last_status_code,
            last_latency_ms=delivery.last_latency_ms,
            last_error=delivery.last_error,
            next_attempt_at=delivery.next_attempt_at,
            created_at=delivery.created_at,
            delivered_at=delivery.delivered_at,
            payload=delivery.payload,
            attempts=[AttemptOut.of(attempt) for attempt in attempts],
        )


class WebhookDeliveryPage(ResponseModel):
    items: list[WebhookDeliveryOut]
    next_cursor: uuid.UUID | None = Field(
        description="pass as `cursor` for the next (older) page; null at the end"
    )

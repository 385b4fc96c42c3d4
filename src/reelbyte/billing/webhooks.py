"""Outgoing webhooks: the endpoints users register, the events turned into deliveries, and
each delivery's attempts (retries with backoff, the endpoint disabled after repeated failures).

A delivery is a row written in the transaction of the change it reports, with a job deferred
in that same transaction (`webhook_delivery.deliver_webhook`): if the change rolls back, nothing
is sent; once it commits, the delivery is tried until it succeeds or its retries run out, across
crashes and restarts. Its id, derived from the endpoint and the event, is the `webhook-id`
header: one event reaches an endpoint once, however often the code that announces it runs.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
import structlog
from pydantic import BaseModel
from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.billing import net_guard
from reelbyte.billing.errors import (
    PlanHasNoWebhooks,
    WebhookDeliveryNotFound,
    WebhookDeliveryPending,
    WebhookEndpointLimit,
    WebhookEndpointNotFound,
    WebhookUrlNotAllowed,
)
from reelbyte.billing.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from reelbyte.billing.plans import plan_of
from reelbyte.billing.webhook_schemas import (
    TEST_EVENT,
    EndpointCreate,
    EndpointOut,
    EndpointUpdate,
    EndpointWithSecret,
    PingData,
    WebhookDeliveryOut,
    WebhookDeliveryPage,
    WebhookEvent,
    WebhookEventType,
)
from reelbyte.core import audit
from reelbyte.core.config import get_settings
from reelbyte.core.db import lock_one, utcnow
from reelbyte.core.email import queue_email
from reelbyte.core.errors import InvalidCursor
from reelbyte.core.jobs import defer
from reelbyte.core.pagination import Page, PageParams
from reelbyte.identity.models import Role, User

log = structlog.get_logger(__name__)

DELIVER_TASK = "billing.deliver_webhook"
MAX_ENDPOINTS_PER_OWNER = 10
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # the Standard Webhooks specification asks for 24 to 64
# After attempt n fails, attempt n + 1 is due RETRY_DELAYS[n - 1] later: ten attempts over
# about three days (71.6 hours), so that a receiver down for a weekend still gets its events.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=20),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
MAX_ERROR_CHARS = 500
# Delivery ids are uuid5(endpoint, event) in this namespace: the same event, announced again
# (a retried handler, a replayed provider notice), maps to the same delivery, stored once.
_DELIVERY_NAMESPACE = uuid.UUID("5a0f7a43-3c55-4c1b-9b8e-7e1f2d6c9a10")


def new_secret() -> str:
    """A signing secret as the Standard Webhooks libraries read it: `whsec_` + base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def delivery_id(endpoint_id: uuid.UUID, event_key: str) -> uuid.UUID:
    return uuid.uuid5(_DELIVERY_NAMESPACE, f"{endpoint_id}/{event_key}")


def envelope(event_type: str, data: BaseModel) -> dict[str, Any]:
    """The versioned body of an event (`WebhookEvent`), JSON-ready."""
    event: WebhookEvent[Any] = WebhookEvent[Any](type=event_type, timestamp=utcnow(), data=data)
    return event.model_dump(mode="json")


# --- who may ---------------------------------------------------------------------------------


async def ensure_may_use_webhooks(session: AsyncSession, user: User) -> None:
    """Admins (platform-wide integrations) and users whose plan includes webhooks."""
    if user.role is Role.ADMIN:
        return
    if not (await plan_of(session, user.id)).webhooks:
        raise PlanHasNoWebhooks()


async def _owned_endpoint(
    session: AsyncSession, user: User, endpoint_id: uuid.UUID, *, lock: bool = False
) -> WebhookEndpoint:
    """The user's endpoint; another user's is as unknown as one that does not exist (404)."""
    query = select(WebhookEndpoint).where(
        WebhookEndpoint.id == endpoint_id, WebhookEndpoint.owner_id == user.id
    )
    endpoint = await lock_one(session, query) if lock else await session.scalar(query)
    if endpoint is None:
        raise WebhookEndpointNotFound()
    return endpoint


async def _check_target(url: str) -> None:
    try:
        await net_guard.check_url(url)
    except net_guard.UnsafeTarget as error:
        raise WebhookUrlNotAllowed(details={"reason": str(error)}) from error


async def _audit_platform_change(
    session: AsyncSession,
    user: User,
    action: str,
    endpoint: WebhookEndpoint,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """An admin's endpoint receives the whole platform's events: every change is an admin action."""
    if user.role is Role.ADMIN:
        await audit.record(
            session, user, action, ("webhook_endpoint", endpoint.id), before=before, after=after
        )


def _audit_view(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {"url": endpoint.url, "events": list(endpoint.events), "is_active": endpoint.is_active}


def _event_names(events: Iterable[WebhookEventType]) -> list[str]:
    return list(dict.fromkeys(event.value for event in events))  # without repeats, in order


# --- endpoints -------------------------------------------------------------------------------


async def create_endpoint(session: AsyncSession, user: User, data: EndpointCreate) -> EndpointWithSecret:
    await ensure_may_use_webhooks(session, user)
    await _check_target(data.url)  # before any lock: it may wait on DNS
    await lock_one(session, select(User).where(User.id == user.id))  # one creation at a time: the cap holds
    count = await session.scalar(
        select(func.count()).select_from(WebhookEndpoint).where(WebhookEndpoint.owner_id == user.id)
    )
    if (count or 0) >= MAX_ENDPOINTS_PER_OWNER:
        raise WebhookEndpointLimit(details={"limit": MAX_ENDPOINTS_PER_OWNER})
    endpoint = WebhookEndpoint(
        owner_id=user.id,
        url=data.url,
        description=data.description,
        events=_event_names(data.events),
        secret=new_secret(),
    )
    session.add(endpoint)
    await session.flush()
    await _audit_platform_change(
        session, user, "webhook_endpoint.create", endpoint, after=_audit_view(endpoint)
    )
    return EndpointWithSecret.of(endpoint)


async def list_endpoints(session: AsyncSession, user: User, params: PageParams) -> Page[EndpointOut]:
    mine = WebhookEndpoint.owner_id == user.id
    total = await session.scalar(select(func.count()).select_from(WebhookEndpoint).where(mine))
    rows = await session.scalars(
        select(WebhookEndpoint)
        .where(mine)
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
        .offset(params.offset)
        .limit(params.page_size)
    )
    return Page[EndpointOut].of([EndpointOut.of(e) for e in rows], int(total or 0), params)


async def get_endpoint(session: AsyncSession, user: User, endpoint_id: uuid.UUID) -> EndpointOut:
    return EndpointOut.of(await _owned_endpoint(session, user, endpoint_id))


async def update_endpoint(
    session: AsyncSession, user: User, endpoint_id: uuid.UUID, changes: EndpointUpdate
) -> EndpointOut:
    await ensure_may_use_webhooks(session, user)
    await _owned_endpoint(session, user, endpoint_id)
    if changes.url is not None:
        await _check_target(changes.url)
    endpoint = await _owned_endpoint(session, user, endpoint_id, lock=True)
    before = _audit_view(endpoint)
    if changes.url is not None:
        endpoint.url = changes.url
    if changes.events is not None:
        endpoint.events = _event_names(changes.events)
    if "description" in changes.model_fields_set:
        endpoint.description = changes.description
    if changes.is_active is not None:
        _set_active(endpoint, changes.is_active)
    await session.flush()
    await _audit_platform_change(
        session, user, "webhook_endpoint.update", endpoint, before=before, after=_audit_view(endpoint)
    )
    return EndpointOut.of(endpoint)


def _set_active(endpoint: WebhookEndpoint, active: bool) -> None:
    if active:  # turned (back) on: its failures are forgiven
        endpoint.is_active = True
        endpoint.consecutive_failures = 0
        endpoint.disabled_at = None
        endpoint.disabled_reason = None
    elif endpoint.is_active:
        endpoint.is_active = False
        endpoint.disabled_at = utcnow()
        endpoint.disabled_reason = "paused by its owner"


async def delete_endpoint(session: AsyncSession, user: User, endpoint_id: uuid.UUID) -> None:
    """Deleting is allowed on any plan: a user who left Premium can still clean up."""
    endpoint = await _owned_endpoint(session, user, endpoint_id, lock=True)
    await _audit_platform_change(
        session, user, "webhook_endpoint.delete", endpoint, before=_audit_view(endpoint)
    )
    await session.delete(endpoint)  # its deliveries and attempts go with it (ON DELETE CASCADE)
    await session.flush()


async def rotate_secret(session: AsyncSession, user: User, endpoint_id: uuid.UUID) -> EndpointWithSecret:
    """A new secret, effective at once: the next attempt of every delivery is signed with it."""
    await ensure_may_use_webhooks(session, user)
    endpoint = await _owned_endpoint(session, user, endpoint_id, lock=True)
    endpoint.secret = new_secret()
    await session.flush()
    await _audit_platform_change(session, user, "webhook_endpoint.rotate_secret", endpoint)
    return EndpointWithSecret.of(endpoint)


async def send_test(session: AsyncSession, user: User, endpoint_id: uuid.UUID) -> WebhookDeliveryOut:
    """A `webhook.test` event, tried once (a paused or disabled endpoint too: that is how one
    checks it before turning it back on)."""
    await ensure_may_use_webhooks(session, user)
    endpoint = await _owned_endpoint(session, user, endpoint_id)
    data = PingData(endpoint_id=endpoint.id, message="A test event from ReelByte.")
    delivery = WebhookDelivery(
        id=uuid.uuid4(),
        endpoint_id=endpoint.id,
        event_type=TEST_EVENT,
        payload=envelope(TEST_EVENT, data),
        status=DeliveryStatus.PENDING,
        attempts=0,
        created_at=utcnow(),
        next_attempt_at=utcnow(),
    )
    session.add(delivery)
    await session.flush()
    await defer(session, DELIVER_TASK, delivery_id=str(delivery.id), attempt=1, manual=True)
    return WebhookDeliveryOut.of(delivery, [])


# --- the delivery log ------------------------------------------------------------------------


async def list_deliveries(
    session: AsyncSession,
    user: User,
    endpoint_id: uuid.UUID,
    *,
    cursor: uuid.UUID | None,
    limit: int,
    status: DeliveryStatus | None,
) -> WebhookDeliveryPage:
    """Newest first, each with its attempts; the cursor is the id of the last delivery seen."""
    endpoint = await _owned_endpoint(session, user, endpoint_id)
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    if cursor is not None:
        anchor = (
            await session.execute(
                select(WebhookDelivery.created_at, WebhookDelivery.id).where(
                    WebhookDelivery.id == cursor, WebhookDelivery.endpoint_id == endpoint.id
                )
            )
        ).first()
        if anchor is None:
            raise InvalidCursor(details={"cursor": str(cursor)})
        query = query.where(tuple_(WebhookDelivery.created_at, WebhookDelivery.id) < tuple_(*anchor))
    order = (WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    rows = list(await session.scalars(query.order_by(*order).limit(limit + 1)))
    page, more = rows[:limit], len(rows) > limit
    attempts = await _attempts_of(session, [delivery.id for delivery in page])
    return WebhookDeliveryPage(
        items=[WebhookDeliveryOut.of(delivery, attempts.get(delivery.id, [])) for delivery in page],
        next_cursor=page[-1].id if more else None,
    )


async def _attempts_of(
    session: AsyncSession, delivery_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[WebhookAttempt]]:
    found: dict[uuid.UUID, list[WebhookAttempt]] = {}
    if delivery_ids:
        rows = await session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(delivery_ids))
            .order_by(WebhookAttempt.id)
        )
        for attempt in rows:
            found.setdefault(attempt.delivery_id, []).append(attempt)
    return found


async def redeliver(session: AsyncSession, user: User, delivery_id_: uuid.UUID) -> WebhookDeliveryOut:
    """Try a finished delivery once more, now (same `webhook-id`, a fresh signature)."""
    await ensure_may_use_webhooks(session, user)
    mine = select(WebhookEndpoint.id).where(WebhookEndpoint.owner_id == user.id)
    delivery = await lock_one(
        session,
        select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id_, WebhookDelivery.endpoint_id.in_(mine)
        ),
    )
    if delivery is None:
        raise WebhookDeliveryNotFound()
    if delivery.status is DeliveryStatus.PENDING:
        raise WebhookDeliveryPending()
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = utcnow()
    await session.flush()
    await defer(
        session, DELIVER_TASK, delivery_id=str(delivery.id), attempt=delivery.attempts + 1, manual=True
    )
    attempts = await _attempts_of(session, [delivery.id])
    return WebhookDeliveryOut.of(delivery, attempts.get(delivery.id, []))


# --- events become deliveries ----------------------------------------------------------------


async def emit(
    session: AsyncSession,
    event_type: WebhookEventType,
    data: BaseModel,
    *,
    parties: Iterable[uuid.UUID],
    event_key: str,
) -> int:
    """Queue `event_type` for the active endpoints subscribed to it: those of `parties` (the
    users concerned) whose plan still includes webhooks, and those of admins (platform-wide).

    `event_key` names the event uniquely ("order_event:42"): announced twice, it is stored
    once per endpoint. Returns how many deliveries were queued now."""
    endpoints = await _subscribed_endpoints(session, event_type, set(parties))
    if not endpoints:
        return 0
    payload = envelope(event_type.value, data)
    now = utcnow()
    rows = [
        {
            "id": delivery_id(endpoint_id, event_key),
            "endpoint_id": endpoint_id,
            "event_type": event_type.value,
            "payload": payload,
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for endpoint_id in endpoints
    ]
    inserted = list(
        await session.scalars(
            insert(WebhookDelivery)
            .values(rows)
            .on_conflict_do_nothing(index_elements=[WebhookDelivery.id])
            .returning(WebhookDelivery.id)
        )
    )
    for new_id in inserted:
        await defer(session, DELIVER_TASK, delivery_id=str(new_id), attempt=1)
    return len(inserted)


async def _subscribed_endpoints(
    session: AsyncSession, event_type: WebhookEventType, parties: set[uuid.UUID]
) -> list[uuid.UUID]:
    rows = await session.execute(
        select(WebhookEndpoint.id, WebhookEndpoint.owner_id, User.role)
        .join(User, User.id == WebhookEndpoint.owner_id)
        .where(
            WebhookEndpoint.is_active.is_(True),
            User.is_active.is_(True),  # not for a deactivated, suspended or erased owner
            WebhookEndpoint.events.contains([event_type.value]),
            or_(WebhookEndpoint.owner_id.in_(parties), User.role == Role.ADMIN),
        )
        .order_by(WebhookEndpoint.id)
    )
    entitled: dict[uuid.UUID, bool] = {}
    found = []
    for endpoint_id, owner_id, role in rows:
        if role is not Role.ADMIN and owner_id not in entitled:
            entitled[owner_id] = (await plan_of(session, owner_id)).webhooks
        if role is Role.ADMIN or entitled[owner_id]:
            found.append(endpoint_id)
    return found


# --- attempts (the job's bookkeeping; webhook_delivery.py does the sending) ----------------


@dataclass(frozen=True)
class Attempt:
    """What one attempt sends, read in a unit of work of its own before the POST."""

    delivery_id: uuid.UUID
    number: int  # 1 for the first try
    manual: bool  # a test or a redelivery: tried once, never counted against the endpoint
    url: str
    secret: str
    body: bytes


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    latency_ms: int | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def prepare_attempt(
    session: AsyncSession, delivery_id_: uuid.UUID, number: int, manual: bool
) -> Attempt | None:
    """The attempt to make, or None when there is none: the delivery is gone (its endpoint was
    deleted), finished, or this job is stale (another attempt was made since it was queued)."""
    delivery = await lock_one(session, select(WebhookDelivery).where(WebhookDelivery.id == delivery_id_))
    if delivery is None or delivery.status is not DeliveryStatus.PENDING or delivery.attempts != number - 1:
        return None
    endpoint = await session.get_one(WebhookEndpoint, delivery.endpoint_id)
    if not endpoint.is_active and not manual:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        delivery.last_error = "not sent: the endpoint is disabled"
        return None
    return Attempt(
        delivery_id=delivery.id,
        number=number,
        manual=manual,
        url=endpoint.url,
        secret=endpoint.secret,
        body=orjson.dumps(delivery.payload),
    )


async def record_attempt(session: AsyncSession, attempt: Attempt, outcome: Outcome) -> DeliveryStatus | None:
    """Log the attempt and move the delivery on: succeeded; or the next retry queued (backoff);
    or failed for good, which counts against the endpoint (disabled at the limit).
    Returns the delivery's status (None if it is gone)."""
    endpoint_id = await session.scalar(
        select(WebhookDelivery.endpoint_id).where(WebhookDelivery.id == attempt.delivery_id)
    )
    if endpoint_id is None:
        return None
    # The endpoint first, then the delivery: the order a deletion of the endpoint locks them in.
    endpoint = await lock_one(session, select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id))
    delivery = await lock_one(
        session, select(WebhookDelivery).where(WebhookDelivery.id == attempt.delivery_id)
    )
    if endpoint is None or delivery is None:
        return None
    session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            attempted_at=utcnow(),
            status_code=outcome.status_code,
            latency_ms=outcome.latency_ms,
            error=_clipped(outcome.error),
        )
    )
    if delivery.status is not DeliveryStatus.PENDING or delivery.attempts != attempt.number - 1:
        return delivery.status  # a stale job's attempt: logged, but another one moved the delivery on
    delivery.attempts = attempt.number
    delivery.last_status_code = outcome.status_code
    delivery.last_latency_ms = outcome.latency_ms
    delivery.last_error = _clipped(outcome.error)
    if outcome.succeeded:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = utcnow()
        delivery.next_attempt_at = None
        endpoint.consecutive_failures = 0
    elif not attempt.manual and attempt.number < MAX_ATTEMPTS:
        due = utcnow() + RETRY_DELAYS[attempt.number - 1]
        delivery.next_attempt_at = due
        await defer(
            session, DELIVER_TASK, schedule_at=due, delivery_id=str(delivery.id), attempt=attempt.number + 1
        )
    else:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        if not attempt.manual:
            await _count_failure(session, endpoint)
    await session.flush()
    return delivery.status


def _clipped(error: str | None) -> str | None:
    return error[:MAX_ERROR_CHARS] if error else error


async def _count_failure(session: AsyncSession, endpoint: WebhookEndpoint) -> None:
    """A delivery failed for good: at WEBHOOK_DISABLE_AFTER_FAILURES in a row, the endpoint is
    disabled and its owner e-mailed (once: a disabled endpoint gets no new deliveries)."""
    endpoint.consecutive_failures += 1
    limit = get_settings().webhook_disable_after_failures
    if not endpoint.is_active or endpoint.consecutive_failures < limit:
        return
    endpoint.is_active = False
    endpoint.disabled_at = utcnow()
    endpoint.disabled_reason = f"{endpoint.consecutive_failures} deliveries in a row failed"
    log.warning(
        "webhook_endpoint_disabled", endpoint_id=str(endpoint.id), failures=endpoint.consecutive_failures
    )
    owner = await session.get_one(User, endpoint.owner_id)
    await queue_email(
        session,
        owner.email,
        "webhook_endpoint_disabled",
        name=owner.full_name,
        url=endpoint.url,
        endpoint_id=str(endpoint.id),
        failures=endpoint.consecutive_failures,
    )

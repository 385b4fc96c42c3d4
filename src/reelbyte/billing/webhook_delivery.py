"""The delivery job: sign an event per the Standard Webhooks specification and POST it.

Three steps, so that no database transaction stays open while a receiver takes its time:
read what to send (`webhooks.prepare_attempt`), POST it through the SSRF-guarded transport
with WEBHOOK_TIMEOUT_SECONDS for the whole exchange, then record the outcome and queue the
next retry (`webhooks.record_attempt`). A job that runs again after a crash may POST twice;
receivers deduplicate on `webhook-id`, which every attempt of a delivery shares.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime

import httpx
import procrastinate
import structlog
from standardwebhooks import Webhook

from reelbyte.billing import net_guard, webhooks
from reelbyte.core.config import get_settings
from reelbyte.core.db import transaction, utcnow
from reelbyte.core.jobs import job_app

log = structlog.get_logger(__name__)

USER_AGENT = "ReelByte-Webhooks/1"

# For the job itself failing (the database unreachable), not for the receiver: the receiver's
# failures are retried on the delivery's own schedule (webhooks.RETRY_DELAYS).
JOB_RETRY = procrastinate.RetryStrategy(max_attempts=5, exponential_wait=2)


def signed_headers(attempt: webhooks.Attempt, now: datetime) -> dict[str, str]:
    """`webhook-id`, `webhook-timestamp` and `webhook-signature` (`v1,<base64 HMAC-SHA256 of
    "{id}.{timestamp}.{body}">`), as the `standardwebhooks` libraries verify them."""
    message_id = str(attempt.delivery_id)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(attempt.secret).sign(message_id, now, attempt.body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


async def post(attempt: webhooks.Attempt) -> webhooks.Outcome:
    """POST the attempt; only the status code is read (the receiver's body is not)."""
    timeout = get_settings().webhook_timeout_seconds
    started = time.monotonic()

    def elapsed_ms() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        async with (
            asyncio.timeout(timeout),
            httpx.AsyncClient(
                transport=net_guard.GuardedTransport(),
                timeout=timeout,
                follow_redirects=False,  # a redirect is an answer, not an instruction to follow
                trust_env=False,
            ) as client,
            client.stream(
                "POST", attempt.url, content=attempt.body, headers=signed_headers(attempt, utcnow())
            ) as response,
        ):
            status_code = response.status_code
    except net_guard.UnsafeTarget as error:
        return webhooks.Outcome(status_code=None, latency_ms=None, error=f"refused: {error}")
    except TimeoutError:
        return webhooks.Outcome(None, elapsed_ms(), f"no answer within {timeout:g} s")
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        return webhooks.Outcome(None, elapsed_ms(), f"{type(error).__name__}: {error}".rstrip(": "))
    failure = None if 200 <= status_code < 300 else f"HTTP {status_code}"
    return webhooks.Outcome(status_code, elapsed_ms(), failure)


@job_app.task(name=webhooks.DELIVER_TASK, queue="webhooks", retry=JOB_RETRY)
async def deliver_webhook(delivery_id: str, attempt: int, manual: bool = False) -> None:
    """One attempt of one delivery (`attempt` 1 is the first try; a stale job does nothing)."""
    prepared = await transaction(
        lambda session: webhooks.prepare_attempt(session, uuid.UUID(delivery_id), attempt, manual)
    )
    if prepared is None:
        return
    outcome = await post(prepared)
    status = await transaction(lambda session: webhooks.record_attempt(session, prepared, outcome))
    log.info(
        "webhook_attempted",
        delivery_id=delivery_id,
        attempt=attempt,
        status_code=outcome.status_code,
        latency_ms=outcome.latency_ms,
        error=outcome.error,
        delivery_status=status.value if status else None,
    )

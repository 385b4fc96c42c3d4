"""The reviews' publishing job: every minute, the reviews whose order's review window has passed
are shown (double-blind: reviews of orders where both parties wrote are shown at once)."""

from __future__ import annotations

import structlog

from reelbyte.core.db import transaction
from reelbyte.core.jobs import job_app
from reelbyte.reviews.service import PUBLISH_BATCH, publish_due

log = structlog.get_logger(__name__)


@job_app.periodic(cron="* * * * *", periodic_id="every-minute")
@job_app.task(name="reviews.publish_due", queue="reviews", queueing_lock="reviews.publish_due")
async def publish_due_reviews(timestamp: int) -> None:
    """One unit of work per batch, until none is due."""
    while True:
        published = await transaction(publish_due)
        if published:
            log.info("reviews_published", count=published)
        if published < PUBLISH_BATCH:
            return

"""The modules that register something when imported: job tasks and event handlers.

Both the API (`create_app`) and every worker (`reelbyte worker`, the in-process worker of
`serve`) call `load()`, so a job or an event is handled the same wherever it happens.
"""

from __future__ import annotations

import importlib

TASK_MODULES = (
    "reelbyte.core.jobs",
    "reelbyte.core.email",
    "reelbyte.catalog.jobs",
    "reelbyte.projects.jobs",
    "reelbyte.orders.jobs",
    "reelbyte.payments.jobs",
    "reelbyte.payments.schedule_jobs",
    "reelbyte.payments.providers.sandbox",
    "reelbyte.notifications.jobs",
    "reelbyte.notifications.messages",
    "reelbyte.reviews.jobs",
    "reelbyte.media.jobs",
    "reelbyte.media.spec_jobs",
    "reelbyte.admin.jobs",
    "reelbyte.privacy.jobs",
    "reelbyte.billing.jobs",
    "reelbyte.billing.webhook_delivery",
    "reelbyte.studio.jobs",
)

HANDLER_MODULES = (
    "reelbyte.catalog.handlers",
    "reelbyte.orders.handlers",
    "reelbyte.payments.handlers",
    "reelbyte.notifications.handlers",
    "reelbyte.messaging.comment_frames",  # delivery review comments, live on the chat socket
    "reelbyte.reviews.handlers",
    "reelbyte.media.handlers",
    "reelbyte.billing.hooks",  # what orders, media and identity ask billing: fee, quota, API access
    "reelbyte.billing.webhook_handlers",  # outgoing webhooks: orders, refunds, reviews, messages
    "reelbyte.billing.provider_webhooks",  # Stripe's and Mollie's subscription notices (payments' routes)
    "reelbyte.studio.attachments",  # a video tool's clip placed once its copy is processed
)


def load() -> None:
    for module in (*TASK_MODULES, *HANDLER_MODULES):
        importlib.import_module(module)

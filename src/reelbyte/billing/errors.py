"""Errors of billing: plans, checkout, the subscription's changes.

A provider that does not answer is `payments.errors.ProviderUnavailable` (503); a plan price in
another currency than the plan's is `projects.errors.CurrencyMismatch`.
"""

from __future__ import annotations

from reelbyte.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PaymentRequired,
    ServiceUnavailable,
    ValidationFailed,
)

# --- plans and subscriptions ---------------------------------------------------------------


class PlanNotFound(NotFound):
    code = "plan_not_found"
    message = "No such plan, or it is not offered."


class FreePlanNotPurchasable(ValidationFailed):
    code = "free_plan_not_purchasable"
    message = (
        "Free needs no checkout: without a paid plan you are on Free. "
        "Cancel your subscription to return to it."
    )


class AlreadySubscribed(Conflict):
    code = "already_subscribed"
    message = "You are already subscribed to this plan."


class SubscriptionExists(Conflict):
    code = "subscription_exists"
    message = (
        "You already have a paid plan: change plan or cancel in the billing portal (POST /v1/billing/portal)."
    )


class NoSubscription(Conflict):
    code = "no_subscription"
    message = "You have no paid subscription: you are on Free."


class AlreadyCancelling(Conflict):
    code = "already_cancelling"
    message = "The subscription already ends at the end of its period."


class NotCancelling(Conflict):
    code = "not_cancelling"
    message = "The subscription is not set to end: there is nothing to resume."


class FreePlanFixed(Conflict):
    code = "free_plan_fixed"
    message = "Free is the plan of everyone without a subscription: it stays active and costs nothing."


class SubscriptionsUnavailable(ServiceUnavailable):
    code = "subscriptions_unavailable"
    message = "Subscriptions are not available with the configured payment provider."


# --- usage and limits ----------------------------------------------------------------------


class PlanLimitReached(PaymentRequired):
    """`details`: the metric, the plan's limit, the period's use and where to upgrade."""

    code = "plan_limit_reached"
    message = "Your plan's limit for this period is reached: upgrade for more, or wait for the next period."


# --- outgoing webhooks ---------------------------------------------------------------------


class PlanHasNoWebhooks(Forbidden):
    code = "plan_has_no_webhooks"
    message = "Outgoing webhooks come with the Premium plan: upgrade to register endpoints."


class WebhookEndpointNotFound(NotFound):
    code = "webhook_endpoint_not_found"
    message = "No such webhook endpoint."


class WebhookDeliveryNotFound(NotFound):
    code = "webhook_delivery_not_found"
    message = "No such webhook delivery."


class WebhookUrlNotAllowed(ValidationFailed):
    """`details.reason`: the host does not resolve, or which address it resolves to."""

    code = "webhook_url_not_allowed"
    message = (
        "Webhooks are sent only to public addresses: the URL's host must not resolve to a loopback, "
        "private, link-local or metadata address."
    )


class WebhookEndpointLimit(Conflict):
    code = "webhook_endpoint_limit"
    message = "You have as many webhook endpoints as allowed: delete one first."


class WebhookDeliveryPending(Conflict):
    code = "webhook_delivery_pending"
    message = "This delivery is still being tried: wait for its retries to end before redelivering it."

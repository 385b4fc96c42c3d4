"""Errors of payments: checkout, provider notices, withdrawals, idempotency keys, invoices.

An amount in another currency is `projects.errors.CurrencyMismatch`; an order or milestone
paid the wrong way is `orders.errors.UsesMilestones`.
"""

from __future__ import annotations

from reelbyte.core.errors import BadRequest, Conflict, InvalidTransition, NotFound, ServiceUnavailable


class PaymentNotFound(NotFound):
    code = "payment_not_found"
    message = "No such payment."


class InvalidCheckoutTarget(BadRequest):
    code = "invalid_checkout_target"
    message = "Pay either an order_id or a milestone_id."


class NotPayable(Conflict):
    code = "not_payable"
    message = "This cannot be paid now."


class NotPaid(Conflict):
    code = "not_paid"
    message = "An invoice exists once the order is paid."


class InsufficientFunds(Conflict):
    code = "insufficient_funds"
    message = "The amount is more than your available balance."


class BelowMinimumPayout(BadRequest):
    code = "below_minimum_payout"
    message = "The amount is below the smallest withdrawal."


class InvalidIdempotencyKey(BadRequest):
    code = "invalid_idempotency_key"
    message = "Idempotency-Key must have 1 to 255 characters."


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    message = "This Idempotency-Key was used for a different request."


class ProviderUnavailable(ServiceUnavailable):
    code = "provider_unavailable"
    message = "The payment provider is not answering; try again."


class WebhookNotConfigured(ServiceUnavailable):
    code = "webhook_not_configured"
    message = "Stripe webhooks are not configured."


class InvalidSignature(BadRequest):
    code = "invalid_signature"
    message = "The Stripe-Signature is missing, does not match, or is too old."


class InvalidEvent(BadRequest):
    code = "invalid_event"
    message = "The event is not valid JSON."


# Applying a provider's notice posts to the ledger and moves the order on; both guard invariants
# that a notice read back from the provider should never break, and answer 409 if one ever does.
NOTICE_ERRORS = (InsufficientFunds, InvalidTransition)

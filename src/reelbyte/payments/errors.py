"""Errors of payments: checkout, provider notices, withdrawals, idempotency keys, invoices.

An amount in another currency is `projects.errors.CurrencyMismatch`; an order or milestone
paid the wrong way is `orders.errors.UsesMilestones`.
"""

from __future__ import annotations

from reelbyte.core.errors import (
    BadRequest,
    Conflict,
    InvalidTransition,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
)


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


class PaymentMethodUnavailable(ValidationFailed):
    code = "payment_method_unavailable"
    message = "This payment method is not offered for this amount and currency."


class VenmoNeedsUsd(PaymentMethodUnavailable):
    code = "venmo_requires_usd"
    message = "Venmo pays only in US dollars (USD)."


class PaypalWebhookNotConfigured(ServiceUnavailable):
    code = "paypal_webhook_not_configured"
    message = "PayPal webhooks are not configured (PAYPAL_WEBHOOK_ID)."


class InvalidPaypalSignature(BadRequest):
    code = "invalid_paypal_signature"
    message = "PayPal did not verify this webhook's signature."


# --- refund requests ----------------------------------------------------------------------


class RefundRequestNotFound(NotFound):
    code = "refund_request_not_found"
    message = "No such refund request."


class InvalidRefundTarget(BadRequest):
    code = "invalid_refund_target"
    message = "Name either an order_id or a milestone_id."


class WorkDelivered(Conflict):
    code = "work_delivered"
    message = "Work was delivered for this: ask for a revision or open a dispute instead."


class NothingInEscrow(Conflict):
    code = "nothing_in_escrow"
    message = "Nothing is held in escrow for this now."


class RefundExceedsEscrow(ValidationFailed):
    code = "refund_exceeds_escrow"
    message = "The amount is more than escrow holds for this."


class RefundRequestOpen(Conflict):
    code = "refund_request_open"
    message = "A refund request for this is already waiting for the creator."


# --- payout methods -----------------------------------------------------------------------


class PayoutMethodNotFound(NotFound):
    code = "payout_method_not_found"
    message = "No such payout method."


class PayoutMethodRequired(Conflict):
    code = "payout_method_required"
    message = "Add a payout method and finish its verification before withdrawing."


class PayoutMethodNotVerified(Conflict):
    code = "payout_method_not_verified"
    message = "This payout method is not verified yet."


class PayoutMethodInUse(Conflict):
    code = "payout_method_in_use"
    message = "A withdrawal to this payout method is still being paid out."


class InvalidPayoutMethod(BadRequest):
    code = "invalid_payout_method"
    message = "This payout method is not valid."


class PayoutProviderNotConfigured(Conflict):
    code = "payout_provider_not_configured"
    message = "Payouts through this provider are not available on this platform."


class OnboardingNotNeeded(Conflict):
    code = "onboarding_not_needed"
    message = "This payout method needs no onboarding now."


class InvalidOnboardingLink(BadRequest):
    code = "invalid_onboarding_link"
    message = "This link is not valid or has expired; ask for a new one."


class AmountBelowPayoutFee(BadRequest):
    code = "amount_below_payout_fee"
    message = "The amount does not cover the payout provider's fee."


class StatementNotFound(NotFound):
    code = "statement_not_found"
    message = "There is no statement for a month that has not begun."

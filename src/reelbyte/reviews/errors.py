"""Errors of reviews. An order that is not the user's is `orders.errors.OrderNotFound`."""

from __future__ import annotations

from reelbyte.core.errors import Conflict, NotFound, ValidationFailed


class ReviewNotFound(NotFound):
    code = "review_not_found"
    message = "No such review."


class OrderNotCompleted(Conflict):
    code = "order_not_completed"
    message = "An order can be reviewed once it is completed."


class AlreadyReviewed(Conflict):
    code = "already_reviewed"
    message = "You have already reviewed this order."


class ReviewWindowClosed(Conflict):
    code = "review_window_closed"
    message = "Reviews can be written and changed only in the days after the order was completed (REVIEW_WINDOW_DAYS)."


class ReviewPublished(Conflict):
    code = "review_published"
    message = "A published review can no longer be changed or withdrawn."


class RemovalReasonRequired(ValidationFailed):
    code = "removal_reason_required"
    message = "An admin removing a review gives the reason (`reason`)."

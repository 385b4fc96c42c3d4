"""Errors of reviews. An order that is not the user's is `orders.errors.OrderNotFound`."""

from __future__ import annotations

from reelbyte.core.errors import Conflict, Forbidden, NotFound, ValidationFailed


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


class AlreadyReplied(Conflict):
    code = "already_replied"
    message = "A review has one reply, and it has it."


class OwnReview(Forbidden):
    code = "own_review"
    message = "You cannot vote for or flag your own review."


class AlreadyVoted(Conflict):
    code = "already_voted"
    message = "You already found this review helpful."


class VoteNotFound(NotFound):
    code = "vote_not_found"
    message = "You have not marked this review helpful."


class AlreadyFlagged(Conflict):
    code = "already_flagged"
    message = "You already flagged this review; a moderator will look at it."

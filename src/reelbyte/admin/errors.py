"""Errors of the admin domain: what an admin may not do to an account, and bad requests."""

from __future__ import annotations

from reelbyte.core.errors import BadRequest, Conflict, NotFound


class CannotSuspendAdmin(Conflict):
    code = "cannot_suspend_admin"
    message = "Admins cannot be suspended; take the admin role away first."


class CannotSuspendYourself(Conflict):
    code = "cannot_suspend_yourself"
    message = "You cannot suspend your own account."


class NotSuspended(Conflict):
    code = "not_suspended"
    message = "This account is not suspended."


class SuspensionEndInPast(BadRequest):
    status_code = 422
    code = "suspension_end_in_past"
    message = "A suspension ends in the future: `until` has passed already."


class VerificationNotFound(NotFound):
    code = "verification_not_found"
    message = "This account has no such verification."


class WithdrawalNotFound(NotFound):
    code = "withdrawal_not_found"
    message = "No such withdrawal."


class WithdrawalNotHeld(Conflict):
    code = "withdrawal_not_held"
    message = "Only a withdrawal held by its creator's suspension can be released."


class ReportNotFound(NotFound):
    code = "report_not_found"
    message = "No such report."


class ReportAlreadyResolved(Conflict):
    code = "report_already_resolved"
    message = "This report was resolved already."


class ReportTargetGone(Conflict):
    code = "report_target_gone"
    message = "What was reported no longer exists: the report can only be dismissed."


class InvalidDateRange(BadRequest):
    status_code = 422
    code = "invalid_date_range"
    message = "The range starts after it ends."


class AnalyticsRangeTooLong(BadRequest):
    status_code = 422
    code = "analytics_range_too_long"
    message = "The range is too long for this interval: take a wider interval or a shorter range."

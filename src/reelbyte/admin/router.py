"""HTTP routes of the admin console (under /v1/admin): accounts, held payouts, the report
queue, the audit log.
Every route requires the admin role."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query

from reelbyte.admin import analytics, errors, reports, schemas, service
from reelbyte.admin.models import VerificationKind
from reelbyte.admin.schemas import AccountStatus
from reelbyte.core import audit
from reelbyte.core.db import utcnow
from reelbyte.core.errors import error_responses
from reelbyte.core.pagination import Page, PageParams, page_params
from reelbyte.core.params import Moment
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.identity.deps import CurrentAdmin
from reelbyte.identity.errors import UserNotFound
from reelbyte.identity.models import Role
from reelbyte.messaging.models import ReportStatus, ReportTarget
from reelbyte.payments.schemas import WithdrawalOut
from reelbyte.reviews.errors import RemovalReasonRequired, ReviewNotFound

admin_router = APIRouter(prefix="/admin", tags=["admin"])


async def user_filters(
    role: Role | None = None,
    status: AccountStatus | None = None,
    verified: Annotated[bool | None, Query(description="has the verified badge")] = None,
    email_verified: bool | None = None,
    signed_up_from: Annotated[Moment | None, Query(description="signed up at or after")] = None,
    signed_up_to: Annotated[Moment | None, Query(description="signed up before")] = None,
    q: Annotated[
        str | None, Query(min_length=1, max_length=100, description="part of the name, username or e-mail")
    ] = None,
) -> service.UserFilters:
    if signed_up_from and signed_up_to and signed_up_from > signed_up_to:
        raise errors.InvalidDateRange(
            details={"signed_up_from": signed_up_from.isoformat(), "signed_up_to": signed_up_to.isoformat()}
        )
    return service.UserFilters(
        role=role,
        status=status,
        verified=verified,
        email_verified=email_verified,
        signed_up_from=signed_up_from,
        signed_up_to=signed_up_to,
        q=q.strip() or None if q else None,
    )


@admin_router.get(
    "/users", response_model=Page[schemas.AdminUserOut], responses=error_responses(errors.InvalidDateRange)
)
async def list_users(
    _: CurrentAdmin,
    session: SessionDep,
    filters: Annotated[service.UserFilters, Depends(user_filters)],
    page: Annotated[PageParams, Depends(page_params)],
) -> Page[schemas.AdminUserOut]:
    """Accounts, newest first, with their standing, paid orders, GMV and open reports."""
    return await service.list_users(session, filters, page)


@admin_router.put(
    "/users/{user_id}/verify", response_model=schemas.AdminUserOut, responses=error_responses(UserNotFound)
)
async def verify_user(
    user_id: uuid.UUID, data: schemas.VerifyRequest, admin: CurrentAdmin, session: SessionDep
) -> schemas.AdminUserOut:
    """Verify the account's identity or portfolio: the verified badge on its profile, gigs and
    search results."""
    return await service.verify(session, admin, user_id, data)


@admin_router.delete(
    "/users/{user_id}/verify",
    response_model=schemas.AdminUserOut,
    responses=error_responses(UserNotFound, errors.VerificationNotFound),
)
async def unverify_user(
    user_id: uuid.UUID,
    admin: CurrentAdmin,
    session: SessionDep,
    kind: Annotated[VerificationKind | None, Query(description="one verification; none: all")] = None,
) -> schemas.AdminUserOut:
    """Take a verification back; the badge goes with the last one."""
    return await service.unverify(session, admin, user_id, kind)


@admin_router.put(
    "/users/{user_id}/suspend",
    response_model=schemas.AdminUserOut,
    responses=error_responses(
        UserNotFound, errors.CannotSuspendAdmin, errors.CannotSuspendYourself, errors.SuspensionEndInPast
    ),
)
async def suspend_user(
    user_id: uuid.UUID, data: schemas.SuspendRequest, admin: CurrentAdmin, session: SessionDep
) -> schemas.AdminUserOut:
    """Suspend the account, until `until` or until lifted; again, to change the terms. Its sessions
    end, log in is refused, its profile and gigs leave public lists; running orders go on, earned
    money stays its own, but its withdrawals wait."""
    return await service.suspend(session, admin, user_id, data)


@admin_router.put(
    "/users/{user_id}/unsuspend",
    response_model=schemas.AdminUserOut,
    responses=error_responses(UserNotFound, errors.NotSuspended),
)
async def unsuspend_user(
    user_id: uuid.UUID, admin: CurrentAdmin, session: SessionDep
) -> schemas.AdminUserOut:
    """Lift the suspension: the gigs it hid are listed again and the held withdrawals paid out."""
    return await service.unsuspend(session, admin, user_id)


@admin_router.put(
    "/withdrawals/{withdrawal_id}/release",
    response_model=WithdrawalOut,
    responses=error_responses(errors.WithdrawalNotFound, errors.WithdrawalNotHeld),
)
async def release_withdrawal(
    withdrawal_id: uuid.UUID, admin: CurrentAdmin, session: SessionDep
) -> WithdrawalOut:
    """Pay out one withdrawal that a suspension holds, although the suspension goes on."""
    return await service.release_withdrawal(session, admin, withdrawal_id)


@admin_router.get("/audit", response_model=schemas.AuditPage)
async def audit_log(
    _: CurrentAdmin,
    session: SessionDep,
    actor_id: uuid.UUID | None = None,
    target_type: Annotated[str | None, Query(min_length=1, max_length=32, pattern=r"^[a-z_]+$")] = None,
    target_id: Annotated[str | None, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")] = None,
    action: Annotated[str | None, Query(min_length=1, max_length=64, pattern=r"^[a-z_.]+$")] = None,
    cursor: Annotated[str | None, Query(pattern=r"^[0-9]{1,18}$")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> schemas.AuditPage:
    """Every admin action, newest first (append-only); pass `next_cursor` for older ones."""
    entries, next_cursor = await audit.entries(
        session,
        actor_id=actor_id,
        target=(target_type, target_id),
        action=action,
        cursor=int(cursor) if cursor else None,
        limit=limit,
    )
    return schemas.AuditPage(
        items=[schemas.AuditEntryOut.of(entry) for entry in entries],
        next_cursor=str(next_cursor) if next_cursor else None,
    )


@admin_router.get("/reports", response_model=Page[schemas.ReportQueueItem])
async def report_queue(
    _: CurrentAdmin,
    session: SessionDep,
    page: Annotated[PageParams, Depends(page_params)],
    status: ReportStatus = ReportStatus.OPEN,
    target_type: ReportTarget | None = None,
) -> Page[schemas.ReportQueueItem]:
    """The reports users filed, oldest first (the open ones unless `status` says otherwise), each
    with its reporter, a preview of what was reported (null once it is deleted) and how many
    open reports its target has."""
    return await reports.report_queue(session, page, status, target_type)


@admin_router.put(
    "/reports/{report_id}/resolve",
    response_model=schemas.ReportQueueItem,
    responses=error_responses(
        errors.ReportNotFound,
        errors.ReportAlreadyResolved,
        errors.ReportTargetGone,
        UserNotFound,
        errors.CannotSuspendAdmin,
        errors.CannotSuspendYourself,
        errors.SuspensionEndInPast,
        ReviewNotFound,
        RemovalReasonRequired,
    ),
)
async def resolve_report(
    report_id: uuid.UUID, data: schemas.ResolveReportRequest, admin: CurrentAdmin, session: SessionDep
) -> schemas.ReportQueueItem:
    """Settle an open report, and every other open report on the same target, with one action
    and note: `dismiss`; `warn` the author (an in-app notification carrying the note);
    `hide_content` (a message stays readable to its sender only, a gig is switched off for good
    but by an admin, a project or profile is seen only by its owner, a review is removed);
    `suspend_user`, the author, with the note as the reason (not an admin: 409). Each settled
    report lands in the audit log (`report.resolve`). Settled already: 409."""
    return await reports.resolve_report(session, admin, report_id, data.action, data.note)


async def analytics_window(
    start: Annotated[
        schemas.Day | None,
        Query(alias="from", description="the first day (UTC); default: the start of the default view"),
    ] = None,
    end: Annotated[
        schemas.Day | None, Query(alias="to", description="the last day, included (UTC); default: today")
    ] = None,
    interval: schemas.AnalyticsInterval = schemas.AnalyticsInterval.DAY,
) -> analytics.Window:
    return analytics.window(interval, start, end, utcnow().date())


@admin_router.get(
    "/analytics",
    response_model=schemas.AnalyticsOut,
    responses=error_responses(errors.InvalidDateRange, errors.AnalyticsRangeTooLong),
)
async def analytics_report(
    _: CurrentAdmin, session: SessionDep, window: Annotated[analytics.Window, Depends(analytics_window)]
) -> schemas.AnalyticsOut:
    """The marketplace's figures from `from` to `to` (both included, UTC) by day, week or month:
    sign-ups by role, orders, GMV, fees, refunds, disputes, time to a first order, top categories
    and creators. Without `from`, the default view: the last 30 days, 26 weeks or 12 months.
    At most two years by day, ten years by week or month. Answered from a cache refreshed every
    few minutes: `computed_at` says when the figures were computed."""
    return await analytics.report(session, window)

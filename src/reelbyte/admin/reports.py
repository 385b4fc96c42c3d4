"""The moderators' report queue: what users reported (messaging/service.py `create_report`),
oldest first, and how each report is resolved.

A resolution settles every open report on the same target at once, with the same action and
note. The target's reports are locked in one order (by id) before anything changes, so two
moderators resolving two reports of one target end with one resolution and a 409 for the
other, never a deadlock. What the action does (a warning, hidden content, a suspension) is
asked of the domain that owns the content, and every report it settles is written to the audit
log, all in the caller's unit of work.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from reelbyte.admin import events
from reelbyte.admin import service as admin_service
from reelbyte.admin.errors import ReportAlreadyResolved, ReportNotFound, ReportTargetGone
from reelbyte.admin.schemas import (
    GigPreview,
    MessagePreview,
    PersonRef,
    ProfilePreview,
    ProjectPreview,
    ReportQueueItem,
    ReviewPreview,
    SuspendRequest,
    TargetPreview,
)
from reelbyte.catalog import service as catalog_service
from reelbyte.catalog.models import Gig
from reelbyte.core import audit
from reelbyte.core.db import utcnow
from reelbyte.core.pagination import Page, PageParams
from reelbyte.core.text import excerpt
from reelbyte.identity import service as identity_service
from reelbyte.identity.models import User
from reelbyte.messaging import service as messaging_service
from reelbyte.messaging.models import Message, Report, ReportAction, ReportStatus, ReportTarget
from reelbyte.projects import service as projects_service
from reelbyte.projects.models import Project
from reelbyte.reviews import service as reviews_service
from reelbyte.reviews.models import Review

RESOLVE = "report.resolve"
EXCERPT_CHARS = 280
MAX_MESSAGE_ID_DIGITS = 18  # a message id is a bigint

TargetKey = int | uuid.UUID


def _key(target_type: ReportTarget, target_id: str) -> TargetKey | None:
    """The target's primary key (None for an id that cannot name one)."""
    if target_type is ReportTarget.MESSAGE:
        digits = target_id.isdigit() and len(target_id) <= MAX_MESSAGE_ID_DIGITS
        return int(target_id) if digits else None
    try:
        return uuid.UUID(target_id)
    except ValueError:
        return None


# --- the queue ----------------------------------------------------------------------------


def _queue_query() -> Select[*tuple[Any, ...]]:
    """Reports with their reporter and the number of open reports on their target."""
    open_counts = (
        select(Report.target_type, Report.target_id, func.count().label("open_reports"))
        .where(Report.status == ReportStatus.OPEN)
        .group_by(Report.target_type, Report.target_id)
        .subquery()
    )
    on_same_target = and_(
        open_counts.c.target_type == Report.target_type, open_counts.c.target_id == Report.target_id
    )
    return (
        select(Report, User.username, func.coalesce(open_counts.c.open_reports, 0))
        .join(User, User.id == Report.reporter_id)
        .outerjoin(open_counts, on_same_target)
    )


async def report_queue(
    session: AsyncSession,
    params: PageParams,
    status: ReportStatus = ReportStatus.OPEN,
    target_type: ReportTarget | None = None,
) -> Page[ReportQueueItem]:
    """Reports in `status` (of one target type, if given), oldest first, each with its reporter,
    a preview of its target and the open reports on that target: one query for the page, one
    per target type on it for the previews, one for the total."""
    conditions = [Report.status == status]
    if target_type is not None:
        conditions.append(Report.target_type == target_type)
    page = (
        _queue_query()
        .where(*conditions)
        .order_by(Report.created_at, Report.id)
        .limit(params.page_size)
        .offset(params.offset)
    )
    total = await session.scalar(select(func.count()).select_from(Report).where(*conditions))
    return Page[ReportQueueItem].of(await _items(session, page), int(total or 0), params)


async def _items(session: AsyncSession, query: Select[*tuple[Any, ...]]) -> list[ReportQueueItem]:
    rows = (await session.execute(query)).all()
    previews = await _previews(session, [report for report, _, _ in rows])
    return [
        ReportQueueItem(
            id=report.id,
            reason=report.reason,
            status=report.status,
            created_at=report.created_at,
            reporter=PersonRef(id=report.reporter_id, username=reporter_username),
            target_type=report.target_type,
            target_id=report.target_id,
            target_exists=(report.target_type, report.target_id) in previews,
            preview=previews.get((report.target_type, report.target_id)),
            open_reports_on_target=int(open_reports),
            resolved_at=report.resolved_at,
            resolved_by=report.resolved_by,
            resolution_action=report.resolution_action,
            resolution_note=report.resolution_note,
        )
        for report, reporter_username, open_reports in rows
    ]


Previewer = Callable[[AsyncSession, list[Any]], Awaitable[dict[str, TargetPreview]]]


async def _previews(
    session: AsyncSession, reports: Sequence[Report]
) -> dict[tuple[ReportTarget, str], TargetPreview]:
    """The previews of the reports' targets that still exist, one query per target type."""
    keys: dict[ReportTarget, set[TargetKey]] = {}
    for report in reports:
        key = _key(report.target_type, report.target_id)
        if key is not None:
            keys.setdefault(report.target_type, set()).add(key)
    found: dict[tuple[ReportTarget, str], TargetPreview] = {}
    for target_type, ids in keys.items():
        for target_id, preview in (await _PREVIEWERS[target_type](session, sorted(ids))).items():
            found[(target_type, target_id)] = preview
    return found


def _person(user_id: uuid.UUID, username: str) -> PersonRef:
    return PersonRef(id=user_id, username=username)


async def _message_previews(session: AsyncSession, ids: list[int]) -> dict[str, TargetPreview]:
    rows = await session.execute(
        select(Message, User.username).join(User, User.id == Message.sender_id).where(Message.id.in_(ids))
    )
    return {
        str(message.id): MessagePreview(
            text=excerpt(message.content, EXCERPT_CHARS),
            deleted=message.deleted_at is not None,
            sender=_person(message.sender_id, username),
            conversation_id=message.conversation_id,
        )
        for message, username in rows.all()
    }


async def _review_previews(session: AsyncSession, ids: list[uuid.UUID]) -> dict[str, TargetPreview]:
    rows = await session.execute(
        select(Review.id, Review.rating, Review.comment, Review.author_id, User.username)
        .join(User, User.id == Review.author_id)
        .where(Review.id.in_(ids))
    )
    return {
        str(row.id): ReviewPreview(
            rating=row.rating,
            text=excerpt(row.comment, EXCERPT_CHARS),
            author=_person(row.author_id, row.username),
        )
        for row in rows.all()
    }


async def _gig_previews(session: AsyncSession, ids: list[uuid.UUID]) -> dict[str, TargetPreview]:
    rows = await session.execute(
        select(Gig.id, Gig.title, Gig.slug, Gig.creator_id, User.username)
        .join(User, User.id == Gig.creator_id)
        .where(Gig.id.in_(ids))
    )
    return {
        str(row.id): GigPreview(title=row.title, slug=row.slug, creator=_person(row.creator_id, row.username))
        for row in rows.all()
    }


async def _profile_previews(session: AsyncSession, ids: list[uuid.UUID]) -> dict[str, TargetPreview]:
    rows = await session.execute(
        select(User.id, User.username, User.full_name, User.bio).where(User.id.in_(ids))
    )
    return {
        str(row.id): ProfilePreview(
            username=row.username,
            full_name=row.full_name,
            bio=excerpt(row.bio, EXCERPT_CHARS) if row.bio else None,
        )
        for row in rows.all()
    }


async def _project_previews(session: AsyncSession, ids: list[uuid.UUID]) -> dict[str, TargetPreview]:
    rows = await session.execute(
        select(Project.id, Project.title, Project.client_id, User.username)
        .join(User, User.id == Project.client_id)
        .where(Project.id.in_(ids))
    )
    return {
        str(row.id): ProjectPreview(title=row.title, client=_person(row.client_id, row.username))
        for row in rows.all()
    }


_PREVIEWERS: dict[ReportTarget, Previewer] = {
    ReportTarget.MESSAGE: _message_previews,
    ReportTarget.REVIEW: _review_previews,
    ReportTarget.GIG: _gig_previews,
    ReportTarget.USER: _profile_previews,
    ReportTarget.PROJECT: _project_previews,
}


# --- resolving ----------------------------------------------------------------------------

# Who answers for a target: (the column naming its author, its primary key).
_AUTHORS: dict[ReportTarget, tuple[InstrumentedAttribute[Any], InstrumentedAttribute[Any]]] = {
    ReportTarget.MESSAGE: (Message.sender_id, Message.id),
    ReportTarget.REVIEW: (Review.author_id, Review.id),
    ReportTarget.GIG: (Gig.creator_id, Gig.id),
    ReportTarget.PROJECT: (Project.client_id, Project.id),
    ReportTarget.USER: (User.id, User.id),
}


async def resolve_report(
    session: AsyncSession, admin: User, report_id: uuid.UUID, action: ReportAction, note: str
) -> ReportQueueItem:
    """Settle the report, and every other open report on its target, with `action` (and its
    effect on the target) and `note`; 409 if it was settled already."""
    report, reports = await _lock_target_reports(session, report_id)
    if report.status is not ReportStatus.OPEN:
        raise ReportAlreadyResolved(details={"status": report.status.value})
    effect = await _carry_out(session, admin, report, action, note)
    for settled in reports:
        if settled.status is ReportStatus.OPEN:
            extra = {} if settled is report else {"resolved_with": str(report.id)}
            await _settle(session, admin, settled, action, note, {**effect, **extra})
    return (await _items(session, _queue_query().where(Report.id == report.id)))[0]


async def _lock_target_reports(session: AsyncSession, report_id: uuid.UUID) -> tuple[Report, list[Report]]:
    """The report, and it with the open reports on its target, locked in id order (read afresh)."""
    report = await session.get(Report, report_id)
    if report is None:
        raise ReportNotFound()
    query = (
        select(Report)
        .where(
            Report.target_type == report.target_type,
            Report.target_id == report.target_id,
            or_(Report.status == ReportStatus.OPEN, Report.id == report.id),
        )
        .order_by(Report.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    locked = list(await session.scalars(query))
    report = next((r for r in locked if r.id == report_id), None)
    if report is None:  # deleted meanwhile, with its reporter's account
        raise ReportNotFound()
    return report, locked


async def _author(session: AsyncSession, report: Report) -> uuid.UUID:
    """Who posted what was reported (the account itself for a profile); 409 once it is gone."""
    key = _key(report.target_type, report.target_id)
    author_column, id_column = _AUTHORS[report.target_type]
    author: uuid.UUID | None = None
    if key is not None:
        author = await session.scalar(select(author_column).where(id_column == key))
    if author is None:
        raise _gone(report)
    return author


def _gone(report: Report) -> ReportTargetGone:
    return ReportTargetGone(details={"target_type": report.target_type.value, "target_id": report.target_id})


async def _carry_out(
    session: AsyncSession, admin: User, report: Report, action: ReportAction, note: str
) -> dict[str, Any]:
    """Do what `action` says to the report's target; what was done, for the audit log."""
    if action is ReportAction.DISMISS:
        return {}
    author_id = await _author(session, report)
    if action is ReportAction.WARN:
        warning = events.ModerationWarning(author_id, report.target_type.value, report.target_id, note)
        await events.user_warned.emit(session, warning)
        return {"warned_user_id": str(author_id)}
    if action is ReportAction.SUSPEND_USER:
        await admin_service.suspend(session, admin, author_id, SuspendRequest(reason=note))
        return {"suspended_user_id": str(author_id)}
    await _hide(session, admin, report, note)
    return {"hidden": True, "author_id": str(author_id)}


async def _hide(session: AsyncSession, admin: User, report: Report, note: str) -> None:
    """Hide the target from everybody but its author and admins (a review is removed)."""
    key = _key(report.target_type, report.target_id)
    assert key is not None  # its author was found by it
    if report.target_type is ReportTarget.REVIEW:
        assert isinstance(key, uuid.UUID)
        await reviews_service.remove_review(session, admin, key, note)
        return
    if not await _HIDERS[report.target_type](session, key):
        raise _gone(report)  # deleted since its author was read


# How each domain hides what it owns (reviews are removed instead: `_hide`).
_HIDERS: dict[ReportTarget, Callable[[AsyncSession, Any], Awaitable[bool]]] = {
    ReportTarget.MESSAGE: messaging_service.hide_message,
    ReportTarget.GIG: catalog_service.hide_gig,
    ReportTarget.PROJECT: projects_service.hide_project,
    ReportTarget.USER: identity_service.hide_profile,
}


async def _settle(
    session: AsyncSession,
    admin: User,
    report: Report,
    action: ReportAction,
    note: str,
    effect: dict[str, Any],
) -> None:
    before = {"status": report.status.value}
    report.status = ReportStatus.DISMISSED if action is ReportAction.DISMISS else ReportStatus.RESOLVED
    report.resolved_at, report.resolved_by = utcnow(), admin.id
    report.resolution_action, report.resolution_note = action, note
    after = {
        "status": report.status.value,
        "action": action.value,
        "target_type": report.target_type.value,
        "target_id": report.target_id,
        **effect,
    }
    await audit.record(
        session, admin, RESOLVE, ("report", report.id), before=before, after=after, reason=note
    )

"""Admins run the accounts: list them with their standing and figures, verify them (the badge),
suspend them and lift it, release payouts a suspension holds. Every change is written to the
audit log (admin/audit.py) in the same unit of work as the change."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.admin.errors import (
    CannotSuspendAdmin,
    CannotSuspendYourself,
    NotSuspended,
    SuspensionEndInPast,
    VerificationNotFound,
    WithdrawalNotFound,
    WithdrawalNotHeld,
)
from reelbyte.admin.models import UserVerification, VerificationKind
from reelbyte.admin.schemas import AccountStatus, AdminUserOut, SuspendRequest, VerifyRequest, account_status
from reelbyte.catalog import service as catalog
from reelbyte.core import audit
from reelbyte.core.config import get_settings
from reelbyte.core.db import lock_one, utcnow
from reelbyte.core.money import Money
from reelbyte.core.pagination import Page, PageParams
from reelbyte.identity import service as identity
from reelbyte.identity.errors import UserNotFound
from reelbyte.identity.models import Role, User
from reelbyte.messaging.models import Report, ReportStatus, ReportTarget
from reelbyte.orders.models import Order
from reelbyte.payments import service as payments
from reelbyte.payments.models import Withdrawal
from reelbyte.payments.schemas import WithdrawalOut

SUSPEND = "user.suspend"


@dataclass(frozen=True)
class UserFilters:
    role: Role | None = None
    status: AccountStatus | None = None
    verified: bool | None = None
    email_verified: bool | None = None
    signed_up_from: datetime | None = None
    signed_up_to: datetime | None = None
    q: str | None = None


# --- reading accounts ---------------------------------------------------------------------


def _conditions(filters: UserFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.role is not None:
        conditions.append(User.role == filters.role)
    if filters.status == "suspended":
        conditions.append(User.suspended_at.is_not(None))
    elif filters.status == "active":
        conditions.append(and_(User.is_active.is_(True), User.suspended_at.is_(None)))
    elif filters.status == "deactivated":
        conditions.append(and_(User.is_active.is_(False), User.suspended_at.is_(None)))
    if filters.verified is not None:
        conditions.append(User.verified_at.is_not(None) if filters.verified else User.verified_at.is_(None))
    if filters.email_verified is not None:
        verified = User.email_verified_at.is_not(None)
        conditions.append(verified if filters.email_verified else ~verified)
    if filters.signed_up_from is not None:
        conditions.append(User.created_at >= filters.signed_up_from)
    if filters.signed_up_to is not None:
        conditions.append(User.created_at < filters.signed_up_to)
    if filters.q:
        pattern = f"%{_escape_like(filters.q)}%"
        conditions.append(
            or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (User.full_name, User.username, User.email)
                )
            )
        )
    return conditions


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def list_users(session: AsyncSession, filters: UserFilters, params: PageParams) -> Page[AdminUserOut]:
    """Accounts matching `filters`, newest first, each with its figures."""
    query: Select[User] = select(User).where(*_conditions(filters))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    users = list(
        await session.scalars(
            query.order_by(User.created_at.desc(), User.id).limit(params.page_size).offset(params.offset)
        )
    )
    return Page[AdminUserOut].of(await _outs(session, users), int(total or 0), params)


async def _outs(session: AsyncSession, users: list[User]) -> list[AdminUserOut]:
    """Four queries for the page, whatever its size: the users, their verifications, orders, reports."""
    ids = [user.id for user in users]
    verifications: dict[uuid.UUID, list[UserVerification]] = defaultdict(list)
    for verification in await session.scalars(
        select(UserVerification)
        .where(UserVerification.user_id.in_(ids))
        .order_by(UserVerification.created_at)
    ):
        verifications[verification.user_id].append(verification)
    figures = await _figures(session, ids)
    return [AdminUserOut.of(user, verifications[user.id], figures[user.id]) for user in users]


async def _figures(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    currency = get_settings().default_currency
    paid = and_(Order.paid_at.is_not(None), Order.currency == currency)
    count, gmv = func.count(), func.coalesce(func.sum(Order.amount_minor), 0)
    figures: dict[uuid.UUID, dict[str, Any]] = {
        user_id: {
            "orders_as_client": 0,
            "orders_as_creator": 0,
            "gmv_as_client": Money.from_minor(0, currency),
            "gmv_as_creator": Money.from_minor(0, currency),
            "open_reports": 0,
        }
        for user_id in ids
    }
    for side, column in (("client", Order.client_id), ("creator", Order.creator_id)):
        rows = await session.execute(select(column, count, gmv).where(paid, column.in_(ids)).group_by(column))
        for user_id, orders, minor in rows:
            figures[user_id][f"orders_as_{side}"] = orders
            figures[user_id][f"gmv_as_{side}"] = Money.from_minor(int(minor), currency)
    reports = await session.execute(
        select(Report.target_id, count)
        .where(
            Report.target_type == ReportTarget.USER,
            Report.status == ReportStatus.OPEN,
            Report.target_id.in_([str(user_id) for user_id in ids]),
        )
        .group_by(Report.target_id)
    )
    for target_id, open_reports in reports:
        figures[uuid.UUID(target_id)]["open_reports"] = open_reports
    return figures


async def find_user(session: AsyncSession, ref: str) -> User:
    """An account by its e-mail or username, any case (for the CLI)."""
    user = await session.scalar(
        select(User).where(
            or_(func.lower(User.email) == ref.lower(), func.lower(User.username) == ref.lower())
        )
    )
    if user is None:
        raise UserNotFound(f"No account has the e-mail or username {ref!r}.")
    return user


async def find_admin(session: AsyncSession, ref: str) -> User:
    """The admin who acts from the CLI, by e-mail or username: the audit log names them."""
    admin = await find_user(session, ref)
    if not admin.is_admin:
        raise UserNotFound(f"{ref!r} is not an admin account.")
    return admin


async def user_out(session: AsyncSession, user: User) -> AdminUserOut:
    await session.flush()
    return (await _outs(session, [user]))[0]


async def _locked_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await lock_one(session, select(User).where(User.id == user_id))
    if user is None:
        raise UserNotFound()
    return user


def _standing(user: User) -> dict[str, Any]:
    """The part of an account that admin actions change, as the audit log keeps it."""
    return {
        "status": account_status(user),
        "verified_at": user.verified_at.isoformat() if user.verified_at else None,
        "suspended_until": user.suspended_until.isoformat() if user.suspended_until else None,
        "suspension_reason": user.suspension_reason,
    }


# --- verification -------------------------------------------------------------------------


async def verify(session: AsyncSession, admin: User, user_id: uuid.UUID, data: VerifyRequest) -> AdminUserOut:
    """Vouch for the account (its identity, or its portfolio as its own work); again with the
    same kind replaces the note."""
    user = await _locked_user(session, user_id)
    before = _standing(user)
    verification = await session.scalar(
        select(UserVerification).where(
            UserVerification.user_id == user.id, UserVerification.kind == data.kind
        )
    )
    if verification is None:
        session.add(UserVerification(user_id=user.id, kind=data.kind, note=data.note, verified_by=admin.id))
    else:
        verification.note, verification.verified_by = data.note, admin.id
    user.verified_at = user.verified_at or utcnow()
    after = {**_standing(user), "kind": data.kind.value}
    await audit.record(
        session, admin, "user.verify", ("user", user.id), before=before, after=after, reason=data.note
    )
    return await user_out(session, user)


async def unverify(
    session: AsyncSession, admin: User, user_id: uuid.UUID, kind: VerificationKind | None
) -> AdminUserOut:
    """Take a verification back (`kind`, or all of them); the badge goes with the last one."""
    user = await _locked_user(session, user_id)
    before = _standing(user)
    query = select(UserVerification).where(UserVerification.user_id == user.id)
    if kind is not None:
        query = query.where(UserVerification.kind == kind)
    taken = list(await session.scalars(query))
    if not taken:
        raise VerificationNotFound(details={"kind": kind.value if kind else None})
    for verification in taken:
        await session.delete(verification)
    await session.flush()
    left = await session.scalar(select(func.count()).where(UserVerification.user_id == user.id))
    if not left:
        user.verified_at = None
    after = {**_standing(user), "removed": sorted(v.kind.value for v in taken)}
    await audit.record(session, admin, "user.unverify", ("user", user.id), before=before, after=after)
    return await user_out(session, user)


# --- suspension ---------------------------------------------------------------------------


async def suspend(
    session: AsyncSession, admin: User, user_id: uuid.UUID, data: SuspendRequest
) -> AdminUserOut:
    """Suspend the account (or change a suspension's terms). Its sessions end, log in is refused,
    its profile and gigs leave public lists; orders already running go on and money earned stays
    its own, but its payouts wait (payments/service.py)."""
    if user_id == admin.id:
        raise CannotSuspendYourself()
    if data.until is not None and data.until <= utcnow():
        raise SuspensionEndInPast(details={"until": data.until.isoformat()})
    user = await _locked_user(session, user_id)
    if user.role is Role.ADMIN:
        raise CannotSuspendAdmin()
    before = _standing(user)
    if user.is_suspended:  # new terms; the gigs the suspension hid stay on its record
        hidden = await _hidden_gigs(session, user)
    else:
        hidden = await catalog.hide_creator_gigs(session, user.id)
    await identity.suspend(session, user, data.reason, data.until)
    after = {**_standing(user), "hidden_gig_ids": hidden}
    await audit.record(
        session, admin, SUSPEND, ("user", user.id), before=before, after=after, reason=data.reason
    )
    return await user_out(session, user)


async def _hidden_gigs(session: AsyncSession, user: User) -> list[str]:
    """The gigs the account's current suspension took out of the lists, as its record says."""
    suspension = await audit.latest(session, SUSPEND, ("user", user.id))
    return list((suspension.after or {}).get("hidden_gig_ids", [])) if suspension else []


async def unsuspend(session: AsyncSession, admin: User | None, user_id: uuid.UUID) -> AdminUserOut:
    """Lift the suspension (an admin, or the job when `until` has passed): the gigs it hid are
    listed again and the payouts it held go out."""
    user = await _locked_user(session, user_id)
    if not user.is_suspended:
        raise NotSuspended()
    await _lift(session, admin, user)
    return await user_out(session, user)


async def _lift(session: AsyncSession, admin: User | None, user: User) -> None:
    before = _standing(user)
    hidden = await _hidden_gigs(session, user)
    identity.unsuspend(user)
    await catalog.relist_gigs(session, user.id, hidden)
    await payments.resume_payouts(session, user.id)
    reason = None if admin else "the suspension's end date passed"
    await audit.record(
        session,
        admin,
        "user.unsuspend",
        ("user", user.id),
        before=before,
        after=_standing(user),
        reason=reason,
    )


async def lift_ended_suspensions(session: AsyncSession, limit: int = 100) -> int:
    """The job's work: lift the suspensions whose `until` has passed (at most `limit` per run,
    skipping accounts another worker holds); how many were lifted."""
    ended = await session.scalars(
        select(User)
        .where(
            User.suspended_until.is_not(None),
            User.suspended_until <= utcnow(),
            User.suspended_at.is_not(None),
        )
        .order_by(User.suspended_until)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    users = list(ended)
    for user in users:
        await _lift(session, None, user)
    return len(users)


# --- held payouts -------------------------------------------------------------------------


async def release_withdrawal(session: AsyncSession, admin: User, withdrawal_id: uuid.UUID) -> WithdrawalOut:
    """Let one withdrawal of a suspended creator be paid out now."""
    withdrawal = await payments.held_withdrawal(session, withdrawal_id)
    if withdrawal is None:
        if await session.get(Withdrawal, withdrawal_id) is None:
            raise WithdrawalNotFound()
        raise WithdrawalNotHeld()
    await payments.release_withdrawal(session, withdrawal)
    after = {"released_at": utcnow().isoformat(), "user_id": str(withdrawal.user_id)}
    await audit.record(session, admin, "withdrawal.release", ("withdrawal", withdrawal.id), after=after)
    return WithdrawalOut.of(withdrawal)

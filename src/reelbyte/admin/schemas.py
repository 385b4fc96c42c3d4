"""Request and response bodies of the admin API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field

from reelbyte.admin.models import UserVerification, VerificationKind
from reelbyte.core.audit import AuditEntry
from reelbyte.core.money import Money
from reelbyte.core.schemas import RequestModel, ResponseModel
from reelbyte.identity.models import Role, User
from reelbyte.orders.schemas import NOT_BLANK

AccountStatus = Literal["active", "suspended", "deactivated"]
Note = Annotated[str, Field(min_length=1, max_length=2000, pattern=NOT_BLANK)]


def account_status(user: User) -> AccountStatus:
    if user.is_suspended:
        return "suspended"
    return "active" if user.is_active else "deactivated"


class VerifyRequest(RequestModel):
    kind: VerificationKind
    note: Note | None = None


class SuspendRequest(RequestModel):
    reason: Note
    until: AwareDatetime | None = Field(
        default=None, description="when the suspension ends by itself (a job lifts it); none: until lifted"
    )


class VerificationOut(ResponseModel):
    kind: VerificationKind
    note: str | None
    verified_by: uuid.UUID | None
    created_at: datetime


class AdminUserOut(ResponseModel):
    """An account as admins see it: private fields, standing, and what it did on the platform.

    Orders count the paid ones; GMV sums their amounts in the platform currency."""

    id: uuid.UUID
    email: str
    username: str
    full_name: str
    role: Role
    status: AccountStatus
    email_verified: bool
    verified_at: datetime | None = Field(description="the badge: when an admin first verified the account")
    verifications: list[VerificationOut]
    suspended_at: datetime | None
    suspended_until: datetime | None
    suspension_reason: str | None
    created_at: datetime
    last_login_at: datetime | None
    orders_as_client: int
    orders_as_creator: int
    gmv_as_client: Money
    gmv_as_creator: Money
    open_reports: int = Field(description="open reports against the account itself")

    @classmethod
    def of(cls, user: User, verifications: list[UserVerification], figures: dict[str, Any]) -> AdminUserOut:
        return cls(
            id=user.id,
            email=user.email,
            username=user.username,
            full_name=user.full_name,
            role=user.role,
            status=account_status(user),
            email_verified=user.is_email_verified,
            verified_at=user.verified_at,
            verifications=[VerificationOut.model_validate(v) for v in verifications],
            suspended_at=user.suspended_at,
            suspended_until=user.suspended_until,
            suspension_reason=user.suspension_reason,
            created_at=user.created_at,
            last_login_at=user.last_login_at,
            **figures,
        )


class AuditEntryOut(ResponseModel):
    id: int
    actor_id: uuid.UUID | None = Field(description="the admin; null for a job (a suspension that ran out)")
    action: str
    target_type: str
    target_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None
    created_at: datetime

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls.model_validate(entry)


class AuditPage(ResponseModel):
    items: list[AuditEntryOut]
    next_cursor: str | None

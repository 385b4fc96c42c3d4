"""Request and response bodies of the admin API."""

from __future__ import annotations

import enum
import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BeforeValidator, ConfigDict, Field, WithJsonSchema

from reelbyte.admin.models import UserVerification, VerificationKind
from reelbyte.core.audit import AuditEntry
from reelbyte.core.money import Money
from reelbyte.core.schemas import RequestModel, ResponseModel
from reelbyte.identity.models import Role, User
from reelbyte.messaging.models import ReportAction, ReportStatus, ReportTarget
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


# --- the report queue ---------------------------------------------------------------------


class PersonRef(ResponseModel):
    id: uuid.UUID
    username: str


class MessagePreview(ResponseModel):
    kind: Literal["message"] = "message"
    text: str = Field(description="an excerpt, as sent (the moderators read hidden and deleted ones too)")
    deleted: bool
    sender: PersonRef
    conversation_id: uuid.UUID


class ReviewPreview(ResponseModel):
    kind: Literal["review"] = "review"
    rating: int
    text: str = Field(description="an excerpt of the comment")
    author: PersonRef


class GigPreview(ResponseModel):
    kind: Literal["gig"] = "gig"
    title: str
    slug: str
    creator: PersonRef


class ProfilePreview(ResponseModel):
    kind: Literal["user"] = "user"
    username: str
    full_name: str
    bio: str | None = Field(description="an excerpt")


class ProjectPreview(ResponseModel):
    kind: Literal["project"] = "project"
    title: str
    client: PersonRef


TargetPreview = Annotated[
    MessagePreview | ReviewPreview | GigPreview | ProfilePreview | ProjectPreview,
    Field(discriminator="kind"),
]


class ReportQueueItem(ResponseModel):
    """A report as the moderators work it: what was reported, by whom, and how much."""

    id: uuid.UUID
    reason: str
    status: ReportStatus
    created_at: datetime
    reporter: PersonRef
    target_type: ReportTarget
    target_id: str
    target_exists: bool = Field(description="false once what was reported is deleted")
    preview: TargetPreview | None = Field(description="what was reported; null once it is deleted")
    open_reports_on_target: int = Field(description="the open reports on the same target, this one included")
    resolved_at: datetime | None
    resolved_by: uuid.UUID | None
    resolution_action: ReportAction | None
    resolution_note: str | None


class ResolveReportRequest(RequestModel):
    """How a moderator settles a report (and every other open report on the same target):
    `dismiss` it, `warn` the author (a notification carrying the note), `hide_content` (a
    message, review, gig, project or profile) or `suspend_user` (the author, the note as reason)."""

    action: ReportAction
    note: Note


# --- analytics ----------------------------------------------------------------------------


class AnalyticsInterval(enum.StrEnum):
    DAY = "day"
    WEEK = "week"  # ISO weeks, from Monday
    MONTH = "month"


# Exactly the real days of 1970..2999, leap days included, so the published pattern is the rule.
_YEAR = r"(?:19[7-9][0-9]|2[0-9]{3})"
_LEAP_YEAR = r"(?:19(?:7[26]|8[048]|9[26])|2[0-9](?:0[48]|[2468][048]|[13579][26])|2[048]00)"
_DAY = (
    rf"(?:{_YEAR}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
    rf"|(?:0[13578]|1[02])-31)|{_LEAP_YEAR}-02-29)"
)
_DAY_RULE = "a calendar day in ISO 8601, such as 2026-01-31 (from 1970 to 2999)"


def _iso_day(value: object) -> object:
    if isinstance(value, str) and not re.fullmatch(_DAY, value):
        raise ValueError(_DAY_RULE)
    return value


# A day in a query, written YYYY-MM-DD only (Pydantic alone would also take a number of seconds
# since 1970), in the years a report can cover.
Day = Annotated[
    date,
    BeforeValidator(_iso_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": f"^{_DAY}$", "description": _DAY_RULE}),
]


class SignupsOut(ResponseModel):
    creator: int
    client: int
    hybrid: int


class AnalyticsFigures(ResponseModel):
    """What happened in a period. Counts take every order; money is in the report's currency."""

    signups: SignupsOut
    orders_created: int = Field(description="orders placed, paid or not")
    orders_paid: int
    orders_completed: int
    disputes_opened: int
    gmv: Money = Field(description="the amounts of the orders paid in the period")
    revenue: Money = Field(description="the platform's fees booked in the period (the ledger)")
    refunds: Money = Field(description="money on its way back to clients in the period (the ledger)")
    average_order_value: Money | None = Field(description="GMV over the orders paid; null without any")


class AnalyticsBucket(AnalyticsFigures):
    bucket_start: date = Field(description="the bucket's first day (a Monday for weeks), in UTC")


class AnalyticsTotals(AnalyticsFigures):
    dispute_rate: float | None = Field(description="disputes opened over orders paid; null without any")
    first_orders: int = Field(description="clients whose first paid order falls in the range")
    avg_hours_to_first_order: float | None = Field(description="from sign-up to that first paid order")
    median_hours_to_first_order: float | None


class TopCategory(ResponseModel):
    rank: int
    category_id: int
    name: str
    orders: int = Field(description="orders paid in the range")
    gmv: Money


class TopCreator(ResponseModel):
    rank: int
    user_id: uuid.UUID
    username: str
    orders: int = Field(description="orders paid in the range")
    gmv: Money


class AnalyticsOut(ResponseModel):
    """The marketplace's figures over `from`..`to` (both days included), bucket by bucket, as of
    `computed_at` (answered from a cache: see docs/architecture.md)."""

    model_config = ConfigDict(from_attributes=True, validate_by_name=True, serialize_by_alias=True)

    from_: date = Field(alias="from")
    to: date
    interval: AnalyticsInterval
    currency: str = Field(description="of every amount: the platform currency")
    computed_at: datetime
    series: list[AnalyticsBucket]
    totals: AnalyticsTotals
    top_categories: list[TopCategory] = Field(description="by GMV, at most ten")
    top_creators: list[TopCreator] = Field(description="by GMV, at most ten")

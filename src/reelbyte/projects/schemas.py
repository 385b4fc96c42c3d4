"""Request and response bodies of projects, invites and proposals."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    JsonValue,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from reelbyte.core.money import Money, positive_money_schema
from reelbyte.core.schemas import PublicUrl, RequestModel, ResponseModel
from reelbyte.core.text import normalise_label
from reelbyte.core.updates import not_nullable
from reelbyte.media.schemas import AttachedFile
from reelbyte.projects.models import Project, ProjectStatus, ProjectVisibility, Proposal, ProposalStatus

# Budgets and prices live in INTEGER columns: cap them well inside that (ten million a project).
MAX_AMOUNT = Decimal("10000000.00")
MAX_ATTACHMENTS = 10
MAX_SKILLS = 20
MAX_DEADLINE_AHEAD = timedelta(days=3 * 365)


def _positive_bounded(money: Money) -> Money:
    amount = Decimal(money.value)
    if amount <= 0:
        raise ValueError("amount must be positive")
    if amount > MAX_AMOUNT:
        raise ValueError(f"amount must be at most {MAX_AMOUNT}")
    return money


_DATE_ONLY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date_means_end_of_day(value: object) -> object:
    """A date (`2026-12-31`) means the end of that day in UTC: 2026-12-31T23:59:59.999999Z."""
    if isinstance(value, str) and _DATE_ONLY.fullmatch(value):
        value = date.fromisoformat(value)  # an impossible date is a ValueError: 422
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time.max, tzinfo=UTC)
    return value


def _future(moment: datetime) -> datetime:
    now = datetime.now(UTC)
    if moment <= now:
        raise ValueError("deadline must be in the future")
    if moment > now + MAX_DEADLINE_AHEAD:
        raise ValueError("deadline must be within three years")
    return moment.astimezone(UTC)


def _normalised_skills(skills: list[str]) -> list[str]:
    """Normalised and de-duplicated, first occurrence first."""
    cleaned = [normalise_label(skill) for skill in skills]
    if any(not skill for skill in cleaned):
        raise ValueError("skills must not be blank")
    return list(dict.fromkeys(cleaned))


def _refuse_null(value: object) -> object:
    if value is None:
        raise ValueError("cannot be cleared; leave the field out to keep it")
    return value


Amount = Annotated[
    Money, AfterValidator(_positive_bounded), positive_money_schema(7, inclusive_power_of_ten=True)
]
Deadline = Annotated[
    AwareDatetime,
    BeforeValidator(_date_means_end_of_day),
    AfterValidator(_future),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}],
            "description": "A date-time with its time zone, or a date (`2026-12-31`) meaning the end of "
            "that day in UTC; in the future, within three years.",
        }
    ),
]
Title = Annotated[str, Field(min_length=3, max_length=150, pattern=r"\S[\s\S]+\S")]  # 3 once trimmed
Description = Annotated[str, Field(min_length=1, max_length=10_000, pattern=r"\S")]  # not only spaces
Skill = Annotated[str, Field(min_length=1, max_length=50, pattern=r"\S")]
Skills = Annotated[list[Skill], Field(max_length=MAX_SKILLS), AfterValidator(_normalised_skills)]
Attachments = Annotated[list[PublicUrl], Field(max_length=MAX_ATTACHMENTS)]
UploadIds = Annotated[list[uuid.UUID], Field(max_length=MAX_ATTACHMENTS)]
CoverLetter = Annotated[str, Field(min_length=1, max_length=5000, pattern=r"\S")]
DeliveryDays = Annotated[int, Field(ge=1, le=365)]
CategoryId = Annotated[int, Field(ge=1, le=2**31 - 1)]

_PROJECT_EXAMPLE: dict[str, JsonValue] = {
    "title": "Cut a 10-minute YouTube travel vlog",
    "description": "Two hours of GoPro footage from Lisbon; fast cuts, captions, licensed music.",
    "category_id": 1,
    "subcategory_id": None,
    "required_skills": ["Premiere Pro", "Color Grading"],
    "budget_min": {"currency": "EUR", "value": "200.00"},
    "budget_max": {"currency": "EUR", "value": "450.00"},
    "deadline": "2027-01-31T17:00:00Z",
    "attachments": ["https://drive.example.com/footage-brief.pdf"],
    "visibility": "public",
}


class ProjectCreate(RequestModel):
    title: Title
    description: Description
    category_id: CategoryId
    subcategory_id: CategoryId | None = None
    required_skills: Skills = Field(default_factory=list)
    budget_min: Amount
    budget_max: Amount
    deadline: Deadline
    attachments: Attachments = Field(default_factory=list)
    visibility: ProjectVisibility = ProjectVisibility.PUBLIC

    model_config = {"json_schema_extra": {"examples": [_PROJECT_EXAMPLE]}}

    @model_validator(mode="before")
    @classmethod
    def _no_uploads_before_the_project_exists(cls, data: Any) -> Any:
        if isinstance(data, dict) and "attachment_upload_ids" in data:
            raise ValueError(
                "attachment_upload_ids: files are uploaded for a project that exists; post the "
                "project, upload the files for it (purpose project_attachment, target_id = its id), "
                "then send their ids to PUT /v1/projects/{id}"
            )
        return data


_KEPT_PROJECT_FIELDS = (
    "title",
    "description",
    "category_id",
    "required_skills",
    "budget_min",
    "budget_max",
    "deadline",
    "attachments",
    "attachment_upload_ids",
    "visibility",
)
_KEPT_PROPOSAL_FIELDS = (
    "cover_letter",
    "milestones",
    "price",
    "proposed_price",
    "delivery_days",
    "delivery_time",
    "attachments",
    "attachment_upload_ids",
)


class ProjectUpdate(RequestModel):
    """Every field is optional: only the ones sent change. `subcategory_id: null` clears it."""

    title: Title | None = None
    description: Description | None = None
    category_id: CategoryId | None = None
    subcategory_id: CategoryId | None = None
    required_skills: Skills | None = None
    budget_min: Amount | None = None
    budget_max: Amount | None = None
    deadline: Deadline | None = None
    attachments: Attachments | None = None
    attachment_upload_ids: UploadIds | None = Field(
        default=None,
        description="files you uploaded for this project (purpose `project_attachment`, target_id "
        "= the project), once ready; the list replaces the one kept ([] removes them all)",
    )
    visibility: ProjectVisibility | None = None

    @field_validator(*_KEPT_PROJECT_FIELDS, mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        return _refuse_null(value)

    model_config = {
        "json_schema_extra": not_nullable(
            *_KEPT_PROJECT_FIELDS,
            examples=[{"budget_max": {"currency": "EUR", "value": "500.00"}, "visibility": "invite_only"}],
        )
    }


class ProjectOut(ResponseModel):
    id: uuid.UUID
    client_id: uuid.UUID
    title: str
    description: str
    category_id: int
    subcategory_id: int | None
    required_skills: list[str]
    budget_min: Money
    budget_max: Money
    deadline: datetime
    attachments: list[str]
    attachment_files: list[AttachedFile] = Field(
        description="the files the owner uploaded for the project (URLs signed for the viewer)"
    )
    status: ProjectStatus
    visibility: ProjectVisibility
    proposals_count: int
    views_count: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, project: Project, files: Mapping[uuid.UUID, AttachedFile] | None = None) -> ProjectOut:
        """`files`: the project's attached files by upload id (`media.attach.attached_files`)."""
        return cls(
            id=project.id,
            client_id=project.client_id,
            title=project.title,
            description=project.description,
            category_id=project.category_id,
            subcategory_id=project.subcategory_id,
            required_skills=list(project.required_skills or []),
            budget_min=Money.from_minor(project.budget_min_minor, project.currency),
            budget_max=Money.from_minor(project.budget_max_minor, project.currency),
            deadline=project.deadline,
            attachments=list(project.attachments or []),
            attachment_files=_in_order(project.attachment_upload_ids, files),
            status=project.status,
            visibility=project.visibility,
            proposals_count=project.proposals_count,
            views_count=project.views_count,
            created_at=project.created_at,
            updated_at=project.updated_at,
        )


def _in_order(
    upload_ids: list[uuid.UUID] | None, files: Mapping[uuid.UUID, AttachedFile] | None
) -> list[AttachedFile]:
    """The files of `upload_ids` in their order, leaving out those deleted since."""
    found = files or {}
    return [found[upload_id] for upload_id in upload_ids or [] if upload_id in found]


class InviteCreate(RequestModel):
    creator_id: uuid.UUID


class InviteOut(ResponseModel):
    project_id: uuid.UUID
    creator_id: uuid.UUID
    created_at: datetime


MAX_PROPOSAL_MILESTONES = 20


class ProposalMilestone(RequestModel):
    """One step of the work and what it costs; funded and paid on its own once the order exists."""

    title: Title
    amount: Amount = Field(description="in the proposal's currency")
    description: Annotated[str, Field(max_length=5000)] | None = None
    due_in_days: Annotated[int, Field(ge=1, le=365)] | None = Field(
        None, description="days after the proposal is accepted; becomes the milestone's due date"
    )

    def stored(self) -> dict[str, JsonValue]:
        """As kept on the proposal (amounts in minor units, in the proposal's currency)."""
        return {
            "title": self.title,
            "amount_minor": self.amount.minor,
            "description": self.description,
            "due_in_days": self.due_in_days,
        }


class ProposalMilestoneOut(ResponseModel):
    title: str
    amount: Money
    description: str | None
    due_in_days: int | None


ProposalMilestones = Annotated[
    list[ProposalMilestone],
    Field(
        max_length=MAX_PROPOSAL_MILESTONES,
        description="the work in paid steps (optional): amounts in the proposal's currency adding up "
        "exactly to its price; when the proposal is accepted, its order is planned with them",
    ),
]


_PRICE_DOC = "The price asked, in the project's currency."
_PROPOSED_PRICE_DOC = "Another name for `price` (send either; if both, the same amount)."
_DAYS_DOC = "Days to deliver once the order is paid."
_DELIVERY_TIME_DOC = "Another name for `delivery_days` (send either; if both, the same number)."
_UPLOADS_DOC = (
    "files you uploaded for the project (purpose `proposal_attachment`, target_id = the project), "
    "once ready; only you and the project's owner see them"
)


def _one_of(names: tuple[str, str], first: Any, second: Any) -> Any:
    """The value sent under either name of one field; both sent must agree (422 otherwise)."""
    if first is not None and second is not None and first != second:
        raise ValueError(f"{names[0]} and {names[1]} are one field: send one, or the same value in both")
    return first if first is not None else second


def _either_required(*pairs: tuple[str, str]) -> dict[str, JsonValue]:
    """JSON schema: for each pair of names, one of them is required."""
    return {"allOf": [{"anyOf": [{"required": [name]} for name in pair]} for pair in pairs]}


class ProposalCreate(RequestModel):
    """`price` and `delivery_days` may also be sent as `proposed_price` and `delivery_time`."""

    project_id: uuid.UUID
    cover_letter: CoverLetter
    price: Amount | None = Field(None, description=_PRICE_DOC)
    proposed_price: Amount | None = Field(None, description=_PROPOSED_PRICE_DOC)
    delivery_days: DeliveryDays | None = Field(None, description=_DAYS_DOC)
    delivery_time: DeliveryDays | None = Field(None, description=_DELIVERY_TIME_DOC)
    attachments: Attachments = Field(default_factory=list)
    attachment_upload_ids: UploadIds = Field(default_factory=list, description=_UPLOADS_DOC)
    milestones: ProposalMilestones = Field(default_factory=list)

    model_config = {
        "json_schema_extra": {
            **_either_required(("price", "proposed_price"), ("delivery_days", "delivery_time")),
            "examples": [
                {
                    "project_id": "6f1c1d7e-8f9a-4d0b-9a53-1f1e6c1a2b3c",
                    "cover_letter": "I cut travel vlogs every week; here is a similar one.",
                    "price": {"currency": "EUR", "value": "350.00"},
                    "delivery_days": 7,
                    "attachments": ["https://vimeo.com/123456789"],
                }
            ],
        }
    }

    @model_validator(mode="after")
    def _one_value_per_field(self) -> Self:
        price = _one_of(("price", "proposed_price"), self.price, self.proposed_price)
        days = _one_of(("delivery_days", "delivery_time"), self.delivery_days, self.delivery_time)
        if price is None:
            raise ValueError("price (or proposed_price) is required")
        if days is None:
            raise ValueError("delivery_days (or delivery_time) is required")
        self.price = self.proposed_price = price
        self.delivery_days = self.delivery_time = days
        return self

    @property
    def amount(self) -> Money:
        assert self.price is not None  # the validator above
        return self.price

    @property
    def days(self) -> int:
        assert self.delivery_days is not None
        return self.delivery_days


class ProposalUpdate(RequestModel):
    """Every field is optional: only the ones sent change (none can be cleared). `price` and
    `delivery_days` may also be sent as `proposed_price` and `delivery_time`."""

    cover_letter: CoverLetter | None = None
    price: Amount | None = Field(None, description=_PRICE_DOC)
    proposed_price: Amount | None = Field(None, description=_PROPOSED_PRICE_DOC)
    delivery_days: DeliveryDays | None = Field(None, description=_DAYS_DOC)
    delivery_time: DeliveryDays | None = Field(None, description=_DELIVERY_TIME_DOC)
    attachments: Attachments | None = None
    attachment_upload_ids: UploadIds | None = Field(
        None, description=f"{_UPLOADS_DOC}; the list replaces the one kept ([] removes them all)"
    )
    milestones: ProposalMilestones | None = Field(
        None,
        description="replaces the plan kept ([] for one payment); left out, the plan kept must "
        "still add up to the price",
    )

    model_config = {"json_schema_extra": not_nullable(*_KEPT_PROPOSAL_FIELDS)}

    @field_validator(*_KEPT_PROPOSAL_FIELDS, mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        return _refuse_null(value)

    @model_validator(mode="after")
    def _one_value_per_field(self) -> Self:
        _one_of(("price", "proposed_price"), self.price, self.proposed_price)
        _one_of(("delivery_days", "delivery_time"), self.delivery_days, self.delivery_time)
        return self

    @property
    def amount(self) -> Money | None:
        """The new price if one was sent (under either name)."""
        return self.price if self.price is not None else self.proposed_price

    @property
    def days(self) -> int | None:
        return self.delivery_days if self.delivery_days is not None else self.delivery_time


class ProposalOut(ResponseModel):
    id: uuid.UUID
    project_id: uuid.UUID
    creator_id: uuid.UUID
    cover_letter: str
    price: Money
    proposed_price: Money = Field(description="The same as `price`.")
    delivery_days: int
    delivery_time: int = Field(description="The same as `delivery_days`.")
    attachments: list[str]
    attachment_files: list[AttachedFile] = Field(
        description="the files the author uploaded for it (URLs signed for the viewer)"
    )
    milestones: list[ProposalMilestoneOut] = Field(
        description="the paid steps proposed, in order ([]: one payment for the whole price)"
    )
    status: ProposalStatus
    # The client's private mark: shown to the project's owner only (null for the author).
    is_shortlisted: bool | None
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(
        cls, proposal: Proposal, *, for_owner: bool, files: Mapping[uuid.UUID, AttachedFile] | None = None
    ) -> ProposalOut:
        price = Money.from_minor(proposal.price_minor, proposal.currency)
        return cls(
            id=proposal.id,
            project_id=proposal.project_id,
            creator_id=proposal.creator_id,
            cover_letter=proposal.cover_letter,
            price=price,
            proposed_price=price,
            delivery_days=proposal.delivery_days,
            delivery_time=proposal.delivery_days,
            attachments=list(proposal.attachments or []),
            attachment_files=_in_order(proposal.attachment_upload_ids, files),
            milestones=[_milestone_out(item, proposal.currency) for item in proposal.milestones or []],
            status=proposal.status,
            is_shortlisted=proposal.is_shortlisted if for_owner else None,
            decided_at=proposal.decided_at,
            created_at=proposal.created_at,
            updated_at=proposal.updated_at,
        )


def _milestone_out(item: Mapping[str, Any], currency: str) -> ProposalMilestoneOut:
    return ProposalMilestoneOut(
        title=item["title"],
        amount=Money.from_minor(item["amount_minor"], currency),
        description=item.get("description"),
        due_in_days=item.get("due_in_days"),
    )


class AcceptedProposalOut(ProposalOut):
    order_id: uuid.UUID = Field(
        description="the order the acceptance started, awaiting payment (of its first milestone, "
        "when the proposal had milestones)"
    )


class MyProposalOut(ProposalOut):
    project_title: str

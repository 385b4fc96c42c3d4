"""Request and response bodies of projects, invites and proposals."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, JsonValue, field_validator

from reelbyte.core.money import Money
from reelbyte.core.schemas import PublicUrl, RequestModel, ResponseModel
from reelbyte.core.text import normalise_label
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


Amount = Annotated[Money, AfterValidator(_positive_bounded)]
Deadline = Annotated[AwareDatetime, AfterValidator(_future)]
Title = Annotated[str, Field(min_length=3, max_length=150)]
Description = Annotated[str, Field(min_length=1, max_length=10_000)]
Skill = Annotated[str, Field(min_length=1, max_length=50)]
Skills = Annotated[list[Skill], Field(max_length=MAX_SKILLS), AfterValidator(_normalised_skills)]
Attachments = Annotated[list[PublicUrl], Field(max_length=MAX_ATTACHMENTS)]
CoverLetter = Annotated[str, Field(min_length=1, max_length=5000)]
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
    visibility: ProjectVisibility | None = None

    @field_validator(
        "title",
        "description",
        "category_id",
        "required_skills",
        "budget_min",
        "budget_max",
        "deadline",
        "attachments",
        "visibility",
        mode="before",
    )
    @classmethod
    def _not_null(cls, value: object) -> object:
        return _refuse_null(value)

    model_config = {
        "json_schema_extra": {
            "examples": [{"budget_max": {"currency": "EUR", "value": "500.00"}, "visibility": "invite_only"}]
        }
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
    status: ProjectStatus
    visibility: ProjectVisibility
    proposals_count: int
    views_count: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, project: Project) -> ProjectOut:
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
            status=project.status,
            visibility=project.visibility,
            proposals_count=project.proposals_count,
            views_count=project.views_count,
            created_at=project.created_at,
            updated_at=project.updated_at,
        )


class InviteCreate(RequestModel):
    creator_id: uuid.UUID


class InviteOut(ResponseModel):
    project_id: uuid.UUID
    creator_id: uuid.UUID
    created_at: datetime


class ProposalCreate(RequestModel):
    project_id: uuid.UUID
    cover_letter: CoverLetter
    price: Amount
    delivery_days: DeliveryDays
    attachments: Attachments = Field(default_factory=list)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "project_id": "6f1c1d7e-8f9a-4d0b-9a53-1f1e6c1a2b3c",
                    "cover_letter": "I cut travel vlogs every week; here is a similar one.",
                    "price": {"currency": "EUR", "value": "350.00"},
                    "delivery_days": 7,
                    "attachments": ["https://vimeo.com/123456789"],
                }
            ]
        }
    }


class ProposalUpdate(RequestModel):
    """Every field is optional: only the ones sent change (none can be cleared)."""

    cover_letter: CoverLetter | None = None
    price: Amount | None = None
    delivery_days: DeliveryDays | None = None
    attachments: Attachments | None = None

    @field_validator("cover_letter", "price", "delivery_days", "attachments", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        return _refuse_null(value)


class ProposalOut(ResponseModel):
    id: uuid.UUID
    project_id: uuid.UUID
    creator_id: uuid.UUID
    cover_letter: str
    price: Money
    delivery_days: int
    attachments: list[str]
    status: ProposalStatus
    # The client's private mark: shown to the project's owner only (null for the author).
    is_shortlisted: bool | None
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, proposal: Proposal, *, for_owner: bool) -> ProposalOut:
        return cls(
            id=proposal.id,
            project_id=proposal.project_id,
            creator_id=proposal.creator_id,
            cover_letter=proposal.cover_letter,
            price=Money.from_minor(proposal.price_minor, proposal.currency),
            delivery_days=proposal.delivery_days,
            attachments=list(proposal.attachments or []),
            status=proposal.status,
            is_shortlisted=proposal.is_shortlisted if for_owner else None,
            decided_at=proposal.decided_at,
            created_at=proposal.created_at,
            updated_at=proposal.updated_at,
        )

"""The one query behind project lists: `GET /projects` and `GET /search/projects`.

Open public projects are served from partial indexes; invite-only projects appear only to
their owner and to the creators invited to them.
"""

from __future__ import annotations

import enum
import uuid
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, ConfigDict, model_validator
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from reelbyte.core.errors import raises
from reelbyte.core.fulltext import text_query
from reelbyte.core.money import to_minor
from reelbyte.core.params import AmountUpTo10M, is_label, labels_schema
from reelbyte.core.text import normalise_label
from reelbyte.projects.errors import InvalidBudgetRange, InvalidSkill
from reelbyte.projects.models import Project, ProjectInvite, ProjectStatus, ProjectVisibility

# Category ids are INTEGER columns: a larger id is a 422, not a database error.
MAX_ID = 2**31 - 1


class ProjectSort(enum.StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    BUDGET_DESC = "budget_desc"
    BUDGET_ASC = "budget_asc"
    DEADLINE = "deadline"


class ProjectFilters(BaseModel):
    model_config = ConfigDict(frozen=True)

    q: str | None = None
    category_id: int | None = None
    subcategory_id: int | None = None
    min_budget: Decimal | None = None
    max_budget: Decimal | None = None
    skills: tuple[str, ...] = ()
    status: ProjectStatus = ProjectStatus.OPEN
    client_id: uuid.UUID | None = None
    sort_by: ProjectSort = ProjectSort.RELEVANCE

    @model_validator(mode="after")
    def _budget_range_in_order(self) -> ProjectFilters:
        if self.min_budget is not None and self.max_budget is not None and self.min_budget > self.max_budget:
            raise InvalidBudgetRange(
                "min_budget must not be above max_budget.",
                details={"min_budget": str(self.min_budget), "max_budget": str(self.max_budget)},
            )
        return self


MAX_SKILL_LENGTH = 50


@raises(InvalidSkill)
def clean_skills(skills: list[str] | None) -> list[str]:
    """Skills as compared: normalised, unique, sorted; each has 1 to MAX_SKILL_LENGTH characters."""
    if not all(is_label(skill, MAX_SKILL_LENGTH) for skill in skills or []):
        raise InvalidSkill()
    return sorted({normalise_label(skill) for skill in skills or []})


@raises(InvalidSkill, InvalidBudgetRange)
async def project_filters(
    category_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    subcategory_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    min_budget: Annotated[AmountUpTo10M | None, Query()] = None,
    max_budget: Annotated[AmountUpTo10M | None, Query()] = None,
    skills: Annotated[
        list[str] | None,
        Query(max_length=20, description="projects needing any of these"),
        labels_schema(max_items=20, max_length=MAX_SKILL_LENGTH),
    ] = None,
    status: ProjectStatus = ProjectStatus.OPEN,
    client_id: uuid.UUID | None = None,
    sort_by: ProjectSort = ProjectSort.RELEVANCE,
) -> ProjectFilters:
    """FastAPI dependency for the shared project filters."""
    cleaned = clean_skills(skills)
    return ProjectFilters(
        category_id=category_id,
        subcategory_id=subcategory_id,
        min_budget=min_budget,
        max_budget=max_budget,
        skills=tuple(cleaned),
        status=status,
        client_id=client_id,
        sort_by=sort_by,
    )


def visible_to(viewer_id: uuid.UUID | None) -> ColumnElement[bool]:
    """Public projects, plus invite-only ones the viewer owns or is invited to; a project the
    moderators hid, only to its owner."""
    shown = Project.hidden_at.is_(None)
    public = and_(Project.visibility == ProjectVisibility.PUBLIC, shown)
    if viewer_id is None:
        return public
    invited = exists().where(ProjectInvite.project_id == Project.id, ProjectInvite.creator_id == viewer_id)
    return or_(public, Project.client_id == viewer_id, and_(invited, shown))


def filter_conditions(filters: ProjectFilters, viewer_id: uuid.UUID | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Project.status == filters.status, visible_to(viewer_id)]
    if filters.q:
        conditions.append(Project.search_vector.op("@@")(text_query(filters.q)))
    if filters.category_id is not None:
        conditions.append(Project.category_id == filters.category_id)
    if filters.subcategory_id is not None:
        conditions.append(Project.subcategory_id == filters.subcategory_id)
    # A project matches a budget range when its own range overlaps it.
    if filters.min_budget is not None:
        conditions.append(Project.budget_max_minor >= to_minor(filters.min_budget))
    if filters.max_budget is not None:
        conditions.append(Project.budget_min_minor <= to_minor(filters.max_budget))
    if filters.skills:
        conditions.append(Project.required_skills.overlap(list(filters.skills)))
    if filters.client_id is not None:
        conditions.append(Project.client_id == filters.client_id)
    return conditions


def order_by(filters: ProjectFilters) -> list[Any]:
    sort = filters.sort_by
    if sort is ProjectSort.RELEVANCE:
        if filters.q:
            return [func.ts_rank_cd(Project.search_vector, text_query(filters.q), 1).desc(), Project.id]
        sort = ProjectSort.NEWEST
    orderings: dict[ProjectSort, list[Any]] = {
        ProjectSort.NEWEST: [Project.created_at.desc(), Project.id],
        ProjectSort.BUDGET_DESC: [Project.budget_max_minor.desc(), Project.id],
        ProjectSort.BUDGET_ASC: [Project.budget_max_minor.asc(), Project.id],
        ProjectSort.DEADLINE: [Project.deadline.asc(), Project.id],
    }
    return orderings[sort]


def project_list_query(
    filters: ProjectFilters, viewer_id: uuid.UUID | None
) -> tuple[Select[Project], Select[int]]:
    """(the page query without limit/offset, the matching count query)."""
    conditions = filter_conditions(filters, viewer_id)
    items = select(Project).where(*conditions).order_by(*order_by(filters))
    count = select(func.count()).select_from(Project).where(*conditions)
    return items, count

"""Client projects, the creators invited to them, and creators' proposals."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from reelbyte.core.db import Base, Timestamps, UUIDPrimaryKey, utcnow
from reelbyte.core.types import TSVECTOR, pg_enum


class ProjectStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ProjectVisibility(enum.StrEnum):
    PUBLIC = "public"
    INVITE_ONLY = "invite_only"


class ProposalStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Project(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("budget_min_minor > 0 AND budget_min_minor <= budget_max_minor", name="budget_range"),
        CheckConstraint("proposals_count >= 0 AND views_count >= 0", name="counts_not_negative"),
    )

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"))
    subcategory_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"))
    # Normalised (lower-case, trimmed) skill names.
    required_skills: Mapped[list[str]] = mapped_column(ARRAY(String(50)), default=list, server_default="{}")
    budget_min_minor: Mapped[int]
    budget_max_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="EUR", server_default="EUR")
    deadline: Mapped[datetime]
    attachments: Mapped[list[str]] = mapped_column(ARRAY(String(2048)), default=list, server_default="{}")
    # Files the owner uploaded for the project (purpose project_attachment), in their order; an
    # upload deleted since is left out when shown.
    attachment_upload_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid), default=list, server_default="{}"
    )
    status: Mapped[ProjectStatus] = mapped_column(
        pg_enum(ProjectStatus, "project_status"), default=ProjectStatus.OPEN, server_default="open"
    )
    visibility: Mapped[ProjectVisibility] = mapped_column(
        pg_enum(ProjectVisibility, "project_visibility"),
        default=ProjectVisibility.PUBLIC,
        server_default="public",
    )
    proposals_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    views_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A moderator hid the project (a report resolved with hide_content): only its client and admins see it.
    hidden_at: Mapped[datetime | None]
    # Kept current by a database trigger (migration 0004): title over skills over description.
    search_vector: Mapped[str | None] = mapped_column(TSVECTOR, deferred=True)


OPEN_PUBLIC = text("status = 'open' AND visibility = 'public'")

Index("ix_projects_open_newest", Project.created_at.desc(), postgresql_where=OPEN_PUBLIC)
Index(
    "ix_projects_open_category", Project.category_id, Project.created_at.desc(), postgresql_where=OPEN_PUBLIC
)
Index("ix_projects_open_budget", Project.budget_max_minor, postgresql_where=OPEN_PUBLIC)
Index("ix_projects_status", Project.status, Project.created_at.desc())
Index("ix_projects_required_skills", Project.required_skills, postgresql_using="gin")
Index("ix_projects_search_vector", Project.search_vector, postgresql_using="gin")


class ProjectInvite(Base):
    __tablename__ = "project_invites"

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    creator_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)


class Proposal(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "proposals"
    __table_args__ = (
        # One proposal per creator per project (a second gets 409).
        UniqueConstraint("project_id", "creator_id", name="uq_proposals_project_id_creator_id"),
        CheckConstraint("price_minor > 0", name="price_positive"),
        CheckConstraint("delivery_days BETWEEN 1 AND 365", name="delivery_days_range"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    creator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    cover_letter: Mapped[str] = mapped_column(Text)
    price_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    delivery_days: Mapped[int]
    attachments: Mapped[list[str]] = mapped_column(ARRAY(String(2048)), default=list, server_default="{}")
    # Files the author uploaded for it (purpose proposal_attachment, target the project).
    attachment_upload_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid), default=list, server_default="{}"
    )
    status: Mapped[ProposalStatus] = mapped_column(
        pg_enum(ProposalStatus, "proposal_status"), default=ProposalStatus.PENDING, server_default="pending"
    )
    is_shortlisted: Mapped[bool] = mapped_column(default=False, server_default="false")
    decided_at: Mapped[datetime | None]
    # The plan the work is paid in, in order: [{title, amount_minor, description, due_in_days}],
    # amounts in the proposal's currency adding up to its price; [] for one payment. Accepting the
    # proposal plans its order's milestones from it.
    milestones: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )


# The database itself refuses a second accepted proposal on one project, whatever races.
Index(
    "uq_proposals_one_accepted_per_project",
    Proposal.project_id,
    unique=True,
    postgresql_where=text("status = 'accepted'"),
)

"""Projects, invites and proposals: the business rules.

Every function runs inside the caller's unit of work (`core.db.transaction`, opened by the
route or job) and never commits. Locks are always taken in one order: the project row first
(`SELECT … FOR UPDATE`), then the proposal row. So every change on one project (a proposal
sent, accepted, rejected, withdrawn, edited; the project edited, cancelled, deleted) runs one
after the other, and two accepts racing on one project end with exactly one accepted proposal.
The partial unique index `uq_proposals_one_accepted_per_project` is the last line of defence if
that ever breaks (registered below: its violation is a 409, not a 500).

Visibility: a public project is seen by everyone; an invite-only one by its owner and the
creators invited to it, and by nobody else (404). A proposal is seen by its author and by the
project's owner (404 for everyone else). Somebody who can see a thing but may not change it
gets 403 (`not_owner`).

`proposals_count` counts the proposals that stand (pending, accepted or rejected): it goes up
when one is sent and down when one is withdrawn, in SQL, under the project lock.

Uploaded files: the project's owner attaches files uploaded for the project (purpose
`project_attachment`) when changing it (the upload names the project, so not when posting it);
a proposal's author attaches files uploaded for the project (purpose `proposal_attachment`).
They are kept as lists of upload ids and shown (`project_out`, `proposal_out`) to whoever the
project or the proposal is shown to, with URLs signed for them.

Reading a project writes nothing: a view is counted in Redis after the unit of work commits
(`projects/views.py`) and added to `views_count` by the periodic flush job.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog.categories import validate_category_pair
from reelbyte.core.config import get_settings
from reelbyte.core.db import after_commit, constraint_error, lock_one, utcnow
from reelbyte.core.errors import InvalidTransition, NotOwner
from reelbyte.core.money import Money
from reelbyte.core.pagination import PageParams
from reelbyte.identity.models import Role, User
from reelbyte.media.attach import all_attachable, attached_files
from reelbyte.media.models import UploadPurpose
from reelbyte.projects import events
from reelbyte.projects.errors import (
    CurrencyMismatch,
    DeadlinePassed,
    InvalidBudgetRange,
    InvalidInvitee,
    InviteNotFound,
    OwnProject,
    ProjectHasAcceptedProposal,
    ProjectNotFound,
    ProjectNotOpen,
    ProposalExists,
    ProposalMilestonesDoNotAddUp,
    ProposalNotFound,
    ProposalNotPending,
    TooManyInvites,
)
from reelbyte.projects.listing import ProjectFilters, project_list_query, visible_to
from reelbyte.projects.models import (
    Project,
    ProjectInvite,
    ProjectStatus,
    Proposal,
    ProposalStatus,
)
from reelbyte.projects.schemas import (
    MyProposalOut,
    ProjectCreate,
    ProjectOut,
    ProjectUpdate,
    ProposalCreate,
    ProposalMilestone,
    ProposalOut,
    ProposalUpdate,
)
from reelbyte.projects.views import project_views

M = TypeVar("M")

MAX_INVITES_PER_PROJECT = 200

# A racing transaction that slipped past the checks below trips these; the unit of work turns
# the violation into the same 409 the check gives.
constraint_error("uq_proposals_project_id_creator_id", ProposalExists)
constraint_error(
    "uq_proposals_one_accepted_per_project",
    lambda: InvalidTransition(
        "proposal", "pending", "accepted", "Another proposal of this project has already been accepted."
    ),
)

# --- state machines -----------------------------------------------------------------------

PROJECT_TRANSITIONS: dict[ProjectStatus, frozenset[ProjectStatus]] = {
    ProjectStatus.OPEN: frozenset({ProjectStatus.IN_PROGRESS, ProjectStatus.CANCELLED}),
    # Later set by orders: the work is delivered, or the order is cancelled.
    ProjectStatus.IN_PROGRESS: frozenset({ProjectStatus.COMPLETED, ProjectStatus.CANCELLED}),
    ProjectStatus.COMPLETED: frozenset(),
    ProjectStatus.CANCELLED: frozenset(),
}

PROPOSAL_TRANSITIONS: dict[ProposalStatus, frozenset[ProposalStatus]] = {
    ProposalStatus.PENDING: frozenset(
        {ProposalStatus.ACCEPTED, ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN}
    ),
    ProposalStatus.ACCEPTED: frozenset(),
    ProposalStatus.REJECTED: frozenset(),
    ProposalStatus.WITHDRAWN: frozenset(),
}

# The statuses whose proposals count in `projects.proposals_count`.
COUNTED_STATUSES = frozenset({ProposalStatus.PENDING, ProposalStatus.ACCEPTED, ProposalStatus.REJECTED})


def can_transition_project(current: ProjectStatus, target: ProjectStatus) -> bool:
    return target in PROJECT_TRANSITIONS[current]


def can_transition_proposal(current: ProposalStatus, target: ProposalStatus) -> bool:
    return target in PROPOSAL_TRANSITIONS[current]


def _apply_project_transition(project: Project, target: ProjectStatus) -> None:
    """Caller holds the project's row lock."""
    if not can_transition_project(project.status, target):
        raise InvalidTransition("project", project.status.value, target.value)
    project.status = target


def _apply_proposal_transition(proposal: Proposal, target: ProposalStatus) -> None:
    """Caller holds the proposal's row lock (and its project's)."""
    if not can_transition_proposal(proposal.status, target):
        raise InvalidTransition("proposal", proposal.status.value, target.value)
    proposal.status = target
    proposal.decided_at = utcnow()


async def transition_project(session: AsyncSession, project_id: uuid.UUID, target: ProjectStatus) -> Project:
    """Move a project to `target` under its row lock, inside the caller's unit of work.

    For the domains above this one (an order completing or cancelling the project's work). The
    project exists: an order keeps its proposal (RESTRICT), and so the proposal's project.
    """
    project = await lock_one(session, select(Project).where(Project.id == project_id))
    assert project is not None, "the project of an order's proposal is never deleted"
    _apply_project_transition(project, target)
    await session.flush()
    return project


# --- helpers ------------------------------------------------------------------------------


def _not_open(project: Project, doing: str) -> ProjectNotOpen:
    return ProjectNotOpen(
        f"Only an open project can {doing}; this one is {project.status.value}.",
        details={"status": project.status.value},
    )


async def _visible_project(
    session: AsyncSession, viewer_id: uuid.UUID | None, project_id: uuid.UUID, *, lock: bool = False
) -> Project:
    """The project if the viewer may see it (404 otherwise), optionally row-locked."""
    project = await _one(
        session, select(Project).where(Project.id == project_id, visible_to(viewer_id)), lock=lock
    )
    if project is None:
        raise ProjectNotFound()
    return project


async def _owned_project(
    session: AsyncSession, user_id: uuid.UUID, project_id: uuid.UUID, *, lock: bool = False
) -> Project:
    """The project if the user owns it: 404 if they cannot see it, 403 if they can but do not own it."""
    project = await _visible_project(session, user_id, project_id, lock=lock)
    _require_project_owner(project, user_id)
    return project


async def _proposal_with_project(
    session: AsyncSession, user_id: uuid.UUID, proposal_id: uuid.UUID, *, lock: bool = False
) -> tuple[Proposal, Project]:
    """The proposal and its project if the user is its author or the project's owner (404 otherwise).

    With `lock`, the project row is locked first and then the proposal row (the one lock order).
    """
    project_id = await session.scalar(select(Proposal.project_id).where(Proposal.id == proposal_id))
    if project_id is None:
        raise ProposalNotFound()
    project = await _one(session, select(Project).where(Project.id == project_id), lock=lock)
    proposal = await _one(session, select(Proposal).where(Proposal.id == proposal_id), lock=lock)
    if project is None or proposal is None or user_id not in (proposal.creator_id, project.client_id):
        raise ProposalNotFound()
    return proposal, project


async def _one(session: AsyncSession, query: Select[M], *, lock: bool) -> M | None:
    """The row `query` selects, locked (and read afresh) with `lock`."""
    if lock:
        return await lock_one(session, query)
    row: M | None = await session.scalar(query)
    return row


def _require_project_owner(project: Project, user_id: uuid.UUID) -> None:
    if project.client_id != user_id:
        raise NotOwner("Only the project's owner can do this.")


def _require_author(proposal: Proposal, user_id: uuid.UUID) -> None:
    if proposal.creator_id != user_id:
        raise NotOwner("Only the proposal's author can do this.")


def _require_pending(proposal: Proposal, doing: str) -> None:
    if proposal.status is not ProposalStatus.PENDING:
        raise ProposalNotPending(
            f"Only a pending proposal can {doing}; this one is {proposal.status.value}.",
            details={"status": proposal.status.value},
        )


def _budget(low: Money, high: Money, currency: str) -> tuple[int, int]:
    """(min, max) in minor units; both in `currency` and in order (400 otherwise)."""
    for amount in (low, high):
        if amount.currency != currency:
            raise CurrencyMismatch(
                f"Budgets are in {currency}.", details={"currency": amount.currency, "expected": currency}
            )
    if low.minor > high.minor:
        raise InvalidBudgetRange(
            "budget_min must not be above budget_max.",
            details={"budget_min": low.value, "budget_max": high.value},
        )
    return low.minor, high.minor


def _milestone_plan(milestones: list[ProposalMilestone], price: Money) -> list[dict[str, Any]]:
    """The plan as stored: amounts in the price's currency adding up exactly to it (or no plan)."""
    for milestone in milestones:
        if milestone.amount.currency != price.currency:
            raise CurrencyMismatch(
                f"Milestones are in the proposal's currency, {price.currency}.",
                details={"currency": milestone.amount.currency, "expected": price.currency},
            )
    total = sum(milestone.amount.minor for milestone in milestones)
    if milestones and total != price.minor:
        raise ProposalMilestonesDoNotAddUp(
            details={"price_minor": price.minor, "milestones_total_minor": total}
        )
    return [milestone.stored() for milestone in milestones]


def _check_kept_plan(proposal: Proposal) -> None:
    """A plan kept while the price changed must still add up to it."""
    total = sum(item["amount_minor"] for item in proposal.milestones or [])
    if proposal.milestones and total != proposal.price_minor:
        raise ProposalMilestonesDoNotAddUp(
            "The milestones kept no longer add up to the new price: send them with it.",
            details={"price_minor": proposal.price_minor, "milestones_total_minor": total},
        )


def _check_price_currency(price: Money, project: Project) -> None:
    if price.currency != project.currency:
        raise CurrencyMismatch(
            f"Propose a price in the project's currency, {project.currency}.",
            details={"currency": price.currency, "expected": project.currency},
        )


async def _change_proposals_count(session: AsyncSession, project_id: uuid.UUID, delta: int) -> None:
    """Atomic in SQL; `updated_at` keeps meaning "the owner changed the project"."""
    await session.execute(
        update(Project)
        .where(Project.id == project_id)
        .values(proposals_count=Project.proposals_count + delta, updated_at=Project.updated_at)
    )


async def _reject_pending_proposals(
    session: AsyncSession, project_id: uuid.UUID, *, keep: uuid.UUID | None = None
) -> list[Proposal]:
    """pending → rejected for the project's other proposals (the only way into rejected in bulk).

    Caller holds the project lock, so no proposal of it can change under this statement. Returns
    the proposals rejected, oldest first, for the caller to announce in its unit of work.
    """
    assert can_transition_proposal(ProposalStatus.PENDING, ProposalStatus.REJECTED)
    query = update(Proposal).where(
        Proposal.project_id == project_id, Proposal.status == ProposalStatus.PENDING
    )
    if keep is not None:
        query = query.where(Proposal.id != keep)
    rejected = await session.scalars(
        query.values(status=ProposalStatus.REJECTED, decided_at=utcnow())
        .returning(Proposal)
        .execution_options(populate_existing=True)
    )
    return sorted(rejected, key=lambda proposal: (proposal.created_at, proposal.id))


async def _announce_rejected(session: AsyncSession, proposals: list[Proposal], project: Project) -> None:
    for proposal in proposals:
        await events.proposal_rejected.emit(session, (proposal, project))


async def _attachable_ids(
    session: AsyncSession, user: User, upload_ids: list[uuid.UUID], purpose: UploadPurpose, project: Project
) -> list[uuid.UUID]:
    """The ids of the user's ready uploads made for `purpose` on this project (each once, in order)."""
    uploads = await all_attachable(session, user, upload_ids, purpose, target_id=project.id)
    return [upload.id for upload in uploads]


# --- responses ----------------------------------------------------------------------------


async def project_outs(session: AsyncSession, projects: Sequence[Project]) -> list[ProjectOut]:
    """Projects as shown to a viewer who may see them, their uploaded files in one query."""
    files = await attached_files(session, (i for p in projects for i in p.attachment_upload_ids or []))
    return [ProjectOut.of(project, files) for project in projects]


async def project_out(session: AsyncSession, project: Project) -> ProjectOut:
    return (await project_outs(session, [project]))[0]


async def proposal_outs(
    session: AsyncSession, proposals: Sequence[Proposal], *, for_owner: bool
) -> list[ProposalOut]:
    """Proposals as shown to their author or the project's owner, their files in one query."""
    files = await attached_files(session, (i for p in proposals for i in p.attachment_upload_ids or []))
    return [ProposalOut.of(proposal, for_owner=for_owner, files=files) for proposal in proposals]


async def proposal_out(session: AsyncSession, proposal: Proposal, *, for_owner: bool) -> ProposalOut:
    return (await proposal_outs(session, [proposal], for_owner=for_owner))[0]


# --- projects -----------------------------------------------------------------------------


async def list_projects(
    session: AsyncSession, viewer_id: uuid.UUID | None, filters: ProjectFilters, params: PageParams
) -> tuple[list[Project], int]:
    items, count = project_list_query(filters, viewer_id)
    total = await session.scalar(count) or 0
    page = await session.scalars(items.limit(params.page_size).offset(params.offset))
    return list(page), total


async def create_project(session: AsyncSession, user: User, data: ProjectCreate) -> Project:
    currency = get_settings().default_currency
    await validate_category_pair(session, data.category_id, data.subcategory_id)
    budget_min, budget_max = _budget(data.budget_min, data.budget_max, currency)
    project = Project(
        client_id=user.id,
        title=data.title,
        description=data.description,
        category_id=data.category_id,
        subcategory_id=data.subcategory_id,
        required_skills=data.required_skills,
        budget_min_minor=budget_min,
        budget_max_minor=budget_max,
        currency=currency,
        deadline=data.deadline,
        attachments=data.attachments,
        status=ProjectStatus.OPEN,
        visibility=data.visibility,
        proposals_count=0,
        views_count=0,
    )
    session.add(project)
    await session.flush()
    return project


async def get_project(session: AsyncSession, viewer: User | None, project_id: uuid.UUID) -> Project:
    """The project if the viewer may see it (404 otherwise); admins see every project, hidden
    ones too. Reads only: counts no view."""
    if viewer is not None and viewer.is_admin:
        project = await session.get(Project, project_id)
        if project is None:
            raise ProjectNotFound()
        return project
    return await _visible_project(session, viewer.id if viewer else None, project_id)


async def hide_project(session: AsyncSession, project_id: uuid.UUID) -> bool:
    """A moderator hides a project: it leaves lists and search and is seen only by its owner
    and admins. Hiding it again changes nothing; False when there is no such project."""
    hidden = await session.scalar(
        update(Project)
        .where(Project.id == project_id)
        .values(hidden_at=func.coalesce(Project.hidden_at, utcnow()))
        .returning(Project.id)
        .execution_options(synchronize_session=False)
    )
    return hidden is not None


async def view_project(session: AsyncSession, viewer: User | None, project_id: uuid.UUID) -> Project:
    """Somebody opens the project's page: `get_project`, and a view by anybody but the owner is
    counted in Redis once the unit of work commits (no database write)."""
    project = await get_project(session, viewer, project_id)
    if viewer is None or viewer.id != project.client_id:
        project_id = project.id

        async def count_view() -> None:
            project_views.record_view(project_id)

        after_commit(session, count_view)
    return project


async def update_project(
    session: AsyncSession, user: User, project_id: uuid.UUID, changes: ProjectUpdate
) -> Project:
    """The owner changes an open project; only the fields sent change."""
    sent = changes.model_fields_set
    project = await _owned_project(session, user.id, project_id, lock=True)
    if project.status is not ProjectStatus.OPEN:
        raise _not_open(project, "be changed")
    if changes.attachment_upload_ids is not None:
        project.attachment_upload_ids = await _attachable_ids(
            session, user, changes.attachment_upload_ids, UploadPurpose.PROJECT_ATTACHMENT, project
        )
    if sent & {"category_id", "subcategory_id"}:
        category_id = changes.category_id if changes.category_id is not None else project.category_id
        subcategory_id = changes.subcategory_id if "subcategory_id" in sent else project.subcategory_id
        await validate_category_pair(session, category_id, subcategory_id)
        project.category_id, project.subcategory_id = category_id, subcategory_id
    if sent & {"budget_min", "budget_max"}:
        low = changes.budget_min or Money.from_minor(project.budget_min_minor, project.currency)
        high = changes.budget_max or Money.from_minor(project.budget_max_minor, project.currency)
        project.budget_min_minor, project.budget_max_minor = _budget(low, high, project.currency)
    for name in ("title", "description", "required_skills", "deadline", "attachments", "visibility"):
        value = getattr(changes, name)
        if name in sent and value is not None:
            setattr(project, name, value)
    await session.flush()
    return project


async def delete_project(session: AsyncSession, user: User, project_id: uuid.UUID) -> None:
    """The owner deletes a project (its proposals and invites go with it), unless one was accepted."""
    project = await _owned_project(session, user.id, project_id, lock=True)
    accepted = await session.scalar(
        select(exists().where(Proposal.project_id == project.id, Proposal.status == ProposalStatus.ACCEPTED))
    )
    if accepted or project.status in (ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED):
        raise ProjectHasAcceptedProposal(details={"status": project.status.value})
    await session.delete(project)
    await session.flush()


async def cancel_project(session: AsyncSession, user: User, project_id: uuid.UUID) -> Project:
    """The owner cancels an open project; its pending proposals are rejected.

    A project in progress is cancelled through its order, not here.
    """
    project = await _owned_project(session, user.id, project_id, lock=True)
    if project.status is not ProjectStatus.OPEN:
        raise InvalidTransition(
            "project",
            project.status.value,
            ProjectStatus.CANCELLED.value,
            f"Only an open project can be cancelled here; this one is {project.status.value}.",
        )
    _apply_project_transition(project, ProjectStatus.CANCELLED)
    rejected = await _reject_pending_proposals(session, project.id)
    await session.flush()
    await _announce_rejected(session, rejected, project)
    return project


# --- invites ------------------------------------------------------------------------------


async def invite_creator(
    session: AsyncSession, user: User, project_id: uuid.UUID, creator_id: uuid.UUID
) -> tuple[ProjectInvite, bool]:
    """(the invite, whether it is new): inviting the same creator again changes nothing."""
    project = await _owned_project(session, user.id, project_id, lock=True)
    if project.status is not ProjectStatus.OPEN:
        raise _not_open(project, "take invites")
    await _check_invitee(session, user.id, creator_id)
    existing = await session.get(ProjectInvite, (project.id, creator_id))
    if existing is not None:
        return existing, False
    count = await session.scalar(
        select(func.count()).select_from(ProjectInvite).where(ProjectInvite.project_id == project.id)
    )
    if (count or 0) >= MAX_INVITES_PER_PROJECT:
        raise TooManyInvites(f"A project can have at most {MAX_INVITES_PER_PROJECT} invites.")
    invite = ProjectInvite(project_id=project.id, creator_id=creator_id, created_at=utcnow())
    session.add(invite)
    await session.flush()
    await events.creator_invited.emit(session, (invite, project))
    return invite, True


async def _check_invitee(session: AsyncSession, owner_id: uuid.UUID, creator_id: uuid.UUID) -> None:
    """An active creator (or hybrid) other than the owner; anybody else is refused alike (400),
    so that the answer does not tell which accounts exist."""
    invitee = await session.get(User, creator_id) if creator_id != owner_id else None
    if invitee is None or not invitee.is_active or not invitee.role.holds(Role.CREATOR):
        raise InvalidInvitee(details={"creator_id": str(creator_id)})


async def list_invites(session: AsyncSession, user: User, project_id: uuid.UUID) -> list[ProjectInvite]:
    project = await _owned_project(session, user.id, project_id)
    invites = await session.scalars(
        select(ProjectInvite)
        .where(ProjectInvite.project_id == project.id)
        .order_by(ProjectInvite.created_at, ProjectInvite.creator_id)
    )
    return list(invites)


async def remove_invite(
    session: AsyncSession, user: User, project_id: uuid.UUID, creator_id: uuid.UUID
) -> None:
    """The creator no longer sees an invite-only project (a proposal they sent stays)."""
    project = await _owned_project(session, user.id, project_id, lock=True)
    invite = await session.get(ProjectInvite, (project.id, creator_id))
    if invite is None:
        raise InviteNotFound()
    await session.delete(invite)
    await session.flush()


# --- proposals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalView:
    """A proposal and whether the one looking at it owns the project (and so sees the shortlist)."""

    proposal: Proposal
    for_owner: bool


async def create_proposal(session: AsyncSession, user: User, data: ProposalCreate) -> Proposal:
    creator_id = user.id
    project = await _visible_project(session, creator_id, data.project_id, lock=True)
    if project.client_id == creator_id:
        raise OwnProject()
    if project.status is not ProjectStatus.OPEN:
        raise _not_open(project, "take proposals")
    if project.deadline <= utcnow():
        raise DeadlinePassed()
    _check_price_currency(data.amount, project)
    plan = _milestone_plan(data.milestones, data.amount)
    existing = await session.scalar(
        select(Proposal.id).where(Proposal.project_id == project.id, Proposal.creator_id == creator_id)
    )
    if existing is not None:
        raise ProposalExists(details={"proposal_id": str(existing)})
    upload_ids = await _attachable_ids(
        session, user, data.attachment_upload_ids, UploadPurpose.PROPOSAL_ATTACHMENT, project
    )
    proposal = Proposal(
        project_id=project.id,
        creator_id=creator_id,
        cover_letter=data.cover_letter,
        price_minor=data.amount.minor,
        currency=data.amount.currency,
        delivery_days=data.days,
        attachments=data.attachments,
        attachment_upload_ids=upload_ids,
        milestones=plan,
        status=ProposalStatus.PENDING,
        is_shortlisted=False,
    )
    session.add(proposal)
    await session.flush()
    await _change_proposals_count(session, project.id, +1)
    await events.proposal_created.emit(session, (proposal, project))
    return proposal


async def get_proposal(session: AsyncSession, user: User, proposal_id: uuid.UUID) -> ProposalView:
    proposal, project = await _proposal_with_project(session, user.id, proposal_id)
    return ProposalView(proposal, project.client_id == user.id)


async def list_project_proposals(
    session: AsyncSession,
    user: User,
    project_id: uuid.UUID,
    params: PageParams,
    *,
    status: ProposalStatus | None = None,
    shortlisted: bool | None = None,
) -> tuple[list[Proposal], int, bool]:
    """(a page of proposals, total, for_owner): the owner sees all, anybody else only their own."""
    user_id = user.id
    project = await _visible_project(session, user_id, project_id)
    for_owner = project.client_id == user_id
    conditions: list[Any] = [Proposal.project_id == project.id]
    if not for_owner:
        if shortlisted is not None:
            raise NotOwner("Only the project's owner can filter by shortlist.")
        conditions.append(Proposal.creator_id == user_id)
    if status is not None:
        conditions.append(Proposal.status == status)
    if shortlisted is not None:
        conditions.append(Proposal.is_shortlisted.is_(shortlisted))
    total = await session.scalar(select(func.count()).select_from(Proposal).where(*conditions)) or 0
    page = await session.scalars(
        select(Proposal)
        .where(*conditions)
        .order_by(Proposal.created_at, Proposal.id)
        .limit(params.page_size)
        .offset(params.offset)
    )
    return list(page), total, for_owner


async def update_proposal(
    session: AsyncSession, user: User, proposal_id: uuid.UUID, changes: ProposalUpdate
) -> Proposal:
    """The author changes a pending proposal; only the fields sent change."""
    proposal, project = await _proposal_with_project(session, user.id, proposal_id, lock=True)
    _require_author(proposal, user.id)
    _require_pending(proposal, "be changed")
    if project.status is not ProjectStatus.OPEN:
        raise _not_open(project, "have its proposals changed")
    if changes.attachment_upload_ids is not None:
        proposal.attachment_upload_ids = await _attachable_ids(
            session, user, changes.attachment_upload_ids, UploadPurpose.PROPOSAL_ATTACHMENT, project
        )
    if changes.amount is not None:
        _check_price_currency(changes.amount, project)
        proposal.price_minor = changes.amount.minor
    if changes.milestones is not None:
        price = Money.from_minor(proposal.price_minor, proposal.currency)
        proposal.milestones = _milestone_plan(changes.milestones, price)
    _check_kept_plan(proposal)
    if changes.days is not None:
        proposal.delivery_days = changes.days
    if changes.cover_letter is not None:
        proposal.cover_letter = changes.cover_letter
    if changes.attachments is not None:
        proposal.attachments = changes.attachments
    await session.flush()
    return proposal


async def list_my_proposals(
    session: AsyncSession, user: User, params: PageParams, *, status: ProposalStatus | None = None
) -> tuple[list[MyProposalOut], int]:
    """The user's own proposals, newest first, with their project's title (none for a client)."""
    conditions: list[Any] = [Proposal.creator_id == user.id]
    if status is not None:
        conditions.append(Proposal.status == status)
    total = await session.scalar(select(func.count()).select_from(Proposal).where(*conditions)) or 0
    rows = (
        await session.execute(
            select(Proposal, Project.title)
            .join(Project, Project.id == Proposal.project_id)
            .where(*conditions)
            .order_by(Proposal.created_at.desc(), Proposal.id.desc())
            .limit(params.page_size)
            .offset(params.offset)
        )
    ).all()
    shown = await proposal_outs(session, [proposal for proposal, _ in rows], for_owner=False)
    items = [
        MyProposalOut(**out.model_dump(), project_title=title)
        for out, (_, title) in zip(shown, rows, strict=True)
    ]
    return items, total


async def withdraw_proposal(session: AsyncSession, user: User, proposal_id: uuid.UUID) -> Proposal:
    """The author takes back a pending proposal: pending → withdrawn; it no longer counts."""
    proposal, project = await _proposal_with_project(session, user.id, proposal_id, lock=True)
    _require_author(proposal, user.id)
    _apply_proposal_transition(proposal, ProposalStatus.WITHDRAWN)
    await session.flush()
    await _change_proposals_count(session, project.id, -1)
    return proposal


async def accept_proposal(
    session: AsyncSession, user: User, proposal_id: uuid.UUID
) -> tuple[Proposal, uuid.UUID]:
    """The owner accepts a pending proposal of an open project.

    In one unit of work: pending → accepted, the project open → in_progress, the project's other
    pending proposals → rejected, then `events.proposal_was_accepted` is emitted (the orders
    domain starts the order on it; a handler's error undoes the acceptance).
    """
    proposal, project = await _proposal_with_project(session, user.id, proposal_id, lock=True)
    _require_project_owner(project, user.id)
    _apply_proposal_transition(proposal, ProposalStatus.ACCEPTED)
    _apply_project_transition(project, ProjectStatus.IN_PROGRESS)
    await session.flush()  # the partial unique index checks here
    rejected = await _reject_pending_proposals(session, project.id, keep=proposal.id)
    await events.proposal_was_accepted.emit(session, (proposal, project))
    await _announce_rejected(session, rejected, project)
    order_id = await events.order_of_proposal.first(session, proposal)
    assert order_id is not None  # orders.handlers starts one on every acceptance
    return proposal, order_id


async def reject_proposal(session: AsyncSession, user: User, proposal_id: uuid.UUID) -> Proposal:
    proposal, project = await _proposal_with_project(session, user.id, proposal_id, lock=True)
    _require_project_owner(project, user.id)
    _apply_proposal_transition(proposal, ProposalStatus.REJECTED)
    await session.flush()
    await events.proposal_rejected.emit(session, (proposal, project))
    return proposal


async def set_shortlisted(
    session: AsyncSession, user: User, proposal_id: uuid.UUID, shortlisted: bool
) -> Proposal:
    """The owner marks a pending proposal (or unmarks it); the author never sees the mark."""
    proposal, project = await _proposal_with_project(session, user.id, proposal_id, lock=True)
    _require_project_owner(project, user.id)
    _require_pending(proposal, "be shortlisted")
    proposal.is_shortlisted = shortlisted
    await session.flush()
    return proposal


# --- your data (GDPR): export and erasure, for the privacy domain ---------------------------


async def personal_data(session: AsyncSession, user_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    """The projects the user posted and the proposals they sent, oldest first, for their data
    export: as the API shows them to their owner and author."""
    projects = await session.scalars(
        select(Project).where(Project.client_id == user_id).order_by(Project.created_at, Project.id)
    )
    proposals = await session.scalars(
        select(Proposal).where(Proposal.creator_id == user_id).order_by(Proposal.created_at, Proposal.id)
    )
    return {
        "projects": [out.model_dump(mode="json") for out in await project_outs(session, list(projects))],
        "proposals": [
            out.model_dump(mode="json")
            for out in await proposal_outs(session, list(proposals), for_owner=False)
        ],
    }


async def close_for_erasure(session: AsyncSession, user_id: uuid.UUID) -> None:
    """An account being erased leaves the market: its pending proposals are withdrawn, and its
    open projects cancelled (their pending proposals rejected, their authors told). Projects are
    locked first, in id order, as everywhere else; projects under way belong to orders, which
    the erasure refuses while they are open."""
    assert can_transition_proposal(ProposalStatus.PENDING, ProposalStatus.WITHDRAWN)
    assert can_transition_project(ProjectStatus.OPEN, ProjectStatus.CANCELLED)
    mine_pending = (Proposal.creator_id == user_id, Proposal.status == ProposalStatus.PENDING)
    await session.execute(
        select(Project.id)
        .where(Project.id.in_(select(Proposal.project_id).where(*mine_pending)))
        .order_by(Project.id)
        .with_for_update()
    )
    withdrawn = await session.scalars(
        update(Proposal)
        .where(*mine_pending)
        .values(status=ProposalStatus.WITHDRAWN, decided_at=utcnow())
        .returning(Proposal.project_id)
        .execution_options(synchronize_session=False)
    )
    for project_id in list(withdrawn):
        await _change_proposals_count(session, project_id, -1)
    open_projects = await session.scalars(
        select(Project)
        .where(Project.client_id == user_id, Project.status == ProjectStatus.OPEN)
        .order_by(Project.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    for project in list(open_projects):
        project.status = ProjectStatus.CANCELLED
        rejected = await _reject_pending_proposals(session, project.id)
        await session.flush()
        await _announce_rejected(session, rejected, project)

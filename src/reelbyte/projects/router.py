"""HTTP routes of projects, invites and proposals (under /v1)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Response, status

from reelbyte.catalog.errors import InvalidCategory, InvalidSubcategory
from reelbyte.core.errors import InvalidTransition, NotOwner, error_responses
from reelbyte.core.pagination import Page, PageParams, page_params
from reelbyte.core.routing import APIRouter, ReplicaSessionDep, SessionDep
from reelbyte.identity.deps import CurrentClient, CurrentUser, OptionalUser, VerifiedCreator
from reelbyte.media.errors import UploadKindMismatch, UploadNotFound, UploadNotReady, UploadPurposeMismatch
from reelbyte.projects import errors, schemas, service
from reelbyte.projects.listing import ProjectFilters, project_filters
from reelbyte.projects.models import ProposalStatus

projects_router = APIRouter(prefix="/projects", tags=["projects"])
proposals_router = APIRouter(prefix="/proposals", tags=["proposals"])

Filters = Annotated[ProjectFilters, Depends(project_filters)]
Paging = Annotated[PageParams, Depends(page_params)]

# An uploaded file that is not the caller's (404), not made for this project and purpose or of a
# kind not taken (422), or not processed yet (409).
ATTACHMENT_REFUSALS = (UploadNotFound, UploadPurposeMismatch, UploadKindMismatch, UploadNotReady)


# --- projects -----------------------------------------------------------------------------


@projects_router.get("", response_model=Page[schemas.ProjectOut])
async def list_projects(
    viewer: OptionalUser, filters: Filters, paging: Paging, session: ReplicaSessionDep
) -> Page[schemas.ProjectOut]:
    """Open projects by default; filter by category, budget range (overlapping), skills (any), status.

    Invite-only projects are listed only for their owner and the creators invited to them.
    """
    items, total = await service.list_projects(session, viewer.id if viewer else None, filters, paging)
    return Page.of(await service.project_outs(session, items), total, paging)


@projects_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.ProjectOut,
    responses=error_responses(
        InvalidCategory, InvalidSubcategory, errors.CurrencyMismatch, errors.InvalidBudgetRange
    ),
)
async def create_project(
    data: schemas.ProjectCreate, user: CurrentClient, session: SessionDep
) -> schemas.ProjectOut:
    """Post a project (clients, and hybrid users). Budgets are in the platform currency.

    Files are attached once it exists: upload them for it (purpose `project_attachment`,
    target_id = its id), then send `attachment_upload_ids` to `PUT /v1/projects/{id}` (sent here,
    they are refused, 422)."""
    return await service.project_out(session, await service.create_project(session, user, data))


@projects_router.get(
    "/{project_id}", response_model=schemas.ProjectOut, responses=error_responses(errors.ProjectNotFound)
)
async def get_project(
    project_id: uuid.UUID, viewer: OptionalUser, session: ReplicaSessionDep
) -> schemas.ProjectOut:
    """A project you may see (404 otherwise). Views by anybody but the owner are counted, and
    show in `views_count` within about a minute."""
    return await service.project_out(session, await service.view_project(session, viewer, project_id))


@projects_router.put(
    "/{project_id}",
    response_model=schemas.ProjectOut,
    responses=error_responses(
        errors.ProjectNotFound,
        NotOwner,
        errors.ProjectNotOpen,
        InvalidCategory,
        InvalidSubcategory,
        errors.CurrencyMismatch,
        errors.InvalidBudgetRange,
        *ATTACHMENT_REFUSALS,
    ),
)
async def update_project(
    project_id: uuid.UUID, changes: schemas.ProjectUpdate, user: CurrentUser, session: SessionDep
) -> schemas.ProjectOut:
    """Change your open project: only the fields sent change. `attachment_upload_ids` attaches
    files you uploaded for it (purpose `project_attachment`, target_id = the project)."""
    project = await service.update_project(session, user, project_id, changes)
    return await service.project_out(session, project)


@projects_router.delete(
    "/{project_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(errors.ProjectNotFound, NotOwner, errors.ProjectHasAcceptedProposal),
)
async def delete_project(project_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    """Delete your project with its proposals and invites; 409 once a proposal was accepted."""
    await service.delete_project(session, user, project_id)


@projects_router.post(
    "/{project_id}/cancel",
    response_model=schemas.ProjectOut,
    responses=error_responses(errors.ProjectNotFound, NotOwner, InvalidTransition),
)
async def cancel_project(project_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> schemas.ProjectOut:
    """Cancel your open project; its pending proposals are rejected."""
    return await service.project_out(session, await service.cancel_project(session, user, project_id))


@projects_router.get(
    "/{project_id}/proposals",
    response_model=Page[schemas.ProposalOut],
    tags=["proposals"],
    responses=error_responses(errors.ProjectNotFound, NotOwner),
)
async def list_project_proposals(
    project_id: uuid.UUID,
    user: CurrentUser,
    paging: Paging,
    session: SessionDep,
    status: ProposalStatus | None = None,
    shortlisted: Annotated[bool | None, Query(description="the owner's shortlist only")] = None,
) -> Page[schemas.ProposalOut]:
    """The owner sees every proposal; a creator sees only their own."""
    items, total, for_owner = await service.list_project_proposals(
        session, user, project_id, paging, status=status, shortlisted=shortlisted
    )
    return Page.of(await service.proposal_outs(session, items, for_owner=for_owner), total, paging)


@projects_router.post(
    "/{project_id}/invites",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.InviteOut,
    responses={
        200: {"description": "The creator was already invited", "model": schemas.InviteOut},
        **error_responses(
            errors.ProjectNotFound,
            NotOwner,
            errors.ProjectNotOpen,
            errors.InvalidInvitee,
            errors.TooManyInvites,
        ),
    },
)
async def invite_creator(
    project_id: uuid.UUID,
    data: schemas.InviteCreate,
    user: CurrentUser,
    session: SessionDep,
    response: Response,
) -> schemas.InviteOut:
    """Invite an active creator to your open project (they can then see it if it is invite-only)."""
    invite, created = await service.invite_creator(session, user, project_id, data.creator_id)
    if not created:
        response.status_code = status.HTTP_200_OK
    return schemas.InviteOut.model_validate(invite)


@projects_router.get(
    "/{project_id}/invites",
    response_model=list[schemas.InviteOut],
    responses=error_responses(errors.ProjectNotFound, NotOwner),
)
async def list_invites(
    project_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> list[schemas.InviteOut]:
    return [
        schemas.InviteOut.model_validate(invite)
        for invite in await service.list_invites(session, user, project_id)
    ]


@projects_router.delete(
    "/{project_id}/invites/{creator_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(errors.ProjectNotFound, NotOwner, errors.InviteNotFound),
)
async def remove_invite(
    project_id: uuid.UUID, creator_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> None:
    await service.remove_invite(session, user, project_id, creator_id)


# --- proposals ----------------------------------------------------------------------------


@proposals_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.ProposalOut,
    responses=error_responses(
        errors.ProjectNotFound,
        errors.OwnProject,
        errors.ProjectNotOpen,
        errors.DeadlinePassed,
        errors.CurrencyMismatch,
        errors.ProposalMilestonesDoNotAddUp,
        errors.ProposalExists,
        *ATTACHMENT_REFUSALS,
    ),
)
async def create_proposal(
    data: schemas.ProposalCreate, user: VerifiedCreator, session: SessionDep
) -> schemas.ProposalOut:
    """Bid on an open project you can see (creators, and hybrid users on others' projects).

    One proposal per creator per project; the price is in the project's currency. Files you
    uploaded for the project (purpose `proposal_attachment`) go in `attachment_upload_ids`; only
    you and the project's owner see them.
    """
    proposal = await service.create_proposal(session, user, data)
    return await service.proposal_out(session, proposal, for_owner=False)


@proposals_router.get("/mine", response_model=Page[schemas.MyProposalOut])
async def list_my_proposals(
    user: CurrentUser, paging: Paging, session: SessionDep, status: ProposalStatus | None = None
) -> Page[schemas.MyProposalOut]:
    """The proposals you sent, newest first, with their project's title (a client who sent none
    gets an empty page)."""
    items, total = await service.list_my_proposals(session, user, paging, status=status)
    return Page.of(items, total, paging)


@proposals_router.get(
    "/{proposal_id}", response_model=schemas.ProposalOut, responses=error_responses(errors.ProposalNotFound)
)
async def get_proposal(proposal_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> schemas.ProposalOut:
    """Your proposal, or one sent for your project."""
    view = await service.get_proposal(session, user, proposal_id)
    return await service.proposal_out(session, view.proposal, for_owner=view.for_owner)


@proposals_router.put(
    "/{proposal_id}",
    response_model=schemas.ProposalOut,
    responses=error_responses(
        errors.ProposalNotFound,
        NotOwner,
        errors.ProposalNotPending,
        errors.ProjectNotOpen,
        errors.CurrencyMismatch,
        errors.ProposalMilestonesDoNotAddUp,
        *ATTACHMENT_REFUSALS,
    ),
)
async def update_proposal(
    proposal_id: uuid.UUID, changes: schemas.ProposalUpdate, user: CurrentUser, session: SessionDep
) -> schemas.ProposalOut:
    """Change your pending proposal: only the fields sent change."""
    proposal = await service.update_proposal(session, user, proposal_id, changes)
    return await service.proposal_out(session, proposal, for_owner=False)


@proposals_router.delete(
    "/{proposal_id}",
    response_model=schemas.ProposalOut,
    responses=error_responses(errors.ProposalNotFound, NotOwner, InvalidTransition),
)
async def withdraw_proposal(
    proposal_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> schemas.ProposalOut:
    """Withdraw your pending proposal (it stays, as withdrawn; you cannot send another)."""
    proposal = await service.withdraw_proposal(session, user, proposal_id)
    return await service.proposal_out(session, proposal, for_owner=False)


@proposals_router.post(
    "/{proposal_id}/accept",
    response_model=schemas.AcceptedProposalOut,
    responses=error_responses(errors.ProposalNotFound, NotOwner, InvalidTransition),
)
async def accept_proposal(
    proposal_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> schemas.AcceptedProposalOut:
    """Accept a pending proposal for your open project: the project goes in progress, the other
    pending proposals are rejected, and an order awaiting payment starts (`order_id`), planned
    with the proposal's milestones if it has some."""
    proposal, order_id = await service.accept_proposal(session, user, proposal_id)
    shown = await service.proposal_out(session, proposal, for_owner=True)
    return schemas.AcceptedProposalOut(**shown.model_dump(), order_id=order_id)


@proposals_router.post(
    "/{proposal_id}/reject",
    response_model=schemas.ProposalOut,
    responses=error_responses(errors.ProposalNotFound, NotOwner, InvalidTransition),
)
async def reject_proposal(
    proposal_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> schemas.ProposalOut:
    proposal = await service.reject_proposal(session, user, proposal_id)
    return await service.proposal_out(session, proposal, for_owner=True)


@proposals_router.post(
    "/{proposal_id}/shortlist",
    response_model=schemas.ProposalOut,
    responses=error_responses(errors.ProposalNotFound, NotOwner, errors.ProposalNotPending),
)
async def shortlist_proposal(
    proposal_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> schemas.ProposalOut:
    """Mark a pending proposal for your project; only you see the mark."""
    proposal = await service.set_shortlisted(session, user, proposal_id, True)
    return await service.proposal_out(session, proposal, for_owner=True)


@proposals_router.delete(
    "/{proposal_id}/shortlist",
    response_model=schemas.ProposalOut,
    responses=error_responses(errors.ProposalNotFound, NotOwner, errors.ProposalNotPending),
)
async def unshortlist_proposal(
    proposal_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> schemas.ProposalOut:
    proposal = await service.set_shortlisted(session, user, proposal_id, False)
    return await service.proposal_out(session, proposal, for_owner=True)

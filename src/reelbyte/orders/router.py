"""HTTP routes of orders, deliveries, milestones and disputes (under /v1)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import Depends, Query, status

from reelbyte.core.errors import InvalidTransition, NotOwner, error_responses
from reelbyte.core.pagination import Page, PageParams, page_params
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.identity.api_keys import ApiScope
from reelbyte.identity.deps import CurrentAdmin, CurrentUser, VerifiedClient, require_scope
from reelbyte.media.errors import UploadKindMismatch, UploadNotFound, UploadNotReady, UploadPurposeMismatch
from reelbyte.orders import amendments, comments, errors, schemas, service
from reelbyte.orders.models import OrderStatus
from reelbyte.projects.errors import CurrencyMismatch

orders_router = APIRouter(prefix="/orders", tags=["orders"])
milestones_router = APIRouter(prefix="/milestones", tags=["orders"])
admin_disputes_router = APIRouter(prefix="/admin/disputes", tags=["admin"])
admin_orders_router = APIRouter(prefix="/admin/orders", tags=["admin"])

# API keys with this scope may read orders (docs/api.md).
ORDERS_READ = Depends(require_scope(ApiScope.ORDERS_READ))

# Every milestone change: found (and readable), the right party, the order being worked on.
MILESTONE_CHANGE_ERRORS = (errors.MilestoneNotFound, NotOwner, errors.OrderNotActive, InvalidTransition)
# Attaching an uploaded file: the creator's own (404), made for this order (422), processed (409).
UPLOAD_ERRORS = (UploadNotFound, UploadPurposeMismatch, UploadNotReady, UploadKindMismatch)


@orders_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.OrderOut,
    responses=error_responses(errors.OrderableGigNotFound, errors.OwnGig, errors.PackageNotInGig),
)
async def create_order(
    data: schemas.OrderCreate, user: VerifiedClient, session: SessionDep
) -> schemas.OrderOut:
    """Order a gig's package; pay it next with `POST /payments/checkout`."""
    return schemas.OrderOut.of(
        await service.create_from_package(session, user, data.gig_id, data.package_id, data.requirements)
    )


@orders_router.get("", response_model=Page[schemas.OrderOut], dependencies=[ORDERS_READ])
async def list_orders(
    user: CurrentUser,
    session: SessionDep,
    params: Annotated[PageParams, Depends(page_params)],
    role: Annotated[Literal["client", "creator"] | None, Query()] = None,
    order_status: Annotated[OrderStatus | None, Query(alias="status")] = None,
) -> Page[schemas.OrderOut]:
    """My orders, as client or creator (or both), newest first."""
    orders, total = await service.list_orders(session, user, role, order_status, params)
    return Page.of([schemas.OrderOut.of(order) for order in orders], total, params)


@orders_router.get(
    "/{order_id}",
    response_model=schemas.OrderDetail,
    dependencies=[ORDERS_READ],
    responses=error_responses(errors.OrderNotFound),
)
async def get_order(order_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> schemas.OrderDetail:
    """The order with its event history and its deliveries, each with its files (its two parties
    and admins only)."""
    return await service.order_detail(session, user, order_id)


@orders_router.post(
    "/{order_id}/deliver",
    response_model=schemas.DeliveryOut,
    responses=error_responses(
        errors.OrderNotFound,
        NotOwner,
        errors.UsesMilestones,
        InvalidTransition,
        errors.CommentsNotInOrder,
        *UPLOAD_ERRORS,
    ),
)
async def deliver(
    order_id: uuid.UUID, data: schemas.DeliverRequest, user: CurrentUser, session: SessionDep
) -> schemas.DeliveryOut:
    """Hand the work over: links (`url`) or files uploaded for this order (`upload_id`); the files
    added while working go with it. `addresses_comment_ids` marks the review threads it answers."""
    delivery = await comments.deliver(
        session, user, order_id, data.message, data.deliverables, data.addresses_comment_ids
    )
    return await service.shown_delivery(session, delivery)


@orders_router.get(
    "/{order_id}/deliverables",
    response_model=list[schemas.DeliverableOut],
    responses=error_responses(errors.OrderNotFound),
)
async def list_deliverables(
    order_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> list[schemas.DeliverableOut]:
    """The order's links and files (with signed short-lived URLs), oldest first."""
    return await service.shown_deliverables(session, await service.list_deliverables(session, user, order_id))


@orders_router.post(
    "/{order_id}/deliverables",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.DeliverableOut,
    responses=error_responses(errors.OrderNotFound, NotOwner, errors.OrderNotActive, *UPLOAD_ERRORS),
)
async def add_deliverable(
    order_id: uuid.UUID, data: schemas.DeliverableIn, user: CurrentUser, session: SessionDep
) -> schemas.DeliverableOut:
    """Add a link or an uploaded file while working; it goes out with the next delivery."""
    [shown] = await service.shown_deliverables(
        session, [await service.add_deliverable(session, user, order_id, data)]
    )
    return shown


@orders_router.post(
    "/{order_id}/approve",
    response_model=schemas.OrderDetail,
    responses=error_responses(errors.OrderNotFound, NotOwner, errors.UsesMilestones, InvalidTransition),
)
async def approve(order_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> schemas.OrderDetail:
    """Accept the delivery: the order completes and the creator is paid."""
    await service.approve(session, user, order_id)
    return await service.order_detail(session, user, order_id)


@orders_router.post(
    "/{order_id}/request-revision",
    response_model=schemas.OrderDetail,
    responses=error_responses(
        errors.OrderNotFound, NotOwner, errors.NoRevisionsLeft, InvalidTransition, errors.CommentsNotInOrder
    ),
)
async def request_revision(
    order_id: uuid.UUID, data: schemas.RevisionRequest, user: CurrentUser, session: SessionDep
) -> schemas.OrderDetail:
    """Send the delivery back, bundling review threads (`comment_ids`, or every open one with
    `include_open_comments`): the revision's event lists them as `data.comment_ids`."""
    await comments.request_revision(
        session, user, order_id, data.reason, data.comment_ids, data.include_open_comments
    )
    return await service.order_detail(session, user, order_id)


@orders_router.post(
    "/{order_id}/cancel",
    response_model=schemas.OrderDetail,
    responses=error_responses(errors.OrderNotFound, NotOwner, errors.CancellationPending, InvalidTransition),
)
async def cancel(
    order_id: uuid.UUID, data: schemas.ReasonRequest, user: CurrentUser, session: SessionDep
) -> schemas.OrderDetail:
    """Before payment: cancels. After: asks the other party (who accepts by cancelling too),
    or cancels at once when the client calls after a missed delivery date. Refunds the client."""
    await service.cancel(session, user, order_id, data.reason)
    return await service.order_detail(session, user, order_id)


@orders_router.post(
    "/{order_id}/dispute",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.DisputeOut,
    responses=error_responses(errors.OrderNotFound, NotOwner, InvalidTransition),
)
async def open_dispute(
    order_id: uuid.UUID, data: schemas.ReasonRequest, user: CurrentUser, session: SessionDep
) -> schemas.DisputeOut:
    """Freeze the order until an admin decides how the held money is split."""
    dispute = await service.open_dispute(session, user, order_id, data.reason)
    order = await service.get_order(session, user, order_id)
    return schemas.DisputeOut.of(dispute, order.currency)


@orders_router.get(
    "/{order_id}/disputes",
    response_model=list[schemas.DisputeOut],
    responses=error_responses(errors.OrderNotFound),
)
async def list_disputes(
    order_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> list[schemas.DisputeOut]:
    order = await service.get_order(session, user, order_id)
    return [
        schemas.DisputeOut.of(d, order.currency)
        for d in await service.get_dispute_for(session, user, order_id)
    ]


@orders_router.get(
    "/{order_id}/milestones",
    response_model=list[schemas.MilestoneOut],
    responses=error_responses(errors.OrderNotFound),
)
async def list_milestones(
    order_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> list[schemas.MilestoneOut]:
    return await service.shown_milestones(session, await service.list_milestones(session, user, order_id))


@orders_router.post(
    "/{order_id}/milestones",
    status_code=status.HTTP_201_CREATED,
    response_model=list[schemas.MilestoneOut],
    responses=error_responses(
        errors.OrderNotFound,
        NotOwner,
        errors.NotAProposalOrder,
        errors.MilestonesNotPlannable,
        errors.MilestonesDoNotAddUp,
        CurrencyMismatch,
    ),
)
async def plan_milestones(
    order_id: uuid.UUID, data: schemas.MilestonePlan, user: CurrentUser, session: SessionDep
) -> list[schemas.MilestoneOut]:
    """Split an unpaid proposal order into milestones adding up to its amount."""
    plan = [
        {
            "title": m.title,
            "description": m.description,
            "amount_minor": m.amount.minor,
            "currency": m.amount.currency,
            "due_date": m.due_date,
        }
        for m in data.milestones
    ]
    return await service.shown_milestones(
        session, await service.create_milestones(session, user, order_id, plan)
    )


@milestones_router.get(
    "/{milestone_id}",
    response_model=schemas.MilestoneOut,
    responses=error_responses(errors.MilestoneNotFound),
)
async def get_milestone(
    milestone_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> schemas.MilestoneOut:
    _, milestone = await service.get_milestone_for(session, user, milestone_id)
    return await service.shown_milestone(session, milestone)


@milestones_router.post(
    "/{milestone_id}/submit",
    response_model=schemas.MilestoneOut,
    responses=error_responses(*MILESTONE_CHANGE_ERRORS, *UPLOAD_ERRORS),
)
async def submit_milestone(
    milestone_id: uuid.UUID, data: schemas.MilestoneSubmit, user: CurrentUser, session: SessionDep
) -> schemas.MilestoneOut:
    """Hand the milestone's work in: links and files uploaded for its order (`upload_ids`). Each
    submission is a delivery of the order (`milestone_id` set), reviewed like one: timecoded
    comments, protected previews until the milestone is approved."""
    milestone = await service.submit_milestone(
        session, user, milestone_id, data.note, data.deliverables, data.upload_ids
    )
    return await service.shown_milestone(session, milestone)


@milestones_router.post(
    "/{milestone_id}/approve",
    response_model=schemas.MilestoneOut,
    responses=error_responses(*MILESTONE_CHANGE_ERRORS),
)
async def approve_milestone(
    milestone_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> schemas.MilestoneOut:
    """Release this milestone's escrow to the creator."""
    return await service.shown_milestone(
        session, await service.approve_milestone(session, user, milestone_id)
    )


@milestones_router.post(
    "/{milestone_id}/reject",
    response_model=schemas.MilestoneOut,
    responses=error_responses(*MILESTONE_CHANGE_ERRORS, errors.CommentsNotInOrder),
)
async def reject_milestone(
    milestone_id: uuid.UUID, data: schemas.RevisionRequest, user: CurrentUser, session: SessionDep
) -> schemas.MilestoneOut:
    """Send the milestone back to work, with the reason, bundling review threads on its
    deliveries as a revision request does (`comment_ids`, `include_open_comments`): the
    `milestone_rejected` event lists them as `data.comment_ids`."""
    milestone = await comments.reject_milestone(
        session, user, milestone_id, data.reason, data.comment_ids, data.include_open_comments
    )
    return await service.shown_milestone(session, milestone)


@admin_disputes_router.get("", response_model=Page[schemas.DisputeCase])
async def dispute_queue(
    _: CurrentAdmin, session: SessionDep, params: Annotated[PageParams, Depends(page_params)]
) -> Page[schemas.DisputeCase]:
    """Every dispute: the open ones first, oldest first, then the resolved ones, newest first;
    each with its order and what escrow holds (what a resolution splits)."""
    cases, total = await service.dispute_queue(session, params)
    return Page.of(cases, total, params)


@admin_orders_router.get(
    "/{order_id}", response_model=schemas.OrderDetail, responses=error_responses(errors.OrderNotFound)
)
async def admin_order(order_id: uuid.UUID, admin: CurrentAdmin, session: SessionDep) -> schemas.OrderDetail:
    """Any order with its history and deliveries, for an admin working a dispute or a report."""
    return await service.order_detail(session, admin, order_id)


@admin_disputes_router.post(
    "/{dispute_id}/resolve",
    response_model=schemas.DisputeOut,
    responses=error_responses(
        errors.DisputeNotFound, InvalidTransition, errors.InvalidSplitAmounts, errors.SplitMismatch
    ),
)
async def resolve_dispute(
    dispute_id: uuid.UUID, data: schemas.DisputeResolveRequest, admin: CurrentAdmin, session: SessionDep
) -> schemas.DisputeOut:
    """Split the held money: `refund` to the client and `release` to the creator, adding up to it."""
    dispute = await service.resolve_dispute(session, admin, dispute_id, data.refund, data.release, data.note)
    return schemas.DisputeOut.of(dispute, data.refund.currency)


# Editing unfunded milestones: the client only, the total kept, a funded one is 409.
MILESTONE_EDIT_ERRORS = (
    NotOwner,
    errors.OrderNotActive,
    errors.MilestoneNotEditable,
    errors.MilestoneTotalMismatch,
    CurrencyMismatch,
)


@milestones_router.put(
    "/{milestone_id}",
    response_model=schemas.MilestoneOut,
    responses=error_responses(errors.MilestoneNotFound, *MILESTONE_EDIT_ERRORS),
)
async def edit_milestone(
    milestone_id: uuid.UUID, data: schemas.MilestoneEdit, user: CurrentUser, session: SessionDep
) -> schemas.MilestoneOut:
    """The client changes a milestone not yet funded; the creator is notified. An amount must
    keep the order's total (422 `milestone_total_mismatch`): rebalance with
    `PUT /orders/{id}/milestones`."""
    changes = amendments.MilestoneChanges(
        title=data.title,
        description=data.description,
        due_date=data.due_date,
        amount_minor=data.amount.minor if data.amount else None,
        currency=data.amount.currency if data.amount else None,
        clear_due_date="due_date" in data.model_fields_set and data.due_date is None,
    )
    milestone = await amendments.edit_milestone(session, user, milestone_id, changes)
    return await service.shown_milestone(session, milestone)


@orders_router.put(
    "/{order_id}/milestones",
    response_model=list[schemas.MilestoneOut],
    responses=error_responses(
        errors.OrderNotFound, errors.MilestoneNotFound, errors.DuplicateMilestone, *MILESTONE_EDIT_ERRORS
    ),
)
async def rebalance_milestones(
    order_id: uuid.UUID, data: schemas.MilestoneAmounts, user: CurrentUser, session: SessionDep
) -> list[schemas.MilestoneOut]:
    """The client changes several unfunded milestones' amounts at once; milestones left out keep
    theirs, and all of them must still add up to the order's amount."""
    amounts = [(m.id, m.amount.minor, m.amount.currency) for m in data.milestones]
    milestones = await amendments.rebalance_milestones(session, user, order_id, amounts)
    return await service.shown_milestones(session, milestones)

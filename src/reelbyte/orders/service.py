"""Orders: creation, the state machine, deliveries, revisions, cancellation, disputes, milestones.

Every state change goes through `transition()` on an order locked FOR UPDATE and leaves an
`OrderEvent`. Money never moves here: the signals in `events.py` tell payments what to do, in
the same unit of work. Nothing here commits: the route or job that calls in opens the unit of
work (`core.db.transaction`), and the jobs that follow a change are deferred inside it by name.

Who may read an order is one where-clause, `readable_orders(user)`: its two parties, and
admins. Everyone else gets 404 for it, its milestones, deliverables, disputes and payments.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from reelbyte.catalog.models import Gig, Package
from reelbyte.core import audit
from reelbyte.core.config import get_settings
from reelbyte.core.db import lock_one, utcnow
from reelbyte.core.errors import InvalidTransition, NotOwner
from reelbyte.core.jobs import defer
from reelbyte.core.money import Money, percentage_of
from reelbyte.core.pagination import PageParams
from reelbyte.identity.models import User
from reelbyte.media.attach import all_attachable, attached_files
from reelbyte.media.models import Upload, UploadPurpose
from reelbyte.media.schemas import AttachedFile
from reelbyte.orders import events
from reelbyte.orders.errors import (
    CancellationPending,
    DisputeNotFound,
    InvalidSplitAmounts,
    MilestoneNotFound,
    MilestonesDoNotAddUp,
    MilestonesNotPlannable,
    NoRevisionsLeft,
    NotAProposalOrder,
    OrderableGigNotFound,
    OrderNotActive,
    OrderNotFound,
    OwnGig,
    PackageNotInGig,
    SplitMismatch,
    UsesMilestones,
)
from reelbyte.orders.models import (
    MAX_TITLE_CHARS,
    Deliverable,
    Delivery,
    DeliveryComment,
    Dispute,
    DisputeStatus,
    Milestone,
    MilestoneStatus,
    Order,
    OrderEvent,
    OrderStatus,
)
from reelbyte.orders.schemas import (
    DeliverableIn,
    DeliverableOut,
    DeliveryOut,
    DisputeCase,
    DisputeOut,
    MilestoneOut,
    OrderDetail,
    OrderOut,
)
from reelbyte.projects import service as projects
from reelbyte.projects.errors import CurrencyMismatch
from reelbyte.projects.models import ProjectStatus, Proposal

S = OrderStatus

AUTO_COMPLETE_TASK = "auto_complete_order"  # orders/jobs.py

# The whole order state machine: a transition not listed here is refused with 409.
TRANSITIONS: dict[OrderStatus, set[OrderStatus]] = {
    S.PENDING_PAYMENT: {S.IN_PROGRESS, S.CANCELLED},
    S.IN_PROGRESS: {S.DELIVERED, S.COMPLETED, S.CANCELLED, S.DISPUTED},
    S.DELIVERED: {S.COMPLETED, S.REVISION_REQUESTED, S.CANCELLED, S.DISPUTED},
    S.REVISION_REQUESTED: {S.IN_PROGRESS, S.DELIVERED, S.CANCELLED, S.DISPUTED},
    S.DISPUTED: {S.COMPLETED, S.CANCELLED},
    S.COMPLETED: set(),
    S.CANCELLED: set(),
}
PAID_STATES = {S.IN_PROGRESS, S.DELIVERED, S.REVISION_REQUESTED}
DISPUTABLE_STATES = PAID_STATES

MILESTONE_TRANSITIONS: dict[MilestoneStatus, set[MilestoneStatus]] = {
    MilestoneStatus.PENDING: {MilestoneStatus.FUNDED, MilestoneStatus.CANCELLED},
    MilestoneStatus.FUNDED: {MilestoneStatus.SUBMITTED, MilestoneStatus.CANCELLED},
    MilestoneStatus.SUBMITTED: {MilestoneStatus.APPROVED, MilestoneStatus.FUNDED, MilestoneStatus.CANCELLED},
    MilestoneStatus.APPROVED: set(),
    MilestoneStatus.CANCELLED: set(),
}
HELD_MILESTONE_STATES = {MilestoneStatus.FUNDED, MilestoneStatus.SUBMITTED}


def split_fee(amount_minor: int, fee_percentage: Any) -> tuple[int, int]:
    """(platform fee, creator earnings) of an amount: fee rounded half-up to the cent, earnings the rest."""
    fee = percentage_of(amount_minor, fee_percentage)
    return fee, amount_minor - fee


# The marketplace fee on a creator's sales may depend on their plan, which billing (a higher
# domain) knows: it registers its lookup at import (billing/hooks.py). Without one, or when the
# plan sets none, the fee is PLATFORM_FEE_PERCENTAGE.
FeeLookup = Callable[[AsyncSession, uuid.UUID], Awaitable[Decimal | None]]
_fee_lookup: FeeLookup | None = None


def set_fee_lookup(lookup: FeeLookup | None) -> None:
    global _fee_lookup
    _fee_lookup = lookup


async def fee_percentage_for(session: AsyncSession, creator_id: uuid.UUID) -> Decimal:
    """The marketplace fee, in percent, on a new order of `creator_id`."""
    fee = await _fee_lookup(session, creator_id) if _fee_lookup is not None else None
    return fee if fee is not None else get_settings().platform_fee_percentage


# --- reading ------------------------------------------------------------------------------


def _is_party(order: Order, user: User) -> bool:
    return user.id in (order.client_id, order.creator_id)


def _involving(user: User) -> ColumnElement[bool]:
    """The orders `user` is a party of, as client or creator."""
    return or_(Order.client_id == user.id, Order.creator_id == user.id)


def readable_orders(user: User) -> ColumnElement[bool]:
    """The orders `user` may read: their own (as client or creator); every order for an admin.

    The one rule for every order read (the order, its history, deliverables, milestones,
    disputes, payments and invoice); an order outside it is 404, as if it did not exist."""
    return true() if user.is_admin else _involving(user)


async def get_order(session: AsyncSession, user: User, order_id: uuid.UUID) -> Order:
    """The order, for its two parties and admins; anyone else gets 404."""
    order = await session.scalar(select(Order).where(Order.id == order_id, readable_orders(user)))
    if order is None:
        raise OrderNotFound()
    return order


async def lock_order(session: AsyncSession, order_id: uuid.UUID) -> Order:
    """Lock an order known to exist (reached from one of its payments, disputes or jobs: orders
    are never deleted)."""
    order = await lock_one(session, select(Order).where(Order.id == order_id))
    assert order is not None, f"order {order_id} is gone"
    return order


async def lock_for(session: AsyncSession, user: User, order_id: uuid.UUID) -> Order:
    """The order locked, if `user` may read it (404 otherwise)."""
    order = await lock_one(session, select(Order).where(Order.id == order_id, readable_orders(user)))
    if order is None:
        raise OrderNotFound()
    return order


async def any_order_between(session: AsyncSession, a: uuid.UUID, b: uuid.UUID) -> bool:
    """Whether one of the two users ever ordered from the other (an order in any status)."""
    between = or_(
        and_(Order.client_id == a, Order.creator_id == b),
        and_(Order.client_id == b, Order.creator_id == a),
    )
    return bool(await session.scalar(select(exists().where(between))))


async def list_orders(
    session: AsyncSession, user: User, role: str | None, status: OrderStatus | None, params: PageParams
) -> tuple[list[Order], int]:
    """My orders (also an admin's: the ones they are a party of), as client, creator or either."""
    query: Select[Order] = select(Order).where(readable_orders(user))
    if role == "client":
        query = query.where(Order.client_id == user.id)
    elif role == "creator":
        query = query.where(Order.creator_id == user.id)
    else:
        query = query.where(_involving(user))
    if status is not None:
        query = query.where(Order.status == status)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(Order.created_at.desc(), Order.id).limit(params.page_size).offset(params.offset)
    )
    return list(rows), int(total or 0)


async def order_detail(session: AsyncSession, user: User, order_id: uuid.UUID) -> OrderDetail:
    """The order with its history and its deliveries (their files included), for whoever may
    read it: four queries, however many events, deliveries and files."""
    order = await get_order(session, user, order_id)
    events = await session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)
    )
    return OrderDetail.with_history(
        order, list(events), await _shown_deliveries(session, Delivery.order_id == order.id)
    )


# --- the state machine --------------------------------------------------------------------


async def transition(
    session: AsyncSession,
    order: Order,
    to: OrderStatus,
    *,
    actor: User | None,
    kind: str,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Move a locked order to `to`, or refuse with 409; records the event."""
    if to not in TRANSITIONS[order.status]:
        raise InvalidTransition("order", order.status.value, to.value)
    await record(session, order, kind, actor=actor, to=to, note=note, data=data)
    order.status = to
    now = utcnow()
    if to is S.COMPLETED:
        order.completed_at = now
    elif to is S.CANCELLED:
        order.cancelled_at = now
    if order.proposal_id is not None and to in (S.COMPLETED, S.CANCELLED):
        await _close_project(session, order.proposal_id, to)


async def _close_project(session: AsyncSession, proposal_id: uuid.UUID, outcome: OrderStatus) -> None:
    """The project of a proposal order ends with its order."""
    project_id = await session.scalar(select(Proposal.project_id).where(Proposal.id == proposal_id))
    assert project_id is not None
    target = ProjectStatus.COMPLETED if outcome is S.COMPLETED else ProjectStatus.CANCELLED
    await projects.transition_project(session, project_id, target)


async def record(
    session: AsyncSession,
    order: Order,
    kind: str,
    *,
    actor: User | None,
    to: OrderStatus | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    event = OrderEvent(
        order_id=order.id,
        actor_id=actor.id if actor else None,
        kind=kind,
        from_status=order.status.value if to else None,
        to_status=to.value if to else None,
        note=note,
        data=data or {},
    )
    session.add(event)
    await events.order_event_recorded.emit(session, (order, event))


# --- creating orders ----------------------------------------------------------------------


async def create_from_package(
    session: AsyncSession, client: User, gig_id: uuid.UUID, package_id: uuid.UUID, requirements: str | None
) -> Order:
    gig = await session.get(Gig, gig_id)
    if gig is None or not gig.is_active:
        raise OrderableGigNotFound()
    if gig.creator_id == client.id:
        raise OwnGig()
    package = await session.get(Package, package_id)
    if package is None or package.gig_id != gig.id:
        raise PackageNotInGig()
    fee_percentage = await fee_percentage_for(session, gig.creator_id)
    fee, earnings = split_fee(package.price_minor, fee_percentage)
    order = Order(
        client_id=client.id,
        creator_id=gig.creator_id,
        gig_id=gig.id,
        package_id=package.id,
        title=gig.title,
        package_tier=package.tier.value,
        video_spec=package.video_spec,
        requirements=requirements,
        amount_minor=package.price_minor,
        platform_fee_minor=fee,
        creator_earnings_minor=earnings,
        currency=package.currency,
        fee_percentage=fee_percentage,
        delivery_days=package.delivery_days,
        revisions_allowed=package.revisions,
    )
    session.add(order)
    await session.flush()
    await record(session, order, "created", actor=client, data={"package": package.tier.value})
    return order


async def has_orders_for(session: AsyncSession, gig_id: uuid.UUID, package_id: uuid.UUID | None) -> bool:
    """Whether any order was bought from the gig, or from the package when one is given.

    The catalog locks the gig or package FOR UPDATE before it asks, and an order being placed
    takes a KEY SHARE lock on both through its foreign keys: the answer sees every order."""
    condition = Order.gig_id == gig_id if package_id is None else Order.package_id == package_id
    return bool(await session.scalar(select(exists().where(condition))))


async def create_from_proposal(
    session: AsyncSession,
    *,
    proposal_id: uuid.UUID,
    client_id: uuid.UUID,
    creator_id: uuid.UUID,
    title: str,
    requirements: str | None,
    amount_minor: int,
    currency: str,
    delivery_days: int,
) -> Order:
    """In the unit of work of the proposal's acceptance."""
    fee_percentage = await fee_percentage_for(session, creator_id)
    fee, earnings = split_fee(amount_minor, fee_percentage)
    order = Order(
        client_id=client_id,
        creator_id=creator_id,
        proposal_id=proposal_id,
        title=title,
        requirements=requirements,
        amount_minor=amount_minor,
        platform_fee_minor=fee,
        creator_earnings_minor=earnings,
        currency=currency,
        fee_percentage=fee_percentage,
        delivery_days=delivery_days,
        revisions_allowed=1,
    )
    session.add(order)
    await session.flush()
    client = await session.get_one(User, client_id)  # in the session already: the acceptance's
    await record(session, order, "created", actor=client, data={"proposal": str(proposal_id)})
    return order


async def order_id_for_proposal(session: AsyncSession, proposal_id: uuid.UUID) -> uuid.UUID | None:
    order_id: uuid.UUID | None = await session.scalar(
        select(Order.id).where(Order.proposal_id == proposal_id)
    )
    return order_id


# --- payment (called by payments) ---------------------------------------------------------


async def mark_paid(session: AsyncSession, order: Order) -> None:
    """The whole order was paid: work starts, the delivery clock runs. `order` is locked."""
    now = utcnow()
    await transition(session, order, S.IN_PROGRESS, actor=None, kind="paid")
    order.paid_at = now
    order.delivery_date = now + timedelta(days=order.delivery_days)


async def mark_milestone_funded(session: AsyncSession, order: Order, milestone: Milestone) -> None:
    """A milestone was paid; the first one funded starts the order. Both are locked."""
    _milestone_transition(milestone, MilestoneStatus.FUNDED)
    milestone.funded_at = utcnow()
    milestone.rejection_reason = None
    if order.status is S.PENDING_PAYMENT:
        await mark_paid(session, order)
    await record(session, order, "milestone_funded", actor=None, data={"milestone": str(milestone.id)})


def can_receive_payment(order: Order) -> bool:
    return order.status is S.PENDING_PAYMENT or (order.uses_milestones and order.status in PAID_STATES)


# --- the creator's side -------------------------------------------------------------------


async def add_deliverable(
    session: AsyncSession, user: User, order_id: uuid.UUID, item: DeliverableIn
) -> Deliverable:
    order = await lock_for(session, user, order_id)
    _require_creator(order, user)
    if order.status not in (S.IN_PROGRESS, S.REVISION_REQUESTED, S.DELIVERED):
        raise OrderNotActive(
            "Files can be added only while the order is being worked on.",
            details={"status": order.status.value},
        )
    await _uploaded_for(session, user, order, _upload_ids([item]))
    deliverable = Deliverable(order_id=order.id, url=item.url, upload_id=item.upload_id, title=item.title)
    session.add(deliverable)
    await session.flush()
    return deliverable


# A file went out to the client: with a delivery, or with a milestone's submission.
HANDED_OVER = or_(Deliverable.delivery_id.is_not(None), Deliverable.milestone_id.is_not(None))


async def list_deliverables(session: AsyncSession, user: User, order_id: uuid.UUID) -> Sequence[Deliverable]:
    """The order's files, oldest first. The files the creator added while working (and their
    spec reports) are theirs alone until a delivery or a milestone's submission hands them over."""
    order = await get_order(session, user, order_id)
    query = select(Deliverable).where(Deliverable.order_id == order.id)
    if user.id != order.creator_id:
        query = query.where(HANDED_OVER)
    rows = await session.scalars(query.order_by(Deliverable.created_at, Deliverable.id))
    return rows.all()


async def handed_over(session: AsyncSession, upload_id: uuid.UUID) -> bool:
    """Whether a file uploaded for an order went out with a delivery or a milestone's submission."""
    handed = await session.scalar(
        select(
            exists().where(
                Deliverable.upload_id == upload_id,
                HANDED_OVER,
            )
        )
    )
    return bool(handed)


async def deliver(
    session: AsyncSession, user: User, order_id: uuid.UUID, message: str, files: Sequence[DeliverableIn]
) -> Delivery:
    order = await lock_for(session, user, order_id)
    _require_creator(order, user)
    if order.uses_milestones:
        raise UsesMilestones("Deliver this order milestone by milestone.")
    await _uploaded_for(session, user, order, _upload_ids(files))
    delivery = Delivery(order_id=order.id, message=message, revision_number=order.revisions_used)
    session.add(delivery)
    await session.flush()
    await transition(session, order, S.DELIVERED, actor=user, kind="delivered", note=message)
    now = utcnow()
    order.delivered_at = now
    session.add_all(
        Deliverable(
            order_id=order.id, delivery_id=delivery.id, url=f.url, upload_id=f.upload_id, title=f.title
        )
        for f in files
    )
    # Files added while working go with this delivery.
    drafts = await session.scalars(
        select(Deliverable).where(
            Deliverable.order_id == order.id,
            Deliverable.delivery_id.is_(None),
            Deliverable.milestone_id.is_(None),
        )
    )
    for draft in drafts:
        draft.delivery_id = delivery.id
    await defer(
        session,
        AUTO_COMPLETE_TASK,
        schedule_at=now + timedelta(days=get_settings().auto_complete_days),
        order_id=str(order.id),
        delivery_id=str(delivery.id),
    )
    return delivery


def _upload_ids(files: Iterable[DeliverableIn]) -> list[uuid.UUID]:
    return [f.upload_id for f in files if f.upload_id is not None]


async def _uploaded_for(
    session: AsyncSession, creator: User, order: Order, upload_ids: Iterable[uuid.UUID]
) -> list[Upload]:
    """The creator's processed files uploaded for this order (any kind); any other is refused:
    404 another's, 422 one uploaded for something else, 409 one not processed yet."""
    return await all_attachable(session, creator, upload_ids, UploadPurpose.DELIVERABLE, target_id=order.id)


def _require_creator(order: Order, user: User) -> None:
    if order.creator_id != user.id:
        raise NotOwner("Only the creator of this order can do this.")


def _require_client(order: Order, user: User) -> None:
    if order.client_id != user.id:
        raise NotOwner("Only the client of this order can do this.")


def _require_party(order: Order, user: User, doing: str) -> None:
    """An admin can read the order but is not one of its parties."""
    if not _is_party(order, user):
        raise NotOwner(f"Only the client or the creator can {doing}.")


# --- the client's side --------------------------------------------------------------------


async def approve(session: AsyncSession, user: User, order_id: uuid.UUID) -> Order:
    order = await lock_for(session, user, order_id)
    _require_client(order, user)
    if order.uses_milestones:
        raise UsesMilestones("This order completes when its last milestone is approved.")
    await complete(session, order, actor=user, kind="approved")
    return order


async def complete(session: AsyncSession, order: Order, *, actor: User | None, kind: str) -> None:
    """Delivered → completed, and the escrow is released (by payments, on the signal)."""
    if order.status is not S.DELIVERED:
        raise InvalidTransition(
            "order",
            order.status.value,
            S.COMPLETED.value,
            f"Only a delivered order can be approved; this one is {order.status.value}.",
        )
    await transition(session, order, S.COMPLETED, actor=actor, kind=kind)
    await events.order_completed.emit(session, order)


async def auto_complete(session: AsyncSession, order_id: uuid.UUID, delivery_id: uuid.UUID) -> bool:
    """The job's work: complete the order if that delivery is still the one waiting for approval."""
    order = await lock_order(session, order_id)
    latest = await session.scalar(
        select(Delivery.id).where(Delivery.order_id == order.id).order_by(Delivery.created_at.desc()).limit(1)
    )
    if order.status is not S.DELIVERED or latest != delivery_id:
        return False  # approved, revised, disputed or cancelled since: nothing to do
    await complete(session, order, actor=None, kind="auto_completed")
    return True


async def request_revision(
    session: AsyncSession,
    user: User,
    order_id: uuid.UUID,
    reason: str,
    *,
    comment_ids: Sequence[uuid.UUID] = (),
) -> Order:
    """Send the delivery back; `comment_ids` are the review threads it bundles (comments.py
    checks them), listed on the revision's event as `data.comment_ids`."""
    order = await lock_for(session, user, order_id)
    _require_client(order, user)
    if order.status is S.DELIVERED and order.revisions_used >= order.revisions_allowed:
        raise NoRevisionsLeft(details={"revisions_allowed": order.revisions_allowed})
    bundle = {"comment_ids": [str(i) for i in comment_ids]} if comment_ids else None
    await transition(
        session, order, S.REVISION_REQUESTED, actor=user, kind="revision_requested", note=reason, data=bundle
    )
    order.revisions_used += 1
    return order


# --- cancellation -------------------------------------------------------------------------


async def cancel(session: AsyncSession, user: User, order_id: uuid.UUID, reason: str) -> Order:
    """Before payment: either party cancels. After: the client alone once the delivery date
    passed with no delivery; otherwise one party asks and the other accepts (by cancelling too)."""
    order = await lock_for(session, user, order_id)
    _require_party(order, user, "cancel an order")
    if order.status is S.PENDING_PAYMENT:
        await transition(session, order, S.CANCELLED, actor=user, kind="cancelled", note=reason)
        await _cancel_milestones(session, order)
    elif order.status in PAID_STATES:
        late = (
            order.client_id == user.id
            and order.delivered_at is None
            and order.delivery_date is not None
            and order.delivery_date < utcnow()
        )
        agreed = order.cancellation_requested_by not in (None, user.id)
        if late or agreed:
            kind = "cancelled_late_delivery" if late else "cancellation_accepted"
            await transition(session, order, S.CANCELLED, actor=user, kind=kind, note=reason)
            await events.order_cancelled_after_payment.emit(session, order)
            await _cancel_milestones(session, order)
        elif order.cancellation_requested_by == user.id:
            raise CancellationPending()
        else:
            order.cancellation_requested_by = user.id
            order.cancellation_reason = reason
            await record(session, order, "cancellation_requested", actor=user, note=reason)
    else:
        raise InvalidTransition("order", order.status.value, S.CANCELLED.value)
    return order


async def _cancel_milestones(session: AsyncSession, order: Order) -> None:
    """Milestones not yet approved are cancelled (payments refunds the funded ones on the signal)."""
    for milestone in await _milestones(session, order.id, lock=True):
        if milestone.status not in (MilestoneStatus.APPROVED, MilestoneStatus.CANCELLED):
            milestone.status = MilestoneStatus.CANCELLED


# --- disputes -----------------------------------------------------------------------------


async def open_dispute(session: AsyncSession, user: User, order_id: uuid.UUID, reason: str) -> Dispute:
    order = await lock_for(session, user, order_id)
    _require_party(order, user, "open a dispute")
    if order.status not in DISPUTABLE_STATES:
        raise InvalidTransition("order", order.status.value, S.DISPUTED.value)
    dispute = Dispute(order_id=order.id, opened_by=user.id, reason=reason, status_before=order.status.value)
    session.add(dispute)
    await transition(session, order, S.DISPUTED, actor=user, kind="disputed", note=reason)
    await session.flush()
    return dispute


async def held_amount(session: AsyncSession, order: Order) -> int:
    """What escrow holds for the order right now, by the order's own state."""
    if not order.uses_milestones:
        return order.amount_minor if order.paid_at is not None and order.completed_at is None else 0
    milestones = await _milestones(session, order.id)
    return sum(m.amount_minor for m in milestones if m.status in HELD_MILESTONE_STATES)


async def dispute_queue(session: AsyncSession, params: PageParams) -> tuple[list[DisputeCase], int]:
    """Every dispute, for the admins: the open ones first, oldest first (the queue), then the
    resolved ones, newest first; each with its order and what escrow holds for it."""
    is_open = Dispute.status == DisputeStatus.OPEN
    total = await session.scalar(select(func.count()).select_from(Dispute))
    rows = await session.execute(
        select(Dispute, Order)
        .join(Order, Order.id == Dispute.order_id)
        .order_by(is_open.desc(), case((is_open, Dispute.created_at)), Dispute.created_at.desc(), Dispute.id)
        .limit(params.page_size)
        .offset(params.offset)
    )
    cases = [
        DisputeCase(
            dispute=DisputeOut.of(dispute, order.currency),
            order=OrderOut.of(order),
            held=Money.from_minor(await held_amount(session, order), order.currency),
        )
        for dispute, order in rows
    ]
    return cases, int(total or 0)


async def resolve_dispute(
    session: AsyncSession,
    admin: User,
    dispute_id: uuid.UUID,
    refund: Money,
    release: Money,
    note: str | None,
) -> Dispute:
    order_id = await session.scalar(select(Dispute.order_id).where(Dispute.id == dispute_id))
    if order_id is None:
        raise DisputeNotFound()
    order = await lock_order(session, order_id)  # the order first, then the dispute (one lock order)
    dispute = await lock_one(session, select(Dispute).where(Dispute.id == dispute_id))
    assert dispute is not None  # disputes are never deleted
    if dispute.status is not DisputeStatus.OPEN:
        raise InvalidTransition(
            "dispute", dispute.status.value, DisputeStatus.RESOLVED.value, "This dispute is already resolved."
        )
    if {refund.currency, release.currency} != {order.currency} or refund.minor < 0 or release.minor < 0:
        raise InvalidSplitAmounts(
            f"Amounts must be zero or more, in the order's currency ({order.currency}).",
            details={"currency": order.currency},
        )
    refund_minor, release_minor = refund.minor, release.minor
    held = await held_amount(session, order)
    if refund_minor + release_minor != held:
        raise SplitMismatch(details={"held": held, "refund": refund_minor, "release": release_minor})
    dispute.status = DisputeStatus.RESOLVED
    dispute.refund_minor, dispute.release_minor = refund_minor, release_minor
    dispute.resolution_note, dispute.resolved_by, dispute.resolved_at = note, admin.id, utcnow()
    await audit.record(
        session,
        admin,
        "dispute.resolve",
        ("dispute", dispute.id),
        before={"status": DisputeStatus.OPEN.value, "order_status": order.status.value},
        after={"status": dispute.status.value, "refund_minor": refund_minor, "release_minor": release_minor},
        reason=note,
    )
    outcome = S.COMPLETED if release_minor > 0 else S.CANCELLED
    await transition(
        session,
        order,
        outcome,
        actor=admin,
        kind="dispute_resolved",
        note=note,
        data={"refund_minor": refund_minor, "release_minor": release_minor},
    )
    await events.dispute_resolved.emit(
        session, events.DisputeResolution(order, dispute, refund_minor, release_minor)
    )
    for milestone in await _milestones(session, order.id, lock=True):
        if milestone.status in HELD_MILESTONE_STATES or milestone.status is MilestoneStatus.PENDING:
            milestone.status = MilestoneStatus.CANCELLED
    await session.flush()
    return dispute


async def get_dispute_for(session: AsyncSession, user: User, order_id: uuid.UUID) -> Sequence[Dispute]:
    order = await get_order(session, user, order_id)
    rows = await session.scalars(
        select(Dispute).where(Dispute.order_id == order.id).order_by(Dispute.created_at)
    )
    return rows.all()


# --- milestones ---------------------------------------------------------------------------


def _milestone_transition(milestone: Milestone, to: MilestoneStatus) -> None:
    if to not in MILESTONE_TRANSITIONS[milestone.status]:
        raise InvalidTransition("milestone", milestone.status.value, to.value)
    milestone.status = to


async def _milestones(session: AsyncSession, order_id: uuid.UUID, *, lock: bool = False) -> list[Milestone]:
    query = select(Milestone).where(Milestone.order_id == order_id).order_by(Milestone.position)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return list(await session.scalars(query))


async def list_milestones(session: AsyncSession, user: User, order_id: uuid.UUID) -> list[Milestone]:
    order = await get_order(session, user, order_id)
    return await _milestones(session, order.id)


async def create_milestones(
    session: AsyncSession, user: User, order_id: uuid.UUID, plan: list[dict[str, Any]]
) -> list[Milestone]:
    """Split an unpaid proposal order into milestones whose amounts add up to the order's."""
    order = await lock_for(session, user, order_id)
    _require_party(order, user, "plan milestones")
    if order.proposal_id is None:
        raise NotAProposalOrder()
    if order.status is not S.PENDING_PAYMENT or order.uses_milestones:
        raise MilestonesNotPlannable(details={"status": order.status.value})
    total = sum(item["amount_minor"] for item in plan)
    if total != order.amount_minor:
        raise MilestonesDoNotAddUp(
            details={"order_amount_minor": order.amount_minor, "milestones_total_minor": total}
        )
    if any(item["currency"] != order.currency for item in plan):
        raise CurrencyMismatch(
            f"Milestones are paid in the order's currency ({order.currency}).",
            details={"expected": order.currency},
        )
    milestones = []
    for position, item in enumerate(plan):
        fee, earnings = split_fee(item["amount_minor"], order.fee_percentage)
        milestones.append(
            Milestone(
                order_id=order.id,
                position=position,
                title=item["title"],
                description=item.get("description"),
                amount_minor=item["amount_minor"],
                platform_fee_minor=fee,
                creator_earnings_minor=earnings,
                currency=order.currency,
                due_date=item.get("due_date"),
            )
        )
    # The order's fee is the sum of the milestones' fees, so that both always add up.
    order.platform_fee_minor = sum(m.platform_fee_minor for m in milestones)
    order.creator_earnings_minor = order.amount_minor - order.platform_fee_minor
    order.uses_milestones = True
    session.add_all(milestones)
    await record(session, order, "milestones_planned", actor=user, data={"count": len(milestones)})
    await session.flush()
    return milestones


async def lock_milestone(
    session: AsyncSession, milestone_id: uuid.UUID, *, reader: User | None = None
) -> tuple[Order, Milestone]:
    """Lock the order first, then the milestone (the order-first rule avoids deadlocks).

    With `reader`, a milestone of an order they may not read is 404 too."""
    order_id = await session.scalar(select(Milestone.order_id).where(Milestone.id == milestone_id))
    if order_id is None:
        raise MilestoneNotFound()
    query = select(Order).where(Order.id == order_id)
    if reader is not None:
        query = query.where(readable_orders(reader))
    order = await lock_one(session, query)
    if order is None:
        raise MilestoneNotFound()
    milestone = await lock_one(session, select(Milestone).where(Milestone.id == milestone_id))
    assert milestone is not None  # milestones go only with their order
    return order, milestone


async def get_milestone_for(
    session: AsyncSession, user: User, milestone_id: uuid.UUID
) -> tuple[Order, Milestone]:
    row = (
        await session.execute(
            select(Order, Milestone)
            .join(Milestone, Milestone.order_id == Order.id)
            .where(Milestone.id == milestone_id, readable_orders(user))
        )
    ).first()
    if row is None:
        raise MilestoneNotFound()
    return row[0], row[1]


async def submit_milestone(
    session: AsyncSession,
    user: User,
    milestone_id: uuid.UUID,
    note: str,
    deliverables: list[str],
    upload_ids: list[uuid.UUID],
) -> Milestone:
    """Hand the milestone's work in: links (replacing the last submission's) and uploaded files.
    Each submission is a delivery of the milestone (its files, the note as its message), reviewed
    like an order's: `revision_number` counts the milestone's earlier submissions."""
    order, milestone = await lock_milestone(session, milestone_id, reader=user)
    _require_creator(order, user)
    _require_open_order(order)
    uploads = await _uploaded_for(session, user, order, upload_ids)
    _milestone_transition(milestone, MilestoneStatus.SUBMITTED)
    milestone.submitted_at = utcnow()
    milestone.submission_note = note
    milestone.deliverables = deliverables
    earlier = await session.scalar(
        select(func.count()).select_from(Delivery).where(Delivery.milestone_id == milestone.id)
    )
    delivery = Delivery(
        order_id=order.id, milestone_id=milestone.id, message=note, revision_number=int(earlier or 0)
    )
    session.add(delivery)
    await session.flush()
    session.add_all(
        Deliverable(
            order_id=order.id,
            milestone_id=milestone.id,
            delivery_id=delivery.id,
            upload_id=upload.id,
            title=upload.filename[:MAX_TITLE_CHARS],
        )
        for upload in uploads
    )
    await record(
        session,
        order,
        "milestone_submitted",
        actor=user,
        data={"milestone": str(milestone.id), "delivery": str(delivery.id)},
    )
    return milestone


async def _submitted_milestone(
    session: AsyncSession, user: User, milestone_id: uuid.UUID, decision: MilestoneStatus
) -> tuple[Order, Milestone]:
    """The client's submitted milestone, locked with its open order, for `decision` on it."""
    order, milestone = await lock_milestone(session, milestone_id, reader=user)
    _require_client(order, user)
    _require_open_order(order)
    if milestone.status is not MilestoneStatus.SUBMITTED:
        raise InvalidTransition(
            "milestone",
            milestone.status.value,
            decision.value,
            "Only a submitted milestone can be approved or rejected.",
        )
    return order, milestone


async def reject_milestone(
    session: AsyncSession,
    user: User,
    milestone_id: uuid.UUID,
    reason: str,
    *,
    comment_ids: Sequence[uuid.UUID] = (),
) -> Milestone:
    """Send the submission back to work; `comment_ids` are the review threads it bundles
    (comments.py checks them), listed on the rejection's event as `data.comment_ids`."""
    order, milestone = await _submitted_milestone(session, user, milestone_id, MilestoneStatus.FUNDED)
    _milestone_transition(milestone, MilestoneStatus.FUNDED)  # back to work
    milestone.rejection_reason = reason
    data: dict[str, Any] = {"milestone": str(milestone.id)}
    if comment_ids:
        data["comment_ids"] = [str(i) for i in comment_ids]
    await record(session, order, "milestone_rejected", actor=user, note=reason, data=data)
    return milestone


async def approve_milestone(session: AsyncSession, user: User, milestone_id: uuid.UUID) -> Milestone:
    order, milestone = await _submitted_milestone(session, user, milestone_id, MilestoneStatus.APPROVED)
    _milestone_transition(milestone, MilestoneStatus.APPROVED)
    milestone.approved_at = utcnow()
    await record(session, order, "milestone_approved", actor=user, data={"milestone": str(milestone.id)})
    await events.milestone_approved.emit(session, milestone)
    done = (MilestoneStatus.APPROVED, MilestoneStatus.CANCELLED)  # cancelled: refunded before work
    remaining = [m for m in await _milestones(session, order.id) if m.status not in done]
    if not remaining:
        await transition(session, order, S.COMPLETED, actor=user, kind="completed")
    return milestone


def _require_open_order(order: Order) -> None:
    if order.status not in PAID_STATES:
        raise OrderNotActive(f"The order is {order.status.value}.", details={"status": order.status.value})


def milestone_fundable(order: Order, milestone: Milestone) -> bool:
    return milestone.status is MilestoneStatus.PENDING and order.status in (S.PENDING_PAYMENT, *PAID_STATES)


# --- files as the order's parties see them ------------------------------------------------


async def shown_deliverables(
    session: AsyncSession, deliverables: Sequence[Deliverable]
) -> list[DeliverableOut]:
    """The deliverables with their files' signed URLs, for someone who may read the order."""
    files = await attached_files(session, (d.upload_id for d in deliverables if d.upload_id is not None))
    return [
        DeliverableOut.of(d, files.get(d.upload_id) if d.upload_id is not None else None)
        for d in deliverables
    ]


async def shown_delivery(session: AsyncSession, delivery: Delivery) -> DeliveryOut:
    [shown] = await _shown_deliveries(session, Delivery.id == delivery.id)
    return shown


async def _shown_deliveries(session: AsyncSession, which: ColumnElement[bool]) -> list[DeliveryOut]:
    """These deliveries, oldest first, each with its files (signed URLs), for someone who may read
    the order: one query for the deliveries with their deliverables, one for the files."""
    rows = (
        await session.execute(
            select(Delivery, Deliverable)
            .outerjoin(Deliverable, Deliverable.delivery_id == Delivery.id)
            .where(which)
            .order_by(Delivery.created_at, Delivery.id, Deliverable.created_at, Deliverable.id)
        )
    ).all()
    deliveries = list(dict.fromkeys(delivery for delivery, _ in rows))  # in order, each once
    files = await shown_deliverables(session, [item for _, item in rows if item is not None])
    by_delivery: defaultdict[uuid.UUID | None, list[DeliverableOut]] = defaultdict(list)
    for item in files:
        by_delivery[item.delivery_id].append(item)
    # The review threads each delivery says it addresses (comments.py): one query for all.
    addressed = await session.execute(
        select(DeliveryComment.addressed_by_delivery_id, DeliveryComment.id)
        .where(DeliveryComment.addressed_by_delivery_id.in_([d.id for d in deliveries]))
        .order_by(DeliveryComment.timecode_ms, DeliveryComment.created_at, DeliveryComment.id)
    )
    addresses: defaultdict[uuid.UUID | None, list[uuid.UUID]] = defaultdict(list)
    for delivery_id, comment_id in addressed:
        addresses[delivery_id].append(comment_id)
    return [
        DeliveryOut.of(delivery, by_delivery[delivery.id], addresses[delivery.id]) for delivery in deliveries
    ]


async def shown_milestones(session: AsyncSession, milestones: Sequence[Milestone]) -> list[MilestoneOut]:
    """The milestones with the files handed in for them, for someone who may read the order."""
    rows = await session.execute(
        select(Deliverable.milestone_id, Deliverable.upload_id)
        .where(Deliverable.milestone_id.in_([m.id for m in milestones]))
        .order_by(Deliverable.created_at, Deliverable.id)
    )
    # Each file once, though a later submission may hand it in again.
    handed_in = list(dict.fromkeys((m, upload_id) for m, upload_id in rows if upload_id is not None))
    files = await attached_files(session, (upload_id for _, upload_id in handed_in))
    by_milestone: defaultdict[uuid.UUID | None, list[AttachedFile]] = defaultdict(list)
    for milestone_id, upload_id in handed_in:
        if upload_id in files:  # not deleted since
            by_milestone[milestone_id].append(files[upload_id])
    return [MilestoneOut.of(m, by_milestone[m.id]) for m in milestones]


async def shown_milestone(session: AsyncSession, milestone: Milestone) -> MilestoneOut:
    [shown] = await shown_milestones(session, [milestone])
    return shown

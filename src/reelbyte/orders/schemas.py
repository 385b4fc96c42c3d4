"""Request and response bodies of orders, deliveries, milestones and disputes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, model_validator

from reelbyte.catalog.video_spec import VideoSpec
from reelbyte.core.money import Money, PositiveMoney
from reelbyte.core.schemas import PublicUrl, RequestModel, ResponseModel
from reelbyte.core.updates import not_nullable
from reelbyte.media.schemas import AttachedFile
from reelbyte.orders.models import Deliverable, Delivery, Dispute, Milestone, Order, OrderEvent

# Request text is trimmed (str.strip) before its length is checked, so the schema says "not only
# spaces" with a character that strip keeps: `\S` differs between regex engines (U+0085, U+001C-F).
_STRIPPED = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())  # U+3000 is the last
NOT_BLANK = f"[^{_STRIPPED}]"
Reason = Annotated[str, Field(min_length=1, max_length=2000, pattern=NOT_BLANK)]
Message = Annotated[str, Field(min_length=1, max_length=5000, pattern=NOT_BLANK)]
Title = Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK)]

LINK_OR_FILE = "send url (a link) or upload_id (a file uploaded for this order): exactly one of them"


class OrderCreate(RequestModel):
    gig_id: uuid.UUID
    package_id: uuid.UUID
    requirements: Annotated[str, Field(max_length=5000)] | None = None

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "gig_id": "6f1c2a8e-2d2b-4c1e-9a51-3f0b7a1d9c44",
                    "package_id": "0d6a9b5e-7e0f-4b8b-8c7a-1b2c3d4e5f60",
                    "requirements": "Raw footage link inside; 16:9 and 9:16 cuts please.",
                }
            ]
        }
    }


def _link_or_file_schema(schema: dict[str, Any]) -> None:
    """The OpenAPI states the rule the validator enforces: one of the two, never null."""
    not_nullable("url", "upload_id")(schema)
    schema["oneOf"] = [{"required": ["url"]}, {"required": ["upload_id"]}]


class DeliverableIn(RequestModel):
    """A link to the work, or a file uploaded for this order: exactly one of the two."""

    url: PublicUrl | None = None
    upload_id: uuid.UUID | None = Field(
        default=None, description="a file the creator uploaded with purpose `deliverable` for this order"
    )
    title: Title

    @model_validator(mode="after")
    def _link_or_file(self) -> DeliverableIn:
        sent = [getattr(self, name) for name in ("url", "upload_id") if name in self.model_fields_set]
        if len(sent) != 1 or sent[0] is None:
            raise ValueError(LINK_OR_FILE)
        return self

    model_config = {"json_schema_extra": _link_or_file_schema}


class DeliverRequest(RequestModel):
    message: Message
    deliverables: Annotated[list[DeliverableIn], Field(max_length=20)] = []
    addresses_comment_ids: Annotated[list[uuid.UUID], Field(max_length=200)] = Field(
        default=[],
        description="review threads (top-level comments on this order's earlier deliveries) this "
        "delivery addresses; they are marked addressed by it",
    )


class ReasonRequest(RequestModel):
    reason: Reason


class RevisionRequest(ReasonRequest):
    comment_ids: Annotated[list[uuid.UUID], Field(max_length=200)] = Field(
        default=[], description="review threads (top-level comments on this order's deliveries) to bundle"
    )
    include_open_comments: bool = Field(
        default=False, description="bundle every open thread too: unresolved, not deleted, not addressed"
    )


class DisputeResolveRequest(RequestModel):
    refund: Money
    release: Money
    note: Annotated[str, Field(max_length=2000)] | None = None


class MilestoneIn(RequestModel):
    title: Title
    description: Annotated[str, Field(max_length=5000)] | None = None
    amount: PositiveMoney
    due_date: datetime | None = None


class MilestonePlan(RequestModel):
    milestones: Annotated[list[MilestoneIn], Field(min_length=1, max_length=20)]


class MilestoneSubmit(RequestModel):
    note: Message
    deliverables: Annotated[list[PublicUrl], Field(max_length=20)] = Field(
        default=[], description="links to the work"
    )
    upload_ids: Annotated[list[uuid.UUID], Field(max_length=20)] = Field(
        default=[], description="files the creator uploaded with purpose `deliverable` for this order"
    )


class OrderEventOut(ResponseModel):
    kind: str
    from_status: str | None
    to_status: str | None
    actor_id: uuid.UUID | None
    note: str | None
    data: dict[str, Any]
    created_at: datetime


class OrderOut(ResponseModel):
    id: uuid.UUID
    status: str
    client_id: uuid.UUID
    creator_id: uuid.UUID
    gig_id: uuid.UUID | None
    package_id: uuid.UUID | None
    proposal_id: uuid.UUID | None
    title: str
    package_tier: str | None
    video_spec: VideoSpec | None = Field(
        description="what each delivered video should be, as the package said when ordered (deliveries "
        "are checked against it); null: no spec"
    )
    requirements: str | None
    amount: Money
    platform_fee: Money
    creator_earnings: Money
    delivery_days: int
    revisions_allowed: int
    revisions_used: int
    uses_milestones: bool
    paid_at: datetime | None
    delivery_date: datetime | None
    delivered_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    cancellation_requested_by: uuid.UUID | None
    created_at: datetime

    @classmethod
    def of(cls, order: Order) -> OrderOut:
        return cls(
            **{name: getattr(order, name) for name in _PLAIN_ORDER_FIELDS},
            status=order.status.value,
            video_spec=VideoSpec.model_validate(order.video_spec) if order.video_spec else None,
            amount=Money.from_minor(order.amount_minor, order.currency),
            platform_fee=Money.from_minor(order.platform_fee_minor, order.currency),
            creator_earnings=Money.from_minor(order.creator_earnings_minor, order.currency),
        )


_PLAIN_ORDER_FIELDS = [
    name
    for name in OrderOut.model_fields
    if name not in {"status", "video_spec", "amount", "platform_fee", "creator_earnings"}
]


class DeliverableOut(ResponseModel):
    id: uuid.UUID
    delivery_id: uuid.UUID | None
    milestone_id: uuid.UUID | None = Field(description="set on the files of a milestone's submission")
    url: str | None = Field(description="a link deliverable's address")
    file: AttachedFile | None = Field(
        description="an uploaded deliverable, with signed short-lived URLs; null for a link, and for "
        "a file deleted after the order was cancelled"
    )
    title: str
    created_at: datetime

    @classmethod
    def of(cls, deliverable: Deliverable, file: AttachedFile | None) -> DeliverableOut:
        return cls(
            id=deliverable.id,
            delivery_id=deliverable.delivery_id,
            milestone_id=deliverable.milestone_id,
            url=deliverable.url,
            file=file,
            title=deliverable.title,
            created_at=deliverable.created_at,
        )


class DeliveryOut(ResponseModel):
    id: uuid.UUID
    order_id: uuid.UUID
    milestone_id: uuid.UUID | None = Field(
        description="the milestone this delivery is a submission of (an order paid by milestones)"
    )
    message: str
    revision_number: int = Field(
        description="revisions the client had asked for before it (of its milestone, for a "
        "milestone's submission): 0 for the first"
    )
    created_at: datetime
    deliverables: list[DeliverableOut] = Field(
        description="the links and files handed over with it (those added while working included), "
        "oldest first"
    )
    addresses_comment_ids: list[uuid.UUID] = Field(
        default=[], description="the review threads of earlier deliveries this one addresses, by timecode"
    )

    @classmethod
    def of(
        cls, delivery: Delivery, deliverables: list[DeliverableOut], addresses: list[uuid.UUID] | None = None
    ) -> DeliveryOut:
        return cls(
            id=delivery.id,
            order_id=delivery.order_id,
            milestone_id=delivery.milestone_id,
            message=delivery.message,
            revision_number=delivery.revision_number,
            created_at=delivery.created_at,
            deliverables=deliverables,
            addresses_comment_ids=addresses or [],
        )


class OrderDetail(OrderOut):
    events: list[OrderEventOut]
    deliveries: list[DeliveryOut] = Field(description="oldest first, each with its files")

    @classmethod
    def with_history(
        cls, order: Order, history: list[OrderEvent], deliveries: list[DeliveryOut]
    ) -> OrderDetail:
        return cls(
            **OrderOut.of(order).model_dump(),
            events=[OrderEventOut.model_validate(event) for event in history],
            deliveries=deliveries,
        )


class MilestoneOut(ResponseModel):
    id: uuid.UUID
    order_id: uuid.UUID
    position: int
    title: str
    description: str | None
    amount: Money
    status: str
    due_date: datetime | None
    deliverables: list[str] = Field(description="links to the work")
    files: list[AttachedFile] = Field(
        description="files handed in with the submissions, oldest first; signed short-lived URLs"
    )
    submission_note: str | None
    rejection_reason: str | None
    funded_at: datetime | None
    submitted_at: datetime | None
    approved_at: datetime | None

    @classmethod
    def of(cls, milestone: Milestone, files: list[AttachedFile]) -> MilestoneOut:
        return cls(
            id=milestone.id,
            order_id=milestone.order_id,
            position=milestone.position,
            title=milestone.title,
            description=milestone.description,
            amount=Money.from_minor(milestone.amount_minor, milestone.currency),
            status=milestone.status.value,
            due_date=milestone.due_date,
            deliverables=list(milestone.deliverables or []),
            files=files,
            submission_note=milestone.submission_note,
            rejection_reason=milestone.rejection_reason,
            funded_at=milestone.funded_at,
            submitted_at=milestone.submitted_at,
            approved_at=milestone.approved_at,
        )


class DisputeOut(ResponseModel):
    id: uuid.UUID
    order_id: uuid.UUID
    opened_by: uuid.UUID
    reason: str
    status: str
    refund: Money | None
    release: Money | None
    resolution_note: str | None
    resolved_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, dispute: Dispute, currency: str) -> DisputeOut:
        return cls(
            id=dispute.id,
            order_id=dispute.order_id,
            opened_by=dispute.opened_by,
            reason=dispute.reason,
            status=dispute.status.value,
            refund=Money.from_minor(dispute.refund_minor, currency)
            if dispute.refund_minor is not None
            else None,
            release=Money.from_minor(dispute.release_minor, currency)
            if dispute.release_minor is not None
            else None,
            resolution_note=dispute.resolution_note,
            resolved_at=dispute.resolved_at,
            created_at=dispute.created_at,
        )


class DisputeCase(ResponseModel):
    """A dispute as the admins' queue shows it: the dispute, its order, what escrow holds."""

    dispute: DisputeOut
    order: OrderOut
    held: Money = Field(description="what escrow holds for the order now: what a resolution splits")


class MilestoneEdit(RequestModel):
    """Fields left out stay as they are; `due_date: null` clears the due date. An amount must
    keep the milestones' total: change amounts with PUT /orders/{id}/milestones."""

    title: Title | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None
    amount: PositiveMoney | None = None
    due_date: datetime | None = None


class MilestoneAmount(RequestModel):
    id: uuid.UUID
    amount: PositiveMoney


class MilestoneAmounts(RequestModel):
    milestones: Annotated[list[MilestoneAmount], Field(min_length=1, max_length=20)]

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "milestones": [
                        {
                            "id": "6f1c2a8e-2d2b-4c1e-9a51-3f0b7a1d9c44",
                            "amount": {"currency": "EUR", "value": "120.00"},
                        },
                        {
                            "id": "0b7e4a61-98c5-4d0c-8a6b-55f3d7f0f1aa",
                            "amount": {"currency": "EUR", "value": "180.00"},
                        },
                    ]
                }
            ]
        }
    }

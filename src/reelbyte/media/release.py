"""When a delivered video's original is released to the order's client.

Until then the client watches only the watermarked preview (media/hls.py); the creator and admins
always have the original. Kept apart from targets.py, which imports the orders service: the
attached-file views (attach.py), which the orders service imports, need this too, and it reads
only the orders' tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.media.models import Upload, UploadKind, UploadPurpose
from reelbyte.orders.models import Deliverable, Milestone, MilestoneStatus, Order, OrderStatus


def is_protected(upload: Upload) -> bool:
    """A delivered video: its client sees a watermarked preview until the work is released."""
    return upload.purpose is UploadPurpose.DELIVERABLE and upload.kind is UploadKind.VIDEO


async def released(session: AsyncSession, uploads: Iterable[Upload]) -> set[uuid.UUID]:
    """Which of `uploads` (deliverables) are released: their order is completed (approved by the
    client, or auto-completed), or a milestone they were submitted with is approved. Two queries
    however many uploads."""
    by_order = {upload.id: upload.target_id for upload in uploads if upload.target_id is not None}
    if not by_order:
        return set()
    completed = set(
        await session.scalars(
            select(Order.id).where(
                Order.id.in_(set(by_order.values())), Order.status == OrderStatus.COMPLETED
            )
        )
    )
    approved = set(
        await session.scalars(
            select(Deliverable.upload_id)
            .join(Milestone, Milestone.id == Deliverable.milestone_id)
            .where(Deliverable.upload_id.in_(by_order), Milestone.status == MilestoneStatus.APPROVED)
        )
    )
    return {upload_id for upload_id, order_id in by_order.items() if order_id in completed} | {
        upload_id for upload_id in approved if upload_id is not None
    }

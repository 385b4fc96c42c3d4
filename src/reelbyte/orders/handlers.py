"""Orders start from accepted proposals: projects announces the acceptance, this starts the order.
And a gig or package that orders point at is still needed: the catalog only deactivates it.

Connected when imported (`reelbyte.registry`); runs in the asker's unit of work, so the order
exists exactly when the proposal is accepted.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog.events import Listing, still_needed
from reelbyte.core.db import utcnow
from reelbyte.identity.models import User
from reelbyte.orders import service
from reelbyte.projects.events import order_of_proposal, proposal_was_accepted
from reelbyte.projects.models import Project, Proposal


@proposal_was_accepted.connect
async def order_from_proposal(session: AsyncSession, accepted: tuple[Proposal, Project]) -> None:
    """The accepted proposal's price and delivery days become an order awaiting payment, planned
    with the proposal's milestones if it has some (so the client can fund the first at once)."""
    proposal, project = accepted
    order = await service.create_from_proposal(
        session,
        proposal_id=proposal.id,
        client_id=project.client_id,
        creator_id=proposal.creator_id,
        title=project.title,
        requirements=project.description,
        amount_minor=proposal.price_minor,
        currency=proposal.currency,
        delivery_days=proposal.delivery_days,
    )
    if proposal.milestones:
        client = await session.get_one(User, project.client_id)
        accepted_at = utcnow()
        plan = [
            {
                "title": item["title"],
                "description": item.get("description"),
                "amount_minor": item["amount_minor"],
                "currency": proposal.currency,
                "due_date": accepted_at + timedelta(days=days) if (days := item.get("due_in_days")) else None,
            }
            for item in proposal.milestones
        ]
        await service.create_milestones(session, client, order.id, plan)


@order_of_proposal.connect
async def order_id_of_proposal(session: AsyncSession, proposal: Proposal) -> uuid.UUID | None:
    return await service.order_id_for_proposal(session, proposal.id)


@still_needed.connect
async def listing_has_orders(session: AsyncSession, listing: Listing) -> bool:
    return await service.has_orders_for(session, listing.gig_id, listing.package_id)

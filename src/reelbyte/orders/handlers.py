"""Orders start from accepted proposals: projects announces the acceptance, this starts the order.
And a gig or package that orders point at is still needed: the catalog only deactivates it.

Connected when imported (`reelbyte.registry`); runs in the asker's unit of work, so the order
exists exactly when the proposal is accepted.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog.events import Listing, still_needed
from reelbyte.orders import service
from reelbyte.projects.events import proposal_was_accepted
from reelbyte.projects.models import Project, Proposal


@proposal_was_accepted.connect
async def order_from_proposal(session: AsyncSession, accepted: tuple[Proposal, Project]) -> None:
    """The accepted proposal's price and delivery days become an order awaiting payment."""
    proposal, project = accepted
    await service.create_from_proposal(
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


@still_needed.connect
async def listing_has_orders(session: AsyncSession, listing: Listing) -> bool:
    return await service.has_orders_for(session, listing.gig_id, listing.package_id)

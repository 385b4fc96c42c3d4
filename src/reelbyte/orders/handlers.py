"""Orders start from accepted proposals (projects tells us through its hook)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.orders import service
from reelbyte.projects.events import register_proposal_accepted
from reelbyte.projects.models import Project, Proposal


@register_proposal_accepted
async def order_from_proposal(session: AsyncSession, proposal: Proposal) -> None:
    """The accepted proposal's price and delivery days become an order awaiting payment."""
    project = await session.get_one(Project, proposal.project_id)
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

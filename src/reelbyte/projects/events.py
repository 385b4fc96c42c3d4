"""What other domains may hook into without projects importing them.

Accepting a proposal will start an order; the orders domain sits above projects, so instead of
an import it registers a handler here at start-up. Handlers run inside the accept transaction,
with the proposal already accepted and the project locked: whatever they write commits or rolls
back with the acceptance, and an exception from a handler undoes the acceptance.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.events import Signal
from reelbyte.projects.models import Project, Proposal

ProposalAcceptedHandler = Callable[[AsyncSession, Proposal], Awaitable[None]]

proposal_accepted_handlers: list[ProposalAcceptedHandler] = []


def register_proposal_accepted(handler: ProposalAcceptedHandler) -> ProposalAcceptedHandler:
    """Call `handler(session, proposal)` in every accept transaction; usable as a decorator.

    Registering the same handler twice keeps one registration.
    """
    if handler not in proposal_accepted_handlers:
        proposal_accepted_handlers.append(handler)
    return handler


def unregister_proposal_accepted(handler: ProposalAcceptedHandler) -> None:
    if handler in proposal_accepted_handlers:
        proposal_accepted_handlers.remove(handler)


async def proposal_accepted(session: AsyncSession, proposal: Proposal) -> None:
    """Run the registered handlers in order (none registered: nothing happens)."""
    for handler in list(proposal_accepted_handlers):
        await handler(session, proposal)


# Announcements for notifications, with the proposal's project (emitted in the transaction,
# after the change is flushed).
proposal_created: Signal[tuple[Proposal, Project]] = Signal("proposal_created")
proposal_was_accepted: Signal[tuple[Proposal, Project]] = Signal("proposal_was_accepted")
proposal_rejected: Signal[tuple[Proposal, Project]] = Signal("proposal_rejected")

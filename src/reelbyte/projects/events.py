"""What projects announces to the domains above it, without importing them.

Each signal is emitted inside the unit of work of the change, after the change is flushed, with
the proposal and its project; the handlers (registered at import time, see `reelbyte.registry`)
run in that unit of work, so whatever they write commits or rolls back with the change, and an
error from a handler undoes the change. Accepting a proposal starts an order this way
(`orders.handlers`), and notifications tells the people concerned.
"""

from __future__ import annotations

import uuid
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.events import Signal
from reelbyte.projects.models import Project, ProjectInvite, Proposal

P = TypeVar("P")


class Lookup(Signal[P]):
    """Asked by projects, answered by a higher domain: the first id a handler gives, if any."""

    async def first(self, session: AsyncSession, payload: P) -> uuid.UUID | None:
        for handler in self.handlers():
            answer = await handler(session, payload)
            if isinstance(answer, uuid.UUID):
                return answer
        return None


proposal_created: Signal[tuple[Proposal, Project]] = Signal("proposal_created")
# The proposal is accepted and the project locked and in progress.
proposal_was_accepted: Signal[tuple[Proposal, Project]] = Signal("proposal_was_accepted")
proposal_rejected: Signal[tuple[Proposal, Project]] = Signal("proposal_rejected")
# A creator was invited to a project (a new invite, not one repeated).
creator_invited: Signal[tuple[ProjectInvite, Project]] = Signal("creator_invited")
# The id of the order an accepted proposal started (answered by `orders.handlers`).
order_of_proposal: Lookup[Proposal] = Lookup("order_of_proposal")

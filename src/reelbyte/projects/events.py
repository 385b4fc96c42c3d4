"""What projects announces to the domains above it, without importing them.

Each signal is emitted inside the unit of work of the change, after the change is flushed, with
the proposal and its project; the handlers (registered at import time, see `reelbyte.registry`)
run in that unit of work, so whatever they write commits or rolls back with the change, and an
error from a handler undoes the change. Accepting a proposal starts an order this way
(`orders.handlers`), and notifications tells the people concerned.
"""

from __future__ import annotations

from reelbyte.core.events import Signal
from reelbyte.projects.models import Project, Proposal

proposal_created: Signal[tuple[Proposal, Project]] = Signal("proposal_created")
# The proposal is accepted and the project locked and in progress.
proposal_was_accepted: Signal[tuple[Proposal, Project]] = Signal("proposal_was_accepted")
proposal_rejected: Signal[tuple[Proposal, Project]] = Signal("proposal_rejected")

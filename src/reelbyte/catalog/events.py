"""What the catalog asks the domains above it, without importing them (see `core.events`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from reelbyte.core.events import Question


@dataclass(frozen=True)
class Listing:
    """A gig (`package_id` None) or one of its packages."""

    gig_id: uuid.UUID
    package_id: uuid.UUID | None = None


# Does anything still point at this gig or package, so that deleting it must only deactivate it?
# The orders domain answers: an order keeps the gig and the package it was bought from.
still_needed: Question[Listing] = Question("listing_still_needed")

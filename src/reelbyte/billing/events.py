"""What billing announces, inside the unit of work of the change (see core/events.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from reelbyte.core.events import Signal


@dataclass(frozen=True)
class PlanChange:
    user_id: uuid.UUID
    from_plan: str  # plan codes; "free" when a subscription starts or ends
    to_plan: str


# The plan a user is on changed: a subscription started, changed plan, or ended (back to Free).
# A downgrade is what disables API keys and webhook endpoints the new plan does not include.
plan_changed: Signal[PlanChange] = Signal("billing.plan_changed")

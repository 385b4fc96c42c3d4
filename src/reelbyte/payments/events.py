"""What the payments domain announces to the domains that use it (notifications)."""

from __future__ import annotations

from reelbyte.core.events import Signal
from reelbyte.payments.models import Withdrawal

# A withdrawal was paid out by the provider (emitted once, in the pay-out transaction).
withdrawal_paid: Signal[Withdrawal] = Signal("withdrawal_paid")

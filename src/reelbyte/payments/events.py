"""What the payments domain announces to the domains that use it (notifications, webhooks)."""

from __future__ import annotations

from dataclasses import dataclass

from reelbyte.core.events import Signal
from reelbyte.orders.models import Order
from reelbyte.payments.models import Payment, Refund, Withdrawal


@dataclass(frozen=True)
class RefundSent:
    refund: Refund
    payment: Payment
    order: Order


# A withdrawal was paid out by the provider (emitted once, in the pay-out transaction).
withdrawal_paid: Signal[Withdrawal] = Signal("withdrawal_paid")
# The provider accepted a refund: the money is on its way back to the client (emitted once).
refund_sent: Signal[RefundSent] = Signal("refund_sent")

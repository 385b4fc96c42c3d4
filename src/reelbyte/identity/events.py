"""What the identity domain announces to the domains above it."""

from __future__ import annotations

from reelbyte.core.events import Signal
from reelbyte.identity.models import User

# A new account was registered (inside that transaction): billing makes its provider customer.
user_registered: Signal[User] = Signal("user_registered")
# A user deactivated their account (inside that transaction): hide what they offered.
user_deactivated: Signal[User] = Signal("user_deactivated")

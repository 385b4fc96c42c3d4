"""What the admin domain announces (notifications tells the people concerned)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from reelbyte.core.events import Signal


@dataclass(frozen=True)
class ModerationWarning:
    """A moderator resolved a report on something `user_id` posted (or on their profile) with a
    warning; `note` is the moderator's word to them."""

    user_id: uuid.UUID
    target_type: str
    target_id: str
    note: str


# A report was resolved with a warning: tell the author of what was reported.
user_warned: Signal[ModerationWarning] = Signal("user_warned")

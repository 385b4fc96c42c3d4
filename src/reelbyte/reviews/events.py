"""What the reviews domain announces (notifications tells the people concerned)."""

from __future__ import annotations

from reelbyte.core.events import Signal
from reelbyte.reviews.models import Review

# A review became visible (both parties wrote, or the window passed): tell its reviewee.
review_published: Signal[Review] = Signal("review_published")
# The reviewee answered a review: tell its author.
review_replied: Signal[Review] = Signal("review_replied")

"""Gig views: counted in Redis with no database write, flushed into `gigs.views_count` every
minute by `catalog/jobs.py` (how, and why no view is lost or counted twice: `core/views.py`)."""

from __future__ import annotations

from reelbyte.core.views import ViewCounter

gig_views = ViewCounter("gig_views", "gigs")

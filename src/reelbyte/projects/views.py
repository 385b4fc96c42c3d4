"""Project views: counted in Redis with no database write (reading a project writes nothing),
flushed into `projects.views_count` every minute by `projects/jobs.py` (see `core/views.py`)."""

from __future__ import annotations

from reelbyte.core.views import ViewCounter

project_views = ViewCounter("project_views", "projects")

"""Response bodies of the privacy API: data exports."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from reelbyte.core.schemas import ResponseModel
from reelbyte.privacy.models import ExportStatus


class DataExportOut(ResponseModel):
    """One export of your data: a ZIP built by a job, then downloadable for 24 hours."""

    id: uuid.UUID
    status: ExportStatus = Field(description="pending while it is built; ready, or failed (ask again)")
    created_at: datetime
    completed_at: datetime | None
    size_bytes: int | None = Field(description="the ZIP's size, once ready")
    expires_at: datetime | None = Field(description="until when it can be downloaded (24 hours once ready)")
    expired: bool = Field(description="ready once, but its download time is over (the file is deleted)")
    download_url: str | None = Field(
        description="a short-lived link to the ZIP while it is ready and not expired; list again for a fresh one"
    )
    download_url_expires_at: datetime | None

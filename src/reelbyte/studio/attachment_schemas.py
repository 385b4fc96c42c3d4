"""Request and response bodies of attaching a video job's clip to a gig, the portfolio or an order."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, model_validator

from reelbyte.core.schemas import RequestModel, ResponseModel
from reelbyte.studio.models import AttachmentState


class Destination(enum.StrEnum):
    """Where a clip goes, named as the upload purposes are."""

    PORTFOLIO = "portfolio"  # a new portfolio item
    GIG_GALLERY = "gig_gallery"  # the end of the gig's gallery (target: the gig)
    DELIVERABLE = "deliverable"  # a file of the order's next delivery (target: the order)


class AttachRequest(RequestModel):
    to: Destination
    target_id: uuid.UUID | None = Field(
        default=None, description="the gig (gig_gallery) or the order (deliverable); none for portfolio"
    )
    title: Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")] | None = Field(
        default=None, description="the portfolio item's or deliverable's title; a default names the clip"
    )

    @model_validator(mode="after")
    def _target_where_needed(self) -> AttachRequest:
        if (self.to is Destination.PORTFOLIO) != (self.target_id is None):
            raise ValueError(
                "target_id is needed for gig_gallery and deliverable, and not allowed for portfolio"
            )
        return self


class AttachmentOut(ResponseModel):
    id: uuid.UUID
    job_id: uuid.UUID | None = Field(description="null once the job was deleted")
    result_index: int
    to: Destination
    target_id: uuid.UUID | None
    title: str
    upload_id: uuid.UUID = Field(description="the clip's copy, an upload of its own for that place")
    state: AttachmentState = Field(
        description="pending while the copy is processed; attached once placed; failed with a reason"
    )
    failure_reason: str | None
    created_at: datetime
    attached_at: datetime | None

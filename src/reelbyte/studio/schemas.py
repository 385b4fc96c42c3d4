"""Requests and responses of the video tools."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from pydantic import Field, model_validator

from reelbyte.core.pagination import Page
from reelbyte.core.schemas import RequestModel, ResponseModel
from reelbyte.studio.models import VideoJobKind, VideoJobState

MAX_HOOKS = 10
MAX_HOOK_SECONDS = 90


class Aspect(enum.StrEnum):
    """A re-frame: the picture cropped to this width:height."""

    VERTICAL = "9:16"
    SQUARE = "1:1"
    PORTRAIT = "4:5"

    @property
    def ratio(self) -> tuple[int, int]:
        width, height = self.value.split(":")
        return int(width), int(height)


class Crop(enum.StrEnum):
    """Where a re-frame's crop sits."""

    CENTRE = "centre"
    SUBJECT = "subject"


CROP_DESCRIPTION = (
    "where the re-frame's crop sits: `centre`, or `subject`, which follows what moves in the "
    "picture (found from the difference of frames a fifth of a second apart, no ML model), "
    "smoothed, with a dead zone and a limited panning speed so the frame neither jitters nor "
    "jumps; where nothing moves it holds still"
)


class TrimRequest(RequestModel):
    upload_id: uuid.UUID = Field(description="one of my ready video uploads")
    start_ms: int = Field(ge=0, description="where the clip starts in the source, in milliseconds")
    end_ms: int = Field(gt=0, description="where it ends (not included), within the source's length")
    aspect: Aspect | None = Field(default=None, description="re-frame to this aspect; none keeps the frame")
    crop: Crop = Field(default=Crop.CENTRE, description=CROP_DESCRIPTION + " (only with `aspect`)")

    @model_validator(mode="after")
    def _subject_needs_aspect(self) -> TrimRequest:
        if self.crop is Crop.SUBJECT and self.aspect is None:
            raise ValueError("crop `subject` needs an `aspect` to re-frame to")
        return self


class AutoHooksRequest(RequestModel):
    upload_id: uuid.UUID = Field(description="one of my ready video uploads")
    count: int = Field(default=3, ge=1, le=MAX_HOOKS, description="at most this many hooks")
    min_seconds: int = Field(default=5, ge=1, le=MAX_HOOK_SECONDS)
    max_seconds: int = Field(default=15, ge=1, le=MAX_HOOK_SECONDS)
    crop: Crop = Field(default=Crop.CENTRE, description=CROP_DESCRIPTION + " (hooks are rendered 9:16)")


class VideoJobResult(ResponseModel):
    index: int = Field(description="the `result` to download it by")
    start_ms: int = Field(description="where the clip starts in the source")
    end_ms: int
    score: float | None = Field(
        description="a hook's strength, 0 to 1, as its scorer judged it (offline: loudness, scene "
        "changes, motion); null for a trim"
    )
    reason: str | None = Field(default=None, description="a hook's: one line on why it scored so")
    scorer: str | None = Field(
        default=None,
        description="a hook's: who scored it: `offline`, `openai:<model>`, `anthropic:<model>`, or "
        "`offline (fallback: <why>)` when the configured LLM gave no usable answer",
    )
    width: int
    height: int
    duration_seconds: float
    size: int = Field(description="bytes")


class VideoJobOut(ResponseModel):
    id: uuid.UUID
    kind: VideoJobKind
    state: VideoJobState
    progress: int = Field(description="percent done")
    upload_id: uuid.UUID | None = Field(description="the source (null once it was deleted)")
    params: dict[str, Any] = Field(description="what was asked")
    source_seconds: float
    results: list[VideoJobResult]
    failure_reason: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime | None = Field(description="when a finished job and its clips are deleted")


class VideoJobPage(Page[VideoJobOut]):
    pass


class DownloadOut(ResponseModel):
    url: str = Field(description="a signed storage URL of the clip")
    expires_at: datetime

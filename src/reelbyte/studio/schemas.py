"""Requests and responses of the video tools."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from reelbyte.core.pagination import Page
from reelbyte.core.schemas import RequestModel, ResponseModel
from reelbyte.studio.models import VideoJobKind, VideoJobState

MAX_HOOKS = 10
MAX_HOOK_SECONDS = 90


class Aspect(enum.StrEnum):
    """A re-frame: the picture centre-cropped to this width:height."""

    VERTICAL = "9:16"
    SQUARE = "1:1"
    PORTRAIT = "4:5"

    @property
    def ratio(self) -> tuple[int, int]:
        width, height = self.value.split(":")
        return int(width), int(height)


class TrimRequest(RequestModel):
    upload_id: uuid.UUID = Field(description="one of my ready video uploads")
    start_ms: int = Field(ge=0, description="where the clip starts in the source, in milliseconds")
    end_ms: int = Field(gt=0, description="where it ends (not included), within the source's length")
    aspect: Aspect | None = Field(
        default=None, description="re-frame with a centre crop; none keeps the frame"
    )


class AutoHooksRequest(RequestModel):
    upload_id: uuid.UUID = Field(description="one of my ready video uploads")
    count: int = Field(default=3, ge=1, le=MAX_HOOKS, description="at most this many hooks")
    min_seconds: int = Field(default=5, ge=1, le=MAX_HOOK_SECONDS)
    max_seconds: int = Field(default=15, ge=1, le=MAX_HOOK_SECONDS)


class VideoJobResult(ResponseModel):
    index: int = Field(description="the `result` to download it by")
    start_ms: int = Field(description="where the clip starts in the source")
    end_ms: int
    score: float | None = Field(
        description="a hook's strength, 0 to 1 (loudness, scene changes, motion); null for a trim"
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

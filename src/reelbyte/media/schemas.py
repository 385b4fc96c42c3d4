"""Requests and responses of uploads."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue

from reelbyte.catalog.video_spec import VideoSpec
from reelbyte.core.pagination import Page
from reelbyte.core.schemas import RequestModel, ResponseModel
from reelbyte.media.models import MAX_FILENAME_CHARS, UploadKind, UploadPurpose, UploadState
from reelbyte.media.rules import PART_URLS_PER_REQUEST

MAX_PARTS = 10_000  # S3's limit


def _plain_file_name(name: str) -> str:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name) or "/" in name or "\\" in name:
        raise ValueError("must be a file name without folders or control characters")
    if name in (".", ".."):
        raise ValueError("must be a file name")
    return name


FileName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_FILENAME_CHARS,
        # What a pattern can state of `_plain_file_name` (which also refuses "." and "..").
        json_schema_extra={"pattern": r"^[^/\\\u0000-\u001f\u007f]+$"},
    ),
    AfterValidator(_plain_file_name),
]


class UploadRequest(RequestModel):
    filename: FileName = Field(
        description="the file's name on the user's device; its extension must fit the type"
    )
    size: int = Field(ge=1, le=2**53, description="bytes; the stored file must have exactly this size")
    content_type: str = Field(min_length=1, max_length=100, description="the file's MIME type")
    purpose: UploadPurpose
    target_id: uuid.UUID | None = Field(
        default=None,
        description="the gig (gig_gallery), order (deliverable), conversation (message_attachment) "
        "or project (proposal_attachment, project_attachment) the file is for",
    )


def _example(**example: JsonValue) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [example]})


class VideoUploadRequest(UploadRequest):
    model_config = _example(
        filename="reel.mp4", size=48_000_000, content_type="video/mp4", purpose="portfolio"
    )


class ImageUploadRequest(UploadRequest):
    model_config = _example(filename="me.png", size=250_000, content_type="image/png", purpose="avatar")


class DocumentUploadRequest(UploadRequest):
    model_config = _example(
        filename="brief.pdf",
        size=120_000,
        content_type="application/pdf",
        purpose="project_attachment",
        target_id="6f1c2a8e-2d2b-4c1e-9a51-3f0b7a1d9c44",
    )


class PartNumbers(RequestModel):
    part_numbers: Annotated[
        list[Annotated[int, Field(ge=1, le=MAX_PARTS)]], Field(min_length=1, max_length=PART_URLS_PER_REQUEST)
    ]


class CompletedPart(RequestModel):
    part_number: int = Field(ge=1, le=MAX_PARTS)
    etag: str = Field(
        min_length=1, max_length=200, pattern=r"\S", description="the ETag header the part's PUT answered"
    )


class UploadCompletion(RequestModel):
    parts: Annotated[list[CompletedPart], Field(max_length=MAX_PARTS)] | None = Field(
        default=None, description="a multipart upload's parts: every one, each once"
    )


# --- responses ----------------------------------------------------------------------------


class MediaProbe(BaseModel):
    """What the probe read from the file (the fields that apply to its kind)."""

    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    fps: float | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    bitrate: int | None = Field(default=None, description="bits per second")
    rotation: int | None = Field(default=None, description="degrees; width and height are as displayed")
    loudness_lufs: float | None = Field(default=None, description="EBU R128 integrated loudness")
    pages: int | None = None


class MediaFile(BaseModel):
    """A file to show: its URL is public, or signed and short-lived (`expires_at`)."""

    url: str
    expires_at: datetime | None
    content_type: str
    size: int | None = None
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    # A storyboard's grid: `columns` x `rows` tiles of `tile_width` x `tile_height`, one frame
    # every `interval_seconds`, left to right and top to bottom.
    columns: int | None = None
    rows: int | None = None
    tile_width: int | None = None
    tile_height: int | None = None
    interval_seconds: float | None = None


class SpecStatus(enum.StrEnum):
    PASSED = "passed"
    WARNED = "warned"  # close to the limit, or black/frozen frames at an edge
    FAILED = "failed"
    INFO = "info"  # measured only: the package says nothing about it


class SpecItem(BaseModel):
    """One requirement of the package's video spec, and what the delivered file measured."""

    check: str = Field(
        description="aspect_ratio, resolution, duration, frame_rate, loudness, true_peak, container, "
        "video_codec, black_start, black_end, frozen_start, frozen_end"
    )
    status: SpecStatus
    expected: str | None = Field(description="what the package asks for (null for info items)")
    measured: float | str | None = Field(description="what the file is, in `unit`; null when unknown")
    unit: str | None
    message: str = Field(description="one sentence for people")


class SpecReport(BaseModel):
    """A delivered video measured against its order's package spec (media/spec.py)."""

    status: SpecStatus = Field(description="the worst item's status (info when there is no spec)")
    spec: VideoSpec | None = Field(description="the package's spec it was measured against")
    items: list[SpecItem]
    measurements: dict[str, JsonValue] = Field(description="every figure measured")
    error: str | None = Field(description="why the file could not be measured, if it could not")


class UploadOut(ResponseModel):
    id: uuid.UUID
    owner_id: uuid.UUID
    kind: UploadKind
    purpose: UploadPurpose
    target_id: uuid.UUID | None
    filename: str
    content_type: str
    size: int
    state: UploadState
    failure_reason: str | None
    public: bool
    probe: MediaProbe | None
    original: MediaFile | None = Field(
        description="the file itself, once it is verified; null for a delivered video's client until "
        "the work is released (GET /uploads/{id}/download answers 403 until then)"
    )
    derived: dict[str, MediaFile] = Field(
        description="thumbnail (400x300), avatar (200x200), poster, preview (10 s, muted; not for a "
        "delivered video's client before release), storyboard; for portfolio and gig videos `hls` (the "
        "master playlist of a 360p/720p/1080p HLS ladder, on the API) and `thumbnails` (WebVTT of the "
        "storyboard's tiles, for hover-scrubbing); for delivered videos `protected_preview` (a "
        "watermarked HLS ladder, at most 720p)"
    )
    spec_report: SpecReport | None = Field(
        default=None,
        description="a deliverable video's check against its order's package spec, once it has run",
    )
    spec_checked_at: datetime | None = None
    created_at: datetime
    completed_at: datetime | None
    ready_at: datetime | None


class DirectUploadOut(BaseModel):
    method: Literal["PUT", "POST"]
    url: str
    headers: dict[str, str] = Field(description="send these headers")
    fields: dict[str, str] = Field(description="for a POST: the form fields, sent before the file as `file`")


class PartUrl(BaseModel):
    part_number: int
    url: str


class MultipartUploadOut(BaseModel):
    part_size: int = Field(description="bytes per part; the last part is the rest")
    part_count: int
    parts: list[PartUrl] = Field(
        description="URLs for the first parts; ask POST /uploads/{id}/parts for more"
    )


class UploadStarted(BaseModel):
    upload: UploadOut
    single: DirectUploadOut | None = Field(description="upload the file in one request (smaller files)")
    multipart: MultipartUploadOut | None = Field(description="upload the file in parts (files over 64 MiB)")
    expires_at: datetime = Field(description="the upload URLs stop working then")


class PartUrls(BaseModel):
    parts: list[PartUrl]
    expires_at: datetime


class StorageUse(BaseModel):
    used_bytes: int
    quota_bytes: int


class AttachedFile(BaseModel):
    """An uploaded file where it is used (a message, a deliverable, a proposal…): what to show and
    where to fetch it. Private files' URLs are signed for the viewer and short-lived."""

    upload_id: uuid.UUID
    kind: UploadKind
    filename: str
    content_type: str
    size: int
    probe: MediaProbe | None
    file: MediaFile
    derived: dict[str, MediaFile] = Field(
        description="as on the upload: thumbnail, poster, preview, storyboard"
    )
    spec_report: SpecReport | None = Field(
        default=None, description="a video's check against the order's package spec, once it has run"
    )


class UploadPage(Page[UploadOut]):
    storage: StorageUse


class DownloadLink(ResponseModel):
    url: str = Field(description="a short-lived signed storage URL that downloads the file under its name")
    expires_at: datetime

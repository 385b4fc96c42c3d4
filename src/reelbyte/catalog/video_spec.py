"""What a package promises to deliver, when it is a video: the spec each delivered video of its
orders is measured against (media/spec.py).

Every part is optional; a spec that states nothing (`{}`) is no spec, and the package shows
`video_spec: null`. The one rule JSON Schema cannot state is a duration's min ≤ max. Bounds are generous but finite, so that a typo (a frame rate of 3000, a
loudness of +40 LUFS) is a 422 rather than a promise nobody can keep. Stored on the package as
the JSON `VideoSpec.model_dump(mode="json")` writes, with every field present.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import AfterValidator, ConfigDict, Field, model_validator

from reelbyte.core.schemas import RequestModel

AspectRatio = Literal["16:9", "9:16", "1:1", "4:5"]
Container = Literal["mp4", "mov"]
VideoCodec = Literal["h264", "hevc", "prores", "av1", "vp9"]

ASPECT_RATIOS: dict[str, tuple[int, int]] = {"16:9": (16, 9), "9:16": (9, 16), "1:1": (1, 1), "4:5": (4, 5)}
MAX_SIDE = 8192  # 8K
MAX_SECONDS = 24 * 3600.0


class _Part(RequestModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


class Resolution(_Part):
    """At least this many pixels across and down, as displayed."""

    width: int = Field(ge=16, le=MAX_SIDE)
    height: int = Field(ge=16, le=MAX_SIDE)


class DurationRange(_Part):
    """The length in seconds: at least `min_seconds` (0 unless given), at most `max_seconds`
    (no limit unless given)."""

    min_seconds: float = Field(default=0.0, ge=0, le=MAX_SECONDS)
    max_seconds: float | None = Field(default=None, gt=0, le=MAX_SECONDS)

    @model_validator(mode="after")
    def _a_range(self) -> Self:
        if self.max_seconds is not None and self.min_seconds > self.max_seconds:
            raise ValueError("min_seconds must not exceed max_seconds")
        return self


class FrameRate(_Part):
    """Frames per second, give or take `tolerance` (29.97 passes for 30 with the default)."""

    fps: float = Field(gt=0, le=240)
    tolerance: float = Field(default=0.05, ge=0, le=10)


class Loudness(_Part):
    """EBU R128 integrated loudness: `target_lufs` ± `tolerance_lu` (-14 ± 1 for social
    platforms, -23 ± 1 for broadcast), and a true-peak ceiling (-1 dBTP by default)."""

    target_lufs: float = Field(ge=-70, le=0)
    tolerance_lu: float = Field(default=1.0, ge=0, le=10)
    true_peak_max_dbtp: float | None = Field(default=-1.0, ge=-20, le=3)


class VideoSpec(_Part):
    """What a package's delivered videos should be; every part is optional, at least one is given."""

    aspect_ratio: AspectRatio | None = Field(default=None, description="16:9, 9:16, 1:1 or 4:5")
    min_resolution: Resolution | None = None
    duration: DurationRange | None = None
    frame_rate: FrameRate | None = None
    loudness: Loudness | None = None
    container: Container | None = Field(default=None, description="mp4 or mov")
    video_codec: VideoCodec | None = Field(default=None, description="h264, hevc, prores, av1 or vp9")

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        allow_inf_nan=False,
        json_schema_extra={
            "examples": [
                {
                    "aspect_ratio": "9:16",
                    "min_resolution": {"width": 1080, "height": 1920},
                    "duration": {"min_seconds": 15, "max_seconds": 60},
                    "frame_rate": {"fps": 30, "tolerance": 0.05},
                    "loudness": {"target_lufs": -14, "tolerance_lu": 1, "true_peak_max_dbtp": -1},
                    "container": "mp4",
                    "video_codec": "h264",
                }
            ]
        },
    )

    def is_empty(self) -> bool:
        return all(getattr(self, name) is None for name in type(self).model_fields)

    def stored(self) -> dict[str, object]:
        """The JSON kept on the package's row."""
        return self.model_dump(mode="json")


def _none_if_empty(spec: VideoSpec | None) -> VideoSpec | None:
    return None if spec is None or spec.is_empty() else spec


# What requests take: a spec, or null (or `{}`) for none.
OptionalVideoSpec = Annotated[VideoSpec | None, AfterValidator(_none_if_empty)]

"""The spec check of a delivered video: measure the file, then compare it with what its package
promised (catalog/video_spec.py).

Plain synchronous functions over a local file, run by the spec job (spec_jobs.py) in a worker
thread. Measuring reads the streams with PyAV (display size, frame rate, length, codec, container)
and runs the bundled ffmpeg through processing's runner (a subprocess with a timeout, a lowered
priority and two threads) three times:

- the sound, through `ebur128=peak=true`: EBU R128 integrated loudness and true peak;
- the first and the last EDGE_SECONDS of the picture, through `blackdetect` and `freezedetect`:
  black or frozen frames where the video starts or ends (a forgotten slate, a fade too long, a
  render that stopped early). Only the edges are decoded, so a long video costs no more.

`compare` turns the figures into a report: one item per requirement, passed, warned (close to the
limit) or failed (outside it), with what was expected and what was measured. The limits:

- aspect ratio within 1% of the promised one passes, within 2% warns;
- frame rate within its tolerance passes, otherwise fails;
- loudness within its tolerance passes, up to LOUDNESS_GRACE_LU beyond it warns (a -16.5 LUFS
  mix for "-14 ± 1"), further fails; a true peak above the ceiling by up to
  TRUE_PEAK_GRACE_DB warns, more fails;
- a length up to DURATION_GRACE_SECONDS outside its range warns, more fails;
- resolution below the minimum, another container or codec fail;
- black or frozen edges (at least BLACK_MIN_SECONDS / FROZEN_MIN_SECONDS) warn.

Figures the package does not speak about are reported as `info`, so both parties see them; with
no spec at all every item is `info`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from reelbyte.catalog.video_spec import ASPECT_RATIOS, DurationRange, VideoSpec
from reelbyte.media import processing
from reelbyte.media.processing import ProcessingError
from reelbyte.media.schemas import SpecItem, SpecReport, SpecStatus

EDGE_SECONDS = 10.0  # how much of the start and of the end is looked at for black or frozen frames
BLACK_MIN_SECONDS = 0.5
FROZEN_MIN_SECONDS = 1.0
EDGE_SLACK_SECONDS = 0.1  # an interval starting (ending) this close to the edge is at the edge
BLACK_PIXEL_THRESHOLD = 0.10  # blackdetect's pix_th: luma below 10% counts as black
FREEZE_NOISE = "-50dB"  # freezedetect: differences under this are encoder noise, not motion

ASPECT_PASS = 0.01  # relative difference
ASPECT_WARN = 0.02
LOUDNESS_GRACE_LU = 2.0
TRUE_PEAK_GRACE_DB = 0.5
DURATION_GRACE_SECONDS = 0.5

_UNMEASURABLE = "The video could not be measured: it may be corrupt or too long to check."
_LOUDNESS = "lavfi.r128.I="
_TRUE_PEAK = "lavfi.r128.true_peak="
_SEVERITY = {SpecStatus.INFO: 0, SpecStatus.PASSED: 1, SpecStatus.WARNED: 2, SpecStatus.FAILED: 3}


@dataclass(frozen=True, slots=True)
class Measurements:
    """What a video file is, as far as a package's spec is concerned."""

    width: int | None = None  # as displayed (rotation and pixel aspect applied)
    height: int | None = None
    duration_seconds: float | None = None
    fps: float | None = None
    container: str | None = None  # mp4, mov or avi
    video_codec: str | None = None
    audio_codec: str | None = None
    loudness_lufs: float | None = None  # None: no sound to measure
    true_peak_dbtp: float | None = None  # None: no sound, or pure silence
    black_start_seconds: float = 0.0  # black frames from the first frame on, for this long
    black_end_seconds: float = 0.0  # black frames up to the last frame, for this long
    frozen_start_seconds: float = 0.0
    frozen_end_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- measuring ------------------------------------------------------------------------------


def measure(path: Path, *, timeout: float = processing.VIDEO_TIMEOUT_SECONDS) -> Measurements:
    """Measure the video at `path` (blocking: call it in a thread). Raises ProcessingError."""
    streams = processing.read_video_streams(path)  # display size and rate, as the upload's probe
    container, sample_aspect = _container_and_pixel_aspect(path)
    width, height = streams.width, streams.height
    if width is not None and sample_aspect not in (None, 1):
        if streams.rotation in (90, 270):  # the pixels' width is the displayed height
            height = round(height * sample_aspect) if height is not None else None
        else:
            width = round(width * sample_aspect)
    loudness, true_peak = _loudness(path, timeout) if streams.audio_codec else (None, None)
    black_start, frozen_start = _head(path, streams.duration_seconds, timeout)
    black_end, frozen_end = _tail(path, streams.duration_seconds, timeout)
    return Measurements(
        width=width,
        height=height,
        duration_seconds=streams.duration_seconds,
        fps=streams.fps,
        container=container,
        video_codec=streams.video_codec,
        audio_codec=streams.audio_codec,
        loudness_lufs=loudness,
        true_peak_dbtp=true_peak,
        black_start_seconds=black_start,
        black_end_seconds=black_end,
        frozen_start_seconds=frozen_start,
        frozen_end_seconds=frozen_end,
    )


def _container_and_pixel_aspect(path: Path) -> tuple[str | None, Fraction | None]:
    """MP4 and QuickTime share a demuxer; the file's brand tells them apart."""
    try:
        with av.open(processing.file_url(path), options={"format_whitelist": "mov,avi"}) as opened:
            names = set(opened.format.name.split(","))
            brand = str(opened.metadata.get("major_brand", "")).strip()
            stream = opened.streams.video[0] if opened.streams.video else None
            sample_aspect = stream.sample_aspect_ratio if stream is not None else None
    except av.FFmpegError as error:
        raise ProcessingError(_UNMEASURABLE) from error
    if "avi" in names:
        container: str | None = "avi"
    elif "mov" in names:
        container = "mov" if brand == "qt" else "mp4"
    else:
        container = None
    return container, Fraction(sample_aspect) if sample_aspect else None


def _loudness(path: Path, timeout: float) -> tuple[float | None, float | None]:
    """Integrated loudness (LUFS) and true peak (dBTP) of the first audio stream. ebur128 tags
    every 100 ms of sound with the figures so far (the true peak is the running maximum) and
    ametadata prints them: the last are the whole file's."""
    tags = "ebur128=peak=true:metadata=1,ametadata=mode=print:file=-"
    output = processing.run_ffmpeg(
        [*processing.ffmpeg_input(path), "-map", "0:a:0", "-af", tags, "-f", "null", "-"],
        timeout,
        _UNMEASURABLE,
    )
    loudness = _last_value(output.splitlines(), _LOUDNESS)
    peak = _last_value(output.splitlines(), _TRUE_PEAK)
    true_peak = 20 * math.log10(peak) if peak is not None and peak > 0 else None
    return loudness, true_peak


def _last_value(lines: list[str], prefix: str) -> float | None:
    line = next((line for line in reversed(lines) if line.startswith(prefix)), None)
    if line is None:
        return None
    value = float(line.removeprefix(prefix))
    return value if math.isfinite(value) else None


@dataclass(frozen=True, slots=True)
class _Interval:
    start: float
    end: float | None  # None: still going when the window ended


def _head(path: Path, duration: float | None, timeout: float) -> tuple[float, float]:
    """Seconds of black and of frozen picture from the first frame on."""
    window = min(EDGE_SECONDS, duration) if duration else EDGE_SECONDS
    black, frozen = _edge_intervals(path, None, window, timeout)
    return _at_start(black, window), _at_start(_not_black(frozen, black), window)


def _tail(path: Path, duration: float | None, timeout: float) -> tuple[float, float]:
    """Seconds of black and of frozen picture up to the last frame (the window's timestamps
    start at 0 where it is cut from the file)."""
    if not duration:
        return 0.0, 0.0
    start = max(0.0, duration - EDGE_SECONDS)
    window = duration - start
    black, frozen = _edge_intervals(path, start, window, timeout)
    return _at_end(black, window), _at_end(_not_black(frozen, black), window)


def _edge_intervals(
    path: Path, start: float | None, seconds: float, timeout: float
) -> tuple[list[_Interval], list[_Interval]]:
    detect = (
        f"blackdetect=d={BLACK_MIN_SECONDS}:pix_th={BLACK_PIXEL_THRESHOLD},"
        f"freezedetect=n={FREEZE_NOISE}:d={FROZEN_MIN_SECONDS},"
        "metadata=mode=print:file=-"
    )
    output = processing.run_ffmpeg(
        [
            *processing.ffmpeg_input(path, start=start),
            *("-t", f"{seconds:.3f}", "-map", "0:v:0", "-vf", detect, "-f", "null", "-"),
        ],
        timeout,
        _UNMEASURABLE,
    )
    return _intervals(output, "lavfi.black_start=", "lavfi.black_end="), _intervals(
        output, "lavfi.freezedetect.freeze_start=", "lavfi.freezedetect.freeze_end="
    )


def _intervals(output: str, start_key: str, end_key: str) -> list[_Interval]:
    """The intervals a detector announced, in order (its start and end tags on frames)."""
    found: list[_Interval] = []
    opened: float | None = None
    for line in output.splitlines():
        if line.startswith(start_key):
            opened = float(line.removeprefix(start_key))
        elif line.startswith(end_key) and opened is not None:
            found.append(_Interval(opened, float(line.removeprefix(end_key))))
            opened = None
    if opened is not None:
        found.append(_Interval(opened, None))
    return found


def _at_start(intervals: Iterable[_Interval], window: float) -> float:
    for interval in intervals:
        if interval.start <= EDGE_SLACK_SECONDS:
            return round((interval.end if interval.end is not None else window) - interval.start, 2)
    return 0.0


def _at_end(intervals: Iterable[_Interval], window: float) -> float:
    for interval in intervals:
        if interval.end is None or interval.end >= window - EDGE_SLACK_SECONDS:
            return round(max(0.0, window - interval.start), 2)
    return 0.0


def _not_black(frozen: list[_Interval], black: list[_Interval]) -> list[_Interval]:
    """A black stretch is frozen too: it is reported once, as black."""

    def covered(interval: _Interval) -> bool:
        return any(
            b.start <= interval.start + EDGE_SLACK_SECONDS
            and (b.end is None or (interval.end is not None and b.end >= interval.end - EDGE_SLACK_SECONDS))
            for b in black
        )

    return [interval for interval in frozen if not covered(interval)]


# --- comparing ------------------------------------------------------------------------------


def compare(spec: VideoSpec | None, measured: Measurements) -> SpecReport:
    """The report of `measured` against `spec` (every item `info` without a spec)."""
    items = [
        _aspect_ratio(spec, measured),
        _resolution(spec, measured),
        _duration(spec, measured),
        _frame_rate(spec, measured),
        *_loudness_items(spec, measured),
        _exactly("container", spec.container if spec else None, measured.container, "container"),
        _exactly("video_codec", spec.video_codec if spec else None, measured.video_codec, "video codec"),
        *_edges(spec, measured),
    ]
    return SpecReport(
        status=overall(item.status for item in items),
        spec=spec,
        items=items,
        measurements=measured.as_dict(),
        error=None,
    )


def unmeasurable(spec: VideoSpec | None, reason: str) -> SpecReport:
    """The report of a video that could not be measured."""
    return SpecReport(
        status=SpecStatus.FAILED if spec is not None else SpecStatus.INFO,
        spec=spec,
        items=[],
        measurements={},
        error=reason,
    )


def overall(statuses: Iterable[SpecStatus]) -> SpecStatus:
    """The worst of the items' statuses (failed > warned > passed > info)."""
    return max(statuses, key=_SEVERITY.__getitem__, default=SpecStatus.INFO)


def _item(
    check: str,
    status: SpecStatus,
    expected: str | None,
    measured: float | str | None,
    unit: str | None,
    message: str,
) -> SpecItem:
    return SpecItem(
        check=check, status=status, expected=expected, measured=measured, unit=unit, message=message
    )


def _info(check: str, measured: float | str | None, unit: str | None, what: str) -> SpecItem:
    shown = "unknown" if measured is None else f"{measured}{' ' + unit if unit else ''}"
    return _item(check, SpecStatus.INFO, None, measured, unit, f"The {what} is {shown}.")


def _graded(deviation: float, allowed: float, grace: float) -> SpecStatus:
    """Within `allowed` passes; up to `grace` beyond warns; further fails."""
    if deviation <= allowed:
        return SpecStatus.PASSED
    if deviation <= allowed + grace:
        return SpecStatus.WARNED
    return SpecStatus.FAILED


def aspect_name(width: int, height: int) -> str:
    """4:3 for 320x240; a 1.78-ish odd size as the ratio's decimal (426x240 → 1.775:1)."""
    ratio = Fraction(width, height)
    if ratio.denominator <= 32 and ratio.numerator <= 64:
        return f"{ratio.numerator}:{ratio.denominator}"
    return f"{width / height:.3f}:1"


def _aspect_ratio(spec: VideoSpec | None, m: Measurements) -> SpecItem:
    shown = aspect_name(m.width, m.height) if m.width and m.height else None
    if spec is None or spec.aspect_ratio is None:
        return _info("aspect_ratio", shown, None, "aspect ratio")
    wide, high = ASPECT_RATIOS[spec.aspect_ratio]
    if not m.width or not m.height:
        return _item(
            "aspect_ratio", SpecStatus.FAILED, spec.aspect_ratio, None, None, "The picture size is unknown."
        )
    deviation = abs((m.width / m.height) / (wide / high) - 1)
    status = _graded(deviation, ASPECT_PASS, ASPECT_WARN - ASPECT_PASS)
    message = (
        f"The picture is {shown} ({m.width}x{m.height}), as the package asks."
        if status is SpecStatus.PASSED
        else f"The picture is {shown} ({m.width}x{m.height}); the package asks for {spec.aspect_ratio}."
    )
    return _item("aspect_ratio", status, spec.aspect_ratio, shown, None, message)


def _resolution(spec: VideoSpec | None, m: Measurements) -> SpecItem:
    shown = f"{m.width}x{m.height}" if m.width and m.height else None
    if spec is None or spec.min_resolution is None:
        return _info("resolution", shown, None, "resolution")
    least = spec.min_resolution
    expected = f"≥ {least.width}x{least.height}"
    ok = bool(m.width and m.height and m.width >= least.width and m.height >= least.height)
    status = SpecStatus.PASSED if ok else SpecStatus.FAILED
    message = (
        f"The resolution is {shown}, at least the {least.width}x{least.height} asked for."
        if ok
        else f"The resolution is {shown or 'unknown'}; the package asks for at least "
        f"{least.width}x{least.height}."
    )
    return _item("resolution", status, expected, shown, None, message)


def _duration_expected(limits: DurationRange) -> str:
    if limits.max_seconds is None:
        return f"≥ {limits.min_seconds:g}"
    if limits.min_seconds == 0:
        return f"≤ {limits.max_seconds:g}"
    return f"{limits.min_seconds:g} to {limits.max_seconds:g}"


def _duration(spec: VideoSpec | None, m: Measurements) -> SpecItem:
    seconds = round(m.duration_seconds, 2) if m.duration_seconds is not None else None
    if spec is None or spec.duration is None:
        return _info("duration", seconds, "s", "length")
    limits = spec.duration
    expected = _duration_expected(limits)
    if m.duration_seconds is None:
        return _item("duration", SpecStatus.FAILED, expected, None, "s", "The video's length is unknown.")
    short = limits.min_seconds - m.duration_seconds
    long = (m.duration_seconds - limits.max_seconds) if limits.max_seconds is not None else 0.0
    status = _graded(max(short, long), 0.0, DURATION_GRACE_SECONDS)
    message = (
        f"The video is {seconds:g} s long, within {expected} s."
        if status is SpecStatus.PASSED
        else f"The video is {seconds:g} s long; the package asks for {expected} s."
    )
    return _item("duration", status, expected, seconds, "s", message)


def _frame_rate(spec: VideoSpec | None, m: Measurements) -> SpecItem:
    fps = round(m.fps, 3) if m.fps is not None else None
    if spec is None or spec.frame_rate is None:
        return _info("frame_rate", fps, "fps", "frame rate")
    wanted = spec.frame_rate
    expected = f"{wanted.fps:g} ± {wanted.tolerance:g}"
    if m.fps is None:
        return _item("frame_rate", SpecStatus.FAILED, expected, None, "fps", "The frame rate is unknown.")
    status = _graded(abs(m.fps - wanted.fps), wanted.tolerance, 0.0)
    message = (
        f"The video runs at {fps:g} fps, as the package asks."
        if status is SpecStatus.PASSED
        else f"The video runs at {fps:g} fps; the package asks for {expected} fps."
    )
    return _item("frame_rate", status, expected, fps, "fps", message)


def _loudness_items(spec: VideoSpec | None, m: Measurements) -> list[SpecItem]:
    lufs = round(m.loudness_lufs, 1) if m.loudness_lufs is not None else None
    peak = round(m.true_peak_dbtp, 1) if m.true_peak_dbtp is not None else None
    wanted = spec.loudness if spec is not None else None
    if wanted is None:
        return [
            _info("loudness", lufs, "LUFS", "integrated loudness"),
            _info("true_peak", peak, "dBTP", "true peak"),
        ]
    expected = f"{wanted.target_lufs:g} ± {wanted.tolerance_lu:g}"
    if m.loudness_lufs is None:
        loudness = _item(
            "loudness", SpecStatus.FAILED, expected, None, "LUFS", "The video has no sound to measure."
        )
    else:
        status = _graded(abs(m.loudness_lufs - wanted.target_lufs), wanted.tolerance_lu, LOUDNESS_GRACE_LU)
        loudness = _item(
            "loudness",
            status,
            expected,
            lufs,
            "LUFS",
            f"The mix is {lufs:g} LUFS, as the package asks."
            if status is SpecStatus.PASSED
            else f"The mix is {lufs:g} LUFS; the package asks for {expected} LUFS.",
        )
    if wanted.true_peak_max_dbtp is None:
        return [loudness, _info("true_peak", peak, "dBTP", "true peak")]
    ceiling = wanted.true_peak_max_dbtp
    if m.true_peak_dbtp is None:  # no sound, or silence: nothing reaches the ceiling
        status = SpecStatus.FAILED if m.loudness_lufs is None else SpecStatus.PASSED
        message = "The video has no sound to measure." if m.loudness_lufs is None else "The sound is silent."
    else:
        status = _graded(m.true_peak_dbtp - ceiling, 0.0, TRUE_PEAK_GRACE_DB)
        message = (
            f"The true peak is {peak:g} dBTP, under the {ceiling:g} dBTP ceiling."
            if status is SpecStatus.PASSED
            else f"The true peak is {peak:g} dBTP; the package allows at most {ceiling:g} dBTP."
        )
    return [loudness, _item("true_peak", status, f"≤ {ceiling:g}", peak, "dBTP", message)]


def _exactly(check: str, wanted: str | None, measured: str | None, what: str) -> SpecItem:
    if wanted is None:
        return _info(check, measured, None, what)
    ok = measured == wanted
    message = (
        f"The {what} is {measured}, as the package asks."
        if ok
        else f"The {what} is {measured or 'unknown'}; the package asks for {wanted}."
    )
    return _item(check, SpecStatus.PASSED if ok else SpecStatus.FAILED, wanted, measured, None, message)


def _edges(spec: VideoSpec | None, m: Measurements) -> list[SpecItem]:
    edges = (
        ("black_start", m.black_start_seconds, BLACK_MIN_SECONDS, "black frames at the start"),
        ("black_end", m.black_end_seconds, BLACK_MIN_SECONDS, "black frames at the end"),
        ("frozen_start", m.frozen_start_seconds, FROZEN_MIN_SECONDS, "frozen frames at the start"),
        ("frozen_end", m.frozen_end_seconds, FROZEN_MIN_SECONDS, "frozen frames at the end"),
    )
    items = []
    for check, seconds, least, what in edges:
        found = seconds >= least
        warned_or_passed = SpecStatus.WARNED if found else SpecStatus.PASSED
        status = SpecStatus.INFO if spec is None else warned_or_passed
        message = f"The video has {what}: {seconds:g} s." if found else f"The video has no {what}."
        items.append(_item(check, status, f"< {least:g}", seconds, "s", message))
    return items

"""The ffmpeg work of the video tools: cutting a clip (with an optional centre-crop re-frame),
and finding and rendering hooks.

Plain synchronous functions over local paths, run by the jobs in a worker thread. ffmpeg runs as
media.processing runs it (bundled binary, no shell, lowered priority, two threads, a timeout),
with `-progress pipe:1` read line by line: every PROGRESS_EVERY_SECONDS the caller's
`on_progress(fraction)` is told how far it got, and answering False stops ffmpeg there
(`Cancelled`): that is how a cancelled job stops its ffmpeg.

Hooks, honestly and simply: one ffmpeg pass measures, per half second, the audio's RMS level
(astats), the scene-change score (select's `scene`) and the motion (the mean absolute
difference of consecutive frames: tblend + signalstats) on a 4 fps, 160-pixel-wide copy. Each
half second scores 0.5 x loudness + 0.3 x scene change + 0.2 x motion (each scaled to 0..1 over
the video); a window scores its mean, nudged up for length, and the best non-overlapping windows
of min..max seconds win. Each is rendered 9:16 (centre crop, at most 720x1280), H.264 + AAC.
"""

from __future__ import annotations

import math
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import structlog

from reelbyte.media.processing import (
    FFMPEG_THREADS,
    LOWER_PRIORITY,
    UNREADABLE_VIDEO,
    VIDEO_TIMEOUT_SECONDS,
    ProcessingError,
    ffmpeg_exe,
    ffmpeg_input,
    ffmpeg_output,
    read_video_streams,
)

log = structlog.get_logger(__name__)

ProgressCallback = Callable[[float], bool]

PROGRESS_EVERY_SECONDS = 1.0
BIN_SECONDS = 0.5
ANALYSIS_FPS = 4
ANALYSIS_WIDTH = 160
HOOK_ASPECT = (9, 16)
HOOK_MAX_WIDTH = 720  # so at most 720x1280
WEIGHTS = {"loudness": 0.5, "scene": 0.3, "motion": 0.2}
SCENE_CUT = 0.4  # a scene score this high counts fully as a cut
SILENCE_DB = -90.0
LENGTH_BONUS = 0.25  # a window's mean is multiplied by (length / min length) ** this
ANALYSIS_SHARE = 0.4  # of an auto-hooks job's progress

_LOUDNESS_KEY = "lavfi.astats.Overall.RMS_level"
_SCENE_KEY = "lavfi.scene_score"
_MOTION_KEY = "lavfi.signalstats.YAVG"
_ENCODE = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"]
_ENCODE_AUDIO = ["-c:a", "aac", "-b:a", "128k", "-ac", "2"]


class Cancelled(Exception):
    """`on_progress` answered False: ffmpeg was stopped."""


@dataclass(frozen=True, slots=True)
class Clip:
    """A clip rendered from the source: where it was cut from and what it came out as."""

    path: Path
    start_seconds: float
    end_seconds: float
    width: int
    height: int
    duration_seconds: float
    score: float | None = None


@dataclass(frozen=True, slots=True)
class Window:
    start_seconds: float
    end_seconds: float
    score: float


def job_timeout(source_seconds: float) -> float:
    """Per ffmpeg run: generous for the source's length, never unbounded."""
    return VIDEO_TIMEOUT_SECONDS + 3.0 * source_seconds


def _never_stop(_: float) -> bool:
    return True


# --- trims ----------------------------------------------------------------------------------


def cut(
    source: Path,
    out: Path,
    start_seconds: float,
    end_seconds: float,
    *,
    aspect: tuple[int, int] | None = None,
    max_width: int | None = None,
    on_progress: ProgressCallback = _never_stop,
    timeout: float = VIDEO_TIMEOUT_SECONDS,
) -> Clip:
    """Cut [start, end) of the source into an H.264 + AAC MP4 (faststart), re-encoded so that
    it starts and ends on the frames asked for (not on the nearest keyframes). With `aspect`
    (width, height) the picture is centre-cropped to it; `max_width` scales a wider one down."""
    seconds = end_seconds - start_seconds
    if seconds <= 0:
        raise ValueError("a clip ends after it starts")
    filters = []
    if aspect is not None:
        width, height = aspect
        filters.append(
            f"crop='trunc(min(iw,ih*{width}/{height})/2)*2':'trunc(min(ih,iw*{height}/{width})/2)*2'"
        )
    if max_width is not None:
        filters.append(f"scale='trunc(min({max_width},iw)/2)*2':-2")
    else:
        filters.append("scale='trunc(iw/2)*2':'trunc(ih/2)*2'")
    filters.append("setsar=1")
    run_ffmpeg_with_progress(
        [
            *ffmpeg_input(source, start=start_seconds),
            *("-t", f"{seconds:.3f}", "-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn"),
            *("-vf", ",".join(filters), *_ENCODE, *_ENCODE_AUDIO),
            *("-movflags", "+faststart", "-f", "mp4", *ffmpeg_output(out)),
        ],
        seconds,
        on_progress,
        timeout,
    )
    made = read_video_streams(out)
    return Clip(
        out,
        start_seconds,
        end_seconds,
        made.width or 0,
        made.height or 0,
        round(made.duration_seconds or 0.0, 3),
    )


# --- hooks ----------------------------------------------------------------------------------


def find_and_render_hooks(
    source: Path,
    folder: Path,
    *,
    count: int,
    min_seconds: float,
    max_seconds: float,
    on_progress: ProgressCallback = _never_stop,
) -> list[Clip]:
    """The `count` strongest moments of the source as vertical clips, best first."""
    probe = read_video_streams(source)
    seconds = probe.duration_seconds or 0.0
    if seconds <= 0:
        raise ProcessingError(UNREADABLE_VIDEO)
    timeout = job_timeout(seconds)
    scores = analyse(
        source,
        folder,
        seconds,
        has_audio=probe.audio_codec is not None,
        on_progress=lambda done: on_progress(done * ANALYSIS_SHARE),
        timeout=timeout,
    )
    windows = best_windows(scores, seconds, count, min_seconds, max_seconds)
    total = sum(window.end_seconds - window.start_seconds for window in windows) or 1.0
    clips: list[Clip] = []
    rendered = 0.0
    for index, window in enumerate(windows):
        length = window.end_seconds - window.start_seconds
        before = rendered

        def report(done: float, before: float = before, length: float = length) -> bool:
            share = (before + done * length) / total
            return on_progress(ANALYSIS_SHARE + (1 - ANALYSIS_SHARE) * share)

        clip = cut(
            source,
            folder / f"hook-{index}.mp4",
            window.start_seconds,
            window.end_seconds,
            aspect=HOOK_ASPECT,
            max_width=HOOK_MAX_WIDTH,
            on_progress=report,
            timeout=timeout,
        )
        clips.append(
            Clip(
                clip.path,
                clip.start_seconds,
                clip.end_seconds,
                clip.width,
                clip.height,
                clip.duration_seconds,
                round(window.score, 3),
            )
        )
        rendered += length
    return clips


def analyse(
    source: Path,
    folder: Path,
    seconds: float,
    *,
    has_audio: bool,
    on_progress: ProgressCallback = _never_stop,
    timeout: float = VIDEO_TIMEOUT_SECONDS,
) -> list[float]:
    """Each half second's score, 0..1, from one ffmpeg pass that prints the measures of every
    analysed frame (and every half second of audio) into files in `folder`."""
    samples_per_bin = int(8000 * BIN_SECONDS)
    graph = (
        f"[0:v:0]fps={ANALYSIS_FPS},scale={ANALYSIS_WIDTH}:-2,format=yuv420p,split[s][m];"
        f"[s]select='gte(scene,0)',metadata=mode=print:key={_SCENE_KEY}:file=scene.txt,nullsink;"
        f"[m]tblend=all_mode=difference,signalstats,"
        f"metadata=mode=print:key={_MOTION_KEY}:file=motion.txt[motion]"
    )
    if has_audio:
        graph += (
            f";[0:a:0]aresample=8000,asetnsamples=n={samples_per_bin}:p=0,"
            f"astats=metadata=1:reset=1,ametadata=mode=print:key={_LOUDNESS_KEY}:file=loudness.txt,anullsink"
        )
    run_ffmpeg_with_progress(
        [*ffmpeg_input(source), "-filter_complex", graph, "-map", "[motion]", "-f", "null", "-"],
        seconds,
        on_progress,
        timeout,
        cwd=folder,
    )
    bins = max(1, math.ceil(seconds / BIN_SECONDS))
    loudness = _binned(_read_metadata(folder / "loudness.txt"), bins, max) if has_audio else {}
    scene = _binned(_read_metadata(folder / "scene.txt"), bins, max)
    motion = _binned(_read_metadata(folder / "motion.txt"), bins, _mean)
    loud = _scaled([max(SILENCE_DB, loudness.get(b, SILENCE_DB)) for b in range(bins)])
    cuts = [min(1.0, scene.get(b, 0.0) / SCENE_CUT) for b in range(bins)]
    moving = _scaled([motion.get(b, 0.0) for b in range(bins)])
    return [
        WEIGHTS["loudness"] * loud[b] + WEIGHTS["scene"] * cuts[b] + WEIGHTS["motion"] * moving[b]
        for b in range(bins)
    ]


def best_windows(
    scores: list[float], seconds: float, count: int, min_seconds: float, max_seconds: float
) -> list[Window]:
    """The `count` best non-overlapping windows of min..max seconds, best first.

    For each start the best length is kept (its mean score times (length/min) ** LENGTH_BONUS,
    so a window grows only while what it takes in stays strong); then the best windows are taken
    greedily, skipping any that overlaps one taken."""
    bins = len(scores)
    shortest = max(1, round(min_seconds / BIN_SECONDS))
    longest = max(shortest, min(bins, round(max_seconds / BIN_SECONDS)))
    if shortest > bins:
        return [Window(0.0, seconds, sum(scores) / bins if bins else 0.0)]
    prefix = [0.0]
    for score in scores:
        prefix.append(prefix[-1] + score)
    candidates: list[tuple[float, float, int, int]] = []  # (adjusted, mean, start, length)
    for start in range(bins - shortest + 1):
        best: tuple[float, float, int, int] | None = None
        for length in range(shortest, min(longest, bins - start) + 1):
            mean = (prefix[start + length] - prefix[start]) / length
            adjusted = mean * (length / shortest) ** LENGTH_BONUS
            if best is None or adjusted > best[0]:
                best = (adjusted, mean, start, length)
        assert best is not None
        candidates.append(best)
    candidates.sort(key=lambda candidate: (-candidate[0], candidate[2]))
    taken: list[tuple[int, int, float]] = []
    for _, mean, start, length in candidates:
        if len(taken) == count:
            break
        if any(start < end and other < start + length for other, end, _ in taken):
            continue
        taken.append((start, start + length, mean))
    return [
        Window(start * BIN_SECONDS, min(seconds, end * BIN_SECONDS), min(1.0, mean))
        for start, end, mean in taken
    ]


def _read_metadata(path: Path) -> list[tuple[float, float]]:
    """(pts_time, value) of each frame the metadata filter printed: a `frame:… pts_time:T` line,
    then `key=value`."""
    if not path.exists():
        return []
    values: list[tuple[float, float]] = []
    at: float | None = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("frame:"):
            at = _pts_time(line)
        elif "=" in line and at is not None:
            try:
                value = float(line.split("=", 1)[1])
            except ValueError:
                continue
            values.append((at, value if math.isfinite(value) else SILENCE_DB))
    return values


def _pts_time(line: str) -> float | None:
    for field in line.split():
        if field.startswith("pts_time:"):
            try:
                return float(field.removeprefix("pts_time:"))
            except ValueError:
                return None
    return None


def _binned(
    values: list[tuple[float, float]], bins: int, combine: Callable[[list[float]], float]
) -> dict[int, float]:
    grouped: dict[int, list[float]] = {}
    for at, value in values:
        grouped.setdefault(min(bins - 1, max(0, int(at / BIN_SECONDS))), []).append(value)
    return {index: combine(group) for index, group in grouped.items()}


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _scaled(values: list[float]) -> list[float]:
    """Min-max scaled to 0..1; all 0 when they hardly differ (a steady tone is no peak)."""
    low, high = min(values), max(values)
    if high - low < 1e-6 * max(1.0, abs(high)) or high - low < 1.0e-3:
        return [0.0] * len(values)
    return [(value - low) / (high - low) for value in values]


# --- running ffmpeg with progress -----------------------------------------------------------


def run_ffmpeg_with_progress(
    arguments: list[str],
    seconds: float,
    on_progress: ProgressCallback,
    timeout: float,
    *,
    cwd: Path | None = None,
    failure: str = UNREADABLE_VIDEO,
) -> None:
    """Run ffmpeg over `seconds` of media, telling `on_progress` the fraction done now and then
    (at most every PROGRESS_EVERY_SECONDS, and at the end); its False stops ffmpeg (Cancelled).
    A run past `timeout` is killed (ProcessingError), as is one that fails."""
    command = [*LOWER_PRIORITY, ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-nostats"]
    command += ["-progress", "pipe:1", "-filter_threads", str(FFMPEG_THREADS), *arguments]
    timed_out = threading.Event()
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(  # noqa: S603 (our bundled binary, arguments as a list, no shell)
            command,
            stdout=subprocess.PIPE,
            stderr=stderr,
            cwd=cwd,
            encoding="utf-8",
            errors="replace",
        )

        def kill_late() -> None:
            timed_out.set()
            process.kill()

        timer = threading.Timer(timeout, kill_late)
        timer.start()
        try:
            stopped = _follow(process, seconds, on_progress)
            returncode = process.wait()
        finally:
            timer.cancel()
            timer.join()  # no timer thread outlives the run
            if process.poll() is None:
                process.kill()
                process.wait()
        if stopped:
            raise Cancelled()
        if timed_out.is_set():
            raise ProcessingError(f"Processing took longer than {timeout:g} seconds and was stopped.")
        if returncode != 0:
            stderr.seek(0)
            log.warning(
                "ffmpeg_failed", returncode=returncode, stderr=stderr.read()[-2000:].decode(errors="replace")
            )
            raise ProcessingError(failure)


def _follow(process: subprocess.Popen[str], seconds: float, on_progress: ProgressCallback) -> bool:
    """Read ffmpeg's progress blocks; True when `on_progress` asked to stop (ffmpeg is killed)."""
    assert process.stdout is not None
    done = 0.0
    reported_at = time.monotonic()
    for line in process.stdout:
        key, _, value = line.strip().partition("=")
        if key in ("out_time_us", "out_time_ms"):  # both are microseconds (an old ffmpeg quirk)
            try:
                done = min(1.0, max(0.0, int(value) / 1_000_000 / seconds)) if seconds > 0 else 0.0
            except ValueError:
                continue
        elif key == "progress":
            now = time.monotonic()
            if value != "end" and now - reported_at < PROGRESS_EVERY_SECONDS:
                continue
            reported_at = now
            if not on_progress(1.0 if value == "end" else done):
                process.kill()
                return True
    return False

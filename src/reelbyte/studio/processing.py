"""The ffmpeg work of the video tools: cutting a clip (with an optional re-frame, centre or
subject-following crop), and finding and rendering hooks.

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
of min..max seconds are the candidates. The scorer (scoring.py: these offline scores, or an LLM
given the candidates' measures) picks the `count` best. Each is rendered 9:16 (centre or subject
crop, at most 720x1280), H.264 + AAC.

Subject-following crop, without models: a first ffmpeg pass writes, SUBJECT_FPS times a second,
the difference of consecutive frames shrunk to a SUBJECT_GRID-square grid (ffmpeg does the pixel
work); the subject is the centre of mass of what changed (a still frame or a scene cut tells
nothing: the last position holds). Its path is smoothed (a centred moving average), then
followed by a virtual camera with a dead zone and a top speed, so the crop neither jitters nor
jumps, and handed to ffmpeg's crop as a piecewise-linear expression over `t`.
"""

from __future__ import annotations

import itertools
import math
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

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
from reelbyte.studio.scoring import Candidate, Scorer, ranking

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
CANDIDATES_PER_HOOK = 3  # candidate windows measured per hook asked for (the scorer picks)
MAX_CANDIDATES = 15

Crop = Literal["centre", "subject"]
SUBJECT_FPS = 5
SUBJECT_GRID = 32  # the frame difference is shrunk to this many cells a side
SUBJECT_NOISE = 3.0  # a cell's mean difference (0..255) below this is noise
SUBJECT_MIN_CHANGE = 0.5  # below this total (in cells at full difference) nothing moved
SUBJECT_CUT = 60.0  # a mean difference this high over the frame is a scene cut
SMOOTH_SECONDS = 1.0  # the moving average's window
DEAD_ZONE = 0.04  # of the frame: the camera stays while the subject is this close
MAX_PAN_SPEED = 0.6  # of the frame per second
KEYFRAME_TOLERANCE = 0.002  # of the frame: keyframes on a straight stretch are dropped
SUBJECT_SHARE = 0.3  # of a subject-cropped cut's progress

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
    reason: str | None = None  # a hook's: why it scored so
    scorer: str | None = None  # a hook's: who scored it (scoring.Ranking.scorer)


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


def _part_of(on_progress: ProgressCallback, before: float, share: float) -> ProgressCallback:
    """A step's progress as its `share` of the whole, after `before` was done."""
    return lambda done: on_progress(before + share * done)


# --- trims ----------------------------------------------------------------------------------


def cut(
    source: Path,
    out: Path,
    start_seconds: float,
    end_seconds: float,
    *,
    aspect: tuple[int, int] | None = None,
    crop: Crop = "centre",
    max_width: int | None = None,
    on_progress: ProgressCallback = _never_stop,
    timeout: float = VIDEO_TIMEOUT_SECONDS,
) -> Clip:
    """Cut [start, end) of the source into an H.264 + AAC MP4 (faststart), re-encoded so that
    it starts and ends on the frames asked for (not on the nearest keyframes). With `aspect`
    (width, height) the picture is cropped to it, in the centre or following the subject;
    `max_width` scales a wider one down."""
    seconds = end_seconds - start_seconds
    if seconds <= 0:
        raise ValueError("a clip ends after it starts")
    filters = []
    if aspect is not None:
        x, y = "(iw-ow)/2", "(ih-oh)/2"
        if crop == "subject":
            x, y = follow_subject(
                source,
                out.parent,
                start_seconds,
                seconds,
                aspect,
                on_progress=_part_of(on_progress, 0.0, SUBJECT_SHARE),
                timeout=timeout,
            )
            on_progress = _part_of(on_progress, SUBJECT_SHARE, 1 - SUBJECT_SHARE)
        width, height = aspect
        filters.append(
            f"crop='trunc(min(iw,ih*{width}/{height})/2)*2':'trunc(min(ih,iw*{height}/{width})/2)*2'"
            f":'{x}':'{y}'"
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


# --- following the subject -----------------------------------------------------------------


def follow_subject(
    source: Path,
    folder: Path,
    start_seconds: float,
    seconds: float,
    aspect: tuple[int, int],
    *,
    on_progress: ProgressCallback = _never_stop,
    timeout: float = VIDEO_TIMEOUT_SECONDS,
) -> tuple[str, str]:
    """The crop's x and y expressions (over `t`, from the clip's start) that keep the subject of
    [start, start + seconds) of the source in an `aspect` crop."""
    centres = subject_centres(
        source, folder, start_seconds, seconds, on_progress=on_progress, timeout=timeout
    )
    crop_width, crop_height = crop_fractions(source, aspect)
    step = 1 / SUBJECT_FPS
    xs = camera_path([c[0] if c else None for c in centres], crop_width / 2, step)
    ys = camera_path([c[1] if c else None for c in centres], crop_height / 2, step)
    return position_expression(xs, step, "iw", "ow"), position_expression(ys, step, "ih", "oh")


def subject_centres(
    source: Path,
    folder: Path,
    start_seconds: float,
    seconds: float,
    *,
    on_progress: ProgressCallback = _never_stop,
    timeout: float = VIDEO_TIMEOUT_SECONDS,
) -> list[tuple[float, float] | None]:
    """Per 1/SUBJECT_FPS of the clip, from half a step in (each compares two samples a step
    apart), where what changed is (x, y as fractions of the frame), or None where nothing moved
    or the scene cut."""
    grid = SUBJECT_GRID
    differences = folder / f"subject-{time.monotonic_ns()}.gray"
    graph = (
        f"fps={SUBJECT_FPS},scale=128:-2,format=gray,tblend=all_mode=difference,"
        f"scale={grid}:{grid}:flags=area,format=gray"
    )
    try:
        run_ffmpeg_with_progress(
            [
                *ffmpeg_input(source, start=start_seconds),
                *("-t", f"{seconds:.3f}", "-map", "0:v:0", "-vf", graph, "-an", "-sn", "-dn"),
                *("-f", "rawvideo", "-pix_fmt", "gray", *ffmpeg_output(differences)),
            ],
            seconds,
            on_progress,
            timeout,
        )
        data = differences.read_bytes()
    finally:
        differences.unlink(missing_ok=True)
    cells = grid * grid
    return [_centre_of_change(data[at : at + cells], grid) for at in range(0, len(data) - cells + 1, cells)]


def _centre_of_change(frame: bytes, grid: int) -> tuple[float, float] | None:
    if sum(frame) / len(frame) >= SUBJECT_CUT:
        return None
    total = x = y = 0.0
    for index, value in enumerate(frame):
        weight = value - SUBJECT_NOISE
        if weight > 0:
            row, column = divmod(index, grid)
            total += weight
            x += weight * (column + 0.5)
            y += weight * (row + 0.5)
    if total < SUBJECT_MIN_CHANGE * 255:
        return None
    return x / total / grid, y / total / grid


def crop_fractions(source: Path, aspect: tuple[int, int]) -> tuple[float, float]:
    """The crop's width and height as fractions of the (displayed) frame's."""
    probe = read_video_streams(source)
    width, height = probe.width or 0, probe.height or 0
    if probe.rotation in (90, 270):
        width, height = height, width
    if width <= 0 or height <= 0:
        raise ProcessingError(UNREADABLE_VIDEO)
    across, down = aspect
    return min(1.0, height * across / down / width), min(1.0, width * down / across / height)


def camera_path(centres: Sequence[float | None], half: float, step: float) -> list[float]:
    """The crop's centre on one axis per sample: the subject's centres held over gaps, kept
    where a crop of half-size `half` fits, smoothed (a centred average, narrower at the ends so
    they do not lag), then followed by a camera that stays put until the subject leaves the dead
    zone and then pans, at most at the top speed, until it has it centred again."""
    if half >= 0.5 - 1e-9 or not centres:
        return [0.5] * max(1, len(centres))
    known = [c for c in centres if c is not None]
    last = known[0] if known else 0.5
    held: list[float] = []
    for centre in centres:
        last = centre if centre is not None else last
        held.append(min(1 - half, max(half, last)))
    reach = max(0, round(SMOOTH_SECONDS / step / 2))
    smooth = []
    for index in range(len(held)):
        span = min(reach, index, len(held) - 1 - index)
        smooth.append(_mean(held[index - span : index + span + 1]))
    camera = [smooth[0]]
    panning = False
    for target in smooth[1:]:
        gap = target - camera[-1]
        panning = panning or abs(gap) > DEAD_ZONE
        move = min(abs(gap), MAX_PAN_SPEED * step) if panning else 0.0
        panning = panning and move < abs(gap)
        camera.append(camera[-1] + math.copysign(move, gap))
    return camera


def position_expression(path: list[float], step: float, whole: str, part: str) -> str:
    """ffmpeg's crop x (or y) expression: the centre moving linearly between the path's
    keyframes (one per `step` seconds from half a step in, straight stretches dropped; held
    before the first and after the last), as a top-left corner in pixels kept in the frame."""
    keys = _keyframes([((index + 0.5) * step, value) for index, value in enumerate(path)])
    centre = f"{keys[0][1]:.4f}" + "".join(
        f"+clip((t-{t0:.3f})/{t1 - t0:.3f},0,1)*({v1 - v0:.4f})"
        for (t0, v0), (t1, v1) in itertools.pairwise(keys)
        if abs(v1 - v0) >= 1e-4
    )
    return f"clip(({centre})*{whole}-{part}/2,0,{whole}-{part})"


def _keyframes(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points a straight line between kept neighbours does not already pass within
    tolerance of (Ramer-Douglas-Peucker, without recursion); first and last always kept."""
    keep = {0, len(points) - 1}
    spans = [(0, len(points) - 1)]
    while spans:
        first, last = spans.pop()
        (t0, v0), (t1, v1) = points[first], points[last]
        worst, at = KEYFRAME_TOLERANCE, -1
        for index in range(first + 1, last):
            t, v = points[index]
            off = abs(v - (v0 + (v1 - v0) * (t - t0) / (t1 - t0)))
            if off > worst:
                worst, at = off, index
        if at >= 0:
            keep.add(at)
            spans += [(first, at), (at, last)]
    return [points[index] for index in sorted(keep)]


# --- hooks ----------------------------------------------------------------------------------


def find_and_render_hooks(
    source: Path,
    folder: Path,
    *,
    count: int,
    min_seconds: float,
    max_seconds: float,
    scorer: Scorer | None = None,
    crop: Crop = "centre",
    on_progress: ProgressCallback = _never_stop,
) -> list[Clip]:
    """The `count` strongest moments of the source as vertical clips, best first, as the
    scorer (None: the offline scores) ranks the candidate windows."""
    probe = read_video_streams(source)
    seconds = probe.duration_seconds or 0.0
    if seconds <= 0:
        raise ProcessingError(UNREADABLE_VIDEO)
    timeout = job_timeout(seconds)
    measures = measure(
        source,
        folder,
        seconds,
        has_audio=probe.audio_codec is not None,
        on_progress=_part_of(on_progress, 0.0, ANALYSIS_SHARE),
        timeout=timeout,
    )
    wanted = min(MAX_CANDIDATES, count * CANDIDATES_PER_HOOK)
    windows = best_windows(measures.scores(), seconds, wanted, min_seconds, max_seconds)
    ranked = ranking(scorer, [measures.candidate(window) for window in windows], seconds, count)
    total = sum(pick.candidate.end_seconds - pick.candidate.start_seconds for pick in ranked.picks) or 1.0
    clips: list[Clip] = []
    rendered = 0.0
    for index, pick in enumerate(ranked.picks):
        window = pick.candidate
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
            crop=crop,
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
                round(pick.score, 3),
                pick.reason,
                ranked.scorer,
            )
        )
        rendered += length
    return clips


@dataclass(frozen=True, slots=True)
class Measures:
    """Per half second of the video, each 0..1: loudness, scene change, motion."""

    loudness: list[float]
    cuts: list[float]
    motion: list[float]

    def scores(self) -> list[float]:
        return [
            WEIGHTS["loudness"] * loud + WEIGHTS["scene"] * cut + WEIGHTS["motion"] * moving
            for loud, cut, moving in zip(self.loudness, self.cuts, self.motion, strict=True)
        ]

    def candidate(self, window: Window) -> Candidate:
        first = min(len(self.loudness) - 1, int(window.start_seconds / BIN_SECONDS))
        last = max(first + 1, math.ceil(window.end_seconds / BIN_SECONDS - 1e-9))
        loud, motion = self.loudness[first:last], self.motion[first:last]
        return Candidate(
            start_seconds=window.start_seconds,
            end_seconds=window.end_seconds,
            score=window.score,
            loudness_mean=_mean(loud),
            loudness_peak=max(loud),
            scene_changes=sum(1 for cut in self.cuts[first:last] if cut >= 1.0),
            motion_mean=_mean(motion),
        )


def analyse(
    source: Path,
    folder: Path,
    seconds: float,
    *,
    has_audio: bool,
    on_progress: ProgressCallback = _never_stop,
    timeout: float = VIDEO_TIMEOUT_SECONDS,
) -> list[float]:
    """Each half second's score, 0..1."""
    measures = measure(source, folder, seconds, has_audio=has_audio, on_progress=on_progress, timeout=timeout)
    return measures.scores()


def measure(
    source: Path,
    folder: Path,
    seconds: float,
    *,
    has_audio: bool,
    on_progress: ProgressCallback = _never_stop,
    timeout: float = VIDEO_TIMEOUT_SECONDS,
) -> Measures:
    """Each half second's measures from one ffmpeg pass that prints those of every analysed
    frame (and every half second of audio) into files in `folder`."""
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
    return Measures(loud, cuts, moving)


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

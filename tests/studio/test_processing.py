"""The video tools' ffmpeg work on real clips: trims start and end within a frame of what was
asked, re-frames have the asked aspect, hooks find the loud burst, progress is reported and a
False answer stops ffmpeg; the window picker keeps to its rules for any scores."""

from __future__ import annotations

import itertools
import threading
from fractions import Fraction
from pathlib import Path

import av
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reelbyte.media.processing import ProcessingError
from reelbyte.studio import processing
from reelbyte.studio.processing import BIN_SECONDS, Cancelled, best_windows, cut, find_and_render_hooks
from tests.studio.clips import BURST_END, BURST_START, CUTS, FPS, make_hook_clip

FRAME = 1 / FPS


# No database, Redis or app here: the suite's resetting autouse fixtures become no-ops.
@pytest.fixture(autouse=True)
def clean_state() -> None:
    """Nothing to reset."""


@pytest.fixture(autouse=True)
def webhooks_into_the_app() -> None:
    """No app to post into."""


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_hook_clip(tmp_path_factory.mktemp("studio") / "source.mp4")


def video_timing(path: Path) -> tuple[float, float, int, int]:
    """(first frame's time, last frame's end, width, height) of the video stream, decoded."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        times = [float(frame.pts * stream.time_base) for frame in container.decode(stream)]
        rate = stream.average_rate or Fraction(FPS)
        return times[0], times[-1] + float(1 / rate), stream.width, stream.height


@pytest.mark.parametrize(("start", "end"), [(0.0, 2.0), (1.24, 4.4), (7.52, 10.0)])
def test_a_trim_starts_and_ends_within_a_frame_of_the_request(
    source: Path, tmp_path: Path, start: float, end: float
) -> None:
    clip = cut(source, tmp_path / "trim.mp4", start, end)
    first, last, width, height = video_timing(clip.path)
    assert first == pytest.approx(0.0, abs=FRAME)
    assert last - first == pytest.approx(end - start, abs=FRAME)
    assert (width, height) == (320, 240) == (clip.width, clip.height)
    assert clip.duration_seconds == pytest.approx(end - start, abs=2 * FRAME)


def test_a_trim_keeps_the_requested_picture(source: Path, tmp_path: Path) -> None:
    """Cut at the SMPTE bars (3 s to 7 s): the first frame is bars, not the testsrc2 before."""
    clip = cut(source, tmp_path / "bars.mp4", 3.2, 4.0)
    reference = cut(source, tmp_path / "reference.mp4", 0.0, 0.8)
    with av.open(str(clip.path)) as bars, av.open(str(reference.path)) as other:
        bars_frame = next(bars.decode(video=0)).to_image().convert("L")
        other_frame = next(other.decode(video=0)).to_image().convert("L")
    # SMPTE bars are a still picture: the top-left bar is a flat grey-white.
    assert bars_frame.getpixel((5, 5)) > 150
    assert bars_frame.tobytes() != other_frame.tobytes()


@pytest.mark.parametrize(("aspect", "expected"), [((9, 16), 9 / 16), ((1, 1), 1.0), ((4, 5), 0.8)])
def test_a_reframe_has_the_asked_aspect(
    source: Path, tmp_path: Path, aspect: tuple[int, int], expected: float
) -> None:
    clip = cut(source, tmp_path / "reframed.mp4", 1.0, 2.0, aspect=aspect)
    assert clip.height == 240  # the source is wider than each: the full height is kept
    assert clip.width % 2 == 0
    assert abs(clip.width - round(240 * expected)) <= 2


def test_hooks_include_the_loud_burst_and_are_vertical(source: Path, tmp_path: Path) -> None:
    seen: list[float] = []
    hooks = find_and_render_hooks(
        source, tmp_path, count=2, min_seconds=2, max_seconds=3, on_progress=lambda f: seen.append(f) or True
    )
    assert 1 <= len(hooks) <= 2
    best = hooks[0]
    assert best.start_seconds <= BURST_START + 0.25
    assert best.end_seconds >= BURST_END - 0.25
    assert best.score is not None
    assert best.score >= (hooks[-1].score or 0)
    for hook in hooks:
        assert 2 - FRAME <= hook.end_seconds - hook.start_seconds <= 3 + FRAME
        assert abs(hook.width / hook.height - 9 / 16) < 0.02
        assert hook.height <= 1280
        assert hook.duration_seconds == pytest.approx(hook.end_seconds - hook.start_seconds, abs=3 * FRAME)
    if len(hooks) == 2:
        first, second = sorted(hooks, key=lambda hook: hook.start_seconds)
        assert first.end_seconds <= second.start_seconds
    assert seen == sorted(seen)
    assert seen[-1] == pytest.approx(1.0)


def test_the_analysis_scores_loudness_cuts_and_motion(source: Path, tmp_path: Path) -> None:
    scores = processing.analyse(source, tmp_path, 10.0, has_audio=True)
    assert len(scores) == 20
    burst = [scores[b] for b in range(20) if BURST_START <= b * BIN_SECONDS < BURST_END]
    quiet_still = [scores[b] for b in range(20) if CUTS[0] + 0.5 <= b * BIN_SECONDS < BURST_START]
    cuts = [scores[int(cut_at / BIN_SECONDS)] for cut_at in CUTS]
    assert min(burst) >= 0.49  # about the loudness weight, in full
    assert max(quiet_still) < 0.1  # bars: no sound but the quiet tone, no motion
    assert min(cuts) > 0.3  # a scene change, with the motion it brings
    others = [scores[b] for b in range(20) if b * BIN_SECONDS not in CUTS and scores[b] not in burst]
    assert max(others) < min(burst)


def test_answering_false_stops_ffmpeg(source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(processing, "PROGRESS_EVERY_SECONDS", 0.0)
    calls: list[float] = []

    def stop(fraction: float) -> bool:
        calls.append(fraction)
        return False

    with pytest.raises(Cancelled):
        cut(source, tmp_path / "stopped.mp4", 0.0, 10.0, on_progress=stop)
    assert len(calls) == 1
    # The timeout's timer is gone too (other threads of the test process may come and go).
    assert not [thread for thread in threading.enumerate() if isinstance(thread, threading.Timer)]


def test_a_run_past_its_timeout_is_killed(source: Path, tmp_path: Path) -> None:
    with pytest.raises(ProcessingError) as caught:
        cut(source, tmp_path / "slow.mp4", 0.0, 10.0, aspect=(9, 16), timeout=0.01)
    assert "longer than" in caught.value.reason


def test_an_unreadable_source_is_a_processing_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2000)
    with pytest.raises(ProcessingError):
        cut(broken, tmp_path / "out.mp4", 0.0, 1.0)


@settings(max_examples=200, deadline=None)
@given(
    scores=st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=80),
    count=st.integers(min_value=1, max_value=5),
    min_seconds=st.integers(min_value=1, max_value=6),
    extra=st.integers(min_value=0, max_value=6),
)
def test_windows_never_overlap_and_keep_their_lengths(
    scores: list[float], count: int, min_seconds: int, extra: int
) -> None:
    seconds = len(scores) * BIN_SECONDS
    max_seconds = min_seconds + extra
    windows = best_windows(scores, seconds, count, min_seconds, max_seconds)
    assert 1 <= len(windows) <= count
    ordered = sorted(windows, key=lambda window: window.start_seconds)
    for earlier, later in itertools.pairwise(ordered):
        assert earlier.end_seconds <= later.start_seconds
    for window in windows:
        assert 0 <= window.start_seconds < window.end_seconds <= seconds
        assert 0 <= window.score <= 1
        if seconds >= min_seconds:
            assert min_seconds - BIN_SECONDS <= window.end_seconds - window.start_seconds <= max_seconds

"""HLS for videos: the streaming ladder of portfolio and gig videos, the watermarked preview of a
delivered video, and the WebVTT storyboard that hover-scrubbing reads.

Plain synchronous functions over local paths, run by the processing job in a worker thread, like
processing.py (whose ffmpeg runner they share: timeout, lowered priority, bounded threads).

One ffmpeg run decodes the source once and encodes every rendition of the ladder (a filter graph
splits the picture, each branch scaled to its rendition), so a ladder costs one decode however
many renditions it has. Each rendition is an H.264 + AAC (video only for a silent source) media
playlist of about 4-second MPEG-TS segments: keyframes are forced every 4 seconds, so every
segment starts with one and all but the last are 4 seconds long. The master playlist is written
here rather than by ffmpeg, with BANDWIDTH measured from the segments as written (the peak of
any segment), so players choose renditions by what they really cost.

The layout in the output folder is flat (master.m3u8, 360p.m3u8, 360p_000.ts, …) and every URI
in a playlist is a bare file name: the API serves the playlists of private files with each name
replaced by a signed URL (media/service.py).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from reelbyte.media.processing import (
    Derived,
    ProcessingError,
    Storyboard,
    ffmpeg_input,
    ffmpeg_output,
    run_ffmpeg,
)

MASTER = "master"
PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
SEGMENT_TYPE = "video/mp2t"
VTT_TYPE = "text/vtt"
SEGMENT_SECONDS = 4
PREVIEW_MAX_SHORT_SIDE = 720
BRAND = "ReelByte"
FONT = Path(__file__).parent / "fonts" / "DejaVuSans-Bold.ttf"  # Bitstream Vera licence (beside it)

_ENCODE_FAILED = "The video could not be converted for streaming."
_EXTINF = re.compile(r"^#EXTINF:([0-9.]+)")


@dataclass(frozen=True, slots=True)
class Rung:
    """One rendition of a ladder: its name (360p…), display size and target bitrates."""

    name: str
    width: int
    height: int
    video_kbps: int
    audio_kbps: int
    level: int  # H.264 level x 10 (31: 3.1), set on the encoder and named in CODECS

    @property
    def codecs(self) -> str:
        """The video's RFC 6381 codec name: H.264 Main profile at the rung's level."""
        return f"avc1.4d40{self.level:02x}"


@dataclass(frozen=True, slots=True)
class Variant:
    """A rendition as written: its media playlist, segments and measured bandwidth (bits/s)."""

    name: str
    playlist: Path
    segments: list[Path]
    width: int
    height: int
    bandwidth: int
    average_bandwidth: int
    codecs: str


@dataclass(frozen=True, slots=True)
class Ladder(Derived):
    """A master playlist (`path`) and its variants, all files in one folder; `width`x`height` is
    the top rendition's. Stored as a folder of its own beside the original (media/jobs.py)."""

    variants: tuple[Variant, ...]

    @property
    def files(self) -> list[Path]:
        """Every file but the master playlist."""
        return [path for v in self.variants for path in (v.playlist, *v.segments)]


# (short side, video kbit/s, audio kbit/s, H.264 level up to 30 fps, level above): a rung is made
# when the source's short side reaches it; a source below the first gets one rendition at its
# own size.
_RUNGS = ((360, 800, 96, 30, 31), (720, 2800, 128, 31, 32), (1080, 5000, 128, 40, 42))
HIGH_FPS = 30.5


def ladder_for(
    width: int, height: int, *, max_short_side: int | None = None, fps: float | None = None
) -> list[Rung]:
    """The renditions for a source of `width`x`height` (display size), never upscaled: 360p,
    720p, and 1080p when the source has it (short side, so a portrait clip is ranked like a
    landscape one), each capped at `max_short_side`."""
    short = min(width, height)
    cap = min(short, max_short_side) if max_short_side else short
    rungs = [
        _rung(width, height, side, video, audio, fast if (fps or 0) > HIGH_FPS else level)
        for side, video, audio, level, fast in _RUNGS
        if side <= cap
    ]
    if not rungs:  # smaller than 360p: one rendition at its own (even) size
        _, video, audio, level, fast = _RUNGS[0]
        level = fast if (fps or 0) > HIGH_FPS else level
        rungs = [_rung(width, height, _even(cap), video, audio, level, name=f"{_even(cap)}p")]
    return rungs


def _rung(
    width: int, height: int, side: int, video: int, audio: int, level: int, *, name: str | None = None
) -> Rung:
    scale = side / min(width, height)
    w, h = (_even(width * scale), side) if width >= height else (side, _even(height * scale))
    return Rung(name or f"{side}p", w, h, video, audio, level)


def _even(value: float) -> int:
    """Rounded down to even (H.264's 4:2:0 needs even sizes; down, so never upscaled)."""
    return max(2, int(value + 1e-6) // 2 * 2)


def make_ladder(
    source: Path,
    folder: Path,
    *,
    width: int,
    height: int,
    duration_seconds: float,
    has_audio: bool,
    preset: str,
    timeout: float,
    max_short_side: int | None = None,
    watermark: str | None = None,
    fps: float | None = None,
) -> Ladder:
    """Encode the ladder of a `width`x`height` source into `folder` (which it must have to
    itself); with `watermark`, every rendition carries that text, tiled and drifting."""
    folder.mkdir(parents=True, exist_ok=True)
    rungs = ladder_for(width, height, max_short_side=max_short_side, fps=fps)
    run_ffmpeg(
        [*ffmpeg_input(source), *_encode_arguments(rungs, has_audio, preset, watermark, folder)],
        timeout,
        _ENCODE_FAILED,
    )
    codecs_audio = ",mp4a.40.2" if has_audio else ""
    variants = [_written(folder, rung, f"{rung.codecs}{codecs_audio}") for rung in rungs]
    master = folder / f"{MASTER}.m3u8"
    master.write_text(master_playlist(variants), encoding="utf-8")
    top = variants[-1]
    return Ladder(master, PLAYLIST_TYPE, top.width, top.height, duration_seconds, variants=tuple(variants))


def _encode_arguments(
    rungs: list[Rung], has_audio: bool, preset: str, watermark: str | None, folder: Path
) -> list[str]:
    top = rungs[-1]
    head = f"scale={top.width}:{top.height}"
    if watermark is not None:
        head += "," + watermark_filter(watermark, top.height)
    branches = "".join(f"[s{i}]" for i in range(len(rungs)))
    graph = [f"[0:v:0]{head},split={len(rungs)}{branches}"]
    graph += [
        f"[s{i}]scale={rung.width}:{rung.height},setsar=1,format=yuv420p[v{i}]"
        for i, rung in enumerate(rungs)
    ]
    arguments = ["-filter_complex", ";".join(graph)]
    for i, rung in enumerate(rungs):
        arguments += ["-map", f"[v{i}]"]
        if has_audio:
            arguments += ["-map", "0:a:0"]
        arguments += [
            *(f"-c:v:{i}", "libx264", f"-preset:v:{i}", preset, f"-profile:v:{i}", "main"),
            *(f"-level:v:{i}", f"{rung.level / 10:.1f}"),
            *(f"-b:v:{i}", f"{rung.video_kbps}k", f"-maxrate:v:{i}", f"{rung.video_kbps * 107 // 100}k"),
            *(f"-bufsize:v:{i}", f"{rung.video_kbps * 3 // 2}k"),
        ]
        if has_audio:
            arguments += [f"-c:a:{i}", "aac", f"-b:a:{i}", f"{rung.audio_kbps}k", f"-ac:a:{i}", "2"]
    stream_map = " ".join(
        f"v:{i},a:{i},name:{rung.name}" if has_audio else f"v:{i},name:{rung.name}"
        for i, rung in enumerate(rungs)
    )
    # A keyframe every SEGMENT_SECONDS (and none from scene cuts), so segments are even.
    keyframes = f"expr:gte(t,n_forced*{SEGMENT_SECONDS})"
    arguments += ["-force_key_frames", keyframes, "-sc_threshold", "0", "-sn", "-dn"]
    arguments += [
        *("-f", "hls", "-hls_time", str(SEGMENT_SECONDS), "-hls_playlist_type", "vod"),
        *("-hls_flags", "independent_segments", "-hls_segment_type", "mpegts"),
        *("-hls_segment_filename", str(folder / "%v_%03d.ts"), "-var_stream_map", stream_map),
    ]
    return [*arguments, *ffmpeg_output(folder / "%v.m3u8")]


def _written(folder: Path, rung: Rung, codecs: str) -> Variant:
    playlist = folder / f"{rung.name}.m3u8"
    if not playlist.is_file():
        raise ProcessingError(_ENCODE_FAILED)
    durations_and_names = segments_of(playlist.read_text(encoding="utf-8"))
    if not durations_and_names:
        raise ProcessingError(_ENCODE_FAILED)
    segments = [folder / name for _, name in durations_and_names]
    rates = [
        path.stat().st_size * 8 / max(seconds, 0.1)
        for (seconds, _), path in zip(durations_and_names, segments, strict=True)
    ]
    total_seconds = sum(seconds for seconds, _ in durations_and_names)
    total_bits = sum(path.stat().st_size * 8 for path in segments)
    return Variant(
        name=rung.name,
        playlist=playlist,
        segments=segments,
        width=rung.width,
        height=rung.height,
        bandwidth=math.ceil(max(rates)),
        average_bandwidth=math.ceil(total_bits / max(total_seconds, 0.1)),
        codecs=codecs,
    )


def segments_of(playlist: str) -> list[tuple[float, str]]:
    """A media playlist's segments: (duration in seconds from #EXTINF, URI), in order."""
    found: list[tuple[float, str]] = []
    duration: float | None = None
    for line in playlist.splitlines():
        line = line.strip()
        if match := _EXTINF.match(line):
            duration = float(match.group(1))
        elif line and not line.startswith("#") and duration is not None:
            found.append((duration, line))
            duration = None
    return found


def master_playlist(variants: list[Variant]) -> str:
    """The master playlist: one EXT-X-STREAM-INF per variant, lowest first."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for variant in variants:
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={variant.bandwidth},AVERAGE-BANDWIDTH={variant.average_bandwidth},"
            f'RESOLUTION={variant.width}x{variant.height},CODECS="{variant.codecs}"'
        )
        lines.append(variant.playlist.name)
    return "\n".join(lines) + "\n"


# --- the watermark --------------------------------------------------------------------------

# The text is drawn WATERMARK_COLUMNS x WATERMARK_ROWS times; each copy drifts right across the
# frame (a full width every WATERMARK_CROSSING_SECONDS, wrapping round) and bobs up and down, so
# no fixed crop or blur removes it. `watermark_positions` says where, for tests and tools.
WATERMARK_COLUMNS = 2
WATERMARK_ROWS = 3
WATERMARK_CROSSING_SECONDS = 20.0
WATERMARK_BOB_SECONDS = 10.0


def watermark_text(order_id: str) -> str:
    """The platform's name and the order's short id (its first 8 hex digits)."""
    return f"{BRAND} {order_id.replace('-', '')[:8]}"


def watermark_font_size(height: int) -> int:
    return max(12, height // 16)


def _x0(column: int, row: int) -> float:
    """A copy's starting x, as a fraction of the width (odd rows shifted by a quarter)."""
    return column / WATERMARK_COLUMNS + (0.25 if row % 2 else 0.0)


def _y0(row: int) -> float:
    return (row + 0.3) / WATERMARK_ROWS


def watermark_positions(width: int, height: int, seconds: float) -> list[tuple[int, int]]:
    """Top-left corners of the copies of the text at `seconds`, as ffmpeg's expressions place them."""
    bob = height / 24
    positions = []
    for row in range(WATERMARK_ROWS):
        for column in range(WATERMARK_COLUMNS):
            x = math.fmod(_x0(column, row) * width + width / WATERMARK_CROSSING_SECONDS * seconds, width)
            y = _y0(row) * height + bob * math.sin(2 * math.pi * seconds / WATERMARK_BOB_SECONDS)
            positions.append((math.floor(x), math.floor(y)))
    return positions


def watermark_filter(text: str, height: int, font: Path = FONT) -> str:
    """drawtext filters (one per copy) whose x/y are functions of t: see `watermark_positions`."""
    if not font.is_file():
        raise ProcessingError("The watermark's font is missing from this installation.")
    size = watermark_font_size(height)
    style = (
        f"fontfile='{_escape(str(font))}':text='{_escape(text)}':fontsize={size}"
        ":fontcolor=white@0.55:borderw=2:bordercolor=black@0.45"
    )
    filters = []
    for row in range(WATERMARK_ROWS):
        for column in range(WATERMARK_COLUMNS):
            x = f"mod({_x0(column, row)}*w+w/{WATERMARK_CROSSING_SECONDS}*t,w)"
            y = f"{_y0(row)}*h+h/24*sin(2*PI*t/{WATERMARK_BOB_SECONDS})"
            filters.append(f"drawtext={style}:x='{x}':y='{y}'")
    return ",".join(filters)


def _escape(value: str) -> str:
    """A value quoted in a filter option: backslashes, quotes, colons and % escaped."""
    for char in ("\\", "'", ":", "%", ","):
        value = value.replace(char, "\\" + char)
    return value


# --- the storyboard's WebVTT ----------------------------------------------------------------


def thumbnails_vtt(board: Storyboard, sprite_uri: str, out: Path) -> Path:
    """A WebVTT track whose cue n is tile n of the storyboard sprite (`sprite_uri#xywh=…`), for
    the span of the video it shows: what players read for hover-scrubbing previews."""
    lines = ["WEBVTT", ""]
    for n in range(board.tile_count):
        start, end = n * board.interval_seconds, (n + 1) * board.interval_seconds
        x, y = (n % board.columns) * board.tile_width, (n // board.columns) * board.tile_height
        lines += [
            f"{_timestamp(start)} --> {_timestamp(end)}",
            f"{sprite_uri}#xywh={x},{y},{board.tile_width},{board.tile_height}",
            "",
        ]
    out.write_text("\n".join(lines), encoding="utf-8")
    return out


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def ladder_timeout(base: float, duration_seconds: float | None, renditions: int) -> float:
    """The encode's time limit: `base`, plus for each rendition three times the source's length
    (veryfast 1080p on two threads runs at about real time; the margin is for a busy machine)."""
    return base + 3.0 * (duration_seconds or 0.0) * max(renditions, 1)

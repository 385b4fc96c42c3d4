"""Probing uploaded files and making the files derived from them: image thumbnails and avatars,
video posters, muted previews and storyboards.

Plain synchronous functions over local paths; the background jobs run them in a worker thread.
Video work runs the bundled ffmpeg (imageio-ffmpeg ships no ffprobe) as a subprocess: never
through a shell, always with a timeout, two threads and a lowered priority, so that a huge or
hostile upload can neither stall a worker for ever nor starve the web process of CPU. Stream
metadata is read in process with PyAV, images with Pillow and PDFs with pypdf.

Sizes are display sizes: a phone clip stored 1920x1080 with a 90° display rotation probes as
1080x1920, and a JPEG's EXIF orientation is applied likewise. `Probe.rotation` keeps the
rotation, clockwise in degrees (what the legacy `rotate` tag said: 90 for a phone held upright).

Whatever goes wrong reading a file surfaces as `ProcessingError`, whose `reason` is a sentence
for the uploader, never a traceback; ffmpeg's own message is logged for the operators.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import av
import imageio_ffmpeg  # type: ignore[import-untyped]
import structlog
from av.container import InputContainer
from av.stream import Disposition
from av.video.frame import VideoFrame
from av.video.stream import VideoStream
from PIL import Image, ImageOps
from pypdf import PdfReader

log = structlog.get_logger(__name__)

# Per ffmpeg run: a 500 MB upload is decoded well within it on two threads.
VIDEO_TIMEOUT_SECONDS = 120.0
FFMPEG_THREADS = 2
POSTER_MAX_WIDTH = 1280
PREVIEW_MAX_WIDTH = 640
POSTER_MAX_SECONDS_IN = 3.0
JPEG_QUALITY = 85

# `nice` in the command rather than preexec_fn=os.nice: these functions run in worker threads,
# where preexec_fn is unsafe (the child can deadlock between fork and exec). Without a `nice`
# binary ffmpeg runs at normal priority.
_NICE = shutil.which("nice")
LOWER_PRIORITY = [_NICE, "-n", "10"] if _NICE else []

# Only the demuxers of the video formats we accept (MP4/MOV, AVI): playlist formats (HLS,
# concat) could otherwise make ffmpeg read other local files or fetch URLs.
_VIDEO_DEMUXERS = "mov,avi"
_IMAGE_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
# Full-range YUV, JPEG's own. Naming it also lets ffmpeg open the encoder when no frame reaches
# it (a seek past the end), so that it writes nothing rather than failing.
_JPEG_OUTPUT = ["-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-q:v", "3", "-f", "image2"]
_LOUDNESS_KEY = "lavfi.r128.I"

UNREADABLE_VIDEO = "The video could not be read: it may be truncated, corrupt or in an unsupported format."
_NO_VIDEO = "The file has no video in it."
_INCOMPLETE_VIDEO = "The video is incomplete: its upload may have been cut short."
_NO_FRAME = "The video has no picture at that point."
_UNKNOWN_LENGTH = "The video's length could not be told, so no storyboard could be made of it."
_UNREADABLE_IMAGE = "The image could not be read: it may be truncated, corrupt or in an unsupported format."
_IMAGE_TOO_LARGE = "The image has too many pixels to be processed."
_UNREADABLE_PDF = "The PDF could not be read: it may be truncated or corrupt."
_ENCRYPTED_PDF = "The PDF is password-protected: please upload a copy without a password."
_EMPTY_PDF = "The PDF has no pages."


class ProcessingError(Exception):
    """A file could not be probed or processed; `reason` says why, for the uploader."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True, frozen=True)
class Probe:
    """What a file holds. Videos fill the stream fields, images the size, PDFs the page count."""

    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    fps: float | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    bitrate: int | None = None  # bits per second, of the whole container
    rotation: int = 0  # clockwise display rotation of a video: 0, 90, 180 or 270
    loudness_lufs: float | None = None  # EBU R128 integrated loudness, when there is audio
    pages: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The known fields, for storing as JSON."""
        return {name: value for name, value in asdict(self).items() if value is not None}


@dataclass(slots=True, frozen=True)
class Derived:
    """A file made from an upload."""

    path: Path
    content_type: str
    width: int | None
    height: int | None
    duration_seconds: float | None


@dataclass(slots=True, frozen=True)
class Storyboard(Derived):
    """A sprite of `columns`x`rows` tiles, read left to right then top to bottom; tile n shows
    the video at n x `interval_seconds`."""

    columns: int
    rows: int
    tile_width: int
    tile_height: int
    interval_seconds: float

    @property
    def tile_count(self) -> int:
        return self.columns * self.rows


# --- probing --------------------------------------------------------------------------------


def probe_video(path: Path, *, timeout: float = VIDEO_TIMEOUT_SECONDS) -> Probe:
    """The video's streams (PyAV) and, when it has sound, its loudness (an ffmpeg pass)."""
    streams = read_video_streams(path)
    if streams.audio_codec is None:
        return streams
    return replace(streams, loudness_lufs=_integrated_loudness(path, timeout))


def probe_image(path: Path) -> Probe:
    """The image's display size (the first frame of an animation)."""
    image = _load_image(path)
    return Probe(width=image.width, height=image.height)


def probe_document(path: Path) -> Probe:
    """The PDF's page count."""
    with _reading_pdf():
        reader = PdfReader(path)
    if reader.is_encrypted:
        raise ProcessingError(_ENCRYPTED_PDF)
    with _reading_pdf():
        pages = len(reader.pages)
    if pages == 0:
        raise ProcessingError(_EMPTY_PDF)
    return Probe(pages=pages)


def read_video_streams(path: Path) -> Probe:
    try:
        with av.open(file_url(path), options={"format_whitelist": _VIDEO_DEMUXERS}) as container:
            return _describe(container)
    except av.FFmpegError as error:
        raise ProcessingError(UNREADABLE_VIDEO) from error


def _describe(container: InputContainer) -> Probe:
    video = _main_video_stream(container)
    if _indexed_data_end(container) > container.size:
        raise ProcessingError(_INCOMPLETE_VIDEO)
    audio = container.streams.audio[0] if container.streams.audio else None
    rotation = _clockwise_rotation(_first_frame(container, video))
    width, height = video.width or None, video.height or None
    if rotation in (90, 270):
        width, height = height, width
    rate = video.average_rate or video.guessed_rate
    return Probe(
        width=width,
        height=height,
        duration_seconds=_duration(container, video),
        fps=float(rate) if rate else None,
        video_codec=video.codec_context.name,
        audio_codec=audio.codec_context.name if audio else None,
        bitrate=container.bit_rate or None,
        rotation=rotation,
    )


def _main_video_stream(container: InputContainer) -> VideoStream:
    # Cover art in an MP4 is a one-picture "video" stream: an audio file with a cover is no video.
    moving = [
        stream for stream in container.streams.video if not stream.disposition & Disposition.attached_pic
    ]
    if not moving:
        raise ProcessingError(_NO_VIDEO)
    return moving[0]


def _indexed_data_end(container: InputContainer) -> int:
    """Where the last packet the index knows of ends. An MP4 with its index up front (faststart)
    still opens and decodes when its tail is missing; only its index tells that data is lost."""
    return max(
        (entry.pos + entry.size for stream in container.streams for entry in stream.index_entries),
        default=0,
    )


def _first_frame(container: InputContainer, video: VideoStream) -> VideoFrame:
    """Decoding a frame proves the video decodes, and carries the display matrix."""
    video.codec_context.thread_count = FFMPEG_THREADS
    for frame in container.decode(video):
        return frame
    raise ProcessingError(UNREADABLE_VIDEO)


def _clockwise_rotation(frame: VideoFrame) -> int:
    # PyAV gives the display matrix's angle counter-clockwise, in [-180, 180].
    return round(-frame.rotation / 90) * 90 % 360


def _duration(container: InputContainer, video: VideoStream) -> float | None:
    if container.duration is not None:
        return container.duration / av.time_base
    if video.duration is not None and video.time_base is not None:
        return float(video.duration * video.time_base)
    return None


def _integrated_loudness(path: Path, timeout: float) -> float | None:
    # ebur128 logs its summary at the info level, which -loglevel error hides. Instead it tags
    # every 100 ms of audio with the integrated loudness so far, and ametadata prints the tags to
    # stdout: the last is the whole clip's. Mapping only the audio leaves the video undecoded.
    tags = f"ebur128=metadata=1,ametadata=mode=print:key={_LOUDNESS_KEY}:file=-"
    output = run_ffmpeg(
        [*ffmpeg_input(path), "-map", "0:a:0", "-af", tags, "-f", "null", "-"], timeout, UNREADABLE_VIDEO
    )
    prefix = f"{_LOUDNESS_KEY}="
    last = next((line for line in reversed(output.splitlines()) if line.startswith(prefix)), None)
    if last is None:
        return None
    loudness = float(last.removeprefix(prefix))
    return loudness if math.isfinite(loudness) else None


# --- derived images -------------------------------------------------------------------------


def image_thumbnail(source: Path, out: Path, size: tuple[int, int] = (400, 300)) -> Derived:
    """A JPEG of exactly `size`: the image scaled to cover it, centre cropped."""
    return _fill_jpeg(source, out, size)


def avatar(source: Path, out: Path, size: int = 200) -> Derived:
    """A square JPEG `size` pixels a side, filled like a thumbnail."""
    return _fill_jpeg(source, out, (size, size))


def _fill_jpeg(source: Path, out: Path, size: tuple[int, int]) -> Derived:
    picture = ImageOps.fit(_on_white(_load_image(source)), size, method=Image.Resampling.LANCZOS)
    # Saved without the source's EXIF: a phone photo's location is not for the public.
    picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return Derived(out, "image/jpeg", picture.width, picture.height, None)


def _load_image(path: Path) -> Image.Image:
    """The decoded first frame, turned as its EXIF orientation says."""
    try:
        with Image.open(path, formats=_IMAGE_FORMATS) as image:
            image.load()  # decode now: a truncated file fails here
            return ImageOps.exif_transpose(image)  # a detached copy, even when not turned
    except Image.DecompressionBombError as error:
        raise ProcessingError(_IMAGE_TOO_LARGE) from error
    # Pillow reports broken files as OSError, but some decoders as SyntaxError or ValueError.
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ProcessingError(_UNREADABLE_IMAGE) from error


def _on_white(image: Image.Image) -> Image.Image:
    """RGB for JPEG, with transparent parts white rather than black."""
    if not image.has_transparency_data:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    flattened = Image.new("RGB", rgba.size, "white")
    flattened.paste(rgba, mask=rgba.getchannel("A"))
    return flattened


@contextmanager
def _reading_pdf() -> Iterator[None]:
    try:
        yield
    # pypdf raises anything from PdfReadError to KeyError or RecursionError on malformed files.
    except Exception as error:
        raise ProcessingError(_UNREADABLE_PDF) from error


# --- derived from videos --------------------------------------------------------------------


def video_poster(
    source: Path, out: Path, at_seconds: float | None = None, *, timeout: float = VIDEO_TIMEOUT_SECONDS
) -> Derived:
    """A JPEG of the frame at `at_seconds` (by default 10% in, at most 3 s; the first frame of
    clips under a second), at the display size, at most 1280 wide."""
    if at_seconds is None:
        at_seconds = _poster_time(read_video_streams(source).duration_seconds)
    scale = f"scale='min({POSTER_MAX_WIDTH},iw)':-2"
    width, height = _ffmpeg_jpeg([*ffmpeg_input(source, start=at_seconds), "-vf", scale], out, timeout)
    return Derived(out, "image/jpeg", width, height, None)


def video_preview(
    source: Path, out: Path, seconds: float = 10.0, *, timeout: float = VIDEO_TIMEOUT_SECONDS
) -> Derived:
    """The first `seconds` (or the whole clip when shorter) as a muted H.264 MP4 at most 640
    wide, ready to stream (faststart)."""
    scale = f"scale='trunc(min({PREVIEW_MAX_WIDTH},iw)/2)*2':-2"
    encode = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-pix_fmt", "yuv420p"]
    run_ffmpeg(
        [
            *ffmpeg_input(source),
            *("-t", f"{seconds:.3f}", "-an", "-sn", "-dn", "-vf", scale, *encode),
            *("-movflags", "+faststart", "-f", "mp4", *ffmpeg_output(out)),
        ],
        timeout,
        UNREADABLE_VIDEO,
    )
    preview = read_video_streams(out)
    return Derived(out, "video/mp4", preview.width, preview.height, preview.duration_seconds)


def storyboard(
    source: Path,
    out: Path,
    columns: int = 5,
    rows: int = 5,
    tile_width: int = 160,
    *,
    timeout: float = VIDEO_TIMEOUT_SECONDS,
) -> Storyboard:
    """One JPEG sprite of `columns`x`rows` frames evenly spaced over the video, each
    `tile_width` wide. Every frame is decoded, so the timeout bounds the cost of long videos."""
    duration = read_video_streams(source).duration_seconds
    if not duration:
        raise ProcessingError(_UNKNOWN_LENGTH)
    interval = duration / (columns * rows)
    tiles = f"fps=1/{interval:.6f},scale={tile_width}:-2,tile={columns}x{rows}"
    width, height = _ffmpeg_jpeg([*ffmpeg_input(source), "-vf", tiles], out, timeout)
    return Storyboard(
        out,
        "image/jpeg",
        width,
        height,
        None,
        columns=columns,
        rows=rows,
        tile_width=width // columns,
        tile_height=height // rows,
        interval_seconds=interval,
    )


def _ffmpeg_jpeg(arguments: list[str], out: Path, timeout: float) -> tuple[int, int]:
    """Have ffmpeg write the first picture `arguments` yield to `out` as a JPEG; its size."""
    out.unlink(missing_ok=True)  # so that a stale file is never taken for ffmpeg's
    run_ffmpeg([*arguments, "-frames:v", "1", *_JPEG_OUTPUT, *ffmpeg_output(out)], timeout, UNREADABLE_VIDEO)
    try:
        with Image.open(out, formats=["JPEG"]) as image:
            return image.size
    except OSError as error:  # ffmpeg wrote nothing: no frame reached it
        raise ProcessingError(_NO_FRAME) from error


def _poster_time(duration: float | None) -> float:
    if duration is None or duration < 1.0:
        return 0.0
    return min(duration * 0.1, POSTER_MAX_SECONDS_IN)


# --- running ffmpeg -------------------------------------------------------------------------


def ffmpeg_input(path: Path, start: float | None = None) -> list[str]:
    seek = ["-ss", f"{start:.3f}"] if start else []
    return [
        *seek,
        "-threads",
        str(FFMPEG_THREADS),
        "-format_whitelist",
        _VIDEO_DEMUXERS,
        "-i",
        file_url(path),
    ]


def ffmpeg_output(path: Path) -> list[str]:
    # No metadata copied: a phone clip's location is not for the public.
    return ["-map_metadata", "-1", "-threads", str(FFMPEG_THREADS), "-y", file_url(path)]


def file_url(path: Path) -> str:
    # The protocol prefix keeps a name such as "concat:…" or "-i" from being read as anything
    # but a local file.
    return f"file:{path}"


@cache
def ffmpeg_exe() -> str:
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def run_ffmpeg(arguments: list[str], timeout: float, failure: str) -> str:
    """Run ffmpeg and return its stdout; `failure` is the reason given when it fails. On timeout
    `subprocess.run` kills it before raising."""
    command = [*LOWER_PRIORITY, ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error"]
    command += ["-filter_threads", str(FFMPEG_THREADS), *arguments]
    try:
        finished = subprocess.run(  # noqa: S603 (our bundled binary, arguments as a list, no shell)
            command, capture_output=True, encoding="utf-8", errors="replace", timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise ProcessingError(f"Processing took longer than {timeout:g} seconds and was stopped.") from error
    if finished.returncode != 0:
        log.warning("ffmpeg_failed", returncode=finished.returncode, stderr=finished.stderr[-2000:])
        raise ProcessingError(failure)
    return finished.stdout

"""Real media files for tests, made on the spot: videos by the bundled ffmpeg from its test
sources, images by Pillow, PDFs by fpdf2. Plain functions, so any test module can use them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg  # type: ignore[import-untyped]
from fpdf import FPDF
from PIL import Image, ImageDraw

_SINE = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]


def make_video(
    path: Path,
    width: int = 1280,
    height: int = 720,
    seconds: float = 5.0,
    fps: int = 25,
    audio: bool = True,
    rotate: int | None = None,
    faststart: bool = False,
) -> Path:
    """An H.264 (+ AAC 440 Hz sine) clip in the container `path`'s suffix names (.mp4, .mov, .avi).

    `rotate` is the clockwise display rotation (what a phone held upright records as 90): it is
    written as a display matrix, the frames themselves stay `width`x`height`. `faststart` puts
    the index before the data, as streaming-ready files have it.
    """
    arguments: list[str] = []
    if rotate is not None:
        # ffmpeg ≥ 7 takes the rotation as an input option; without -noautorotate it would turn
        # the frames themselves instead of tagging them. It counts counter-clockwise.
        arguments += ["-noautorotate", "-display_rotation", str(-rotate)]
    arguments += ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fps}"]
    arguments += [*_SINE, "-c:a", "aac"] if audio else []
    arguments += ["-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    arguments += ["-movflags", "+faststart"] if faststart else []
    _ffmpeg(*arguments, str(path))
    return path


def make_audio(path: Path, seconds: float = 1.0) -> Path:
    """An AAC 440 Hz sine with no picture, in an MP4 (.m4a) container."""
    _ffmpeg(*_SINE, "-t", str(seconds), "-c:a", "aac", "-f", "mp4", str(path))
    return path


def make_png(path: Path, width: int = 800, height: int = 600) -> Path:
    _picture(width, height).save(path, "PNG")
    return path


def make_jpeg(path: Path, width: int = 800, height: int = 600) -> Path:
    _picture(width, height).save(path, "JPEG", quality=85)
    return path


def make_gif(path: Path, width: int = 320, height: int = 240, frames: int = 3) -> Path:
    """An animated GIF of `frames` frames."""
    first, *rest = (_picture(width, height, shade=index * 60) for index in range(frames))
    first.save(path, "GIF", save_all=True, append_images=rest, duration=100, loop=0)
    return path


def make_webp(path: Path, width: int = 640, height: int = 480) -> Path:
    _picture(width, height).save(path, "WEBP", quality=80)
    return path


def make_pdf(path: Path, pages: int = 3) -> Path:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=14)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.cell(text=f"Page {number}")
    pdf.output(str(path))
    return path


def truncated(path_in: Path, path_out: Path, keep_fraction: float = 0.3) -> Path:
    """A copy of the first `keep_fraction` of `path_in`, as an interrupted upload leaves it."""
    data = path_in.read_bytes()
    path_out.write_bytes(data[: int(len(data) * keep_fraction)])
    return path_out


def _ffmpeg(*arguments: str) -> None:
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    subprocess.run([*command, *arguments], check=True, capture_output=True, timeout=60)


def _picture(width: int, height: int, shade: int = 0) -> Image.Image:
    """A picture with some structure, so that encoders have something to compress."""
    image = Image.new("RGB", (width, height), (40 + shade % 200, 90, 160))
    draw = ImageDraw.Draw(image)
    draw.rectangle((width // 4, height // 4, width * 3 // 4, height * 3 // 4), fill=(240, 200, 40))
    draw.ellipse((0, 0, width // 3, height // 3), fill=(200, 30, 60))
    return image

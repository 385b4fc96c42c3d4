"""Clips for the video tools' tests, made by the bundled ffmpeg: three scenes (cuts at 3 s and
7 s) with a quiet 440 Hz tone and a loud burst from BURST_START to BURST_END."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg  # type: ignore[import-untyped]

BURST_START = 5.0
BURST_END = 6.0
CUTS = (3.0, 7.0)
SECONDS = 10.0
FPS = 25


def make_hook_clip(path: Path, width: int = 320, height: int = 240) -> Path:
    """10 s of testsrc2, then SMPTE bars, then testsrc, with the tone and the burst."""
    size = f"s={width}x{height}:r={FPS}"
    first, second = CUTS
    tone = f"aevalsrc='if(between(t,{BURST_START},{BURST_END}),0.9,0.01)*sin(2*PI*440*t)':s=48000:d={SECONDS}"
    arguments = [
        *("-f", "lavfi", "-i", f"testsrc2={size}:d={first}"),
        *("-f", "lavfi", "-i", f"smptebars={size}:d={second - first}"),
        *("-f", "lavfi", "-i", f"testsrc={size}:d={SECONDS - second}"),
        *("-f", "lavfi", "-i", tone),
        *("-filter_complex", "[0:v][1:v][2:v]concat=n=3:v=1:a=0,format=yuv420p[v]"),
        *("-map", "[v]", "-map", "3:a", "-c:v", "libx264", "-preset", "ultrafast", "-g", "50"),
        *("-c:a", "aac", "-t", str(SECONDS), str(path)),
    ]
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    subprocess.run([*command, *arguments], check=True, capture_output=True, timeout=60)
    return path


BOX = 40  # the moving box's side, in pixels
BOX_SECONDS = 4.0


def make_moving_box_clip(path: Path, width: int = 320, height: int = 180) -> Path:
    """A white box sliding from the left edge to the right edge of a black frame, with a tone."""
    travel = f"(W-w)*t/{BOX_SECONDS}"
    arguments = [
        *("-f", "lavfi", "-i", f"color=black:s={width}x{height}:r={FPS}:d={BOX_SECONDS}"),
        *("-f", "lavfi", "-i", f"color=white:s={BOX}x{BOX}:r={FPS}:d={BOX_SECONDS}"),
        *("-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={BOX_SECONDS}"),
        *("-filter_complex", f"[0:v][1:v]overlay=x='{travel}':y=(H-h)/2,format=yuv420p[v]"),
        *("-map", "[v]", "-map", "2:a", "-c:v", "libx264", "-preset", "ultrafast", "-g", "50"),
        *("-c:a", "aac", "-t", str(BOX_SECONDS), str(path)),
    ]
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    subprocess.run([*command, *arguments], check=True, capture_output=True, timeout=60)
    return path

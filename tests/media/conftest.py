"""Media fixtures: real files made once per run (a 1280x720 five-second H.264 video with sound,
images, a PDF)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.media import clips
from tests.media.fakes.fixtures import cloudinary_server, cloudinary_storage  # noqa: F401


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def video_file(media_dir: Path) -> Path:
    return clips.make_video(media_dir / "reel.mp4", width=1280, height=720, seconds=5.0)


@pytest.fixture(scope="session")
def png_file(media_dir: Path) -> Path:
    return clips.make_png(media_dir / "still.png", width=800, height=600)


@pytest.fixture(scope="session")
def pdf_file(media_dir: Path) -> Path:
    return clips.make_pdf(media_dir / "brief.pdf", pages=3)

"""Probing and derived files, on real media made by ffmpeg, Pillow and fpdf2."""

from __future__ import annotations

import math
import subprocess
from collections.abc import Callable
from pathlib import Path

import av
import imageio_ffmpeg  # type: ignore[import-untyped]
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from reelbyte.media.processing import (
    Probe,
    ProcessingError,
    avatar,
    image_thumbnail,
    probe_document,
    probe_image,
    probe_video,
    storyboard,
    video_poster,
    video_preview,
)
from tests.media import clips


# These tests touch no database, Redis or app: the suite's autouse fixtures that reset them after
# every test (tests/conftest.py) are replaced by no-ops here, which keeps this file fast.
@pytest.fixture(autouse=True)
def clean_state() -> None:
    """Nothing to reset."""


@pytest.fixture(autouse=True)
def webhooks_into_the_app() -> None:
    """No app to post into."""


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def clip(media: Path) -> Path:
    """1280x720, 5 s, 25 fps, H.264 with a 440 Hz AAC sine."""
    return clips.make_video(media / "clip.mp4")


@pytest.fixture(scope="module")
def rotated(media: Path) -> Path:
    """Stored 640x360, shown turned 90° clockwise: a phone held upright."""
    return clips.make_video(media / "rotated.mp4", 640, 360, seconds=1.0, rotate=90)


@pytest.fixture(scope="module")
def silent(media: Path) -> Path:
    return clips.make_video(media / "silent.mp4", 320, 240, seconds=1.0, audio=False)


@pytest.fixture(scope="module")
def long_clip(media: Path) -> Path:
    return clips.make_video(media / "long.mp4", 320, 240, seconds=12.0)


def assert_readable(error: pytest.ExceptionInfo[ProcessingError]) -> None:
    """A sentence for a person: one line, no traceback, no ffmpeg log."""
    reason = error.value.reason
    assert reason == str(error.value)
    assert reason[0].isupper()
    assert reason.endswith(".")
    assert not any(sign in reason for sign in ("\n", "Traceback", "[", "ffmpeg"))
    assert len(reason) < 120


# --- probing videos -------------------------------------------------------------------------


def test_probe_reads_the_streams_and_the_loudness(clip: Path) -> None:
    probe = probe_video(clip)

    assert (probe.width, probe.height) == (1280, 720)
    assert (probe.video_codec, probe.audio_codec) == ("h264", "aac")
    assert probe.duration_seconds == pytest.approx(5.0, abs=0.1)
    assert probe.fps == 25
    assert probe.bitrate is not None
    assert probe.bitrate > 0
    assert probe.rotation == 0
    # A mono 440 Hz sine at ffmpeg's default amplitude (1/8) measures about -21.8 LUFS.
    assert probe.loudness_lufs is not None
    assert math.isfinite(probe.loudness_lufs)
    assert -25 < probe.loudness_lufs < -15
    assert probe.pages is None


def test_a_rotated_clip_reports_its_rotation_and_display_size(rotated: Path) -> None:
    probe = probe_video(rotated)

    assert probe.rotation == 90
    assert (probe.width, probe.height) == (360, 640)


def test_a_silent_clip_has_no_audio_codec_and_no_loudness(silent: Path) -> None:
    probe = probe_video(silent)

    assert (probe.audio_codec, probe.loudness_lufs) == (None, None)
    assert "loudness_lufs" not in probe.as_dict()


@pytest.mark.parametrize("suffix", [".mov", ".avi"])
def test_quicktime_and_avi_probe_too(tmp_path: Path, suffix: str) -> None:
    probe = probe_video(clips.make_video(tmp_path / f"clip{suffix}", 320, 240, seconds=0.5))

    assert (probe.width, probe.height, probe.video_codec) == (320, 240, "h264")


def test_as_dict_keeps_the_known_fields_only() -> None:
    assert Probe(width=400, height=300).as_dict() == {"width": 400, "height": 300, "rotation": 0}


def test_a_truncated_video_is_refused_with_a_reason(clip: Path, tmp_path: Path) -> None:
    """Here the index, at the end of the file, is lost: nothing can be read."""
    with pytest.raises(ProcessingError) as error:
        probe_video(clips.truncated(clip, tmp_path / "cut.mp4"))
    assert_readable(error)


def test_a_truncated_video_with_its_index_up_front_is_refused_too(tmp_path: Path) -> None:
    """A faststart file still opens and plays without its tail: its index tells what is lost."""
    whole = clips.make_video(tmp_path / "whole.mp4", 320, 240, seconds=2.0, faststart=True)
    assert probe_video(whole).duration_seconds == pytest.approx(2.0, abs=0.1)

    with pytest.raises(ProcessingError, match="incomplete") as error:
        probe_video(clips.truncated(whole, tmp_path / "cut.mp4", keep_fraction=0.8))
    assert_readable(error)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda path: path.write_text("I am not a video.\n"), id="text"),
        pytest.param(lambda path: clips.make_png(path, 64, 48), id="png"),
    ],
)
def test_a_file_that_is_not_video_is_refused_with_a_reason(
    tmp_path: Path, make: Callable[[Path], object]
) -> None:
    path = tmp_path / "upload.mp4"
    make(path)
    with pytest.raises(ProcessingError) as error:
        probe_video(path)
    assert_readable(error)


def test_sound_without_pictures_is_no_video(tmp_path: Path) -> None:
    with pytest.raises(ProcessingError, match="no video"):
        probe_video(clips.make_audio(tmp_path / "song.m4a"))


def test_a_container_outside_the_accepted_formats_is_refused(clip: Path, tmp_path: Path) -> None:
    """Only the MP4/MOV and AVI demuxers are let near uploads (no playlists, no Matroska)."""
    mkv = tmp_path / "clip.mkv"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-nostdin",
            "-loglevel",
            "error",
            "-i",
            str(clip),
            "-c",
            "copy",
            str(mkv),
        ],
        check=True,
        timeout=30,
    )
    with pytest.raises(ProcessingError) as error:
        probe_video(mkv)
    assert_readable(error)


def test_a_job_over_its_time_is_stopped(clip: Path, tmp_path: Path) -> None:
    with pytest.raises(ProcessingError, match="took longer than") as error:
        video_preview(clip, tmp_path / "preview.mp4", timeout=0.001)
    assert_readable(error)


# --- probing images and documents -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "size"),
    [
        ("picture.png", clips.make_png, (800, 600)),
        ("picture.jpg", clips.make_jpeg, (800, 600)),
        ("animation.gif", clips.make_gif, (320, 240)),
        ("picture.webp", clips.make_webp, (640, 480)),
    ],
)
def test_probe_image(tmp_path: Path, name: str, make: Callable[[Path], Path], size: tuple[int, int]) -> None:
    probe = probe_image(make(tmp_path / name))

    assert (probe.width, probe.height) == size
    assert probe.as_dict() == {"width": size[0], "height": size[1], "rotation": 0}


def test_probe_image_reports_the_size_its_exif_orientation_shows(tmp_path: Path) -> None:
    path = tmp_path / "portrait.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: turn 90° clockwise to show
    Image.new("RGB", (800, 600)).save(path, "JPEG", exif=exif)

    probe = probe_image(path)

    assert (probe.width, probe.height) == (600, 800)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda path: clips.truncated(clips.make_png(path), path), id="truncated-png"),
        pytest.param(lambda path: path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100)), id="png-header-only"),
        pytest.param(lambda path: path.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>"), id="svg"),
    ],
)
def test_a_broken_image_is_refused_with_a_reason(tmp_path: Path, make: Callable[[Path], object]) -> None:
    path = tmp_path / "picture.png"
    make(path)
    with pytest.raises(ProcessingError) as error:
        probe_image(path)
    assert_readable(error)


def test_probe_document_counts_pages(tmp_path: Path) -> None:
    assert probe_document(clips.make_pdf(tmp_path / "brief.pdf", pages=3)).as_dict() == {
        "pages": 3,
        "rotation": 0,
    }


def test_a_password_protected_pdf_is_refused_with_a_reason(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=PdfReader(clips.make_pdf(tmp_path / "open.pdf")))
    writer.encrypt("secret", algorithm="RC4-128")
    locked = tmp_path / "locked.pdf"
    writer.write(locked)

    with pytest.raises(ProcessingError, match="password") as error:
        probe_document(locked)
    assert_readable(error)


@pytest.mark.parametrize("content", [b"%PDF-1.7\nthen nothing that makes a PDF\n", b"plain text\n"])
def test_a_broken_pdf_is_refused_with_a_reason(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "brief.pdf"
    path.write_bytes(content)
    with pytest.raises(ProcessingError) as error:
        probe_document(path)
    assert_readable(error)


# --- derived images -------------------------------------------------------------------------


def _jpeg_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        assert image.format == "JPEG"
        return image.size


@pytest.mark.parametrize(
    ("make", "size"),
    [
        (clips.make_png, (800, 600)),
        (clips.make_jpeg, (1600, 400)),  # wide: the sides are cropped
        (clips.make_webp, (300, 900)),  # tall and smaller than the thumbnail: scaled up, cropped
        (clips.make_gif, (320, 240)),
    ],
)
def test_thumbnails_and_avatars_fill_their_size_exactly(
    tmp_path: Path, make: Callable[..., Path], size: tuple[int, int]
) -> None:
    source = make(tmp_path / "source", *size)

    thumbnail = image_thumbnail(source, tmp_path / "thumbnail.jpg")
    face = avatar(source, tmp_path / "avatar.jpg")

    assert (thumbnail.width, thumbnail.height, thumbnail.content_type) == (400, 300, "image/jpeg")
    assert _jpeg_size(thumbnail.path) == (400, 300)
    assert (face.width, face.height) == (200, 200)
    assert _jpeg_size(face.path) == (200, 200)


def test_transparent_parts_become_white_not_black(tmp_path: Path) -> None:
    source = tmp_path / "logo.png"
    Image.new("RGBA", (100, 100), (0, 0, 0, 0)).save(source)

    thumbnail = image_thumbnail(source, tmp_path / "thumbnail.jpg")

    with Image.open(thumbnail.path) as image:
        assert min(image.convert("RGB").getpixel((10, 10))) > 240  # type: ignore[arg-type]


def test_a_thumbnail_of_a_broken_image_is_refused(tmp_path: Path) -> None:
    source = clips.truncated(clips.make_jpeg(tmp_path / "photo.jpg"), tmp_path / "cut.jpg", 0.2)
    with pytest.raises(ProcessingError) as error:
        image_thumbnail(source, tmp_path / "thumbnail.jpg")
    assert_readable(error)


# --- derived from videos --------------------------------------------------------------------


def test_poster_is_a_frame_at_the_display_size(clip: Path, rotated: Path, tmp_path: Path) -> None:
    poster = video_poster(clip, tmp_path / "poster.jpg")
    turned = video_poster(rotated, tmp_path / "turned.jpg")

    assert (poster.width, poster.height, poster.content_type) == (1280, 720, "image/jpeg")
    assert _jpeg_size(poster.path) == (1280, 720)
    assert _jpeg_size(turned.path) == (360, 640)


def test_poster_is_capped_to_1280_wide(tmp_path: Path) -> None:
    wide = clips.make_video(tmp_path / "wide.mp4", 1920, 540, seconds=0.2, audio=False)

    assert _jpeg_size(video_poster(wide, tmp_path / "poster.jpg").path) == (1280, 360)


def test_poster_past_the_end_is_refused(clip: Path, tmp_path: Path) -> None:
    with pytest.raises(ProcessingError, match="no picture") as error:
        video_poster(clip, tmp_path / "poster.jpg", at_seconds=60)
    assert_readable(error)


def test_preview_is_muted_h264_at_most_640_wide(clip: Path, tmp_path: Path) -> None:
    preview = video_preview(clip, tmp_path / "preview.mp4")

    assert (preview.content_type, preview.width, preview.height) == ("video/mp4", 640, 360)
    assert preview.duration_seconds == pytest.approx(5.0, abs=0.1)
    with av.open(str(preview.path)) as container:
        assert [stream.type for stream in container.streams] == ["video"]
        assert container.streams.video[0].codec_context.name == "h264"
        assert container.streams.video[0].format.name == "yuv420p"
    data = preview.path.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # faststart: playable while downloading


def test_preview_of_a_long_clip_is_its_first_ten_seconds(long_clip: Path, tmp_path: Path) -> None:
    preview = video_preview(long_clip, tmp_path / "preview.mp4")

    assert preview.duration_seconds == pytest.approx(10.0, abs=0.1)
    assert (preview.width, preview.height) == (320, 240)  # never scaled up


def test_preview_of_a_rotated_clip_is_upright(rotated: Path, tmp_path: Path) -> None:
    preview = probe_video(video_preview(rotated, tmp_path / "preview.mp4").path)

    assert (preview.width, preview.height, preview.rotation) == (360, 640, 0)


def test_storyboard_is_a_grid_of_evenly_spaced_frames(clip: Path, tmp_path: Path) -> None:
    board = storyboard(clip, tmp_path / "storyboard.jpg")

    assert (board.width, board.height) == (5 * 160, 5 * 90)
    assert _jpeg_size(board.path) == (800, 450)
    assert (board.columns, board.rows, board.tile_count) == (5, 5, 25)
    assert (board.tile_width, board.tile_height) == (160, 90)
    assert board.interval_seconds == pytest.approx(5.0 / 25)


def test_storyboard_takes_its_layout(long_clip: Path, tmp_path: Path) -> None:
    board = storyboard(long_clip, tmp_path / "storyboard.jpg", columns=4, rows=3, tile_width=100)

    assert (board.width, board.height) == (400, 3 * 76)
    assert board.interval_seconds == pytest.approx(1.0)

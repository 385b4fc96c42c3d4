"""Sniffing a file's real type from its first bytes, on real files made for the purpose."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reelbyte.media.filetypes import HEAD_BYTES, matches, sniff
from tests.media import clips


# These tests touch no database, Redis or app: the suite's autouse fixtures that reset them after
# every test (tests/conftest.py) are replaced by no-ops here, which keeps this file fast.
@pytest.fixture(autouse=True)
def clean_state() -> None:
    """Nothing to reset."""


@pytest.fixture(autouse=True)
def webhooks_into_the_app() -> None:
    """No app to post into."""


def _head(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(HEAD_BYTES)


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        ("clip.mp4", lambda path: clips.make_video(path, 160, 120, seconds=0.2), "video/mp4"),
        ("clip.mov", lambda path: clips.make_video(path, 160, 120, seconds=0.2), "video/quicktime"),
        ("clip.avi", lambda path: clips.make_video(path, 160, 120, seconds=0.2), "video/x-msvideo"),
        ("picture.jpg", clips.make_jpeg, "image/jpeg"),
        ("picture.png", clips.make_png, "image/png"),
        ("animation.gif", clips.make_gif, "image/gif"),
        ("picture.webp", clips.make_webp, "image/webp"),
        ("brief.pdf", clips.make_pdf, "application/pdf"),
    ],
)
def test_real_files_sniff_as_what_they_are(
    tmp_path: Path, name: str, make: Callable[[Path], Path], expected: str
) -> None:
    assert sniff(_head(make(tmp_path / name))) == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom", "video/mp4"),
        (b"\x00\x00\x00\x1cftypM4V \x00\x00\x00\x01M4V M4A mp42isom", "video/mp4"),
        (b"\x00\x00\x00\x18ftypdash\x00\x00\x00\x00iso6mp41", "video/mp4"),
        # QuickTime files from before the ftyp box start straight with an atom.
        (b"\x00\x00\x00\x08wide\x00\x01\x02\x03mdat", "video/quicktime"),
        (b"\x00\x00\x6b\x4cmoov\x00\x00\x00\x6cmvhd", "video/quicktime"),
        # A PDF header after some leading junk, as PDF readers allow.
        (b"\r\n" * 100 + b"%PDF-1.7\n", "application/pdf"),
        # HEIF photos and M4A audio are ISO media too, but none we accept.
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", None),
        (b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A isommp42", None),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
        (b" " * 1024 + b"%PDF-1.7\n", None),
    ],
)
def test_signatures(head: bytes, expected: str | None) -> None:
    assert sniff(head) == expected


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("video.mp4", b"not really")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "head",
    [
        pytest.param(Path("/bin/true").read_bytes()[:HEAD_BYTES], id="elf"),
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(64), id="windows-exe"),
        pytest.param(b"<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>", id="html"),
        pytest.param(_zip(), id="zip"),
        pytest.param(b"just some text, saved as video.mp4\n", id="text"),
        pytest.param(b"", id="empty"),
    ],
)
def test_files_we_do_not_accept_sniff_as_none(head: bytes) -> None:
    assert sniff(head) is None


# Each accepted signature, as the first bytes of a file.
SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"GIF89a": "image/gif",
    b"RIFF\x00\x10\x00\x00AVI ": "video/x-msvideo",
    b"RIFF\x00\x10\x00\x00WEBP": "image/webp",
    b"\x00\x00\x00\x20ftypisom": "video/mp4",
    b"\x00\x00\x00\x14ftypqt  ": "video/quicktime",
    b"%PDF-": "application/pdf",
}


@given(signature=st.sampled_from(sorted(SIGNATURES)), rest=st.binary(max_size=HEAD_BYTES))
def test_what_follows_a_signature_never_changes_the_verdict(signature: bytes, rest: bytes) -> None:
    assert sniff(signature + rest) == SIGNATURES[signature]


@given(head=st.binary(max_size=64))
def test_any_bytes_sniff_as_an_accepted_type_or_none(head: bytes) -> None:
    assert sniff(head) in {*SIGNATURES.values(), None}


@pytest.mark.parametrize(
    ("declared", "detected", "expected"),
    [
        ("video/mp4", "video/mp4", True),
        ("video/mp4", "video/quicktime", True),  # phones write either, whatever the name says
        ("video/quicktime", "video/mp4", True),
        ("image/jpg", "image/jpeg", True),
        ("IMAGE/JPEG; charset=binary", "image/jpeg", True),
        ("video/x-msvideo", "video/mp4", False),
        ("image/png", "image/jpeg", False),
        ("image/webp", "video/x-msvideo", False),  # both RIFF, not the same thing
        ("application/pdf", None, False),
        ("video/mp4", None, False),
    ],
)
def test_matches(declared: str, detected: str | None, expected: bool) -> None:
    assert matches(declared, detected) is expected

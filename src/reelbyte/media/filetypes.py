"""The real type of an uploaded file, told from its first bytes rather than from its name or the
content type the client declared.

Only the formats ReelByte accepts are recognised; anything else (programs, archives, HTML, text)
sniffs as None.
"""

from __future__ import annotations

HEAD_BYTES = 4096  # how many leading bytes the server reads to sniff a file

# Signatures at the very start of the file.
_LEADING_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)

# RIFF containers: "RIFF", the size (4 bytes), then the form type.
_RIFF_FORMS: dict[bytes, str] = {
    b"AVI ": "video/x-msvideo",
    b"WEBP": "image/webp",
}

# ISO base media files (MP4, MOV): the first box's size (4 bytes), "ftyp", then the major brand.
_FTYP_BRANDS: dict[bytes, str] = {
    **dict.fromkeys(
        (b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash"),
        "video/mp4",
    ),
    b"qt  ": "video/quicktime",
}

# Older QuickTime files have no ftyp box and start straight with one of these atoms.
_QUICKTIME_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"free"})

# PDF readers accept the header anywhere in the first kilobyte.
_PDF_MAGIC = b"%PDF-"
_PDF_HEADER_WINDOW = 1024

# Content types that name the same thing: MP4 and MOV are one family (phones write either
# whatever the file is called), and image/jpg is a common misspelling of image/jpeg.
_CANONICAL: dict[str, str] = {
    "video/quicktime": "video/mp4",
    "image/jpg": "image/jpeg",
}


def sniff(head: bytes) -> str | None:
    """The MIME type `head` (a file's first bytes) shows, or None when it is none we accept."""
    return _leading_magic(head) or _riff(head) or _iso_media(head) or _pdf(head)


def matches(declared: str, detected: str | None) -> bool:
    """Whether the content type a client declared agrees with the sniffed one."""
    return detected is not None and _canonical(declared) == _canonical(detected)


def _leading_magic(head: bytes) -> str | None:
    return next((mime for magic, mime in _LEADING_MAGIC if head.startswith(magic)), None)


def _riff(head: bytes) -> str | None:
    return _RIFF_FORMS.get(head[8:12]) if head.startswith(b"RIFF") else None


def _iso_media(head: bytes) -> str | None:
    box_type = head[4:8]
    if box_type == b"ftyp":
        return _FTYP_BRANDS.get(head[8:12])
    return "video/quicktime" if box_type in _QUICKTIME_ATOMS else None


def _pdf(head: bytes) -> str | None:
    return "application/pdf" if _PDF_MAGIC in head[:_PDF_HEADER_WINDOW] else None


def _canonical(content_type: str) -> str:
    essence = content_type.split(";", 1)[0].strip().lower()
    return _CANONICAL.get(essence, essence)

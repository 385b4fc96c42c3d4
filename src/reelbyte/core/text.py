"""Text helpers: slugs, normalised labels (tags, skills) and excerpts."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")


def slugify(text: str, max_length: int = 80) -> str:
    """'Wedding Films — Cinematic!' → 'wedding-films-cinematic' (ASCII, lower-case, hyphens)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NON_WORD.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "item"


def normalise_label(label: str) -> str:
    """A tag or skill as stored and compared: trimmed, single-spaced, lower-case."""
    return _SPACES.sub(" ", label.strip()).lower()


def excerpt(text: str, max_length: int) -> str:
    """`text` on one line, cut at a word boundary to at most `max_length` characters with '…'."""
    flat = _SPACES.sub(" ", text).strip()
    if len(flat) <= max_length:
        return flat
    cut = flat[: max_length - 1]
    if " " in cut[max_length // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:-") + "…"

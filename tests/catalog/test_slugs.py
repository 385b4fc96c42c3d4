"""Slug generation, by hypothesis: always a clean slug, never one that is taken."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from reelbyte.catalog.slugs import SUFFIX_ROOM, next_free_slug
from reelbyte.core.text import slugify

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
bases = st.from_regex(SLUG, fullmatch=True).filter(lambda s: len(s) <= 40)


@given(text=st.text(max_size=300), max_length=st.integers(min_value=1, max_value=160))
def test_any_title_gives_a_clean_slug(text: str, max_length: int) -> None:
    slug = slugify(text, max_length=max_length)
    assert SLUG.match(slug), slug
    assert len(slug) <= max(max_length, len("item"))


@given(
    base=bases,
    suffixes=st.sets(st.integers(min_value=2, max_value=60), max_size=30),
    base_taken=st.booleans(),
)
def test_the_next_free_slug_is_free_and_the_smallest(base: str, suffixes: set[int], base_taken: bool) -> None:
    taken = {f"{base}-{n}" for n in suffixes} | ({base} if base_taken else set())
    slug = next_free_slug(base, taken)
    assert slug not in taken
    assert SLUG.match(slug)
    if not base_taken:
        assert slug == base
    else:
        number = int(slug.rsplit("-", 1)[1])
        assert number >= 2
        assert all(f"{base}-{n}" in taken for n in range(2, number))  # nothing smaller was free


@given(base=bases, count=st.integers(min_value=1, max_value=40))
def test_repeated_titles_never_collide(base: str, count: int) -> None:
    taken: set[str] = set()
    for _ in range(count):
        slug = next_free_slug(base, taken)
        assert slug not in taken
        taken.add(slug)
    assert len(taken) == count
    assert all(len(slug) <= len(base) + SUFFIX_ROOM for slug in taken)

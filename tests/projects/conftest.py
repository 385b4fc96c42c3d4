"""Fixtures of the projects tests: categories from the taxonomy, and users of each role."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from reelbyte.catalog.models import Category
from reelbyte.core.db import get_database
from tests.projects.support import Actor, actor


@dataclass(frozen=True)
class Categories:
    video_editing: int
    youtube_videos: int  # a subcategory of video editing
    motion_graphics: int
    logo_animation: int  # a subcategory of motion graphics


@pytest.fixture
async def categories() -> Categories:
    async with get_database().sessions() as session:
        rows = await session.execute(select(Category.slug, Category.id))
        ids = {row.slug: row.id for row in rows}
    return Categories(
        video_editing=ids["video-editing"],
        youtube_videos=ids["youtube-videos"],
        motion_graphics=ids["motion-graphics"],
        logo_animation=ids["logo-animation"],
    )


@pytest.fixture
async def owner(client: httpx.AsyncClient) -> Actor:
    """A client who posts projects."""
    return await actor(client, "client")


@pytest.fixture
async def creator(client: httpx.AsyncClient) -> Actor:
    return await actor(client, "creator")


@pytest.fixture
async def other_creator(client: httpx.AsyncClient) -> Actor:
    return await actor(client, "creator")


@pytest.fixture
async def stranger(client: httpx.AsyncClient) -> Actor:
    """Another client: owns nothing here."""
    return await actor(client, "client")

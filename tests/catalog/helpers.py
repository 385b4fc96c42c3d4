"""Catalog test helpers: admins, the taxonomy's ids, valid gig bodies, direct row access."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select, update

from reelbyte.catalog.models import Category, Gig
from reelbyte.core.db import get_database
from reelbyte.identity import service as identity
from tests.helpers import TEST_PASSWORD, bearer, login, unique_name

Headers = dict[str, str]


async def make_admin(client: httpx.AsyncClient) -> Headers:
    name = unique_name("admin")
    async with get_database().sessions() as session:
        await identity.create_admin(session, f"{name}@example.com", name, TEST_PASSWORD, "Admin")
    return bearer(await login(client, f"{name}@example.com"))


async def category_id(slug: str) -> int:
    async with get_database().sessions() as session:
        found = await session.scalar(select(Category.id).where(Category.slug == slug))
    assert found is not None, slug
    return int(found)


async def taxonomy() -> dict[str, int]:
    async with get_database().sessions() as session:
        rows = await session.execute(select(Category.slug, Category.id))
        return dict(rows.all())


def package(tier: str = "basic", value: str = "50.00", days: int = 3, **extra: Any) -> dict[str, Any]:
    return {
        "tier": tier,
        "description": f"The {tier} package.",
        "price": {"currency": "EUR", "value": value},
        "delivery_days": days,
        "revisions": 1,
        "features": ["Colour grade", "Music"],
        **extra,
    }


async def gig_body(**overrides: Any) -> dict[str, Any]:
    ids = await taxonomy()
    body: dict[str, Any] = {
        "title": "I will edit your YouTube video",
        "description": "Fast-paced edits with hooks, b-roll and captions.",
        "category_id": ids["video-editing"],
        "subcategory_id": ids["youtube-videos"],
        "tags": ["YouTube", "Premiere Pro"],
        "thumbnail_url": "https://images.example.com/thumb.jpg",
        "gallery_urls": ["https://images.example.com/1.jpg"],
        "video_preview_url": "https://vimeo.com/76979871",
        "requirements": "Your raw footage.",
        "packages": [package("basic", "50.00", 5), package("premium", "150.00", 2)],
    }
    body.update(overrides)
    return body


async def create_gig(client: httpx.AsyncClient, headers: Headers, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/v1/gigs", json=await gig_body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def set_gig(gig_id: str, **values: Any) -> None:
    """Change a gig's row directly (stats that other domains maintain: orders, rating, …)."""
    async with get_database().sessions() as session:
        await session.execute(update(Gig).where(Gig.id == gig_id).values(**values))
        await session.commit()


async def gig_row(gig_id: str) -> Gig | None:
    async with get_database().sessions() as session:
        return await session.get(Gig, gig_id)


async def gig_count() -> int:
    async with get_database().sessions() as session:
        return len(list(await session.scalars(select(Gig.id))))

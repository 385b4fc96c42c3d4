"""Category rules other domains rely on (gigs and projects are filed under categories)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog.models import Category
from reelbyte.core.errors import BadRequest


async def validate_category_pair(
    session: AsyncSession, category_id: int, subcategory_id: int | None
) -> tuple[Category, Category | None]:
    """The category must be an active top-level one; the subcategory, if any, an active child of it."""
    category = await session.get(Category, category_id)
    if category is None or not category.is_active or category.parent_id is not None:
        raise BadRequest(
            "Choose an active top-level category.",
            code="invalid_category",
            details={"category_id": category_id},
        )
    if subcategory_id is None:
        return category, None
    subcategory = await session.get(Category, subcategory_id)
    if subcategory is None or not subcategory.is_active or subcategory.parent_id != category.id:
        raise BadRequest(
            "The subcategory must be an active subcategory of the chosen category.",
            code="invalid_subcategory",
            details={"category_id": category_id, "subcategory_id": subcategory_id},
        )
    return category, subcategory

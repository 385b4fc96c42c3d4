"""Categories: a two-level tree (top-level categories and their subcategories).

The public reads come from the cached tree of active categories (catalog/cache.py); admin
changes go to the database and bump the cache once their unit of work commits. Categories are never
deleted, only deactivated: gigs and projects stay filed under them. A deactivated category
hides its subcategories from the public tree without changing their own flag, so reactivating
it brings the tree back as it was.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog.cache import category_cache
from reelbyte.catalog.errors import (
    CategoryExists,
    CategoryNotFound,
    InvalidCategory,
    InvalidParent,
    InvalidSubcategory,
    ReorderMismatch,
    SlugConflict,
)
from reelbyte.catalog.models import Category, Gig
from reelbyte.catalog.schemas import (
    CategoryCreate,
    CategoryNode,
    CategoryOut,
    CategoryReorder,
    CategoryUpdate,
)
from reelbyte.catalog.slugs import is_slug_clash, unique_slug
from reelbyte.core import audit
from reelbyte.core.db import lock_one
from reelbyte.identity.models import User

SLUG_ATTEMPTS = 5
SLUG_LENGTH = 100  # categories.slug


async def validate_category_pair(
    session: AsyncSession, category_id: int, subcategory_id: int | None
) -> tuple[Category, Category | None]:
    """The category must be an active top-level one; the subcategory, if any, an active child of it."""
    category = await session.get(Category, category_id)
    if category is None or not category.is_active or category.parent_id is not None:
        raise InvalidCategory(details={"category_id": category_id})
    if subcategory_id is None:
        return category, None
    subcategory = await session.get(Category, subcategory_id)
    if subcategory is None or not subcategory.is_active or subcategory.parent_id != category.id:
        raise InvalidSubcategory(details={"category_id": category_id, "subcategory_id": subcategory_id})
    return category, subcategory


# --- public reads (cached) ----------------------------------------------------------------


def _ordered() -> tuple[Any, ...]:
    return (Category.display_order, Category.name, Category.id)


async def _tree(session: AsyncSession, *, active_only: bool) -> list[CategoryNode]:
    query = select(Category).order_by(*_ordered())
    if active_only:
        query = query.where(Category.is_active.is_(True))
    rows = list(await session.scalars(query))
    children: dict[int, list[Category]] = {}
    for row in rows:
        if row.parent_id is not None:
            children.setdefault(row.parent_id, []).append(row)
    return [CategoryNode.of(row, children.get(row.id, [])) for row in rows if row.parent_id is None]


async def category_tree(session: AsyncSession) -> list[CategoryNode]:
    """Active top-level categories with their active subcategories, in display order."""

    async def compute() -> list[dict[str, Any]]:
        return [node.model_dump(mode="json") for node in await _tree(session, active_only=True)]

    cached = await category_cache.get_or_compute(compute)
    return [CategoryNode.model_validate(node) for node in cached]


async def get_category(session: AsyncSession, ref: str) -> CategoryNode:
    """A visible category by id or slug: active, and under an active parent."""
    for node in await category_tree(session):
        if _matches(node, ref):
            return node
        for child in node.subcategories:
            if _matches(child, ref):
                return CategoryNode(**child.model_dump(), subcategories=[])
    raise CategoryNotFound(details={"category": ref})


def _matches(category: CategoryOut, ref: str) -> bool:
    return str(category.id) == ref or category.slug == ref


async def subcategories(session: AsyncSession, ref: str) -> list[CategoryOut]:
    return (await get_category(session, ref)).subcategories


# --- administration -----------------------------------------------------------------------


async def admin_tree(session: AsyncSession) -> list[CategoryNode]:
    """Every category, inactive ones included (admins only; not cached)."""
    return await _tree(session, active_only=False)


async def _get_for_admin(session: AsyncSession, category_id: int) -> Category:
    category = await lock_one(session, select(Category).where(Category.id == category_id))
    if category is None:
        raise CategoryNotFound(details={"category_id": category_id})
    return category


async def _check_parent(session: AsyncSession, parent_id: int | None) -> None:
    if parent_id is None:
        return
    parent = await session.get(Category, parent_id)
    if parent is None or parent.parent_id is not None:
        raise InvalidParent(details={"parent_id": parent_id})


async def _check_name_free(
    session: AsyncSession, name: str, parent_id: int | None, exclude_id: int | None = None
) -> None:
    query = select(Category.id).where(
        func.lower(Category.name) == name.lower(),
        Category.parent_id.is_(None) if parent_id is None else Category.parent_id == parent_id,
    )
    if exclude_id is not None:
        query = query.where(Category.id != exclude_id)
    if await session.scalar(query.limit(1)) is not None:
        raise CategoryExists(details={"name": name, "parent_id": parent_id})


async def _next_display_order(session: AsyncSession, parent_id: int | None) -> int:
    siblings = Category.parent_id.is_(None) if parent_id is None else Category.parent_id == parent_id
    highest = await session.scalar(select(func.max(Category.display_order)).where(siblings))
    return 0 if highest is None else highest + 1


async def create_category(session: AsyncSession, admin: User, data: CategoryCreate) -> Category:
    await _check_parent(session, data.parent_id)
    await _check_name_free(session, data.name, data.parent_id)
    display_order = data.display_order
    if display_order is None:
        display_order = await _next_display_order(session, data.parent_id)
    for _ in range(SLUG_ATTEMPTS):
        category = Category(
            name=data.name,
            parent_id=data.parent_id,
            description=data.description,
            icon=data.icon,
            display_order=display_order,
            slug=await unique_slug(session, Category.slug, data.name, SLUG_LENGTH),
        )
        try:
            async with session.begin_nested():
                session.add(category)
        except IntegrityError as error:
            if not is_slug_clash(error, "uq_categories_slug"):
                raise
            continue  # a concurrent insert took the slug: pick again
        category_cache.invalidate_after_commit(session)
        await _audit(session, admin, "category.create", category, after=data.model_dump(mode="json"))
        return category
    raise SlugConflict()


async def update_category(
    session: AsyncSession, admin: User, category_id: int, changes: CategoryUpdate
) -> Category:
    category = await _get_for_admin(session, category_id)
    fields = changes.model_dump(exclude_unset=True)
    if "parent_id" in fields and fields["parent_id"] != category.parent_id:
        new_parent = fields["parent_id"]
        if new_parent == category.id:
            raise InvalidParent("A category cannot be its own parent.", details={"parent_id": new_parent})
        await _check_parent(session, new_parent)
        if new_parent is not None:
            has_children = await session.scalar(
                select(Category.id).where(Category.parent_id == category.id).limit(1)
            )
            if has_children is not None:
                raise InvalidParent(
                    "A category with subcategories cannot become a subcategory (the tree has two levels).",
                    details={"parent_id": new_parent},
                )
    if "name" in fields or "parent_id" in fields:
        await _check_name_free(
            session,
            fields.get("name", category.name),
            fields.get("parent_id", category.parent_id),
            category.id,
        )
    if "parent_id" in fields and fields["parent_id"] != category.parent_id:
        await _refile_gigs(session, category, fields["parent_id"])
    before = {name: getattr(category, name) for name in fields}
    for name, value in fields.items():
        setattr(category, name, value)
    await session.flush()
    category_cache.invalidate_after_commit(session)
    await _audit(
        session,
        admin,
        "category.update",
        category,
        before=before,
        after=changes.model_dump(mode="json", exclude_unset=True),
    )
    return category


async def _audit(
    session: AsyncSession,
    admin: User,
    action: str,
    category: Category,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    await session.flush()  # a new category has its id
    await audit.record(session, admin, action, ("category", category.id), before=before, after=after)


async def _refile_gigs(session: AsyncSession, category: Category, new_parent: int | None) -> None:
    """Keep every gig's (category, subcategory) pair valid when a category moves in the tree."""
    if category.parent_id is not None and new_parent is not None:  # to another parent
        refile = update(Gig).where(Gig.subcategory_id == category.id).values(category_id=new_parent)
    elif category.parent_id is not None:  # promoted to top level
        refile = (
            update(Gig)
            .where(Gig.subcategory_id == category.id)
            .values(category_id=category.id, subcategory_id=None)
        )
    else:  # a top-level category (without children) moved under a parent
        refile = (
            update(Gig)
            .where(Gig.category_id == category.id)
            .values(category_id=new_parent, subcategory_id=category.id)
        )
    await session.execute(refile.execution_options(synchronize_session=False))


async def reorder_categories(session: AsyncSession, admin: User, data: CategoryReorder) -> list[Category]:
    """Set the display order of all the children of one parent at once."""
    if data.parent_id is not None:
        await _check_parent(session, data.parent_id)
    siblings_of = (
        Category.parent_id.is_(None) if data.parent_id is None else Category.parent_id == data.parent_id
    )
    siblings = {c.id: c for c in await session.scalars(select(Category).where(siblings_of).with_for_update())}
    missing = sorted(set(siblings) - set(data.ordered_ids))
    unexpected = sorted(set(data.ordered_ids) - set(siblings))
    if missing or unexpected:
        raise ReorderMismatch(details={"missing": missing, "unexpected": unexpected})
    before = [c.id for c in sorted(siblings.values(), key=lambda c: (c.display_order, c.id))]
    for position, category_id in enumerate(data.ordered_ids):
        siblings[category_id].display_order = position
    await session.flush()
    await audit.record(
        session,
        admin,
        "category.reorder",
        ("category", data.parent_id if data.parent_id is not None else "top"),
        before={"order": before},
        after={"order": data.ordered_ids},
    )
    category_cache.invalidate_after_commit(session)
    return [siblings[category_id] for category_id in data.ordered_ids]


async def deactivate_category(session: AsyncSession, admin: User, category_id: int) -> None:
    category = await _get_for_admin(session, category_id)
    was_active = category.is_active
    category.is_active = False
    category_cache.invalidate_after_commit(session)
    await _audit(
        session,
        admin,
        "category.deactivate",
        category,
        before={"is_active": was_active},
        after={"is_active": False},
    )

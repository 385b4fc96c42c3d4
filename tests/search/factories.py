"""Rows for search tests, inserted directly with the models (no catalog or projects endpoints)."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from reelbyte.catalog.models import Category, Gig, Package, PackageTier
from reelbyte.core.db import get_database
from reelbyte.identity.models import CreatorLevel, Role, User
from reelbyte.projects.models import Project, ProjectInvite, ProjectVisibility

_sequence = itertools.count(1)
_START = datetime(2026, 1, 1, tzinfo=UTC)


async def make_user(role: Role = Role.CREATOR, **fields: Any) -> User:
    n = next(_sequence)
    name = fields.pop("username", f"user{n}-{uuid.uuid4().hex[:6]}")
    values: dict[str, Any] = {
        "email": f"{name}@example.com",
        "username": name,
        "password_hash": "not-a-hash",
        "role": role,
        "full_name": f"Person {n}",
        "created_at": _START + timedelta(minutes=n),
        **fields,
    }
    async with get_database().sessions() as session:
        user = User(**values)
        session.add(user)
        await session.commit()
        return user


async def categories() -> tuple[Category, Category, Category]:
    """(a top-level category, one of its subcategories, another top-level category)."""
    async with get_database().sessions() as session:
        tops = list(
            await session.scalars(
                select(Category).where(Category.parent_id.is_(None)).order_by(Category.display_order)
            )
        )
        sub = await session.scalar(
            select(Category).where(Category.parent_id == tops[0].id).order_by(Category.display_order)
        )
        assert sub is not None
        return tops[0], sub, tops[1]


async def make_gig(
    creator: User,
    title: str,
    *,
    description: str = "Professional video work, delivered on time.",
    tags: list[str] | None = None,
    prices: list[int] | None = None,
    delivery_days: list[int] | None = None,
    **fields: Any,
) -> Gig:
    """A listed gig (active, with packages) unless fields say otherwise; prices in cents."""
    n = next(_sequence)
    prices = prices or [5000]
    delivery_days = delivery_days or [3] * len(prices)
    if "category_id" not in fields:
        top, _, _ = await categories()
        fields["category_id"] = top.id
    values: dict[str, Any] = {
        "creator_id": creator.id,
        "title": title,
        "slug": f"gig-{n}-{uuid.uuid4().hex[:6]}",
        "description": description,
        "tags": tags or [],
        "price_from_minor": min(prices),
        "price_to_minor": max(prices),
        "min_delivery_days": min(delivery_days),
        "currency": "EUR",
        "creator_level": creator.creator_level,
        "rating": Decimal("0"),
        "created_at": _START + timedelta(hours=n),
        **fields,
    }
    async with get_database().sessions() as session:
        gig = Gig(**values)
        session.add(gig)
        await session.flush()
        tiers = list(PackageTier)
        for i, (price, days) in enumerate(zip(prices, delivery_days, strict=True)):
            session.add(
                Package(
                    gig_id=gig.id,
                    tier=tiers[i],
                    description=f"{tiers[i].value} package",
                    price_minor=price,
                    currency="EUR",
                    delivery_days=days,
                )
            )
        await session.commit()
        return gig


async def update_gig(gig_id: uuid.UUID, **changes: Any) -> None:
    async with get_database().sessions() as session:
        gig = await session.get(Gig, gig_id)
        assert gig is not None
        for name, value in changes.items():
            setattr(gig, name, value)
        await session.commit()


async def make_project(
    client: User,
    title: str,
    *,
    description: str = "We need a video made.",
    visibility: ProjectVisibility = ProjectVisibility.PUBLIC,
    invite: list[User] | None = None,
    **fields: Any,
) -> Project:
    n = next(_sequence)
    if "category_id" not in fields:
        top, _, _ = await categories()
        fields["category_id"] = top.id
    values: dict[str, Any] = {
        "client_id": client.id,
        "title": title,
        "description": description,
        "budget_min_minor": 10_000,
        "budget_max_minor": 50_000,
        "currency": "EUR",
        "deadline": _START + timedelta(days=30 + n),
        "visibility": visibility,
        "created_at": _START + timedelta(hours=n),
        **fields,
    }
    async with get_database().sessions() as session:
        project = Project(**values)
        session.add(project)
        await session.flush()
        for creator in invite or []:
            session.add(ProjectInvite(project_id=project.id, creator_id=creator.id))
        await session.commit()
        return project


__all__ = ["CreatorLevel", "categories", "make_gig", "make_project", "make_user", "update_gig"]

"""The demo data set: a few accounts a person can log in with. Loading it twice adds nothing.

The whole load is one unit of work (`reelbyte.core.db.transaction`): it commits once at the end,
or leaves nothing behind. Each step looks before it writes, so the unit can be run again from the
start (as `transaction` does after a serialization failure) and a second load adds nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog import service as catalog
from reelbyte.catalog.models import Category, Gig
from reelbyte.catalog.schemas import GigCreate, PackageCreate
from reelbyte.core.db import transaction
from reelbyte.identity import service as identity
from reelbyte.identity.models import PortfolioItem, User
from reelbyte.identity.schemas import PortfolioItemCreate, ProfileUpdate, RegisterRequest

DEMO_PASSWORD = "Demo!Passw0rd"

DEMO_ACCOUNTS: list[dict[str, Any]] = [
    {
        "email": "maya@example.com",
        "username": "maya-edits",
        "full_name": "Maya Jensen",
        "role": "creator",
        "profile": {
            "bio": "Wedding and travel films, cut for YouTube and Reels. Ten years behind the timeline.",
            "skills": ["Premiere Pro", "DaVinci Resolve", "Color Grading", "Wedding"],
            "hourly_rate": {"currency": "EUR", "value": "45.00"},
            "availability": "full-time",
            "timezone": "Europe/Copenhagen",
            "youtube_url": "https://www.youtube.com/@maya-edits",
        },
        "portfolio": [
            {
                "title": "Lisbon wedding teaser",
                "description": "A three-minute teaser graded in Resolve.",
                "video_url": "https://vimeo.com/76979871",
                "thumbnail_url": "https://picsum.photos/seed/lisbon/640/360",
                "is_highlight": True,
            },
            {
                "title": "Faroe Islands travel reel",
                "video_url": "https://www.youtube.com/watch?v=aqz-KE-bpKQ",
                "thumbnail_url": "https://picsum.photos/seed/faroe/640/360",
                "position": 1,
            },
        ],
    },
    {
        "email": "leo@example.com",
        "username": "leo-motion",
        "full_name": "Leo Martins",
        "role": "hybrid",
        "profile": {
            "bio": "Motion designer: logo stings, explainers and kinetic type.",
            "skills": ["After Effects", "Motion Graphics", "Explainer"],
            "hourly_rate": {"currency": "EUR", "value": "60.00"},
            "availability": "part-time",
            "timezone": "Europe/Lisbon",
        },
        "portfolio": [
            {
                "title": "Fintech explainer",
                "video_url": "https://vimeo.com/22439234",
                "thumbnail_url": "https://picsum.photos/seed/fintech/640/360",
                "is_highlight": True,
            }
        ],
    },
    {
        "email": "ada@example.com",
        "username": "ada-brand",
        "full_name": "Ada Okafor",
        "role": "client",
        "profile": {"bio": "Head of content at a small coffee brand.", "timezone": "Europe/London"},
        "portfolio": [],
    },
]


DEMO_GIGS: list[dict[str, Any]] = [
    {
        "owner": "maya-edits",
        "category": "video-editing",
        "subcategory": "wedding-films",
        "title": "Cinematic wedding highlight film from your footage",
        "description": "Send me the raw footage of your day and get back a graded, music-cut highlight film.",
        "tags": ["wedding", "cinematic", "highlight film", "color grading"],
        "thumbnail_url": "https://picsum.photos/seed/wedding/640/360",
        "requirements": "A link to the raw footage and two songs you love.",
        "packages": [
            {
                "tier": "basic",
                "description": "3-minute highlights",
                "price": "150.00",
                "delivery_days": 7,
                "revisions": 1,
                "features": ["3 minutes", "licensed music"],
            },
            {
                "tier": "standard",
                "description": "Highlights and a 10-minute film",
                "price": "350.00",
                "delivery_days": 10,
                "revisions": 2,
                "features": ["3 + 10 minutes", "colour grade"],
            },
            {
                "tier": "premium",
                "description": "Everything, plus vertical cuts for Reels",
                "price": "600.00",
                "delivery_days": 14,
                "revisions": 3,
                "features": ["3 + 10 minutes", "3 vertical cuts"],
            },
        ],
    },
    {
        "owner": "leo-motion",
        "category": "motion-graphics",
        "subcategory": "logo-animation",
        "title": "Animated logo sting for your channel",
        "description": "A five-second animated logo with sound design, in 16:9 and 9:16.",
        "tags": ["logo animation", "intro", "after effects"],
        "thumbnail_url": "https://picsum.photos/seed/logo/640/360",
        "requirements": "Your logo as SVG or high-resolution PNG.",
        "packages": [
            {
                "tier": "basic",
                "description": "One animation, no sound",
                "price": "40.00",
                "delivery_days": 3,
                "revisions": 1,
                "features": ["5 seconds"],
            },
            {
                "tier": "standard",
                "description": "With sound design",
                "price": "80.00",
                "delivery_days": 4,
                "revisions": 2,
                "features": ["5 seconds", "sound design"],
            },
        ],
    },
]


async def load_demo() -> list[tuple[str, str, str]]:
    """Create the demo accounts and gigs that do not exist yet; return (e-mail, password, role) of each."""
    await transaction(_load)
    return [(a["email"], DEMO_PASSWORD, a["role"]) for a in DEMO_ACCOUNTS]


async def _load(session: AsyncSession) -> None:
    for account in DEMO_ACCOUNTS:
        await _ensure_account(session, account)
    for gig in DEMO_GIGS:
        await _ensure_gig(session, gig)


async def _ensure_gig(session: AsyncSession, spec: dict[str, Any]) -> None:
    owner = await session.scalar(select(User).where(User.username == spec["owner"]))
    assert owner is not None
    if await session.scalar(select(Gig.id).where(Gig.creator_id == owner.id, Gig.title == spec["title"])):
        return
    category = await session.scalar(select(Category.id).where(Category.slug == spec["category"]))
    subcategory = await session.scalar(select(Category.id).where(Category.slug == spec["subcategory"]))
    packages = [
        PackageCreate(**{**package, "price": {"currency": "EUR", "value": package["price"]}})
        for package in spec["packages"]
    ]
    fields = {k: v for k, v in spec.items() if k not in ("owner", "category", "subcategory", "packages")}
    data = GigCreate(**fields, category_id=category, subcategory_id=subcategory, packages=packages)
    await catalog.create_gig(session, owner, data)


async def _ensure_account(session: AsyncSession, account: dict[str, Any]) -> None:
    exists = await session.scalar(
        select(User.id).where(func.lower(User.username) == account["username"].lower())
    )
    if exists is not None:
        return
    user = await identity.register(
        session,
        RegisterRequest(
            email=account["email"],
            username=account["username"],
            password=DEMO_PASSWORD,
            full_name=account["full_name"],
            role=account["role"],
        ),
        verified=True,
    )
    user = await identity.update_profile(session, user, ProfileUpdate(**account["profile"]))
    for item in account["portfolio"]:
        session.add(PortfolioItem(user_id=user.id, **PortfolioItemCreate(**item).model_dump()))

"""The demo data set: a few accounts a person can log in with. Loading it twice adds nothing.

The whole load is one unit of work (`reelbyte.core.db.transaction`): it commits once at the end,
or leaves nothing behind. Each step looks before it writes, so the unit can be run again from the
start (as `transaction` does after a serialization failure) and a second load adds nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog import service as catalog
from reelbyte.catalog.models import Category, Gig
from reelbyte.catalog.schemas import GigCreate, PackageCreate
from reelbyte.core.config import get_settings
from reelbyte.core.db import transaction
from reelbyte.identity import service as identity
from reelbyte.identity.models import PortfolioItem, User
from reelbyte.identity.schemas import PortfolioItemCreate, ProfileUpdate, RegisterRequest

DEMO_PASSWORD = "Demo!Passw0rd"


def demo_picture(name: str) -> str:
    """A picture shipped with the web app (web/public/demo), on this server: the demo works offline."""
    return f"{get_settings().public_url.rstrip('/')}/demo/{name}.svg"


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
                "picture": "lisbon",
                "is_highlight": True,
            },
            {
                "title": "Faroe Islands travel reel",
                "video_url": "https://www.youtube.com/watch?v=aqz-KE-bpKQ",
                "picture": "faroe",
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
                "picture": "fintech",
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
        "picture": "wedding",
        "featured": True,
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
        "picture": "logo",
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
    {
        "owner": "maya-edits",
        "category": "short-form-social",
        "subcategory": "instagram-reels",
        "title": "Five scroll-stopping Reels cut from your long video",
        "description": "I find the five best moments of your podcast or vlog and cut them into vertical Reels with captions and hooks.",
        "tags": ["reels", "captions", "vertical video", "hooks"],
        "picture": "reels",
        "featured": True,
        "requirements": "A link to the long video and your brand fonts or colours.",
        "packages": [
            {
                "tier": "basic",
                "description": "Three Reels with captions",
                "price": "90.00",
                "delivery_days": 3,
                "revisions": 1,
                "features": ["3 Reels", "burned-in captions"],
            },
            {
                "tier": "standard",
                "description": "Five Reels with captions and hooks",
                "price": "140.00",
                "delivery_days": 4,
                "revisions": 2,
                "features": ["5 Reels", "captions", "hook titles"],
            },
            {
                "tier": "premium",
                "description": "Ten Reels, captions, hooks and thumbnails",
                "price": "260.00",
                "delivery_days": 6,
                "revisions": 3,
                "features": ["10 Reels", "captions", "hook titles", "cover frames"],
            },
        ],
    },
    {
        "owner": "leo-motion",
        "category": "motion-graphics",
        "subcategory": "explainer-videos",
        "title": "60-second animated explainer for your product",
        "description": "Script polish, storyboard, voice-over and a clean 2D animation that explains your product in a minute.",
        "tags": ["explainer", "animation", "saas", "voice-over"],
        "picture": "explainer",
        "featured": True,
        "requirements": "What your product does, who it is for, and your brand guide.",
        "packages": [
            {
                "tier": "basic",
                "description": "30 seconds, music only",
                "price": "300.00",
                "delivery_days": 7,
                "revisions": 1,
                "features": ["30 seconds", "storyboard"],
            },
            {
                "tier": "standard",
                "description": "60 seconds with voice-over",
                "price": "550.00",
                "delivery_days": 10,
                "revisions": 2,
                "features": ["60 seconds", "storyboard", "voice-over"],
            },
            {
                "tier": "premium",
                "description": "90 seconds, voice-over and cut-downs",
                "price": "900.00",
                "delivery_days": 14,
                "revisions": 3,
                "features": ["90 seconds", "voice-over", "3 social cut-downs"],
            },
        ],
    },
    {
        "owner": "maya-edits",
        "category": "post-production",
        "subcategory": "color-grading",
        "title": "Film-look colour grade for your short film or music video",
        "description": "Correction and a creative grade in DaVinci Resolve, shot-matched across cameras.",
        "tags": ["color grading", "davinci resolve", "music video"],
        "picture": "grade",
        "requirements": "The locked edit with its media, and a few reference stills.",
        "packages": [
            {
                "tier": "basic",
                "description": "Up to 3 minutes",
                "price": "120.00",
                "delivery_days": 4,
                "revisions": 1,
                "features": ["correction", "one look"],
            },
            {
                "tier": "standard",
                "description": "Up to 10 minutes",
                "price": "280.00",
                "delivery_days": 6,
                "revisions": 2,
                "features": ["correction", "one look", "shot matching"],
            },
        ],
    },
]


# The demo's administrator: the admin console (/admin) in the web app.
DEMO_ADMIN: dict[str, str] = {
    "email": "admin@example.com",
    "username": "demo-admin",
    "full_name": "ReelByte Admin",
}


async def load_demo() -> list[tuple[str, str, str]]:
    """Create the demo accounts and gigs that do not exist yet; return (e-mail, password, role) of each."""
    await transaction(_load)
    return [(a["email"], DEMO_PASSWORD, a["role"]) for a in DEMO_ACCOUNTS] + [
        (DEMO_ADMIN["email"], DEMO_PASSWORD, "admin")
    ]


async def _load(session: AsyncSession) -> None:
    for account in DEMO_ACCOUNTS:
        await _ensure_account(session, account)
    await _ensure_admin(session)
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
    data = GigCreate(
        **{k: v for k, v in spec.items() if k in GigCreate.model_fields and k != "packages"},
        category_id=category,
        subcategory_id=subcategory,
        packages=packages,
    )
    page = await catalog.create_gig(session, owner, data)
    # Set past the API's checks: the picture is on this server (which a user's link may not
    # name), and featuring is an admin's choice.
    await session.execute(
        update(Gig)
        .where(Gig.id == page.gig_id)
        .values(thumbnail_url=demo_picture(spec["picture"]), is_featured=spec.get("featured", False))
    )


async def _ensure_admin(session: AsyncSession) -> None:
    username = DEMO_ADMIN["username"]
    if await session.scalar(select(User.id).where(func.lower(User.username) == username)) is None:
        await identity.create_admin(
            session, DEMO_ADMIN["email"], username, DEMO_PASSWORD, DEMO_ADMIN["full_name"]
        )


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
    for spec in account["portfolio"]:
        item = PortfolioItemCreate(**{k: v for k, v in spec.items() if k != "picture"}).model_dump()
        session.add(
            PortfolioItem(user_id=user.id, **{**item, "thumbnail_url": demo_picture(spec["picture"])})
        )

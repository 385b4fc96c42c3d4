"""The demo data set: a few accounts a person can log in with. Loading it twice adds nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from reelbyte.core.db import get_database
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


async def load_demo() -> list[tuple[str, str, str]]:
    """Create the demo accounts that do not exist yet; return (e-mail, password, role) of each."""
    for account in DEMO_ACCOUNTS:
        await _ensure_account(account)
    return [(a["email"], DEMO_PASSWORD, a["role"]) for a in DEMO_ACCOUNTS]


async def _ensure_account(account: dict[str, Any]) -> None:
    async with get_database().sessions() as session:
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
        await session.commit()

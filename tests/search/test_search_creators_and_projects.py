"""GET /v1/search/creators and GET /v1/search/projects (with invite-only visibility)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx

from reelbyte.core.db import get_database
from reelbyte.core.security import create_access_token
from reelbyte.identity.models import Availability, CreatorLevel, Role, User
from reelbyte.projects.models import ProjectStatus, ProjectVisibility
from tests.factories import Categories, insert_project, insert_user, signed_up


async def _names(client: httpx.AsyncClient, **params: object) -> list[str]:
    response = await client.get("/v1/search/creators", params=params)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return [item["full_name"] for item in response.json()["items"]]


async def test_creator_search_finds_active_creators_by_name_skills_and_bio(client: httpx.AsyncClient) -> None:
    await insert_user(full_name="Nadia Colorist", bio="Grading features and ads.", skills=["DaVinci Resolve"])
    await insert_user(Role.HYBRID, full_name="Hugo Hybrid", bio="I colorist too, sometimes.")
    await insert_user(full_name="Pia Premiere", skills=["Colorist"], bio="Editor.")
    await insert_user(Role.CLIENT, full_name="Carl Colorist Client")
    await insert_user(full_name="Ivan Colorist Inactive", is_active=False)

    # Name (A) over skills (B) over bio (C); clients and deactivated accounts never show.
    assert await _names(client, q="colorist") == ["Nadia Colorist", "Pia Premiere", "Hugo Hybrid"]

    response = await client.get("/v1/search/creators", params={"q": "nadia"})
    hit = response.json()["items"][0]
    assert {"email", "password_hash", "notification_preferences"}.isdisjoint(hit)


async def test_creator_filters_and_sorts(client: httpx.AsyncClient) -> None:
    await insert_user(
        full_name="Ann",
        skills=["After Effects", "Motion Graphics"],
        creator_level=CreatorLevel.TOP,
        rating=Decimal("4.90"),
        total_orders=10,
        availability=Availability.FULL_TIME,
        hourly_rate_minor=8000,
        hourly_rate_currency="EUR",
    )
    await insert_user(
        full_name="Ben",
        skills=["after effects"],
        creator_level=CreatorLevel.RISING,
        rating=Decimal("4.20"),
        total_orders=200,
        availability=Availability.PART_TIME,
        hourly_rate_minor=3000,
        hourly_rate_currency="EUR",
    )
    await insert_user(
        full_name="Cai",
        skills=["Premiere Pro"],
        rating=Decimal("3.00"),
        total_orders=0,
        hourly_rate_minor=1000,
        hourly_rate_currency="USD",
    )

    assert await _names(client, skills=["AFTER EFFECTS"]) == ["Ann", "Ben"]  # any case
    assert await _names(client, skills=["after effects", "motion graphics"]) == ["Ann"]  # all of them
    assert await _names(client, creator_level=["rising", "new"]) == ["Ben", "Cai"]
    assert await _names(client, min_rating="4.5") == ["Ann"]
    assert await _names(client, availability=["part-time"]) == ["Ben"]
    # Rates compare in the platform currency: Cai's USD rate is not comparable, so left out.
    assert await _names(client, max_hourly_rate="50") == ["Ben"]

    assert await _names(client, sort_by="rating") == ["Ann", "Ben", "Cai"]
    assert await _names(client, sort_by="popular") == ["Ben", "Ann", "Cai"]
    assert await _names(client, sort_by="newest") == ["Cai", "Ben", "Ann"]
    assert await _names(client) == ["Ann", "Ben", "Cai"]  # relevance without words: by rating

    bad = await client.get("/v1/search/creators", params={"sort_by": "price_asc"})
    assert bad.status_code == 422


async def _titles(
    client: httpx.AsyncClient, headers: dict[str, str] | None = None, **params: object
) -> list[str]:
    response = await client.get("/v1/search/projects", params=params, headers=headers or {})  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return sorted(item["title"] for item in response.json()["items"])


async def _user(user_id: str) -> User:
    async with get_database().sessions() as session:
        user = await session.get(User, uuid.UUID(user_id))
        assert user is not None
        return user


async def test_project_search_respects_invite_only_visibility(client: httpx.AsyncClient) -> None:
    owner_json, owner_headers = await signed_up(client, "client")
    invited_json, invited_headers = await signed_up(client, "creator")
    _, stranger_headers = await signed_up(client, "creator")
    owner, invited = await _user(owner_json["id"]), await _user(invited_json["id"])

    await insert_project(owner, "Brand film public")
    await insert_project(
        owner, "Brand film secret", visibility=ProjectVisibility.INVITE_ONLY, invite=[invited]
    )

    assert await _titles(client, q="brand film") == ["Brand film public"]
    assert await _titles(client, stranger_headers, q="brand film") == ["Brand film public"]
    assert await _titles(client, invited_headers, q="brand film") == [
        "Brand film public",
        "Brand film secret",
    ]
    assert await _titles(client, owner_headers, q="brand film") == ["Brand film public", "Brand film secret"]

    anonymous = await client.get("/v1/search/projects", params={"q": "secret"})
    assert anonymous.json()["total"] == 0


async def test_project_search_refuses_an_invalid_token_instead_of_going_anonymous(
    client: httpx.AsyncClient,
) -> None:
    for token in ("not-a-jwt", create_access_token(uuid.uuid4(), "creator", uuid.uuid4())[0]):
        response = await client.get(
            "/v1/search/projects", params={"q": "film"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401, response.text
        assert response.json()["error"] in {"invalid_token", "unauthorized", "session_revoked"}
        assert set(response.json()) == {"error", "message", "details"}
        assert response.headers["www-authenticate"] == "Bearer"


async def test_project_filters_and_sorts(client: httpx.AsyncClient, categories: Categories) -> None:
    top, sub, other = categories.video_editing, categories.youtube_videos, categories.motion_graphics
    client_user = await insert_user(Role.CLIENT)
    await insert_project(
        client_user,
        "Explainer small",
        category_id=top,
        subcategory_id=sub,
        budget_min_minor=10_000,
        budget_max_minor=20_000,
        required_skills=["after effects"],
    )
    await insert_project(
        client_user,
        "Explainer large",
        category_id=other,
        budget_min_minor=100_000,
        budget_max_minor=300_000,
        required_skills=["blender"],
    )
    await insert_project(client_user, "Explainer closed", status=ProjectStatus.COMPLETED)

    assert await _titles(client, q="explainer") == ["Explainer large", "Explainer small"]
    assert await _titles(client, q="explainer", category_id=top) == ["Explainer small"]
    assert await _titles(client, q="explainer", subcategory_id=sub) == ["Explainer small"]
    assert await _titles(client, q="explainer", min_budget="500") == ["Explainer large"]
    assert await _titles(client, q="explainer", max_budget="150") == ["Explainer small"]
    assert await _titles(client, q="explainer", skills=["Blender"]) == ["Explainer large"]
    assert await _titles(client, q="explainer", status="completed") == ["Explainer closed"]

    response = await client.get("/v1/search/projects", params={"q": "explainer", "sort_by": "budget_desc"})
    assert [item["title"] for item in response.json()["items"]] == ["Explainer large", "Explainer small"]
    first = response.json()["items"][0]
    assert first["budget_min"] == {"currency": "EUR", "value": "1000.00"}
    assert first["budget_max"] == {"currency": "EUR", "value": "3000.00"}

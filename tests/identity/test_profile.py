"""Own profile, public profiles, portfolios, roles; another user's token on every object endpoint."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select

from reelbyte.core.db import get_database
from reelbyte.identity.models import PortfolioItem
from tests.factories import signed_up

VIDEO = {
    "title": "Showreel 2026",
    "description": "Ninety seconds of my best cuts.",
    "video_url": "https://vimeo.com/123456789",
    "thumbnail_url": "https://images.example.com/reel.jpg",
}


async def test_profile_update_changes_only_the_fields_sent(client: httpx.AsyncClient) -> None:
    _, headers = await signed_up(client, "creator")
    changes = {
        "bio": "I cut wedding films.",
        "skills": ["Premiere Pro", "premiere pro", "Color Grading"],
        "hourly_rate": {"currency": "EUR", "value": "45.5"},
        "availability": "part-time",
        "timezone": "Europe/Amsterdam",
        "language": "nl",
        "youtube_url": "https://www.youtube.com/@me",
        "notification_preferences": {"order_paid": {"email": False, "in_app": True}},
    }
    response = await client.put("/v1/users/me", json=changes, headers=headers)
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["bio"] == "I cut wedding films."
    assert me["skills"] == ["Premiere Pro", "Color Grading"]
    assert me["hourly_rate"] == {"currency": "EUR", "value": "45.50"}
    assert me["availability"] == "part-time"
    assert me["notification_preferences"] == {"order_paid": {"email": False, "in_app": True}}

    response = await client.put("/v1/users/me", json={"bio": None, "hourly_rate": None}, headers=headers)
    me = response.json()
    assert me["bio"] is None
    assert me["hourly_rate"] is None
    assert me["skills"] == ["Premiere Pro", "Color Grading"]  # untouched


async def test_stats_are_read_only(client: httpx.AsyncClient) -> None:
    _, headers = await signed_up(client, "creator")
    for field in ({"rating": 5}, {"total_orders": 100}, {"stats": {"rating": 5}}, {"role": "admin"}):
        response = await client.put("/v1/users/me", json=field, headers=headers)
        assert response.status_code == 422
    me = (await client.get("/v1/users/me", headers=headers)).json()
    assert me["stats"]["total_orders"] == 0
    assert me["role"] == "creator"


@pytest.mark.parametrize(
    "changes",
    [
        {"avatar_url": "javascript:alert(1)"},
        {"avatar_url": "http://localhost/admin.png"},
        {"avatar_url": "http://10.0.0.8/a.png"},
        {"avatar_url": "http://169.254.169.254/latest/meta-data"},
        {"avatar_url": "https://user:pass@example.com/a.png"},
        {"website_url": "ftp://example.com"},
        {"timezone": "Mars/Olympus_Mons"},
        {"language": "not a language"},
        {"hourly_rate": {"currency": "EUR", "value": "-5.00"}},
        {"hourly_rate": {"currency": "EUR", "value": "12.345"}},
        {"hourly_rate": {"currency": "XYZ", "value": "12.00"}},
        {"availability": "sometimes"},
        {"full_name": None},
        {"full_name": "x" * 101},
        {"bio": "x" * 5001},
        {"skills": ["x"] * 31},
        {"notification_preferences": {"order_paid": {"sms": True}}},
    ],
)
async def test_bad_profile_changes_are_refused_and_change_nothing(
    client: httpx.AsyncClient, changes: dict[str, object]
) -> None:
    _, headers = await signed_up(client, "creator")
    before = (await client.get("/v1/users/me", headers=headers)).json()
    response = await client.put("/v1/users/me", json=changes, headers=headers)
    assert response.status_code in (400, 422), response.text
    assert set(response.json()) == {"error", "message", "details"}
    after = (await client.get("/v1/users/me", headers=headers)).json()
    assert after == before


async def test_public_profile_hides_private_fields(client: httpx.AsyncClient) -> None:
    user, headers = await signed_up(client, "creator")
    await client.put("/v1/users/me", json={"bio": "Hello"}, headers=headers)
    response = await client.get(f"/v1/users/{user['id']}")
    assert response.status_code == 200
    profile = response.json()
    assert profile["bio"] == "Hello"
    assert profile["username"] == user["username"]
    for private in ("email", "notification_preferences", "email_verified", "last_login_at", "is_active"):
        assert private not in profile
    assert set(profile["stats"]) == {
        "rating",
        "total_reviews",
        "total_orders",
        "response_time_hours",
        "on_time_delivery_percent",
        "repeat_client_percent",
    }

    assert (await client.get(f"/v1/users/{uuid.uuid4()}")).status_code == 404
    malformed = await client.get("/v1/users/not-a-uuid")
    assert malformed.status_code == 422


async def test_portfolio_lists_the_highlight_first(client: httpx.AsyncClient) -> None:
    user, headers = await signed_up(client, "creator")
    first = await client.post("/v1/users/me/portfolio", json={**VIDEO, "position": 1}, headers=headers)
    assert first.status_code == 201
    reel = await client.post(
        "/v1/users/me/portfolio",
        json={**VIDEO, "title": "The reel", "is_highlight": True, "position": 5},
        headers=headers,
    )
    assert reel.status_code == 201
    items = (await client.get(f"/v1/users/{user['id']}/portfolio")).json()
    assert [item["title"] for item in items] == ["The reel", "Showreel 2026"]


async def test_a_hybrid_user_is_a_creator_too_but_a_client_is_not(client: httpx.AsyncClient) -> None:
    _, hybrid = await signed_up(client, "hybrid")
    assert (await client.post("/v1/users/me/portfolio", json=VIDEO, headers=hybrid)).status_code == 201
    _, buyer = await signed_up(client, "client")
    response = await client.post("/v1/users/me/portfolio", json=VIDEO, headers=buyer)
    assert response.status_code == 403
    assert response.json()["error"] == "wrong_role"
    assert (await client.post("/v1/users/me/portfolio", json=VIDEO)).status_code == 401


@pytest.mark.parametrize(
    "item",
    [
        {**VIDEO, "video_url": "file:///etc/passwd"},
        {**VIDEO, "video_url": "http://127.0.0.1:8000/internal"},
        {**VIDEO, "title": ""},
        {**VIDEO, "position": -1},
        {**VIDEO, "unknown": 1},
        {"title": "No video"},
    ],
)
async def test_bad_portfolio_items_are_refused(client: httpx.AsyncClient, item: dict[str, object]) -> None:
    user, headers = await signed_up(client, "creator")
    response = await client.post("/v1/users/me/portfolio", json=item, headers=headers)
    assert response.status_code == 422
    assert (await client.get(f"/v1/users/{user['id']}/portfolio")).json() == []


async def test_another_users_token_cannot_touch_my_objects(client: httpx.AsyncClient) -> None:
    """Every object endpoint of this domain, tried with another user's token."""
    owner, owner_headers = await signed_up(client, "creator")
    _, intruder = await signed_up(client, "creator")
    item = (await client.post("/v1/users/me/portfolio", json=VIDEO, headers=owner_headers)).json()

    # Deleting someone else's item looks exactly like deleting a missing one.
    response = await client.delete(f"/v1/users/me/portfolio/{item['id']}", headers=intruder)
    assert response.status_code == 404
    async with get_database().sessions() as session:
        assert await session.scalar(select(PortfolioItem).where(PortfolioItem.id == uuid.UUID(item["id"])))

    # /users/me is always the caller's own account.
    mine = (await client.get("/v1/users/me", headers=intruder)).json()
    assert mine["id"] != owner["id"]
    await client.put("/v1/users/me", json={"bio": "intruder"}, headers=intruder)
    assert (await client.get(f"/v1/users/{owner['id']}")).json()["bio"] is None

    # The owner can delete it.
    response = await client.delete(f"/v1/users/me/portfolio/{item['id']}", headers=owner_headers)
    assert response.status_code == 204
    assert (await client.get(f"/v1/users/{owner['id']}/portfolio")).json() == []

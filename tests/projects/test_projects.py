"""Projects: posting, reading, listing, changing, cancelling, deleting; bad input; other users."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from reelbyte.core.db import get_database
from reelbyte.core.errors import Conflict
from reelbyte.core.redis import get_redis
from reelbyte.projects import service
from reelbyte.projects.models import Project, ProjectStatus
from reelbyte.projects.views import project_views
from tests.factories import (
    Actor,
    Categories,
    actor,
    count_rows,
    eur,
    get_row,
    in_days,
    make_project,
    make_proposal,
    project_body,
)


async def test_a_client_posts_a_project(
    client: httpx.AsyncClient, owner: Actor, categories: Categories
) -> None:
    body = project_body(
        categories.video_editing,
        subcategory_id=categories.youtube_videos,
        required_skills=["  Premiere   Pro ", "premiere pro", "Color Grading"],
        budget_min=eur("200"),
    )
    response = await client.post("/v1/projects", json=body, headers=owner.headers)
    assert response.status_code == 201, response.text
    project = response.json()
    assert project["client_id"] == owner.id
    assert project["subcategory_id"] == categories.youtube_videos
    assert project["required_skills"] == ["premiere pro", "color grading"]
    assert project["budget_min"] == {"currency": "EUR", "value": "200.00"}
    assert project["budget_max"] == {"currency": "EUR", "value": "450.00"}
    assert project["status"] == "open"
    assert project["visibility"] == "public"
    assert project["proposals_count"] == 0
    assert project["views_count"] == 0
    assert datetime.fromisoformat(project["deadline"]).utcoffset() == timedelta(0)

    stored = await get_row(Project, project["id"])
    assert stored is not None
    assert (stored.budget_min_minor, stored.budget_max_minor, stored.currency) == (20000, 45000, "EUR")


async def test_a_hybrid_user_may_post_a_creator_may_not(
    client: httpx.AsyncClient, creator: Actor, categories: Categories
) -> None:
    hybrid = await actor(client, "hybrid")
    await make_project(client, hybrid, categories.video_editing)

    response = await client.post(
        "/v1/projects", json=project_body(categories.video_editing), headers=creator.headers
    )
    assert response.status_code == 403
    assert response.json()["error"] == "wrong_role"

    anonymous = await client.post("/v1/projects", json=project_body(categories.video_editing))
    assert anonymous.status_code == 401
    assert await count_rows(Project) == 1


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"budget_min": eur("500.00"), "budget_max": eur("100.00")}, 400, "invalid_budget_range"),
        ({"budget_min": eur("-5.00")}, 422, "validation_error"),
        ({"budget_min": eur("0.00")}, 422, "validation_error"),
        ({"budget_max": eur("10000000.01")}, 422, "validation_error"),
        ({"budget_max": eur("12.345")}, 422, "validation_error"),
        ({"budget_min": {"currency": "USD", "value": "200.00"}}, 400, "currency_mismatch"),
        ({"budget_min": {"currency": "XYZ", "value": "200.00"}}, 422, "validation_error"),
        ({"budget_min": 200}, 422, "validation_error"),
        ({"deadline": in_days(-1)}, 422, "validation_error"),
        ({"deadline": in_days(4 * 365)}, 422, "validation_error"),
        ({"deadline": "2030-01-01T12:00:00"}, 422, "validation_error"),  # no time zone
        ({"deadline": "soon"}, 422, "validation_error"),
        ({"title": "x" * 151}, 422, "validation_error"),
        ({"title": "  "}, 422, "validation_error"),
        ({"description": "x" * 10_001}, 422, "validation_error"),
        ({"required_skills": ["x" * 51]}, 422, "validation_error"),
        ({"required_skills": ["skill"] * 21}, 422, "validation_error"),
        ({"attachments": ["https://example.com/a.pdf"] * 11}, 422, "validation_error"),
        ({"attachments": ["http://10.0.0.1/secret"]}, 422, "validation_error"),
        ({"attachments": ["javascript:alert(1)"]}, 422, "validation_error"),
        ({"visibility": "secret"}, 422, "validation_error"),
        ({"status": "completed"}, 422, "validation_error"),  # unknown field here
        ({"views_count": 1000}, 422, "validation_error"),
        ({"client_id": str(uuid.uuid4())}, 422, "validation_error"),
        ({"category_id": 999_999}, 400, "invalid_category"),
        ({"category_id": 2**40}, 422, "validation_error"),
    ],
)
async def test_bad_projects_are_refused_and_nothing_is_stored(
    client: httpx.AsyncClient,
    owner: Actor,
    categories: Categories,
    overrides: dict[str, Any],
    status: int,
    code: str,
) -> None:
    body = project_body(categories.video_editing, **overrides)
    response = await client.post("/v1/projects", json=body, headers=owner.headers)
    assert response.status_code == status, response.text
    assert response.json()["error"] == code
    assert set(response.json()) == {"error", "message", "details"}
    assert await count_rows(Project) == 0


async def test_category_pairs_are_checked(
    client: httpx.AsyncClient, owner: Actor, categories: Categories
) -> None:
    cases = [
        ({"category_id": categories.youtube_videos}, "invalid_category"),  # a subcategory as category
        (
            {"category_id": categories.video_editing, "subcategory_id": categories.logo_animation},
            "invalid_subcategory",
        ),
    ]
    for overrides, code in cases:
        response = await client.post(
            "/v1/projects", json=project_body(categories.video_editing, **overrides), headers=owner.headers
        )
        assert response.status_code == 400, response.text
        assert response.json()["error"] == code
    assert await count_rows(Project) == 0


async def test_a_body_that_is_not_json_is_refused(
    client: httpx.AsyncClient, owner: Actor, categories: Categories
) -> None:
    response = await client.post(
        "/v1/projects",
        content=b"title=x",
        headers={**owner.headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415
    broken = await client.post(
        "/v1/projects", content=b"{not json", headers={**owner.headers, "Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    assert broken.json()["error"] == "invalid_json"


async def test_views_are_counted_for_everybody_but_the_owner(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, categories: Categories
) -> None:
    project = await make_project(client, owner, categories.video_editing)
    url = f"/v1/projects/{project['id']}"

    seen = await client.get(url, headers=owner.headers)
    assert seen.json()["views_count"] == 0
    await client.get(url)  # anonymous
    await client.get(url, headers=creator.headers)
    await client.get(url, headers=owner.headers)
    await project_views.flush_views(get_redis())
    assert (await client.get(url, headers=owner.headers)).json()["views_count"] == 2

    stored = await get_row(Project, project["id"])
    assert stored is not None
    assert stored.views_count == 2
    assert stored.updated_at.isoformat() == datetime.fromisoformat(project["updated_at"]).isoformat()


async def test_unknown_and_malformed_ids(client: httpx.AsyncClient, owner: Actor) -> None:
    assert (await client.get(f"/v1/projects/{uuid.uuid4()}")).status_code == 404
    assert (await client.get("/v1/projects/not-a-uuid")).status_code == 422
    missing = await client.put(f"/v1/projects/{uuid.uuid4()}", json={"title": "New"}, headers=owner.headers)
    assert missing.status_code == 404
    assert missing.json()["error"] == "project_not_found"


async def test_a_bad_token_is_refused_even_where_anonymous_may_read(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/projects", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


# --- listing ------------------------------------------------------------------------------


async def test_the_list_shows_open_projects_and_filters_them(
    client: httpx.AsyncClient, owner: Actor, categories: Categories
) -> None:
    cheap = await make_project(
        client,
        owner,
        categories.video_editing,
        title="Cheap edit",
        budget_min=eur("50.00"),
        budget_max=eur("100.00"),
        required_skills=["Premiere Pro"],
    )
    dear = await make_project(
        client,
        owner,
        categories.motion_graphics,
        title="Logo sting",
        budget_min=eur("800.00"),
        budget_max=eur("1500.00"),
        required_skills=["After Effects"],
    )
    cancelled = await make_project(client, owner, categories.video_editing, title="Gone")
    assert (
        await client.post(f"/v1/projects/{cancelled['id']}/cancel", headers=owner.headers)
    ).status_code == 200

    async def titles(**params: Any) -> list[str]:
        response = await client.get("/v1/projects", params={"sort_by": "budget_asc", **params})
        assert response.status_code == 200, response.text
        return [item["title"] for item in response.json()["items"]]

    page = (await client.get("/v1/projects")).json()
    assert set(page) == {
        "items",
        "total",
        "total_is_exact",
        "page",
        "page_size",
        "total_pages",
        "next_cursor",
    }
    assert page["total"] == 2
    assert await titles() == ["Cheap edit", "Logo sting"]
    assert await titles(category_id=categories.motion_graphics) == ["Logo sting"]
    assert await titles(min_budget="500") == ["Logo sting"]
    assert await titles(max_budget="99.99") == ["Cheap edit"]
    assert await titles(min_budget="90", max_budget="900") == ["Cheap edit", "Logo sting"]
    assert await titles(skills=["AFTER effects"]) == ["Logo sting"]
    assert await titles(skills=["premiere pro", "after effects"]) == ["Cheap edit", "Logo sting"]
    assert await titles(status="cancelled") == ["Gone"]
    assert await titles(client_id=owner.id, status="open") == ["Cheap edit", "Logo sting"]

    paged = (
        await client.get("/v1/projects", params={"page_size": 1, "page": 2, "sort_by": "budget_asc"})
    ).json()
    assert [item["id"] for item in paged["items"]] == [dear["id"]]
    assert (paged["total"], paged["total_pages"]) == (2, 2)
    assert cheap["id"] != dear["id"]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"min_budget": "500", "max_budget": "100"}, 400),
        ({"min_budget": "-1"}, 422),
        ({"status": "sleeping"}, 422),
        ({"sort_by": "random"}, 422),
        ({"page": 0}, 422),
        ({"page_size": 101}, 422),
        ({"skills": ["x" * 51]}, 400),
        ({"category_id": "abc"}, 422),
        ({"category_id": 2**40}, 422),
        ({"subcategory_id": 2**70}, 422),
    ],
)
async def test_bad_list_parameters_are_4xx(
    client: httpx.AsyncClient, params: dict[str, Any], status: int
) -> None:
    response = await client.get("/v1/projects", params=params)
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error", "message", "details"}


# --- changes ------------------------------------------------------------------------------


async def test_the_owner_changes_only_the_fields_sent(
    client: httpx.AsyncClient, owner: Actor, categories: Categories
) -> None:
    project = await make_project(
        client, owner, categories.video_editing, subcategory_id=categories.youtube_videos
    )
    url = f"/v1/projects/{project['id']}"
    response = await client.put(
        url,
        json={"title": "A new title", "budget_max": eur("900"), "required_skills": ["DaVinci Resolve"]},
        headers=owner.headers,
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["title"] == "A new title"
    assert changed["budget_max"] == eur("900.00")
    assert changed["budget_min"] == project["budget_min"]
    assert changed["required_skills"] == ["davinci resolve"]
    assert changed["description"] == project["description"]
    assert changed["subcategory_id"] == categories.youtube_videos
    assert changed["updated_at"] > project["updated_at"]

    cleared = (await client.put(url, json={"subcategory_id": None}, headers=owner.headers)).json()
    assert cleared["subcategory_id"] is None
    moved = await client.put(
        url,
        json={"category_id": categories.motion_graphics, "subcategory_id": categories.logo_animation},
        headers=owner.headers,
    )
    assert moved.status_code == 200
    assert moved.json()["category_id"] == categories.motion_graphics


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"budget_min": eur("1000.00")}, 400),  # above the stored max
        ({"budget_max": eur("100.00")}, 400),  # below the stored min
        ({"budget_max": {"currency": "GBP", "value": "900.00"}}, 400),
        ({"budget_min": eur("-1.00")}, 422),
        ({"deadline": in_days(-2)}, 422),
        ({"title": None}, 422),
        ({"budget_max": None}, 422),
        ({"title": "x" * 151}, 422),
        ({"status": "completed"}, 422),
        ({"proposals_count": 5}, 422),
        ({"category_id": 999_999}, 400),
        ({"subcategory_id": 999_999}, 400),
    ],
)
async def test_bad_changes_are_refused_and_change_nothing(
    client: httpx.AsyncClient,
    owner: Actor,
    categories: Categories,
    changes: dict[str, Any],
    status: int,
) -> None:
    project = await make_project(client, owner, categories.video_editing)
    url = f"/v1/projects/{project['id']}"
    response = await client.put(url, json=changes, headers=owner.headers)
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error", "message", "details"}
    assert (await client.get(url, headers=owner.headers)).json() == project


async def test_cancelling_rejects_pending_proposals_and_is_final(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, categories: Categories
) -> None:
    project = await make_project(client, owner, categories.video_editing)
    proposal = await make_proposal(client, creator, project["id"])
    url = f"/v1/projects/{project['id']}"

    response = await client.post(f"{url}/cancel", headers=owner.headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    mine = (await client.get(f"/v1/proposals/{proposal['id']}", headers=creator.headers)).json()
    assert mine["status"] == "rejected"
    assert mine["decided_at"] is not None

    again = await client.post(f"{url}/cancel", headers=owner.headers)
    assert again.status_code == 409
    assert again.json()["error"] == "invalid_transition"
    edit = await client.put(url, json={"title": "Revived"}, headers=owner.headers)
    assert edit.status_code == 409


async def test_delete_is_refused_once_a_proposal_was_accepted(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, other_creator: Actor, categories: Categories
) -> None:
    free = await make_project(client, owner, categories.video_editing)
    await make_proposal(client, creator, free["id"])
    response = await client.delete(f"/v1/projects/{free['id']}", headers=owner.headers)
    assert response.status_code == 204
    assert await get_row(Project, free["id"]) is None
    assert (await client.get(f"/v1/projects/{free['id']}")).status_code == 404

    taken = await make_project(client, owner, categories.video_editing)
    proposal = await make_proposal(client, other_creator, taken["id"])
    accepted = await client.post(f"/v1/proposals/{proposal['id']}/accept", headers=owner.headers)
    assert accepted.status_code == 200
    refused = await client.delete(f"/v1/projects/{taken['id']}", headers=owner.headers)
    assert refused.status_code == 409
    assert refused.json()["error"] == "project_has_accepted_proposal"
    assert await get_row(Project, taken["id"]) is not None


# --- another user's token -----------------------------------------------------------------


async def test_another_user_can_read_a_public_project_but_not_change_it(
    client: httpx.AsyncClient,
    owner: Actor,
    stranger: Actor,
    creator: Actor,
    categories: Categories,
) -> None:
    project = await make_project(client, owner, categories.video_editing)
    url = f"/v1/projects/{project['id']}"
    for user in (stranger, creator):
        assert (await client.get(url, headers=user.headers)).status_code == 200
        attempts = [
            client.put(url, json={"title": "Mine now"}, headers=user.headers),
            client.delete(url, headers=user.headers),
            client.post(f"{url}/cancel", headers=user.headers),
            client.get(f"{url}/invites", headers=user.headers),
            client.post(f"{url}/invites", json={"creator_id": creator.id}, headers=user.headers),
            client.delete(f"{url}/invites/{creator.id}", headers=user.headers),
        ]
        for attempt in attempts:
            response = await attempt
            assert response.status_code == 403, response.text
            assert response.json()["error"] == "not_owner"
    stored = (await client.get(url, headers=owner.headers)).json()
    assert {k: v for k, v in stored.items() if k != "views_count"} == {
        k: v for k, v in project.items() if k != "views_count"
    }
    assert (await client.get(f"{url}/invites", headers=owner.headers)).json() == []

    anonymous = await client.put(url, json={"title": "Mine now"})
    assert anonymous.status_code == 401


# --- status changes made by other domains -------------------------------------------------


async def test_later_domains_move_a_started_project_through_the_table(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, categories: Categories
) -> None:
    project = await make_project(client, owner, categories.video_editing)
    proposal = await make_proposal(client, creator, project["id"])
    await client.post(f"/v1/proposals/{proposal['id']}/accept", headers=owner.headers)
    project_id = uuid.UUID(project["id"])

    async with get_database().sessions() as session:
        with pytest.raises(Conflict) as refused:
            await service.transition_project(session, project_id, ProjectStatus.OPEN)
        assert refused.value.code == "invalid_transition"
        await session.rollback()
        done = await service.transition_project(session, project_id, ProjectStatus.COMPLETED)
        assert done.status is ProjectStatus.COMPLETED
        await session.commit()
        for target in ProjectStatus:
            with pytest.raises(Conflict):
                await service.transition_project(session, project_id, target)
            await session.rollback()
        # Callers move the project of an order's proposal, which is never deleted (RESTRICT).
        with pytest.raises(AssertionError):
            await service.transition_project(session, uuid.uuid4(), ProjectStatus.CANCELLED)

    assert (await client.get(f"/v1/projects/{project['id']}")).json()["status"] == "completed"
    refused_delete = await client.delete(f"/v1/projects/{project['id']}", headers=owner.headers)
    assert refused_delete.status_code == 409

"""Project views: reading a project writes nothing to the database; a view by anybody but the
owner is counted in Redis once the request's unit of work commits, and the periodic flush adds
it to `views_count` exactly once."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from reelbyte.core.db import get_database
from reelbyte.core.redis import get_redis
from reelbyte.projects.jobs import flush_project_views
from reelbyte.projects.models import Project
from reelbyte.projects.views import project_views
from tests.conftest import run_jobs
from tests.factories import Actor, Categories, make_project


async def _stored_views(project_id: str) -> int:
    async with get_database().sessions() as session:
        views = await session.scalar(select(Project.views_count).where(Project.id == uuid.UUID(project_id)))
    assert views is not None
    return views


async def test_a_view_is_counted_in_redis_and_flushed_once(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, categories: Categories
) -> None:
    project = await make_project(client, owner, categories.video_editing)
    path = f"/v1/projects/{project['id']}"
    assert (await client.get(path)).status_code == 200
    assert (await client.get(path, headers=creator.headers)).status_code == 200
    assert (await client.get(path, headers=owner.headers)).status_code == 200  # the owner's own: no
    await client.get("/v1/projects")  # being listed is no view either

    assert await project_views.pending_views(get_redis()) == {uuid.UUID(project["id"]): 2}
    assert await _stored_views(project["id"]) == 0  # no database write per view

    await flush_project_views.defer_async(timestamp=0)
    await run_jobs()
    assert await _stored_views(project["id"]) == 2
    assert (await client.get(path, headers=owner.headers)).json()["views_count"] == 2
    assert (await project_views.flush_views(get_redis())).views == 0  # nothing counted twice


async def test_a_project_that_cannot_be_seen_counts_no_view(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, categories: Categories
) -> None:
    project = await make_project(client, owner, categories.video_editing, visibility="invite_only")
    assert (await client.get(f"/v1/projects/{project['id']}", headers=creator.headers)).status_code == 404
    assert (await client.get(f"/v1/projects/{uuid.uuid4()}")).status_code == 404
    assert await project_views.pending_views(get_redis()) == {}


async def test_talking_about_a_project_is_not_a_view(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, categories: Categories
) -> None:
    project = await make_project(client, owner, categories.video_editing)
    response = await client.post(
        "/v1/conversations",
        json={"participant_id": owner.id, "project_id": project["id"], "message": "Is the footage 4K?"},
        headers=creator.headers,
    )
    assert response.status_code == 201, response.text
    assert await project_views.pending_views(get_redis()) == {}

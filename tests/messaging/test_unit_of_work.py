"""Messaging inside one unit of work: frames go out only after a commit, a conversation about a
project reads the project without writing (no view, no commit half-way), and the ticket route
documents its 503 (tests/core/test_redis_outage.py takes Redis away)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio.client import PubSub
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.db import get_database, transaction
from reelbyte.core.redis import get_redis
from reelbyte.messaging import service
from reelbyte.messaging.models import Conversation
from reelbyte.messaging.schemas import MessageCreate
from reelbyte.projects.models import Project
from reelbyte.projects.views import project_views
from tests.factories import Actor, actor, make_project, pair, signed_up, start_conversation
from tests.messaging.conftest import frames, listen


class Refused(RuntimeError):
    """Something later in the unit of work fails."""


async def test_a_message_in_a_unit_that_fails_is_neither_stored_nor_published(
    client: httpx.AsyncClient, subscriber: PubSub
) -> None:
    a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"])
    await listen(subscriber, b["id"])
    sender, conversation_id = uuid.UUID(a["id"]), uuid.UUID(conversation["id"])

    async def send_then_fail(session: AsyncSession) -> None:
        await service.send_message(session, sender, conversation_id, MessageCreate(content="never sent"))
        raise Refused("after the publish was registered")

    with pytest.raises(Refused):
        await transaction(send_then_fail)
    assert await frames(subscriber, within=0.5) == []
    listed = await client.get(f"/v1/conversations/{conversation['id']}/messages", headers=b_h)
    assert listed.json()["items"] == []

    # The same send in a unit that commits is stored, and then published.
    async def send(session: AsyncSession) -> None:
        await service.send_message(session, sender, conversation_id, MessageCreate(content="delivered"))

    await transaction(send)
    [sent] = await frames(subscriber, within=2.0)
    assert (sent["type"], sent["data"]["content"]) == ("message", "delivered")


async def test_a_read_mark_in_a_unit_that_fails_sends_no_receipt(
    client: httpx.AsyncClient, subscriber: PubSub
) -> None:
    a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"], message="read me")
    await listen(subscriber, a["id"])
    reader, message_id = uuid.UUID(b["id"]), conversation["last_message"]["id"]

    async def read_then_fail(session: AsyncSession) -> None:
        state = await service.mark_read(session, reader, message_id)
        assert state.unread_count == 0
        raise Refused("after the receipt was registered")

    with pytest.raises(Refused):
        await transaction(read_then_fail)
    assert await frames(subscriber, within=0.5) == []
    mine = (await client.get(f"/v1/conversations/{conversation['id']}", headers=b_h)).json()
    assert mine["unread_count"] == 1


# --- a conversation about a project -------------------------------------------------------


async def _project(client: httpx.AsyncClient) -> tuple[Actor, dict[str, Any]]:
    owner = await actor(client, "client")
    return owner, await make_project(client, owner)


async def _views_of(project_id: str) -> tuple[int, int | None]:
    """(views_count in the database, views waiting in Redis to be added)."""
    async with get_database().sessions() as session:
        counted = await session.scalar(select(Project.views_count).where(Project.id == uuid.UUID(project_id)))
    waiting = (await project_views.pending_views(get_redis())).get(uuid.UUID(project_id))
    return int(counted or 0), waiting


async def test_starting_a_conversation_about_a_project_counts_no_view(client: httpx.AsyncClient) -> None:
    owner, project = await _project(client)
    _, creator_headers = await signed_up(client, "creator")
    started = await client.post(
        "/v1/conversations",
        json={"participant_id": owner.id, "project_id": project["id"], "message": "About your vlog"},
        headers=creator_headers,
    )
    assert started.status_code == 201, started.text
    assert started.json()["project_id"] == project["id"]
    assert await _views_of(project["id"]) == (0, None)

    # Opening the project's page does count (so the check above would see a view).
    assert (await client.get(f"/v1/projects/{project['id']}", headers=creator_headers)).status_code == 200
    assert (await _views_of(project["id"]))[1] is not None


async def test_a_refused_start_about_a_project_leaves_nothing_behind(client: httpx.AsyncClient) -> None:
    _owner, project = await _project(client)
    _, outsider_headers = await signed_up(client, "client")
    creator, _ = await signed_up(client, "creator")
    # Neither participant is the project's client: refused after the project was looked up.
    refused = await client.post(
        "/v1/conversations",
        json={"participant_id": creator["id"], "project_id": project["id"], "message": "hi"},
        headers=outsider_headers,
    )
    assert (refused.status_code, refused.json()["error"]) == (400, "not_in_context")
    assert await _views_of(project["id"]) == (0, None)
    async with get_database().sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Conversation)) == 0


# --- tickets without Redis (the 503 itself: tests/core/test_redis_outage.py) ---------------


def test_the_ticket_route_documents_its_503(app: FastAPI) -> None:
    operation = app.openapi()["paths"]["/v1/ws/ticket"]["post"]
    schema = operation["responses"]["503"]["content"]["application/json"]["schema"]
    assert schema["properties"]["error"]["enum"] == ["realtime_unavailable"]

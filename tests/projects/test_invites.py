"""Invites, and invite-only projects: only the owner and invited creators see them (list, get,
propose); everybody else gets 404."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from reelbyte.projects.models import ProjectInvite
from tests.factories import (
    Actor,
    Categories,
    actor,
    count_rows,
    invite,
    make_project,
    make_proposal,
    proposal_body,
)


async def _listed(client: httpx.AsyncClient, user: Actor | None) -> list[str]:
    headers = user.headers if user else {}
    response = await client.get("/v1/projects", headers=headers)
    assert response.status_code == 200
    return [item["id"] for item in response.json()["items"]]


async def test_an_invite_only_project_is_seen_by_its_owner_and_invited_creators_only(
    client: httpx.AsyncClient,
    owner: Actor,
    creator: Actor,
    other_creator: Actor,
    stranger: Actor,
    categories: Categories,
) -> None:
    private = await make_project(client, owner, categories.video_editing, visibility="invite_only")
    public = await make_project(client, owner, categories.video_editing)
    url = f"/v1/projects/{private['id']}"

    # Before the invite: nobody but the owner.
    assert set(await _listed(client, owner)) == {private["id"], public["id"]}
    for user in (None, creator, other_creator, stranger):
        assert await _listed(client, user) == [public["id"]]
        response = await client.get(url, headers=user.headers if user else {})
        assert response.status_code == 404
        assert response.json()["error"] == "project_not_found"
    refused = await client.post("/v1/proposals", json=proposal_body(private["id"]), headers=creator.headers)
    assert refused.status_code == 404

    # The invited creator sees it, and may propose; the others still do not.
    await invite(client, owner, private["id"], creator)
    assert set(await _listed(client, creator)) == {private["id"], public["id"]}
    assert (await client.get(url, headers=creator.headers)).status_code == 200
    proposal = await make_proposal(client, creator, private["id"])
    for user in (None, other_creator, stranger):
        assert await _listed(client, user) == [public["id"]]
        assert (await client.get(url, headers=user.headers if user else {})).status_code == 404
    not_invited = await client.post(
        "/v1/proposals", json=proposal_body(private["id"]), headers=other_creator.headers
    )
    assert not_invited.status_code == 404

    # The invite taken back: the project is hidden again; their own proposal stays theirs.
    removed = await client.delete(f"{url}/invites/{creator.id}", headers=owner.headers)
    assert removed.status_code == 204
    assert await _listed(client, creator) == [public["id"]]
    assert (await client.get(url, headers=creator.headers)).status_code == 404
    mine = await client.get(f"/v1/proposals/{proposal['id']}", headers=creator.headers)
    assert mine.status_code == 200
    seen = (await client.get(url, headers=owner.headers)).json()
    assert seen["proposals_count"] == 1


async def test_making_a_project_invite_only_hides_it(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, categories: Categories
) -> None:
    project = await make_project(client, owner, categories.video_editing)
    assert await _listed(client, creator) == [project["id"]]
    response = await client.put(
        f"/v1/projects/{project['id']}", json={"visibility": "invite_only"}, headers=owner.headers
    )
    assert response.status_code == 200
    assert await _listed(client, creator) == []
    assert (await client.get(f"/v1/projects/{project['id']}", headers=creator.headers)).status_code == 404


async def test_strangers_get_404_on_every_endpoint_of_an_invite_only_project(
    client: httpx.AsyncClient,
    owner: Actor,
    creator: Actor,
    stranger: Actor,
    other_creator: Actor,
    categories: Categories,
) -> None:
    private = await make_project(client, owner, categories.video_editing, visibility="invite_only")
    await invite(client, owner, private["id"], creator)
    proposal = await make_proposal(client, creator, private["id"])
    url = f"/v1/projects/{private['id']}"

    for user in (stranger, other_creator):
        attempts: list[Any] = [
            client.get(url, headers=user.headers),
            client.put(url, json={"title": "Mine now"}, headers=user.headers),
            client.delete(url, headers=user.headers),
            client.post(f"{url}/cancel", headers=user.headers),
            client.get(f"{url}/proposals", headers=user.headers),
            client.get(f"{url}/invites", headers=user.headers),
            client.post(f"{url}/invites", json={"creator_id": user.id}, headers=user.headers),
            client.delete(f"{url}/invites/{creator.id}", headers=user.headers),
            client.get(f"/v1/proposals/{proposal['id']}", headers=user.headers),
            client.post(f"/v1/proposals/{proposal['id']}/accept", headers=user.headers),
        ]
        for attempt in attempts:
            response = await attempt
            assert response.status_code == 404, response.text

    # The invited creator sees the project but may not run it.
    for attempt in [
        client.put(url, json={"title": "Mine now"}, headers=creator.headers),
        client.get(f"{url}/invites", headers=creator.headers),
        client.post(f"{url}/invites", json={"creator_id": other_creator.id}, headers=creator.headers),
        client.delete(f"{url}/invites/{creator.id}", headers=creator.headers),
        client.post(f"{url}/cancel", headers=creator.headers),
        client.delete(url, headers=creator.headers),
    ]:
        response = await attempt
        assert response.status_code == 403, response.text

    invites = (await client.get(f"{url}/invites", headers=owner.headers)).json()
    assert [item["creator_id"] for item in invites] == [creator.id]
    project = (await client.get(url, headers=owner.headers)).json()
    assert project["title"] == private["title"]
    assert project["status"] == "open"


async def test_who_can_be_invited(
    client: httpx.AsyncClient,
    owner: Actor,
    creator: Actor,
    stranger: Actor,
    categories: Categories,
) -> None:
    project = await make_project(client, owner, categories.video_editing, visibility="invite_only")
    url = f"/v1/projects/{project['id']}/invites"
    gone = await actor(client, "creator")
    assert (await client.delete("/v1/users/me", headers=gone.headers)).status_code == 204

    for creator_id in (stranger.id, owner.id, gone.id, str(uuid.uuid4())):
        response = await client.post(url, json={"creator_id": creator_id}, headers=owner.headers)
        assert response.status_code == 400, response.text
        assert response.json()["error"] == "invalid_invitee"
    for body in ({}, {"creator_id": "nope"}, {"creator_id": creator.id, "note": "hi"}):
        assert (await client.post(url, json=body, headers=owner.headers)).status_code == 422
    assert await count_rows(ProjectInvite) == 0

    hybrid = await actor(client, "hybrid")
    first = await client.post(url, json={"creator_id": hybrid.id}, headers=owner.headers)
    assert first.status_code == 201
    again = await client.post(url, json={"creator_id": hybrid.id}, headers=owner.headers)
    assert again.status_code == 200
    assert again.json() == first.json()
    await invite(client, owner, project["id"], creator)
    listed = (await client.get(url, headers=owner.headers)).json()
    assert [item["creator_id"] for item in listed] == [hybrid.id, creator.id]

    missing = await client.delete(f"{url}/{uuid.uuid4()}", headers=owner.headers)
    assert missing.status_code == 404
    assert missing.json()["error"] == "invite_not_found"

    await client.post(f"/v1/projects/{project['id']}/cancel", headers=owner.headers)
    closed = await client.post(url, json={"creator_id": gone.id}, headers=owner.headers)
    assert closed.status_code == 409
    assert await count_rows(ProjectInvite) == 2

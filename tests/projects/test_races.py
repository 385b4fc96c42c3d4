"""Requests that really race: concurrent HTTP requests through the ASGI app, each on its own
database connection, so the row locks and constraints decide who wins."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from reelbyte.core.db import get_database
from reelbyte.projects.models import Project, Proposal, ProposalStatus
from tests.factories import Actor, Categories, actor, get_row, make_project, make_proposal, proposal_body
from tests.projects.conftest import project_invariants, stored_proposals

RACERS = 6  # well inside the connection pool (10 + 10 overflow)


async def _creators(client: httpx.AsyncClient, count: int) -> list[Actor]:
    return list(await asyncio.gather(*(actor(client, "creator") for _ in range(count))))


async def test_the_same_proposal_accepted_concurrently_is_accepted_once(
    client: httpx.AsyncClient, owner: Actor, categories: Categories
) -> None:
    project = await make_project(client, owner, categories.video_editing)
    creators = await _creators(client, 2)
    proposal = await make_proposal(client, creators[0], project["id"])
    await make_proposal(client, creators[1], project["id"])

    responses = await asyncio.gather(
        *(client.post(f"/v1/proposals/{proposal['id']}/accept", headers=owner.headers) for _ in range(RACERS))
    )
    assert sorted(r.status_code for r in responses) == [200] + [409] * (RACERS - 1)
    assert all(r.json()["error"] == "invalid_transition" for r in responses if r.status_code == 409)
    statuses = Counter(p.status for p in await stored_proposals(project["id"]))
    assert statuses == {ProposalStatus.ACCEPTED: 1, ProposalStatus.REJECTED: 1}
    await project_invariants(project["id"])


async def test_different_proposals_accepted_concurrently_end_with_one_winner(
    client: httpx.AsyncClient, owner: Actor, categories: Categories
) -> None:
    project = await make_project(client, owner, categories.video_editing)
    creators = await _creators(client, RACERS)
    proposals = [await make_proposal(client, creator, project["id"]) for creator in creators]

    responses = await asyncio.gather(
        *(client.post(f"/v1/proposals/{p['id']}/accept", headers=owner.headers) for p in proposals)
    )
    assert sorted(r.status_code for r in responses) == [200] + [409] * (RACERS - 1)
    winner = next(r.json()["id"] for r in responses if r.status_code == 200)

    stored = {p.id: p.status for p in await stored_proposals(project["id"])}
    assert stored[uuid.UUID(winner)] is ProposalStatus.ACCEPTED
    assert Counter(stored.values()) == {ProposalStatus.ACCEPTED: 1, ProposalStatus.REJECTED: RACERS - 1}
    saved = await get_row(Project, project["id"])
    assert saved is not None
    assert saved.status.value == "in_progress"
    await project_invariants(project["id"])


async def test_accept_reject_withdraw_and_cancel_racing_leave_a_consistent_project(
    client: httpx.AsyncClient, owner: Actor, categories: Categories
) -> None:
    project = await make_project(client, owner, categories.video_editing)
    creators = await _creators(client, 3)
    a, b, c = [await make_proposal(client, creator, project["id"]) for creator in creators]

    responses = await asyncio.gather(
        client.post(f"/v1/proposals/{a['id']}/accept", headers=owner.headers),
        client.post(f"/v1/proposals/{b['id']}/accept", headers=owner.headers),
        client.delete(f"/v1/proposals/{a['id']}", headers=creators[0].headers),
        client.post(f"/v1/proposals/{c['id']}/reject", headers=owner.headers),
        client.delete(f"/v1/proposals/{c['id']}", headers=creators[2].headers),
        client.post(f"/v1/projects/{project['id']}/cancel", headers=owner.headers),
    )
    assert all(r.status_code in (200, 409) for r in responses), [r.text for r in responses]
    await project_invariants(project["id"])
    saved = await get_row(Project, project["id"])
    assert saved is not None
    accepted = [p for p in await stored_proposals(project["id"]) if p.status is ProposalStatus.ACCEPTED]
    assert (saved.status.value == "in_progress") == (len(accepted) == 1)
    assert saved.status.value in ("in_progress", "cancelled", "open")
    # The cancel wins unless an accept got there first, and vice versa.
    accepts_ok = sum(r.status_code == 200 for r in responses[:2])
    assert accepts_ok == len(accepted)
    assert (responses[5].status_code == 200) == (saved.status.value == "cancelled")


async def test_many_creators_proposing_at_once_are_all_counted(
    client: httpx.AsyncClient, owner: Actor, categories: Categories
) -> None:
    project = await make_project(client, owner, categories.video_editing)
    creators = await _creators(client, RACERS)
    responses = await asyncio.gather(
        *(
            client.post("/v1/proposals", json=proposal_body(project["id"]), headers=creator.headers)
            for creator in creators
        )
    )
    assert [r.status_code for r in responses] == [201] * RACERS
    saved = await get_row(Project, project["id"])
    assert saved is not None
    assert saved.proposals_count == RACERS

    withdrawals = await asyncio.gather(
        *(
            client.delete(f"/v1/proposals/{r.json()['id']}", headers=creator.headers)
            for r, creator in zip(responses, creators, strict=True)
        )
    )
    assert [r.status_code for r in withdrawals] == [200] * RACERS
    await project_invariants(project["id"])


async def test_one_creator_proposing_twice_at_once_gets_one_proposal(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, categories: Categories
) -> None:
    project = await make_project(client, owner, categories.video_editing)
    responses = await asyncio.gather(
        *(
            client.post("/v1/proposals", json=proposal_body(project["id"]), headers=creator.headers)
            for _ in range(RACERS)
        )
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * (RACERS - 1)
    assert {r.json()["error"] for r in responses if r.status_code == 409} == {"proposal_exists"}
    await project_invariants(project["id"])


async def test_proposing_while_the_project_is_accepted_or_cancelled(
    client: httpx.AsyncClient, owner: Actor, categories: Categories
) -> None:
    project = await make_project(client, owner, categories.video_editing)
    first, *late = await _creators(client, 4)
    proposal = await make_proposal(client, first, project["id"])
    responses = await asyncio.gather(
        client.post(f"/v1/proposals/{proposal['id']}/accept", headers=owner.headers),
        *(client.post("/v1/proposals", json=proposal_body(project["id"]), headers=c.headers) for c in late),
    )
    assert responses[0].status_code == 200
    assert all(r.status_code in (201, 409) for r in responses[1:])
    # Whoever got in before the accept was rejected by it; nobody is left pending.
    await project_invariants(project["id"])


async def test_the_database_refuses_a_second_accepted_proposal(
    client: httpx.AsyncClient, owner: Actor, categories: Categories
) -> None:
    """The last line of defence, should the locking ever be bypassed."""
    project = await make_project(client, owner, categories.video_editing)
    creators = await _creators(client, 2)
    proposals = [await make_proposal(client, creator, project["id"]) for creator in creators]
    async with get_database().sessions() as session:
        await session.execute(
            update(Proposal)
            .where(Proposal.id == uuid.UUID(proposals[0]["id"]))
            .values(status=ProposalStatus.ACCEPTED)
        )
        with pytest.raises(IntegrityError, match="uq_proposals_one_accepted_per_project"):
            await session.execute(
                update(Proposal)
                .where(Proposal.id == uuid.UUID(proposals[1]["id"]))
                .values(status=ProposalStatus.ACCEPTED)
            )
        await session.rollback()

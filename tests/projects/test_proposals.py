"""Proposals: sending, changing, withdrawing, accepting, rejecting, shortlisting; bad input;
the accept hook; another user's token on every proposal endpoint."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.db import get_database, utcnow
from reelbyte.core.errors import InvalidTransition
from reelbyte.projects import events
from reelbyte.projects.models import Project, Proposal, ProposalStatus
from tests.factories import (
    Actor,
    Categories,
    actor,
    count_rows,
    eur,
    get_row,
    make_project,
    make_proposal,
    proposal_body,
)
from tests.projects.conftest import project_invariants, stored_proposals


async def _project(client: httpx.AsyncClient, owner: Actor, categories: Categories) -> dict[str, Any]:
    return await make_project(client, owner, categories.video_editing)


async def test_a_creator_sends_a_proposal(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, categories: Categories
) -> None:
    project = await _project(client, owner, categories)
    response = await client.post(
        "/v1/proposals",
        json=proposal_body(project["id"], price=eur("350.5"), attachments=[]),
        headers=creator.headers,
    )
    assert response.status_code == 201, response.text
    proposal = response.json()
    assert proposal["project_id"] == project["id"]
    assert proposal["creator_id"] == creator.id
    assert proposal["price"] == eur("350.50")
    assert proposal["status"] == "pending"
    assert proposal["is_shortlisted"] is None  # the client's mark is not the author's business
    assert proposal["decided_at"] is None

    seen_by_owner = (await client.get(f"/v1/proposals/{proposal['id']}", headers=owner.headers)).json()
    assert seen_by_owner["is_shortlisted"] is False
    assert (await client.get(f"/v1/projects/{project['id']}")).json()["proposals_count"] == 1


async def test_who_may_propose(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, categories: Categories
) -> None:
    hybrid = await actor(client, "hybrid")
    own = await make_project(client, hybrid, categories.video_editing)
    response = await client.post("/v1/proposals", json=proposal_body(own["id"]), headers=hybrid.headers)
    assert response.status_code == 403
    assert response.json()["error"] == "own_project"

    project = await _project(client, owner, categories)
    await make_proposal(client, hybrid, project["id"])  # on somebody else's project: fine

    as_client = await client.post("/v1/proposals", json=proposal_body(project["id"]), headers=owner.headers)
    assert as_client.status_code == 403
    assert as_client.json()["error"] == "wrong_role"
    anonymous = await client.post("/v1/proposals", json=proposal_body(project["id"]))
    assert anonymous.status_code == 401
    assert await count_rows(Proposal) == 1
    await project_invariants(project["id"])
    await project_invariants(own["id"])


async def test_one_proposal_per_creator_per_project(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, categories: Categories
) -> None:
    project = await _project(client, owner, categories)
    first = await make_proposal(client, creator, project["id"])
    again = await client.post("/v1/proposals", json=proposal_body(project["id"]), headers=creator.headers)
    assert again.status_code == 409
    assert again.json()["error"] == "proposal_exists"
    assert again.json()["details"] == {"proposal_id": first["id"]}

    withdrawn = await client.delete(f"/v1/proposals/{first['id']}", headers=creator.headers)
    assert withdrawn.status_code == 200
    after_withdrawal = await client.post(
        "/v1/proposals", json=proposal_body(project["id"]), headers=creator.headers
    )
    assert after_withdrawal.status_code == 409
    await project_invariants(project["id"])


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"price": eur("-5.00")}, 422, "validation_error"),
        ({"price": eur("0")}, 422, "validation_error"),
        ({"price": eur("10000000.01")}, 422, "validation_error"),
        ({"price": {"currency": "USD", "value": "300.00"}}, 400, "currency_mismatch"),
        ({"price": {"currency": "EUR"}}, 422, "validation_error"),
        ({"delivery_days": 0}, 422, "validation_error"),
        ({"delivery_days": -3}, 422, "validation_error"),
        ({"delivery_days": 366}, 422, "validation_error"),
        ({"delivery_days": "soon"}, 422, "validation_error"),
        ({"cover_letter": ""}, 422, "validation_error"),
        ({"cover_letter": "x" * 5001}, 422, "validation_error"),
        ({"attachments": ["https://vimeo.com/1"] * 11}, 422, "validation_error"),
        ({"attachments": ["http://localhost/x"]}, 422, "validation_error"),
        ({"status": "accepted"}, 422, "validation_error"),
        ({"is_shortlisted": True}, 422, "validation_error"),
        ({"project_id": str(uuid.uuid4())}, 404, "project_not_found"),
        ({"project_id": "nope"}, 422, "validation_error"),
    ],
)
async def test_bad_proposals_are_refused_and_nothing_is_stored(
    client: httpx.AsyncClient,
    owner: Actor,
    creator: Actor,
    categories: Categories,
    overrides: dict[str, Any],
    status: int,
    code: str,
) -> None:
    project = await _project(client, owner, categories)
    response = await client.post(
        "/v1/proposals", json=proposal_body(project["id"], **overrides), headers=creator.headers
    )
    assert response.status_code == status, response.text
    assert response.json()["error"] == code
    assert set(response.json()) == {"error", "message", "details"}
    assert await count_rows(Proposal) == 0
    await project_invariants(project["id"])


async def test_no_proposal_on_a_project_that_is_not_open(
    client: httpx.AsyncClient,
    owner: Actor,
    creator: Actor,
    other_creator: Actor,
    categories: Categories,
) -> None:
    cancelled = await _project(client, owner, categories)
    await client.post(f"/v1/projects/{cancelled['id']}/cancel", headers=owner.headers)
    started = await _project(client, owner, categories)
    taken = await make_proposal(client, other_creator, started["id"])
    await client.post(f"/v1/proposals/{taken['id']}/accept", headers=owner.headers)

    for project in (cancelled, started):
        response = await client.post(
            "/v1/proposals", json=proposal_body(project["id"]), headers=creator.headers
        )
        assert response.status_code == 409
        assert response.json()["error"] == "project_not_open"

    late = await _project(client, owner, categories)
    async with get_database().sessions() as session:
        await session.execute(
            update(Project)
            .where(Project.id == uuid.UUID(late["id"]))
            .values(deadline=utcnow() - timedelta(1))
        )
        await session.commit()
    response = await client.post("/v1/proposals", json=proposal_body(late["id"]), headers=creator.headers)
    assert response.status_code == 409
    assert response.json()["error"] == "deadline_passed"
    assert await count_rows(Proposal) == 1


async def test_the_author_changes_a_pending_proposal(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, categories: Categories
) -> None:
    project = await _project(client, owner, categories)
    proposal = await make_proposal(client, creator, project["id"])
    url = f"/v1/proposals/{proposal['id']}"
    response = await client.put(url, json={"price": eur("280"), "delivery_days": 5}, headers=creator.headers)
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["price"] == eur("280.00")
    assert changed["delivery_days"] == 5
    assert changed["cover_letter"] == proposal["cover_letter"]

    for bad, status in [
        ({"price": {"currency": "GBP", "value": "280.00"}}, 400),
        ({"price": eur("-1")}, 422),
        ({"delivery_days": 0}, 422),
        ({"cover_letter": None}, 422),
        ({"project_id": str(uuid.uuid4())}, 422),
        ({"status": "accepted"}, 422),
    ]:
        refused = await client.put(url, json=bad, headers=creator.headers)
        assert refused.status_code == status, (bad, refused.text)
    assert (await client.get(url, headers=creator.headers)).json() == changed

    await client.post(f"{url}/reject", headers=owner.headers)
    late = await client.put(url, json={"delivery_days": 3}, headers=creator.headers)
    assert late.status_code == 409
    assert late.json()["error"] == "proposal_not_pending"


async def test_withdrawing_is_final_and_uncounts_the_proposal(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, categories: Categories
) -> None:
    project = await _project(client, owner, categories)
    proposal = await make_proposal(client, creator, project["id"])
    url = f"/v1/proposals/{proposal['id']}"
    response = await client.delete(url, headers=creator.headers)
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert (await client.get(f"/v1/projects/{project['id']}")).json()["proposals_count"] == 0

    for attempt in (
        client.delete(url, headers=creator.headers),
        client.post(f"{url}/accept", headers=owner.headers),
        client.post(f"{url}/reject", headers=owner.headers),
    ):
        refused = await attempt
        assert refused.status_code == 409
        assert refused.json()["error"] == "invalid_transition"
        assert refused.json()["details"]["from"] == "withdrawn"
    assert (await client.get(url, headers=owner.headers)).json()["status"] == "withdrawn"
    await project_invariants(project["id"])


async def test_accepting_starts_the_project_and_rejects_the_others(
    client: httpx.AsyncClient,
    owner: Actor,
    creator: Actor,
    other_creator: Actor,
    categories: Categories,
) -> None:
    project = await _project(client, owner, categories)
    chosen = await make_proposal(client, creator, project["id"])
    passed_over = await make_proposal(client, other_creator, project["id"])
    third = await actor(client, "creator")
    gone = await make_proposal(client, third, project["id"])
    await client.delete(f"/v1/proposals/{gone['id']}", headers=third.headers)

    response = await client.post(f"/v1/proposals/{chosen['id']}/accept", headers=owner.headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "accepted"
    assert response.json()["decided_at"] is not None

    statuses = {p.id.hex: p.status for p in await stored_proposals(project["id"])}
    assert statuses == {
        uuid.UUID(chosen["id"]).hex: ProposalStatus.ACCEPTED,
        uuid.UUID(passed_over["id"]).hex: ProposalStatus.REJECTED,
        uuid.UUID(gone["id"]).hex: ProposalStatus.WITHDRAWN,
    }
    stored = (await client.get(f"/v1/projects/{project['id']}")).json()
    assert stored["status"] == "in_progress"
    assert stored["proposals_count"] == 2

    for attempt, code in [
        (
            client.post(f"/v1/proposals/{chosen['id']}/accept", headers=owner.headers),
            "invalid_transition",
        ),
        (
            client.post(f"/v1/proposals/{chosen['id']}/reject", headers=owner.headers),
            "invalid_transition",
        ),
        (
            client.delete(f"/v1/proposals/{chosen['id']}", headers=creator.headers),
            "invalid_transition",
        ),
        (
            client.post(f"/v1/proposals/{passed_over['id']}/accept", headers=owner.headers),
            "invalid_transition",
        ),
        (client.post(f"/v1/projects/{project['id']}/cancel", headers=owner.headers), "invalid_transition"),
        (
            client.put(f"/v1/projects/{project['id']}", json={"title": "x" * 5}, headers=owner.headers),
            "project_not_open",
        ),
    ]:
        refused = await attempt
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"] == code
    await project_invariants(project["id"])


async def test_rejecting_leaves_the_project_open(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, categories: Categories
) -> None:
    project = await _project(client, owner, categories)
    proposal = await make_proposal(client, creator, project["id"])
    response = await client.post(f"/v1/proposals/{proposal['id']}/reject", headers=owner.headers)
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    stored = (await client.get(f"/v1/projects/{project['id']}")).json()
    assert (stored["status"], stored["proposals_count"]) == ("open", 1)
    await project_invariants(project["id"])


async def test_the_owner_shortlists_privately(
    client: httpx.AsyncClient,
    owner: Actor,
    creator: Actor,
    other_creator: Actor,
    categories: Categories,
) -> None:
    project = await _project(client, owner, categories)
    liked = await make_proposal(client, creator, project["id"])
    other = await make_proposal(client, other_creator, project["id"])
    url = f"/v1/proposals/{liked['id']}/shortlist"

    marked = await client.post(url, headers=owner.headers)
    assert marked.status_code == 200
    assert marked.json()["is_shortlisted"] is True
    assert (await client.post(url, headers=owner.headers)).json()["is_shortlisted"] is True  # idempotent
    as_author = (await client.get(f"/v1/proposals/{liked['id']}", headers=creator.headers)).json()
    assert as_author["is_shortlisted"] is None

    listing = f"/v1/projects/{project['id']}/proposals"
    shortlist = (await client.get(listing, params={"shortlisted": True}, headers=owner.headers)).json()
    assert [item["id"] for item in shortlist["items"]] == [liked["id"]]
    rest = (await client.get(listing, params={"shortlisted": False}, headers=owner.headers)).json()
    assert [item["id"] for item in rest["items"]] == [other["id"]]
    probing = await client.get(listing, params={"shortlisted": True}, headers=creator.headers)
    assert probing.status_code == 403

    unmarked = await client.delete(url, headers=owner.headers)
    assert unmarked.json()["is_shortlisted"] is False

    await client.post(f"/v1/proposals/{other['id']}/reject", headers=owner.headers)
    late = await client.post(f"/v1/proposals/{other['id']}/shortlist", headers=owner.headers)
    assert late.status_code == 409
    assert late.json()["error"] == "proposal_not_pending"


async def test_who_sees_which_proposals_of_a_project(
    client: httpx.AsyncClient,
    owner: Actor,
    creator: Actor,
    other_creator: Actor,
    stranger: Actor,
    categories: Categories,
) -> None:
    project = await _project(client, owner, categories)
    mine = await make_proposal(client, creator, project["id"])
    theirs = await make_proposal(client, other_creator, project["id"])
    listing = f"/v1/projects/{project['id']}/proposals"

    async def ids(user: Actor, **params: Any) -> list[str]:
        response = await client.get(listing, params=params, headers=user.headers)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids(owner) == [mine["id"], theirs["id"]]
    assert await ids(owner, page_size=1, page=2) == [theirs["id"]]
    assert await ids(creator) == [mine["id"]]
    assert await ids(other_creator) == [theirs["id"]]
    assert await ids(stranger) == []
    await client.post(f"/v1/proposals/{theirs['id']}/reject", headers=owner.headers)
    assert await ids(owner, status="rejected") == [theirs["id"]]
    assert await ids(owner, status="pending") == [mine["id"]]

    assert (await client.get(listing)).status_code == 401
    assert (await client.get(listing, params={"status": "lost"}, headers=owner.headers)).status_code == 422
    assert (
        await client.get(f"/v1/projects/{uuid.uuid4()}/proposals", headers=owner.headers)
    ).status_code == 404


async def test_another_users_token_on_every_proposal_endpoint(
    client: httpx.AsyncClient,
    owner: Actor,
    creator: Actor,
    other_creator: Actor,
    stranger: Actor,
    categories: Categories,
) -> None:
    """Strangers get 404 (they cannot see it); the owner and the author get 403 for what is the
    other's to do; nothing changes."""
    project = await _project(client, owner, categories)
    proposal = await make_proposal(client, creator, project["id"])
    url = f"/v1/proposals/{proposal['id']}"

    endpoints: dict[str, Callable[[dict[str, str]], Awaitable[httpx.Response]]] = {
        "get": lambda headers: client.get(url, headers=headers),
        "put": lambda headers: client.put(url, json={"delivery_days": 1}, headers=headers),
        "withdraw": lambda headers: client.delete(url, headers=headers),
        "accept": lambda headers: client.post(f"{url}/accept", headers=headers),
        "reject": lambda headers: client.post(f"{url}/reject", headers=headers),
        "shortlist": lambda headers: client.post(f"{url}/shortlist", headers=headers),
        "unshortlist": lambda headers: client.delete(f"{url}/shortlist", headers=headers),
    }

    for user in (stranger, other_creator):
        for name, call in endpoints.items():
            response = await call(user.headers)
            assert response.status_code == 404, (name, response.text)
            assert response.json()["error"] == "proposal_not_found"

    for user, forbidden, code in [
        (owner, ("put", "withdraw"), "not_owner"),
        (creator, ("accept", "reject", "shortlist", "unshortlist"), "not_owner"),
    ]:
        for name in forbidden:
            response = await endpoints[name](user.headers)
            assert response.status_code == 403, (name, response.text)
            assert response.json()["error"] == code

    for name, call in endpoints.items():
        response = await call({})
        assert response.status_code == 401, name

    after = (await client.get(url, headers=creator.headers)).json()
    assert after == proposal
    stored = await get_row(Project, project["id"])
    assert stored is not None
    assert stored.status.value == "open"
    await project_invariants(project["id"])


# --- the accept hook ----------------------------------------------------------------------


@pytest.fixture
def accepted_calls() -> Iterator[list[tuple[uuid.UUID, ProposalStatus, ProposalStatus | None]]]:
    """Registers a handler that records (proposal, its status, its status as others see it)."""
    calls: list[tuple[uuid.UUID, ProposalStatus, ProposalStatus | None]] = []

    async def record(session: AsyncSession, accepted: tuple[Proposal, Project]) -> None:
        proposal, _ = accepted
        assert session.in_transaction()
        async with get_database().sessions() as outside:
            committed = await outside.scalar(select(Proposal.status).where(Proposal.id == proposal.id))
        calls.append((proposal.id, proposal.status, committed))

    events.proposal_was_accepted.connect(record)
    events.proposal_was_accepted.connect(record)  # once is enough
    yield calls
    events.proposal_was_accepted.disconnect(record)
    assert record not in events.proposal_was_accepted.handlers()


async def test_accept_handlers_run_inside_the_accept_transaction(
    client: httpx.AsyncClient,
    owner: Actor,
    creator: Actor,
    categories: Categories,
    accepted_calls: list[tuple[uuid.UUID, ProposalStatus, ProposalStatus | None]],
) -> None:
    project = await _project(client, owner, categories)
    proposal = await make_proposal(client, creator, project["id"])
    response = await client.post(f"/v1/proposals/{proposal['id']}/accept", headers=owner.headers)
    assert response.status_code == 200
    # The handler saw the accepted proposal before anybody else could: same transaction.
    assert accepted_calls == [(uuid.UUID(proposal["id"]), ProposalStatus.ACCEPTED, ProposalStatus.PENDING)]


async def test_a_failing_accept_handler_undoes_the_acceptance(
    client: httpx.AsyncClient,
    owner: Actor,
    creator: Actor,
    other_creator: Actor,
    categories: Categories,
) -> None:
    async def refuse(session: AsyncSession, accepted: tuple[Proposal, Project]) -> None:
        raise InvalidTransition("order", "pending_payment", "in_progress")

    project = await _project(client, owner, categories)
    proposal = await make_proposal(client, creator, project["id"])
    other = await make_proposal(client, other_creator, project["id"])
    events.proposal_was_accepted.connect(refuse)
    try:
        response = await client.post(f"/v1/proposals/{proposal['id']}/accept", headers=owner.headers)
    finally:
        events.proposal_was_accepted.disconnect(refuse)
    assert response.status_code == 409
    assert response.json()["error"] == InvalidTransition.code
    assert {p.status for p in await stored_proposals(project["id"])} == {ProposalStatus.PENDING}
    stored = await get_row(Project, project["id"])
    assert stored is not None
    assert stored.status.value == "open"

    retried = await client.post(f"/v1/proposals/{other['id']}/accept", headers=owner.headers)
    assert retried.status_code == 200
    await project_invariants(project["id"])

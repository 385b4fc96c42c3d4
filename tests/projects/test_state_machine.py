"""The proposal state machine, property-based: random sequences of actions through the API,
checked against a model after every step.

Invariants: at most one accepted proposal per project; a final state (accepted, rejected,
withdrawn) never changes; `proposals_count` is the number of proposals not withdrawn; nothing
stays pending on a project that is no longer open; every refused action is a 409 and changes
nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import select

from reelbyte.core.db import get_database
from reelbyte.projects.models import Project, Proposal, ProposalStatus
from reelbyte.projects.service import PROJECT_TRANSITIONS, PROPOSAL_TRANSITIONS, can_transition_proposal
from tests.factories import Actor, Categories, actor, eur, make_project, proposal_body
from tests.projects.conftest import project_invariants

FINAL = {ProposalStatus.ACCEPTED, ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN}
CREATORS = 3


# --- the transition tables ----------------------------------------------------------------


def test_the_transition_tables_cover_every_state_and_final_states_are_final() -> None:
    assert set(PROPOSAL_TRANSITIONS) == set(ProposalStatus)
    assert {state for state, targets in PROPOSAL_TRANSITIONS.items() if not targets} == FINAL
    assert PROPOSAL_TRANSITIONS[ProposalStatus.PENDING] == FINAL
    assert all(
        not PROJECT_TRANSITIONS[state]
        for state in PROJECT_TRANSITIONS
        if state.value in ("completed", "cancelled")
    )


@given(st.lists(st.sampled_from(list(ProposalStatus)), max_size=20))
def test_walking_the_table_never_leaves_a_final_state(targets: list[ProposalStatus]) -> None:
    state = ProposalStatus.PENDING
    for target in targets:
        if can_transition_proposal(state, target):
            assert state is ProposalStatus.PENDING
            state = target
        elif state in FINAL:
            assert not can_transition_proposal(state, target)
    assert state is ProposalStatus.PENDING or state in FINAL


# --- through the API ----------------------------------------------------------------------


@dataclass
class Model:
    """What the project and its proposals should look like."""

    project_status: str = "open"
    proposals: dict[int, ProposalStatus] = field(default_factory=dict)  # creator index → status
    shortlisted: dict[int, bool] = field(default_factory=dict)

    def pending(self, i: int) -> bool:
        return self.proposals.get(i) is ProposalStatus.PENDING

    def apply(self, action: str, i: int) -> int:
        """The expected status code; updates the model when the action should succeed."""
        ok = 200
        if action == "propose":
            if i in self.proposals or self.project_status != "open":
                return 409
            self.proposals[i] = ProposalStatus.PENDING
            self.shortlisted[i] = False
            return 201
        if action == "cancel":
            if self.project_status != "open":
                return 409
            self.project_status = "cancelled"
            self._reject_pending()
            return ok
        if i not in self.proposals:
            return 404
        if not self.pending(i):
            return 409
        if action == "accept":
            self.proposals[i] = ProposalStatus.ACCEPTED
            self.project_status = "in_progress"
            self._reject_pending()
        elif action == "reject":
            self.proposals[i] = ProposalStatus.REJECTED
        elif action == "withdraw":
            self.proposals[i] = ProposalStatus.WITHDRAWN
        elif action == "shortlist":
            self.shortlisted[i] = True
        return ok

    def _reject_pending(self) -> None:
        for i, status in self.proposals.items():
            if status is ProposalStatus.PENDING:
                self.proposals[i] = ProposalStatus.REJECTED


ACTIONS = ["propose", "accept", "reject", "withdraw", "update", "shortlist", "cancel"]
steps = st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, CREATORS - 1)), min_size=1, max_size=10)


@dataclass
class Cast:
    owner: Actor
    creators: list[Actor]


@pytest.fixture
async def cast(client: httpx.AsyncClient) -> Cast:
    """One client and a few creators, shared by every example of the test (each gets a new project)."""
    return Cast(await actor(client, "client"), [await actor(client, "creator") for _ in range(CREATORS)])


@hypothesis_settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
async def test_random_sequences_keep_the_invariants(
    client: httpx.AsyncClient, cast: Cast, categories: Categories, plan: list[tuple[str, int]]
) -> None:
    project = await make_project(client, cast.owner, categories.video_editing)
    model = Model()
    ids: dict[int, str] = {}
    history: dict[str, ProposalStatus] = {}  # proposal id → the final state it reached

    # Two creators have proposed already; the third may do so during the plan.
    for action, i in [("propose", 0), ("propose", 1), *plan]:
        expected = model.apply(action, i)
        response = await _perform(client, cast, project["id"], ids, action, i)
        assert response.status_code == expected, (action, i, response.text)
        if expected == 201:
            ids[i] = response.json()["id"]
        if expected in (404, 409):
            assert set(response.json()) == {"error", "message", "details"}

        project_status, stored = await _snapshot(project["id"])
        assert project_status == model.project_status
        for index, proposal_id in ids.items():
            status, shortlisted = stored[uuid.UUID(proposal_id)]
            assert status is model.proposals[index], (plan, index)
            assert shortlisted is model.shortlisted[index]
            if proposal_id in history:
                assert status is history[proposal_id]  # final states never change
            elif status in FINAL:
                history[proposal_id] = status
    await project_invariants(project["id"])


async def _snapshot(project_id: str) -> tuple[str, dict[uuid.UUID, tuple[ProposalStatus, bool]]]:
    """(project status, proposal id → (status, shortlisted)), with the invariants checked."""
    async with get_database().sessions() as session:
        project = await session.get_one(Project, uuid.UUID(project_id))
        rows = (
            await session.execute(
                select(Proposal.id, Proposal.status, Proposal.is_shortlisted).where(
                    Proposal.project_id == project.id
                )
            )
        ).all()
    statuses = [row.status for row in rows]
    assert statuses.count(ProposalStatus.ACCEPTED) <= 1
    assert project.proposals_count == sum(status is not ProposalStatus.WITHDRAWN for status in statuses)
    if project.status.value != "open":
        assert ProposalStatus.PENDING not in statuses
    return project.status.value, {row.id: (row.status, row.is_shortlisted) for row in rows}


async def _perform(
    client: httpx.AsyncClient, cast: Cast, project_id: str, ids: dict[int, str], action: str, i: int
) -> httpx.Response:
    owner, creator = cast.owner.headers, cast.creators[i].headers
    if action == "propose":
        return await client.post("/v1/proposals", json=proposal_body(project_id), headers=creator)
    if action == "cancel":
        return await client.post(f"/v1/projects/{project_id}/cancel", headers=owner)
    url = f"/v1/proposals/{ids.get(i, uuid.uuid4())}"
    requests: dict[str, Any] = {
        "accept": lambda: client.post(f"{url}/accept", headers=owner),
        "reject": lambda: client.post(f"{url}/reject", headers=owner),
        "withdraw": lambda: client.delete(url, headers=creator),
        "update": lambda: client.put(url, json={"price": eur("123.45")}, headers=creator),
        "shortlist": lambda: client.post(f"{url}/shortlist", headers=owner),
    }
    response: httpx.Response = await requests[action]()
    return response

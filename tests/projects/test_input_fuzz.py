"""Property-based bad input: whatever JSON arrives, the answer is a 2xx or a 4xx in the error
format, never a 500, and a refused request stores nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from reelbyte.projects.models import Project, Proposal
from tests.factories import (
    Actor,
    Categories,
    actor,
    count_rows,
    make_project,
    project_body,
    proposal_body,
)

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.lists(st.text(max_size=10), max_size=3),
    st.dictionaries(st.sampled_from(["currency", "value", "x"]), st.text(max_size=12), max_size=3),
)
money = st.one_of(
    junk,
    st.fixed_dictionaries(
        {
            "currency": st.sampled_from(["EUR", "USD", "eur", ""]),
            "value": st.one_of(
                st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str), st.text(max_size=8)
            ),
        }
    ),
)
stamps = st.one_of(junk, st.datetimes(timezones=st.none() | st.timezones()).map(lambda d: d.isoformat()))

PROJECT_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "title": junk,
    "description": junk,
    "category_id": junk,
    "subcategory_id": junk,
    "required_skills": st.one_of(junk, st.lists(st.text(max_size=60), max_size=25)),
    "budget_min": money,
    "budget_max": money,
    "deadline": stamps,
    "attachments": st.one_of(junk, st.lists(st.text(max_size=40), max_size=3)),
    "visibility": st.one_of(junk, st.sampled_from(["public", "invite_only"])),
}
PROPOSAL_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "project_id": st.one_of(junk, st.uuids().map(str)),
    "cover_letter": junk,
    "price": money,
    "delivery_days": junk,
    "attachments": st.one_of(junk, st.lists(st.text(max_size=40), max_size=3)),
}


def _mutations(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Some fields replaced by odd values, some dropped, maybe an unknown one added."""
    return st.fixed_dictionaries(
        {},
        optional={**fields, "surprise": junk},
    )


@pytest.fixture
async def people(client: httpx.AsyncClient) -> tuple[Actor, Actor]:
    return await actor(client, "client"), await actor(client, "creator")


FUZZ = hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(changes=_mutations(PROJECT_FIELDS), drop=st.sets(st.sampled_from(sorted(PROJECT_FIELDS)), max_size=2))
async def test_project_input_never_causes_a_500(
    client: httpx.AsyncClient,
    people: tuple[Actor, Actor],
    categories: Categories,
    changes: dict[str, Any],
    drop: set[str],
) -> None:
    owner, _ = people
    body = {k: v for k, v in project_body(categories.video_editing, **changes).items() if k not in drop}
    before = await count_rows(Project)
    response = await client.post("/v1/projects", json=body, headers=owner.headers)
    assert response.status_code in (201, 400, 422), response.text
    if response.status_code != 201:
        assert set(response.json()) == {"error", "message", "details"}
        assert await count_rows(Project) == before

    project = await make_project(client, owner, categories.video_editing)
    url = f"/v1/projects/{project['id']}"
    update = await client.put(url, json=changes, headers=owner.headers)
    assert update.status_code in (200, 400, 422), update.text
    if update.status_code != 200:
        assert (await client.get(url, headers=owner.headers)).json() == project


@FUZZ
@given(changes=_mutations(PROPOSAL_FIELDS))
async def test_proposal_input_never_causes_a_500(
    client: httpx.AsyncClient,
    people: tuple[Actor, Actor],
    categories: Categories,
    changes: dict[str, Any],
) -> None:
    owner, creator = people
    project = await make_project(client, owner, categories.video_editing)
    before = await count_rows(Proposal)
    response = await client.post(
        "/v1/proposals", json=proposal_body(project["id"], **changes), headers=creator.headers
    )
    assert response.status_code in (201, 400, 404, 422), response.text
    if response.status_code != 201:
        assert set(response.json()) == {"error", "message", "details"}
        assert await count_rows(Proposal) == before
        return
    url = f"/v1/proposals/{response.json()['id']}"
    update = await client.put(url, json=changes, headers=creator.headers)
    assert update.status_code in (200, 400, 422), update.text
    if update.status_code != 200:
        assert (await client.get(url, headers=creator.headers)).json() == response.json()

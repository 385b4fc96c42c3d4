"""The seed's API contract for projects and proposals: a client written from the published API
description posts `deadline` as a date and a proposal's `proposed_price` and `delivery_time`;
responses carry the seed's names next to today's, and OpenAPI documents both."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx

from tests.factories import Actor, Categories, eur, make_project, project_body, proposal_body


def _in_days(days: int) -> date:
    return datetime.now(UTC).date() + timedelta(days=days)


def _seed_proposal(project_id: str, **overrides: Any) -> dict[str, Any]:
    """A proposal as the seed's clients write it: `proposed_price` and `delivery_time`."""
    body = proposal_body(project_id, proposed_price=eur("320.00"), delivery_time=6, **overrides)
    del body["price"], body["delivery_days"]
    return body


async def test_a_deadline_sent_as_a_date_means_the_end_of_that_day_utc(
    client: httpx.AsyncClient, owner: Actor, categories: Categories
) -> None:
    day = _in_days(20)
    response = await client.post(
        "/v1/projects",
        json=project_body(categories.video_editing, deadline=day.isoformat()),
        headers=owner.headers,
    )
    assert response.status_code == 201, response.text
    deadline = datetime.fromisoformat(response.json()["deadline"])
    assert deadline == datetime.combine(day, time.max, tzinfo=UTC)

    changed = _in_days(25)
    updated = await client.put(
        f"/v1/projects/{response.json()['id']}", json={"deadline": changed.isoformat()}, headers=owner.headers
    )
    assert updated.status_code == 200, updated.text
    assert datetime.fromisoformat(updated.json()["deadline"]).date() == changed


async def test_impossible_or_past_dates_are_refused(
    client: httpx.AsyncClient, owner: Actor, categories: Categories
) -> None:
    for deadline in ("2027-02-30", _in_days(-1).isoformat(), "2026-1-5"):
        response = await client.post(
            "/v1/projects",
            json=project_body(categories.video_editing, deadline=deadline),
            headers=owner.headers,
        )
        assert response.status_code == 422, (deadline, response.text)
        assert response.json()["error"] == "validation_error"
    listed = await client.get("/v1/projects", params={"client_id": owner.id})
    assert listed.json()["total"] == 0


async def test_a_proposal_posted_with_the_seeds_names(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, categories: Categories
) -> None:
    project = await make_project(client, owner, categories.video_editing)
    response = await client.post("/v1/proposals", json=_seed_proposal(project["id"]), headers=creator.headers)
    assert response.status_code == 201, response.text
    proposal = response.json()
    assert proposal["proposed_price"] == proposal["price"] == eur("320.00")
    assert proposal["delivery_time"] == proposal["delivery_days"] == 6

    changed = await client.put(
        f"/v1/proposals/{proposal['id']}",
        json={"proposed_price": eur("300.00"), "delivery_time": 5},
        headers=creator.headers,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["price"], changed.json()["delivery_days"]) == (eur("300.00"), 5)

    seen_by_owner = (await client.get(f"/v1/proposals/{proposal['id']}", headers=owner.headers)).json()
    assert seen_by_owner["proposed_price"] == eur("300.00")
    assert seen_by_owner["delivery_time"] == 5


async def test_both_names_must_agree_and_one_is_needed(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, categories: Categories
) -> None:
    project = await make_project(client, owner, categories.video_editing)
    disagreeing = {**_seed_proposal(project["id"]), "price": eur("100.00")}
    missing = proposal_body(project["id"])
    del missing["price"]
    for body in (disagreeing, missing):
        response = await client.post("/v1/proposals", json=body, headers=creator.headers)
        assert response.status_code == 422, response.text
    assert (await client.get(f"/v1/projects/{project['id']}/proposals", headers=owner.headers)).json()[
        "total"
    ] == 0


async def test_openapi_documents_the_seeds_names(client: httpx.AsyncClient) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    proposal_in = schemas["ProposalCreate"]["properties"]
    assert {"price", "proposed_price", "delivery_days", "delivery_time"} <= set(proposal_in)
    proposal_out = schemas["ProposalOut"]["properties"]
    assert {"proposed_price", "delivery_time"} <= set(proposal_out)
    deadline = schemas["ProjectCreate"]["properties"]["deadline"]
    formats = {choice.get("format") for choice in deadline.get("anyOf", [deadline])}
    assert {"date", "date-time"} <= formats

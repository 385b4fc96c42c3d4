"""Proposals with milestones: validated against the price, kept on update, shown to the owner
and the author, and the order an acceptance starts is planned with exactly those milestones;
`/v1/proposals/mine`; and the notification an invite sends."""

from __future__ import annotations

from typing import Any

import httpx

from reelbyte.projects.models import Proposal
from tests.conftest import Mailbox, run_jobs
from tests.factories import (
    Actor,
    Categories,
    count_rows,
    eur,
    invite,
    make_project,
    make_proposal,
    notification_types,
    set_notification_preferences,
)


def _plan(*amounts: str, currency: str = "EUR") -> list[dict[str, Any]]:
    return [
        {
            "title": f"Step {n}",
            "amount": {"currency": currency, "value": amount},
            "description": f"What step {n} delivers",
            "due_in_days": 3 * n,
        }
        for n, amount in enumerate(amounts, start=1)
    ]


async def _propose(client: httpx.AsyncClient, who: Actor, project_id: str, **body: Any) -> httpx.Response:
    payload = {"project_id": project_id, "cover_letter": "Two steps.", "delivery_days": 7, **body}
    return await client.post("/v1/proposals", json=payload, headers=who.headers)


async def test_milestones_must_add_up_to_the_price_in_its_currency(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, categories: Categories
) -> None:
    project = await make_project(client, owner, categories.video_editing)
    pid = project["id"]

    short = await _propose(client, creator, pid, price=eur("300.00"), milestones=_plan("100.00", "150.00"))
    assert short.status_code == 422
    assert short.json()["error"] == "proposal_milestones_do_not_add_up"
    assert short.json()["details"] == {"price_minor": 30000, "milestones_total_minor": 25000}

    usd = await _propose(
        client, creator, pid, price=eur("300.00"), milestones=_plan("300.00", currency="USD")
    )
    assert usd.status_code == 400
    assert usd.json()["error"] == "currency_mismatch"

    many = await _propose(client, creator, pid, price=eur("21.00"), milestones=_plan(*["1.00"] * 21))
    assert many.status_code == 422
    assert many.json()["error"] == "validation_error"

    assert await count_rows(Proposal) == 0  # nothing refused was kept
    twenty = await _propose(client, creator, pid, price=eur("20.00"), milestones=_plan(*["1.00"] * 20))
    assert twenty.status_code == 201, twenty.text
    assert len(twenty.json()["milestones"]) == 20


async def test_milestones_are_shown_to_owner_and_author_and_kept_on_update(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, stranger: Actor, categories: Categories
) -> None:
    project = await make_project(client, owner, categories.video_editing)
    created = await _propose(
        client, creator, project["id"], price=eur("300.00"), milestones=_plan("100.00", "200.00")
    )
    assert created.status_code == 201, created.text
    proposal = created.json()
    expected = [
        {"title": "Step 1", "amount": eur("100.00"), "description": "What step 1 delivers", "due_in_days": 3},
        {"title": "Step 2", "amount": eur("200.00"), "description": "What step 2 delivers", "due_in_days": 6},
    ]
    assert proposal["milestones"] == expected
    url = f"/v1/proposals/{proposal['id']}"
    for who in (owner, creator):
        assert (await client.get(url, headers=who.headers)).json()["milestones"] == expected
    assert (await client.get(url, headers=stranger.headers)).status_code == 404

    # Another field changes: the plan stays.
    kept = await client.put(url, json={"cover_letter": "Updated."}, headers=creator.headers)
    assert kept.status_code == 200
    assert kept.json()["milestones"] == expected
    # A new price the kept plan no longer adds up to is refused, and changes nothing.
    refused = await client.put(url, json={"price": eur("400.00")}, headers=creator.headers)
    assert refused.status_code == 422
    assert refused.json()["error"] == "proposal_milestones_do_not_add_up"
    assert (await client.get(url, headers=creator.headers)).json()["price"] == eur("300.00")
    # The price and a new plan together; then [] for one payment.
    both = await client.put(
        url, json={"price": eur("400.00"), "milestones": _plan("400.00")}, headers=creator.headers
    )
    assert both.status_code == 200, both.text
    assert [m["amount"] for m in both.json()["milestones"]] == [eur("400.00")]
    cleared = await client.put(url, json={"milestones": []}, headers=creator.headers)
    assert cleared.json()["milestones"] == []
    assert (await client.put(url, json={"milestones": None}, headers=creator.headers)).status_code == 422
    # Somebody else cannot change it.
    other = await client.put(url, json={"milestones": _plan("400.00")}, headers=stranger.headers)
    assert other.status_code == 404


async def test_accepting_starts_the_order_with_exactly_those_milestones(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, categories: Categories
) -> None:
    project = await make_project(client, owner, categories.video_editing)
    created = await _propose(
        client, creator, project["id"], price=eur("300.00"), milestones=_plan("100.00", "200.00")
    )
    proposal = created.json()
    accepted = await client.post(f"/v1/proposals/{proposal['id']}/accept", headers=owner.headers)
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["status"] == "accepted"
    order_id = body["order_id"]

    order = (await client.get(f"/v1/orders/{order_id}", headers=owner.headers)).json()
    assert order["status"] == "pending_payment"
    assert order["uses_milestones"] is True
    milestones = (await client.get(f"/v1/orders/{order_id}/milestones", headers=creator.headers)).json()
    assert [(m["title"], m["amount"], m["description"], m["status"]) for m in milestones] == [
        ("Step 1", eur("100.00"), "What step 1 delivers", "pending"),
        ("Step 2", eur("200.00"), "What step 2 delivers", "pending"),
    ]
    assert all(m["due_date"] is not None for m in milestones)
    assert milestones[0]["due_date"] < milestones[1]["due_date"]


async def test_accepting_a_proposal_without_milestones_gives_a_plain_order(
    client: httpx.AsyncClient, owner: Actor, creator: Actor, categories: Categories
) -> None:
    project = await make_project(client, owner, categories.video_editing)
    proposal = await make_proposal(client, creator, project["id"])
    assert proposal["milestones"] == []
    accepted = (await client.post(f"/v1/proposals/{proposal['id']}/accept", headers=owner.headers)).json()
    order = (await client.get(f"/v1/orders/{accepted['order_id']}", headers=owner.headers)).json()
    assert order["uses_milestones"] is False
    assert order["amount"] == eur("300.00")
    assert (
        await client.get(f"/v1/orders/{accepted['order_id']}/milestones", headers=owner.headers)
    ).json() == []


async def test_my_proposals_lists_only_mine_newest_first(
    client: httpx.AsyncClient,
    owner: Actor,
    creator: Actor,
    other_creator: Actor,
    categories: Categories,
) -> None:
    first = await make_project(client, owner, categories.video_editing, title="First project")
    second = await make_project(client, owner, categories.video_editing, title="Second project")
    older = await make_proposal(client, creator, first["id"])
    newer = await make_proposal(client, creator, second["id"])
    theirs = await make_proposal(client, other_creator, first["id"])
    await client.delete(f"/v1/proposals/{older['id']}", headers=creator.headers)

    mine = (await client.get("/v1/proposals/mine", headers=creator.headers)).json()
    assert [(p["id"], p["project_title"]) for p in mine["items"]] == [
        (newer["id"], "Second project"),
        (older["id"], "First project"),
    ]
    assert mine["total"] == 2
    assert all(p["is_shortlisted"] is None for p in mine["items"])
    withdrawn = await client.get("/v1/proposals/mine?status=withdrawn", headers=creator.headers)
    assert [p["id"] for p in withdrawn.json()["items"]] == [older["id"]]
    paged = (await client.get("/v1/proposals/mine?page_size=1&page=2", headers=creator.headers)).json()
    assert [p["id"] for p in paged["items"]] == [older["id"]]

    others = (await client.get("/v1/proposals/mine", headers=other_creator.headers)).json()
    assert [p["id"] for p in others["items"]] == [theirs["id"]]
    # A client has sent none: an empty page, not an error.
    assert (await client.get("/v1/proposals/mine", headers=owner.headers)).json()["items"] == []
    assert (await client.get("/v1/proposals/mine")).status_code == 401
    assert (await client.get("/v1/proposals/mine?status=nope", headers=creator.headers)).status_code == 422


async def test_an_invite_notifies_the_creator_in_app_and_by_e_mail_as_they_chose(
    client: httpx.AsyncClient,
    owner: Actor,
    creator: Actor,
    other_creator: Actor,
    categories: Categories,
    mailbox: Mailbox,
) -> None:
    await set_notification_preferences(client, creator, {"project_invited": {"in_app": True, "email": True}})
    project = await make_project(client, owner, categories.video_editing, visibility="invite_only")
    await invite(client, owner, project["id"], creator)
    await invite(client, owner, project["id"], other_creator)
    again = await client.post(
        f"/v1/projects/{project['id']}/invites", json={"creator_id": creator.id}, headers=owner.headers
    )
    assert again.status_code == 200  # already invited: no second notification
    await run_jobs()

    assert await notification_types(client, creator) == ["project_invited"]
    shown = (await client.get("/v1/notifications", headers=creator.headers)).json()["items"][0]
    assert shown["link"] == f"/projects/{project['id']}"
    assert project["title"] in shown["content"]
    assert len([m for m in mailbox.to(creator.email) if "Invited to a project" in m["Subject"]]) == 1
    # In-app only by default for the other creator; the owner is told nothing.
    assert await notification_types(client, other_creator) == ["project_invited"]
    assert [m for m in mailbox.to(other_creator.email) if "Invited to a project" in m["Subject"]] == []
    assert await notification_types(client, owner) == []

"""Milestones, resolved disputes and proposals rejected in bulk notify the right users."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import Mailbox, run_jobs
from tests.factories import (
    Actor,
    actor,
    checkout,
    eur,
    make_admin,
    make_paid_order,
    make_project,
    make_proposal,
    notification_types,
    notifications_of,
    pay_on_sandbox,
    seller_and_buyer,
)


async def _post(client: httpx.AsyncClient, url: str, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await client.post(url, json=body or None, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()  # type: ignore[no-any-return]


async def _latest(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    return (await notifications_of(client, headers))[0]


def _assert_order_notice(notice: dict[str, Any], type_: str, order_id: str, *words: str) -> None:
    assert notice["type"] == type_
    assert notice["link"] == f"/orders/{order_id}"
    assert (notice["reference_type"], notice["reference_id"]) == ("order", order_id)
    for word in words:
        assert word in notice["content"], notice["content"]


async def test_each_milestone_event_notifies_the_right_party(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    owner = await actor(client, "client")
    maker = await actor(client, "creator")
    project = await make_project(client, owner)
    proposal = await make_proposal(client, maker, project["id"])
    await _post(client, f"/v1/proposals/{proposal['id']}/accept", owner.headers)
    orders = await client.get("/v1/orders", params={"role": "client"}, headers=owner.headers)
    [order] = orders.json()["items"]
    order_id = order["id"]
    title = order["title"]

    plan = {
        "milestones": [
            {"title": "Rough cut", "amount": eur("100.00")},
            {"title": "Final", "amount": eur("200.00")},
        ]
    }
    response = await client.post(f"/v1/orders/{order_id}/milestones", json=plan, headers=owner.headers)
    assert response.status_code == 201, response.text
    first, second = response.json()
    _assert_order_notice(await _latest(client, maker.headers), "order_milestones_planned", order_id, title)
    assert await notification_types(client, owner.headers) == ["proposal_received"]  # the planner is not told

    await pay_on_sandbox(client, await _post(client, f"/v1/milestones/{first['id']}/fund", owner.headers))
    funded = await _latest(client, maker.headers)
    _assert_order_notice(funded, "order_milestone_funded", order_id, "was funded: you can start on it")
    assert funded["title"] == "Milestone funded"

    submit = {"note": "Rough cut attached", "deliverables": ["https://vimeo.com/2"]}
    await _post(client, f"/v1/milestones/{first['id']}/submit", maker.headers, **submit)
    _assert_order_notice(await _latest(client, owner.headers), "order_milestone_submitted", order_id, title)

    await _post(client, f"/v1/milestones/{first['id']}/reject", owner.headers, reason="Too long")
    _assert_order_notice(await _latest(client, maker.headers), "order_milestone_rejected", order_id, "back")

    await _post(client, f"/v1/milestones/{first['id']}/submit", maker.headers, **submit)
    await _post(client, f"/v1/milestones/{first['id']}/approve", owner.headers)
    _assert_order_notice(
        await _latest(client, maker.headers), "order_milestone_approved", order_id, "payment is released"
    )

    await pay_on_sandbox(client, await checkout(client, owner.headers, milestone_id=second["id"]))
    await _post(client, f"/v1/milestones/{second['id']}/submit", maker.headers, **submit)
    await _post(client, f"/v1/milestones/{second['id']}/approve", owner.headers)
    _assert_order_notice(await _latest(client, maker.headers), "order_completed", order_id, "is complete")

    assert await notification_types(client, maker.headers) == [
        "proposal_accepted",
        "order_milestones_planned",
        "order_paid",  # the first funded milestone starts the order
        "order_milestone_funded",
        "order_milestone_rejected",
        "order_milestone_approved",
        "order_milestone_funded",
        "order_milestone_approved",
        "order_completed",
    ]
    assert await notification_types(client, owner.headers) == [
        "proposal_received",
        "order_milestone_submitted",
        "order_milestone_submitted",
        "order_milestone_submitted",
    ]
    await run_jobs()  # "order_" types are e-mailed by default
    subjects = [m["Subject"] for m in mailbox.to(maker.email)]
    assert subjects.count("ReelByte: Milestone funded") == 2


@pytest.mark.parametrize(
    ("refund", "release", "outcome"),
    [
        ("30.00", "20.00", "30.00 EUR was refunded to the client and 20.00 EUR released to the creator"),
        ("50.00", "0.00", "the money was refunded to the client"),
        ("0.00", "50.00", "the money was released to the creator"),
    ],
)
async def test_a_resolved_dispute_notifies_both_parties(
    client: httpx.AsyncClient, refund: str, release: str, outcome: str
) -> None:
    creator_headers, client_headers, gig, package = await seller_and_buyer(client)
    admin = await make_admin(client)
    order = await make_paid_order(client, client_headers, gig, package)
    url = f"/v1/orders/{order['id']}"
    await _post(client, f"{url}/deliver", creator_headers, message="done")
    dispute = await _post(client, f"{url}/dispute", client_headers, reason="Not what we agreed")

    body = {"refund": eur(refund), "release": eur(release), "note": "Judged"}
    await _post(client, f"/v1/admin/disputes/{dispute['id']}/resolve", admin, **body)

    for headers in (client_headers, creator_headers):
        resolved = await _latest(client, headers)
        _assert_order_notice(resolved, "order_dispute_resolved", order["id"], order["title"], outcome)
        assert resolved["title"] == "Dispute resolved"
    assert await notification_types(client, client_headers) == ["order_delivered", "order_dispute_resolved"]
    assert await notification_types(client, creator_headers) == [
        "order_paid",
        "order_disputed",
        "order_dispute_resolved",
    ]
    assert await notification_types(client, admin) == ["admin_dispute_opened"]  # not the resolution


def _assert_proposal_notice(
    notice: dict[str, Any], type_: str, proposal: dict[str, Any], content: str
) -> None:
    assert notice["type"] == type_
    assert notice["content"] == content
    assert notice["link"] == f"/proposals/{proposal['id']}"
    assert (notice["reference_type"], notice["reference_id"]) == ("proposal", proposal["id"])


async def _project_with_proposals(
    client: httpx.AsyncClient, count: int
) -> tuple[Actor, dict[str, Any], list[tuple[Actor, dict[str, Any]]]]:
    owner = await actor(client, "client")
    project = await make_project(client, owner)
    authors = []
    for _ in range(count):
        author = await actor(client, "creator")
        authors.append((author, await make_proposal(client, author, project["id"])))
    return owner, project, authors


async def test_accepting_one_proposal_tells_the_others_another_was_chosen(client: httpx.AsyncClient) -> None:
    owner, project, authors = await _project_with_proposals(client, 3)
    (winner, chosen), *others = authors
    await _post(client, f"/v1/proposals/{chosen['id']}/accept", owner.headers)

    [accepted] = await notifications_of(client, winner.headers)
    _assert_proposal_notice(
        accepted, "proposal_accepted", chosen, f"Your proposal for “{project['title']}” was accepted."
    )
    for author, proposal in others:
        [rejected] = await notifications_of(client, author.headers)
        _assert_proposal_notice(
            rejected, "proposal_rejected", proposal, f"Another proposal was chosen for “{project['title']}”."
        )
        assert rejected["title"] == "Proposal declined"
        stored = (await client.get(f"/v1/proposals/{proposal['id']}", headers=author.headers)).json()
        assert stored["status"] == "rejected"


async def test_cancelling_an_open_project_tells_every_pending_author(client: httpx.AsyncClient) -> None:
    owner, project, authors = await _project_with_proposals(client, 2)
    await _post(client, f"/v1/projects/{project['id']}/cancel", owner.headers)
    for author, proposal in authors:
        [rejected] = await notifications_of(client, author.headers)
        _assert_proposal_notice(
            rejected, "proposal_rejected", proposal, f"The project “{project['title']}” was cancelled."
        )
    assert await notification_types(client, owner.headers) == ["proposal_received", "proposal_received"]


async def test_a_single_reject_still_says_declined(client: httpx.AsyncClient) -> None:
    owner, project, [(author, proposal)] = await _project_with_proposals(client, 1)
    await _post(client, f"/v1/proposals/{proposal['id']}/reject", owner.headers)
    [rejected] = await notifications_of(client, author.headers)
    _assert_proposal_notice(
        rejected, "proposal_rejected", proposal, f"Your proposal for “{project['title']}” was declined."
    )

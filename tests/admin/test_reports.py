"""The moderators' report queue (GET /v1/admin/reports) and its resolutions (PUT
/v1/admin/reports/{id}/resolve): previews of all five kinds of target, each action's effect on
who sees what, every open report on a target settled together, the audit log; and reporting
reviews and projects."""

from __future__ import annotations

from typing import Any

import httpx

from tests.admin.test_moderation import audit_actions
from tests.admin.test_users import assert_error, me
from tests.factories import (
    Headers,
    make_admin,
    make_gig,
    make_project,
    pair,
    send_message,
    set_notification_preferences,
    signed_up,
    start_conversation,
)
from tests.reviews.conftest import Deal, completed_order, review_body

NOBODY = "00000000-0000-4000-8000-000000000000"


async def report(
    client: httpx.AsyncClient, who: Headers, target_type: str, target_id: Any, reason: str = "Not OK"
) -> httpx.Response:
    body = {"target_type": target_type, "target_id": str(target_id), "reason": reason}
    return await client.post("/v1/reports", json=body, headers=who)


async def reported(
    client: httpx.AsyncClient, who: Headers, target_type: str, target_id: Any, reason: str = "Not OK"
) -> str:
    response = await report(client, who, target_type, target_id, reason)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def queue(client: httpx.AsyncClient, admin: Headers, **params: Any) -> dict[str, Any]:
    response = await client.get("/v1/admin/reports", params=params, headers=admin)
    assert response.status_code == 200, response.text
    return dict(response.json())


def resolve(
    client: httpx.AsyncClient, admin: Headers, report_id: str, action: str, note: str = "Against the rules"
) -> Any:
    return client.put(
        f"/v1/admin/reports/{report_id}/resolve", json={"action": action, "note": note}, headers=admin
    )


async def resolved(
    client: httpx.AsyncClient, admin: Headers, report_id: str, action: str, note: str = "Against the rules"
) -> dict[str, Any]:
    response = await resolve(client, admin, report_id, action, note)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def reviewed_deal(client: httpx.AsyncClient) -> tuple[Deal, str]:
    """A completed order both parties reviewed (so both reviews are shown): the deal and the
    id of the client's review of the creator."""
    deal = await completed_order(client)
    by_client = await client.post(
        "/v1/reviews",
        json=review_body(deal.order["id"], 1, comment="Rude and late"),
        headers=deal.client_headers,
    )
    assert by_client.status_code == 201, by_client.text
    by_creator = await client.post(
        "/v1/reviews", json=review_body(deal.order["id"]), headers=deal.creator_headers
    )
    assert by_creator.status_code == 201, by_creator.text
    return deal, str(by_client.json()["id"])


async def message_between(
    client: httpx.AsyncClient,
) -> tuple[dict[str, Any], Headers, Headers, dict[str, Any]]:
    """b sent a a message: (b, b's headers, a's headers, the message)."""
    _, a_headers, b, b_headers = await pair(client)
    conversation = await start_conversation(client, a_headers, b["id"], message="Hello")
    message = await send_message(client, b_headers, conversation["id"], "Pay me on the side, it is cheaper")
    return b, b_headers, a_headers, message


# --- who may ------------------------------------------------------------------------------


async def test_only_admins_see_the_queue_and_resolve(client: httpx.AsyncClient) -> None:
    creator, creator_headers = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    report_id = await reported(client, client_headers, "user", creator["id"])
    for headers in (creator_headers, client_headers):
        assert_error(await client.get("/v1/admin/reports", headers=headers), 403, "wrong_role")
        assert_error(await resolve(client, headers, report_id, "dismiss"), 403, "wrong_role")
    assert (await client.get("/v1/admin/reports")).status_code == 401
    admin = await make_admin(client)
    assert [item["status"] for item in (await queue(client, admin))["items"]] == ["open"]


# --- the queue ----------------------------------------------------------------------------


async def test_the_queue_is_oldest_first_with_previews_and_counts_for_every_target(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    deal, review_id = await reviewed_deal(client)
    client_id, creator_id = deal.client["id"], deal.creator["id"]
    conversation = await start_conversation(client, deal.client_headers, creator_id, message="Hi")
    message = await send_message(
        client, deal.creator_headers, conversation["id"], "Send the money via PayPal"
    )
    project = await make_project(client, deal.client_headers, title="Cut a travel vlog")
    _, bystander = await signed_up(client, "client")
    gig = (await client.get(f"/v1/gigs/{deal.gig_id}")).json()

    await reported(client, deal.client_headers, "message", message["id"], "Asks to pay outside")
    await reported(client, deal.creator_headers, "review", review_id, "Fake review")
    await reported(client, deal.client_headers, "gig", deal.gig_id, "Stolen showreel")
    await reported(client, bystander, "gig", deal.gig_id, "Same showreel elsewhere")
    await reported(client, deal.client_headers, "user", creator_id, "Abusive")
    await reported(client, deal.creator_headers, "project", project["id"], "Spam")

    page = await queue(client, admin)

    assert page["total"] == 6
    items = page["items"]
    assert [(i["target_type"], i["reason"], i["open_reports_on_target"]) for i in items] == [
        ("message", "Asks to pay outside", 1),
        ("review", "Fake review", 1),
        ("gig", "Stolen showreel", 2),
        ("gig", "Same showreel elsewhere", 2),
        ("user", "Abusive", 1),
        ("project", "Spam", 1),
    ]
    assert all(item["target_exists"] and item["status"] == "open" for item in items)
    assert items[0]["reporter"] == {"id": client_id, "username": deal.client["username"]}
    client_ref = {"id": client_id, "username": deal.client["username"]}
    creator_ref = {"id": creator_id, "username": deal.creator["username"]}
    assert [item["preview"] for item in items] == [
        {
            "kind": "message",
            "text": "Send the money via PayPal",
            "deleted": False,
            "sender": creator_ref,
            "conversation_id": conversation["id"],
        },
        {"kind": "review", "rating": 1, "text": "Rude and late", "author": client_ref},
        {"kind": "gig", "title": gig["title"], "slug": gig["slug"], "creator": creator_ref},
        {"kind": "gig", "title": gig["title"], "slug": gig["slug"], "creator": creator_ref},
        {"kind": "user", "username": deal.creator["username"], "full_name": "Test Creator", "bio": None},
        {"kind": "project", "title": "Cut a travel vlog", "client": client_ref},
    ]
    only_gigs = await queue(client, admin, target_type="gig", page_size=1)
    assert (only_gigs["total"], only_gigs["total_pages"]) == (2, 2)
    assert only_gigs["items"][0]["reason"] == "Stolen showreel"
    assert (await queue(client, admin, status="resolved"))["items"] == []


async def test_a_deleted_target_is_shown_as_gone_and_can_only_be_dismissed(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    _, creator_headers = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    gig = await make_gig(client, creator_headers)
    report_id = await reported(client, client_headers, "gig", gig["id"])
    deleted = await client.delete(f"/v1/gigs/{gig['id']}", headers=creator_headers)
    assert deleted.json()["outcome"] == "deleted"

    [item] = (await queue(client, admin))["items"]

    assert (item["target_exists"], item["preview"]) == (False, None)
    for action in ("warn", "hide_content", "suspend_user"):
        assert_error(await resolve(client, admin, report_id, action), 409, "report_target_gone")
    assert (await resolved(client, admin, report_id, "dismiss"))["status"] == "dismissed"


# --- resolving: the actions -------------------------------------------------------------------


async def test_a_hidden_message_is_read_by_its_sender_only(client: httpx.AsyncClient, admin: Headers) -> None:
    sender, sender_headers, recipient_headers, message = await message_between(client)
    report_id = await reported(client, recipient_headers, "message", message["id"])

    settled = await resolved(client, admin, report_id, "hide_content", "Off-platform payment")

    assert (settled["status"], settled["resolution_action"]) == ("resolved", "hide_content")
    assert settled["resolution_note"] == "Off-platform payment"
    url = f"/v1/conversations/{message['conversation_id']}/messages"
    [theirs, _] = (await client.get(url, headers=recipient_headers)).json()["items"]
    assert (theirs["id"], theirs["content"], theirs["hidden"]) == (message["id"], None, True)
    [mine, _] = (await client.get(url, headers=sender_headers)).json()["items"]
    assert (mine["content"], mine["hidden"]) == ("Pay me on the side, it is cheaper", True)
    [conversation] = (await client.get("/v1/conversations", headers=recipient_headers)).json()["items"]
    assert (conversation["last_message"]["content"], conversation["last_message"]["hidden"]) == (None, True)
    [entry] = await audit_actions(client, admin, action="report.resolve")
    assert entry["after"]["author_id"] == sender["id"]


async def test_a_hidden_gig_is_seen_by_its_creator_and_admins_and_stays_off(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    _, creator_headers = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    gig = await make_gig(client, creator_headers)
    report_id = await reported(client, client_headers, "gig", gig["id"])

    await resolved(client, admin, report_id, "hide_content")

    url = f"/v1/gigs/{gig['id']}"
    for headers in ({}, client_headers):
        assert_error(await client.get(url, headers=headers), 404, "gig_not_found")
        assert_error(await client.get(f"/v1/gigs/{gig['slug']}", headers=headers), 404, "gig_not_found")
    assert (await client.get(url, headers=creator_headers)).json()["is_active"] is False
    assert (await client.get(url, headers=admin)).status_code == 200
    assert gig["id"] not in {g["id"] for g in (await client.get("/v1/gigs")).json()["items"]}
    resume = await client.put(url, json={"is_active": True}, headers=creator_headers)
    assert_error(resume, 409, "gig_hidden_by_moderators")
    assert (await client.get(url, headers=creator_headers)).json()["is_active"] is False
    [mine] = (await client.get("/v1/users/me/gigs", headers=creator_headers)).json()["items"]
    assert (mine["is_listed"], mine["hidden_by_moderators"]) == (False, True)
    # An admin switching it back on lifts the hiding.
    assert (await client.put(url, json={"is_active": True}, headers=admin)).status_code == 200
    assert (await client.get(url)).status_code == 200


async def test_a_hidden_project_leaves_lists_and_search(client: httpx.AsyncClient, admin: Headers) -> None:
    owner, owner_headers = await signed_up(client, "client")
    _, creator_headers = await signed_up(client, "creator")
    project = await make_project(client, owner_headers)
    listed = (await client.get("/v1/projects", params={"client_id": owner["id"]})).json()
    assert [p["id"] for p in listed["items"]] == [project["id"]]
    report_id = await reported(client, creator_headers, "project", project["id"])

    await resolved(client, admin, report_id, "hide_content")

    url = f"/v1/projects/{project['id']}"
    for headers in ({}, creator_headers):
        assert_error(await client.get(url, headers=headers), 404, "project_not_found")
        for path in ("/v1/projects", "/v1/search/projects"):
            found = (await client.get(path, params={"client_id": owner["id"]}, headers=headers)).json()
            assert found["items"] == [], path
    for headers in (owner_headers, admin):
        assert (await client.get(url, headers=headers)).status_code == 200
    mine = (await client.get("/v1/projects", params={"client_id": owner["id"]}, headers=owner_headers)).json()
    assert [p["id"] for p in mine["items"]] == [project["id"]]


async def test_a_hidden_profile_is_seen_by_its_owner_and_admins_only(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    creator, creator_headers = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    found = (await client.get("/v1/search/creators")).json()["items"]
    assert creator["id"] in {hit["id"] for hit in found}
    report_id = await reported(client, client_headers, "user", creator["id"])

    await resolved(client, admin, report_id, "hide_content")

    url = f"/v1/users/{creator['id']}"
    for headers in ({}, client_headers):
        assert_error(await client.get(url, headers=headers), 404, "user_not_found")
        assert_error(await client.get(f"{url}/portfolio", headers=headers), 404, "user_not_found")
    for headers in (creator_headers, admin):
        assert (await client.get(url, headers=headers)).json()["username"] == creator["username"]
        assert (await client.get(f"{url}/portfolio", headers=headers)).status_code == 200
    found = (await client.get("/v1/search/creators")).json()["items"]
    assert creator["id"] not in {hit["id"] for hit in found}


async def test_hiding_a_review_removes_it(client: httpx.AsyncClient, admin: Headers) -> None:
    deal, review_id = await reviewed_deal(client)
    report_id = await reported(client, deal.creator_headers, "review", review_id)

    await resolved(client, admin, report_id, "hide_content", "Insults")

    assert_error(await client.get(f"/v1/reviews/{review_id}"), 404, "review_not_found")
    [removal] = await audit_actions(client, admin, action="review.remove")
    assert (removal["target_id"], removal["reason"]) == (review_id, "Insults")


async def test_a_warning_notifies_the_author_as_their_preferences_say(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    _, sender_headers, recipient_headers, message = await message_between(client)
    first = await reported(client, recipient_headers, "message", message["id"])

    await resolved(client, admin, first, "warn", "No payments outside the platform, please.")

    [warning] = [n for n in await notifications(client, sender_headers) if n["type"] == "moderation_warning"]
    assert warning["content"] == (
        "Your message was reported, and a moderator looked into it: No payments outside the platform, please."
    )
    assert (warning["reference_type"], warning["reference_id"]) == ("message", str(message["id"]))
    assert "moderation_warning" not in {n["type"] for n in await notifications(client, recipient_headers)}

    await set_notification_preferences(client, sender_headers, {"moderation_warning": {"in_app": False}})
    again = await send_message(client, sender_headers, message["conversation_id"], "Venmo me instead")
    await resolved(client, admin, await reported(client, recipient_headers, "message", again["id"]), "warn")
    warnings = [n for n in await notifications(client, sender_headers) if n["type"] == "moderation_warning"]
    assert len(warnings) == 1


async def notifications(client: httpx.AsyncClient, who: Headers) -> list[dict[str, Any]]:
    response = await client.get("/v1/notifications", headers=who)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_suspend_user_suspends_the_author_but_never_an_admin(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    creator, creator_headers = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    report_id = await reported(client, client_headers, "user", creator["id"])

    await resolved(client, admin, report_id, "suspend_user", "Scams clients")

    assert (
        await client.get("/v1/users/me", headers=creator_headers)
    ).status_code == 403  # account_suspended, with the reason
    [account] = (
        await client.get("/v1/admin/users", params={"q": creator["username"]}, headers=admin)
    ).json()["items"]
    assert (account["status"], account["suspension_reason"]) == ("suspended", "Scams clients")
    [suspension] = await audit_actions(client, admin, action="user.suspend")
    assert suspension["target_id"] == creator["id"]

    other_admin = await me(client, await make_admin(client))
    on_admin = await reported(client, client_headers, "user", other_admin["id"])
    assert_error(await resolve(client, admin, on_admin, "suspend_user"), 409, "cannot_suspend_admin")
    still = (await queue(client, admin))["items"]
    assert [(item["id"], item["status"]) for item in still] == [(on_admin, "open")]


# --- resolving: the rules -------------------------------------------------------------------


async def test_every_open_report_on_the_target_is_settled_with_it_and_audited(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    creator, creator_headers = await signed_up(client, "creator")
    reporters = [(await signed_up(client, "client"))[1] for _ in range(3)]
    gig = await make_gig(client, creator_headers)
    first, second, third = [await reported(client, who, "gig", gig["id"]) for who in reporters]
    unrelated = await reported(client, reporters[0], "user", creator["id"])

    settled = await resolved(client, admin, second, "hide_content", "Stolen footage")

    assert settled["open_reports_on_target"] == 0
    everything = {item["id"]: item for item in (await queue(client, admin, status="resolved"))["items"]}
    assert set(everything) == {first, second, third}
    assert {(i["resolution_action"], i["resolution_note"]) for i in everything.values()} == {
        ("hide_content", "Stolen footage")
    }
    admin_id = (await me(client, admin))["id"]
    assert {item["resolved_by"] for item in everything.values()} == {admin_id}
    assert [item["id"] for item in (await queue(client, admin))["items"]] == [unrelated]
    entries = {
        entry["target_id"]: entry for entry in await audit_actions(client, admin, action="report.resolve")
    }
    assert set(entries) == {first, second, third}
    main = entries[second]
    assert (main["actor_id"], main["target_type"], main["reason"]) == (admin_id, "report", "Stolen footage")
    assert main["before"] == {"status": "open"}
    assert main["after"] == {
        "status": "resolved",
        "action": "hide_content",
        "target_type": "gig",
        "target_id": gig["id"],
        "hidden": True,
        "author_id": creator["id"],
    }
    assert entries[first]["after"]["resolved_with"] == second


async def test_resolving_twice_is_a_conflict_and_changes_nothing(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    creator, creator_headers = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    report_id = await reported(client, client_headers, "user", creator["id"])
    await resolved(client, admin, report_id, "dismiss", "Nothing wrong")

    for action in ("dismiss", "warn", "suspend_user", "hide_content"):
        again = await resolve(client, admin, report_id, action, "Second look")
        assert_error(again, 409, "report_already_resolved")
        assert again.json()["details"] == {"status": "dismissed"}

    [item] = (await queue(client, admin, status="dismissed"))["items"]
    assert (item["resolution_action"], item["resolution_note"]) == ("dismiss", "Nothing wrong")
    assert len(await audit_actions(client, admin, action="report.resolve")) == 1
    assert (await client.get("/v1/users/me", headers=creator_headers)).status_code == 200
    assert (await client.get(f"/v1/users/{creator['id']}")).status_code == 200
    assert await notifications(client, creator_headers) == []


async def test_bad_resolutions_are_refused(client: httpx.AsyncClient, admin: Headers) -> None:
    creator, _ = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    report_id = await reported(client, client_headers, "user", creator["id"])
    url = f"/v1/admin/reports/{report_id}/resolve"
    for body in (
        {"action": "ban", "note": "x"},
        {"action": "warn", "note": "   "},
        {"action": "warn", "note": "x" * 2001},
        {"action": "warn"},
        {"action": "warn", "note": "x", "extra": 1},
    ):
        assert_error(await client.put(url, json=body, headers=admin), 422, "validation_error")
    assert_error(await resolve(client, admin, NOBODY, "dismiss"), 404, "report_not_found")
    assert_error(
        await client.get("/v1/admin/reports", params={"status": "closed"}, headers=admin),
        422,
        "validation_error",
    )
    [item] = (await queue(client, admin))["items"]
    assert (item["status"], item["resolved_at"]) == ("open", None)
    assert await audit_actions(client, admin, action="report.resolve") == []


# --- reporting reviews and projects -----------------------------------------------------------


async def test_reporting_a_review_needs_one_shown_and_not_ones_own(client: httpx.AsyncClient) -> None:
    deal = await completed_order(client)
    written = await client.post(
        "/v1/reviews", json=review_body(deal.order["id"], 2), headers=deal.client_headers
    )
    review_id = written.json()["id"]
    # Not shown yet: it exists for its author only.
    assert_error(await report(client, deal.creator_headers, "review", review_id), 404, "review_not_found")
    assert_error(
        await report(client, deal.client_headers, "review", review_id), 400, "cannot_report_yourself"
    )
    await client.post("/v1/reviews", json=review_body(deal.order["id"]), headers=deal.creator_headers)

    assert (await report(client, deal.creator_headers, "review", review_id)).status_code == 201
    assert_error(
        await report(client, deal.client_headers, "review", review_id), 400, "cannot_report_yourself"
    )
    assert_error(await report(client, deal.creator_headers, "review", NOBODY), 404, "review_not_found")
    assert_error(await report(client, deal.creator_headers, "review", "nope"), 400, "invalid_target_id")


async def test_reporting_a_project_needs_one_visible_and_not_ones_own(client: httpx.AsyncClient) -> None:
    _, owner_headers = await signed_up(client, "client")
    _, creator_headers = await signed_up(client, "creator")
    public = await make_project(client, owner_headers)
    private = await make_project(client, owner_headers, visibility="invite_only")

    assert (await report(client, creator_headers, "project", public["id"])).status_code == 201
    assert_error(await report(client, owner_headers, "project", public["id"]), 400, "cannot_report_yourself")
    assert_error(await report(client, creator_headers, "project", private["id"]), 404, "project_not_found")
    assert_error(await report(client, creator_headers, "project", NOBODY), 404, "project_not_found")

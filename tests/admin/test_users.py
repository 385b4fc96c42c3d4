"""GET /v1/admin/users and the verified badge: who may look, the filters, the figures; bad input
is a 4xx in the error format and changes nothing; every change lands in the audit log."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from reelbyte.admin.models import UserVerification
from tests.factories import (
    Headers,
    count_rows,
    make_gig,
    make_paid_order,
    seller_and_buyer,
    signed_up,
)

ADMIN_ROUTES = [
    ("GET", "/v1/admin/users", None),
    ("PUT", "/v1/admin/users/{id}/verify", {"kind": "identity"}),
    ("DELETE", "/v1/admin/users/{id}/verify", None),
    ("PUT", "/v1/admin/users/{id}/suspend", {"reason": "Spam"}),
    ("PUT", "/v1/admin/users/{id}/unsuspend", None),
    ("PUT", "/v1/admin/withdrawals/{id}/release", None),
    ("GET", "/v1/admin/audit", None),
]


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "message", "details"}, body
    assert body["error"] == code, body


async def me(client: httpx.AsyncClient, headers: Headers) -> dict[str, Any]:
    return dict((await client.get("/v1/users/me", headers=headers)).json())


async def admin_view(client: httpx.AsyncClient, admin: Headers, **params: Any) -> list[dict[str, Any]]:
    response = await client.get("/v1/admin/users", params=params, headers=admin)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_only_admins_reach_the_admin_routes(client: httpx.AsyncClient) -> None:
    creator, creator_headers = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    for method, path, body in ADMIN_ROUTES:
        url = path.format(id=creator["id"])
        for headers in (creator_headers, client_headers):
            response = await client.request(method, url, json=body, headers=headers)
            assert_error(response, 403, "wrong_role")
            assert response.json()["message"] == "Only an admin can do this."
        assert (await client.request(method, url, json=body)).status_code == 401
    assert (await me(client, creator_headers))["role"] == "creator"


async def test_the_list_shows_each_account_with_its_figures(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    creator_headers, client_headers, gig, package = await seller_and_buyer(client, price_minor=12000)
    await make_paid_order(client, client_headers, gig, package)
    await make_paid_order(client, client_headers, gig, package)
    creator, buyer = await me(client, creator_headers), await me(client, client_headers)
    report = {"target_type": "user", "target_id": creator["id"], "reason": "Asks to pay outside"}
    assert (await client.post("/v1/reports", json=report, headers=client_headers)).status_code == 201

    rows = {row["id"]: row for row in await admin_view(client, admin)}

    seller = rows[creator["id"]]
    assert seller["email"] == creator["email"]
    assert seller["status"] == "active"
    assert (seller["orders_as_creator"], seller["orders_as_client"]) == (2, 0)
    assert seller["gmv_as_creator"] == {"currency": "EUR", "value": "240.00"}
    assert seller["open_reports"] == 1
    client_row = rows[buyer["id"]]
    assert (client_row["orders_as_client"], client_row["gmv_as_client"]["value"]) == (2, "240.00")
    assert client_row["open_reports"] == 0
    assert "password_hash" not in seller


async def test_filters(client: httpx.AsyncClient, admin: Headers) -> None:
    maya, maya_headers = await signed_up(client, "creator", verified=False)
    buyer, _ = await signed_up(client, "client")
    await client.put(f"/v1/admin/users/{maya['id']}/verify", json={"kind": "portfolio"}, headers=admin)

    def ids(rows: list[dict[str, Any]]) -> set[str]:
        return {row["id"] for row in rows}

    assert ids(await admin_view(client, admin, role="client")) == {buyer["id"]}
    assert ids(await admin_view(client, admin, verified="true")) == {maya["id"]}
    assert maya["id"] not in ids(await admin_view(client, admin, verified="false"))
    assert ids(await admin_view(client, admin, q=maya["username"][3:12].upper())) == {maya["id"]}
    assert ids(await admin_view(client, admin, q="100%_")) == set()  # LIKE's wildcards match themselves
    assert ids(await admin_view(client, admin, q=buyer["email"])) == {buyer["id"]}
    assert ids(await admin_view(client, admin, email_verified="false")) == {maya["id"]}
    assert ids(await admin_view(client, admin, email_verified="true", role="client")) == {buyer["id"]}
    assert ids(await admin_view(client, admin, status="deactivated")) == set()
    await client.delete("/v1/users/me", headers=maya_headers)
    assert ids(await admin_view(client, admin, status="deactivated")) == {maya["id"]}
    assert maya["id"] not in ids(await admin_view(client, admin, status="active"))
    assert ids(await admin_view(client, admin, signed_up_from="2999-01-01T00:00:00Z")) == set()
    everyone = await admin_view(client, admin, signed_up_to="2999-01-01T00:00:00Z")
    assert {maya["id"], buyer["id"]} <= ids(everyone)


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        (
            {"signed_up_from": "2026-02-01T00:00:00Z", "signed_up_to": "2026-01-01T00:00:00Z"},
            422,
            "invalid_date_range",
        ),
        ({"status": "banned"}, 422, "validation_error"),
        ({"role": "owner"}, 422, "validation_error"),
        ({"signed_up_from": "2026-02-01T00:00:00"}, 422, "validation_error"),  # no time zone
        ({"signed_up_to": "0.5"}, 422, "validation_error"),  # not seconds since 1970
        ({"q": ""}, 422, "validation_error"),
        ({"page_size": "101"}, 422, "validation_error"),
    ],
)
async def test_bad_list_queries(
    client: httpx.AsyncClient, admin: Headers, params: dict[str, str], status: int, code: str
) -> None:
    assert_error(await client.get("/v1/admin/users", params=params, headers=admin), status, code)


async def test_verifying_gives_the_badge_until_the_last_verification_goes(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    maya, headers = await signed_up(client, "creator")
    url = f"/v1/admin/users/{maya['id']}/verify"

    first = await client.put(url, json={"kind": "identity", "note": "Passport checked"}, headers=admin)
    again = await client.put(url, json={"kind": "identity", "note": "Passport and selfie"}, headers=admin)
    portfolio = await client.put(url, json={"kind": "portfolio"}, headers=admin)

    assert first.status_code == again.status_code == portfolio.status_code == 200
    verified_at = first.json()["verified_at"]
    assert verified_at is not None
    assert portfolio.json()["verified_at"] == verified_at
    assert [(v["kind"], v["note"]) for v in portfolio.json()["verifications"]] == [
        ("identity", "Passport and selfie"),
        ("portfolio", None),
    ]
    assert await count_rows(UserVerification) == 2

    taken = await client.delete(url, params={"kind": "identity"}, headers=admin)
    assert taken.status_code == 200
    assert taken.json()["verified_at"] == verified_at
    gone = await client.delete(url, headers=admin)
    assert gone.status_code == 200
    assert gone.json()["verified_at"] is None
    assert_error(await client.delete(url, headers=admin), 404, "verification_not_found")

    audit = (await client.get("/v1/admin/audit", params={"target_id": maya["id"]}, headers=admin)).json()
    assert [entry["action"] for entry in audit["items"]] == [
        "user.unverify",
        "user.unverify",
        "user.verify",
        "user.verify",
        "user.verify",
    ]
    assert audit["items"][-1]["reason"] == "Passport checked"
    assert audit["items"][-1]["before"]["verified_at"] is None
    assert (await me(client, headers))["role"] == "creator"


@pytest.mark.parametrize(
    "body",
    [{}, {"kind": "passport"}, {"kind": "identity", "note": "  "}, {"kind": "identity", "extra": 1}],
)
async def test_bad_verifications_change_nothing(
    client: httpx.AsyncClient, admin: Headers, body: dict[str, Any]
) -> None:
    maya, _ = await signed_up(client, "creator")
    response = await client.put(f"/v1/admin/users/{maya['id']}/verify", json=body, headers=admin)
    assert_error(response, 422, "validation_error")
    assert await count_rows(UserVerification) == 0


async def test_unknown_accounts_are_404(client: httpx.AsyncClient, admin: Headers) -> None:
    nobody = "00000000-0000-4000-8000-000000000000"
    for method, path, body in ADMIN_ROUTES[1:5]:
        response = await client.request(method, path.format(id=nobody), json=body, headers=admin)
        assert_error(response, 404, "user_not_found")


async def test_the_badge_shows_on_profiles_gig_cards_and_search_and_filters_them(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    maya, headers = await signed_up(client, "creator")
    other, other_headers = await signed_up(client, "creator")
    gig = await make_gig(client, headers, title="I will cut your wedding film")
    plain = await make_gig(client, other_headers, title="I will cut your travel vlog")
    before = (await client.get("/v1/gigs")).json()["items"]  # cached: the badge must not wait for it
    assert {item["creator"]["is_verified"] for item in before} == {False}

    await client.put(f"/v1/admin/users/{maya['id']}/verify", json={"kind": "identity"}, headers=admin)

    cards = {
        item["id"]: item["creator"]["is_verified"] for item in (await client.get("/v1/gigs")).json()["items"]
    }
    assert cards == {gig["id"]: True, plain["id"]: False}
    assert (await client.get(f"/v1/gigs/{gig['id']}")).json()["creator"]["is_verified"] is True
    assert (await client.get(f"/v1/users/{maya['id']}")).json()["is_verified"] is True
    assert (await client.get(f"/v1/users/{other['id']}")).json()["is_verified"] is False
    verified_gigs = (await client.get("/v1/gigs", params={"verified": "true"})).json()["items"]
    assert [item["id"] for item in verified_gigs] == [gig["id"]]
    unverified_gigs = (await client.get("/v1/search/gigs", params={"q": "cut", "verified": "false"})).json()
    assert [item["id"] for item in unverified_gigs["items"]] == [plain["id"]]
    creators = (await client.get("/v1/search/creators", params={"verified": "true"})).json()["items"]
    assert [(item["id"], item["is_verified"]) for item in creators] == [(maya["id"], True)]

"""GET /v1/users/me/gigs: a creator's own gigs, paused and unpriced ones too, which public
lists leave out; nobody else's."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Headers, make_gig, signed_up

Creator = tuple[dict[str, Any], Headers]


async def test_my_gigs_list_paused_and_unpriced_gigs_newest_first(
    client: httpx.AsyncClient, creator: Creator
) -> None:
    _, headers = creator
    listed = await make_gig(client, creator[1], title="I will cut your wedding film")
    paused = await make_gig(client, creator[1], title="I will grade your short film")
    unpriced = await make_gig(client, creator[1], title="I will animate your logo", packages=[])
    response = await client.put(f"/v1/gigs/{paused['id']}", json={"is_active": False}, headers=headers)
    assert response.status_code == 200, response.text

    response = await client.get("/v1/users/me/gigs", headers=headers)

    assert response.status_code == 200, response.text
    page = response.json()
    assert [(g["id"], g["is_active"], g["is_listed"]) for g in page["items"]] == [
        (unpriced["id"], True, False),
        (paused["id"], False, False),
        (listed["id"], True, True),
    ]
    assert (page["total"], page["page"], page["total_pages"]) == (3, 1, 1)
    mine = page["items"][2]
    assert mine["title"] == "I will cut your wedding film"
    assert mine["price_from"] == listed["price_from"]
    assert mine["stats"] == listed["stats"]
    assert mine["updated_at"] == listed["updated_at"]
    public = (await client.get("/v1/gigs", params={"creator_id": creator[0]["id"]})).json()
    assert [g["id"] for g in public["items"]] == [listed["id"]]


async def test_my_gigs_are_paged(client: httpx.AsyncClient, creator: Creator) -> None:
    made = [await make_gig(client, creator[1], title=f"I will edit video number {n}") for n in range(3)]

    first = (await client.get("/v1/users/me/gigs?page_size=2", headers=creator[1])).json()
    second = (await client.get("/v1/users/me/gigs?page=2&page_size=2", headers=creator[1])).json()

    assert [g["id"] for g in first["items"] + second["items"]] == [g["id"] for g in reversed(made)]
    assert (first["total"], first["total_pages"]) == (3, 2)


async def test_another_users_token_sees_only_their_own_gigs(
    client: httpx.AsyncClient, creator: Creator
) -> None:
    await make_gig(client, creator[1])
    _, other_creator = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")

    for headers in (other_creator, client_headers):
        page = (await client.get("/v1/users/me/gigs", headers=headers)).json()
        assert (page["items"], page["total"]) == ([], 0)


async def test_my_gigs_need_a_login_and_valid_paging(client: httpx.AsyncClient, creator: Creator) -> None:
    response = await client.get("/v1/users/me/gigs")
    assert response.status_code == 401
    assert set(response.json()) == {"error", "message", "details"}

    response = await client.get("/v1/users/me/gigs?page_size=101", headers=creator[1])
    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"

"""Gigs: create (with packages), read by id or slug, edit, delete; who may see and change what;
bad input is a 4xx in the error format and changes nothing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from reelbyte.catalog.models import Gig
from tests.factories import (
    Headers,
    count_rows,
    get_row,
    gig_body,
    make_gig,
    package_body,
    signed_up,
    taxonomy,
    update_gig,
)

Creator = tuple[dict[str, Any], Headers]


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "message", "details"}, body
    if code is not None:
        assert body["error"] == code, body


async def test_create_gig_with_its_packages(client: httpx.AsyncClient, creator: Creator) -> None:
    user, headers = creator
    body = await gig_body(
        tags=["  YouTube ", "youtube", "Premiere   Pro"],
        packages=[
            package_body("premium", "150.00", 2),
            package_body("Basic", "50", 5),
            package_body("standard", "99.5", 4),
        ],
    )
    response = await client.post("/v1/gigs", json=body, headers=headers)
    assert response.status_code == 201, response.text
    gig = response.json()
    ids = await taxonomy()
    assert gig["title"] == body["title"]
    assert gig["slug"] == "i-will-edit-your-youtube-video"
    assert gig["tags"] == ["youtube", "premiere pro"]  # normalised, duplicates dropped
    assert gig["category"] == {"id": ids["video-editing"], "name": "Video Editing", "slug": "video-editing"}
    assert gig["subcategory"]["slug"] == "youtube-videos"
    assert gig["creator"]["id"] == user["id"]
    assert gig["creator"]["creator_level"] == gig["creator_level"] == "new"
    assert "email" not in gig["creator"]
    assert [p["tier"] for p in gig["packages"]] == ["basic", "standard", "premium"]
    assert [p["price"] for p in gig["packages"]] == [
        {"currency": "EUR", "value": "50.00"},
        {"currency": "EUR", "value": "99.50"},
        {"currency": "EUR", "value": "150.00"},
    ]
    assert gig["price_from"] == {"currency": "EUR", "value": "50.00"}
    assert gig["price_to"] == {"currency": "EUR", "value": "150.00"}
    assert gig["min_delivery_days"] == 2
    assert gig["stats"] == {"views": 0, "orders": 0, "rating": "0.00", "total_reviews": 0}
    assert gig["is_active"] is True
    assert gig["is_featured"] is False
    assert gig["video_preview_url"] == "https://vimeo.com/76979871"
    assert gig["gallery_urls"] == ["https://images.example.com/1.jpg"]
    assert gig["requirements"] == "Your raw footage."

    listed = (await client.get("/v1/gigs")).json()
    assert [item["id"] for item in listed["items"]] == [gig["id"]]


async def test_hybrids_create_gigs_clients_and_admins_cannot(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    _, hybrid = await signed_up(client, "hybrid")
    await make_gig(client, hybrid)
    _, buyer = await signed_up(client, "client")
    body = await gig_body(title="Another gig title")
    assert_error(await client.post("/v1/gigs", json=body, headers=buyer), 403, "wrong_role")
    assert_error(await client.post("/v1/gigs", json=body, headers=admin), 403, "wrong_role")
    assert_error(await client.post("/v1/gigs", json=body), 401, "not_authenticated")
    assert await count_rows(Gig) == 1


async def test_a_gig_without_packages_is_not_listed_but_can_be_opened(
    client: httpx.AsyncClient, creator: Creator
) -> None:
    _, headers = creator
    gig = await make_gig(client, headers, packages=[])
    assert gig["packages"] == []
    assert gig["price_from"] is None
    assert gig["price_to"] is None
    assert gig["min_delivery_days"] is None
    assert (await client.get("/v1/gigs")).json()["total"] == 0
    assert (await client.get(f"/v1/gigs/{gig['id']}")).status_code == 200


async def test_slugs_come_from_the_title_with_a_suffix_on_collision(
    client: httpx.AsyncClient, creator: Creator
) -> None:
    _, headers = creator
    slugs = [(await make_gig(client, headers, title="Wedding Films — Cinematic!"))["slug"] for _ in range(3)]
    assert slugs == ["wedding-films-cinematic", "wedding-films-cinematic-2", "wedding-films-cinematic-3"]
    assert (await make_gig(client, headers, title="Café Édition"))["slug"] == "cafe-edition"
    assert (await make_gig(client, headers, title="!!! ???"))["slug"] == "item"
    long_title = "a" * 120
    slug = (await make_gig(client, headers, title=long_title))["slug"]
    assert len(slug) <= 160
    assert slug.startswith("a")

    # The slug stays when the title changes: links keep working.
    gig = await make_gig(client, headers, title="Original title")
    response = await client.put(f"/v1/gigs/{gig['id']}", json={"title": "A new title"}, headers=headers)
    assert response.json()["slug"] == "original-title"
    assert (await client.get("/v1/gigs/original-title")).json()["title"] == "A new title"


async def test_concurrent_creates_with_one_title_get_distinct_slugs(
    client: httpx.AsyncClient, creator: Creator
) -> None:
    _, headers = creator
    body = await gig_body(title="Same Title Everywhere")
    responses = await asyncio.gather(*[client.post("/v1/gigs", json=body, headers=headers) for _ in range(6)])
    assert [r.status_code for r in responses] == [201] * 6, [r.text for r in responses]
    slugs = {r.json()["slug"] for r in responses}
    assert slugs == {"same-title-everywhere", *{f"same-title-everywhere-{n}" for n in range(2, 7)}}


async def test_a_gig_is_found_by_id_or_slug(client: httpx.AsyncClient, creator: Creator) -> None:
    _, headers = creator
    gig = await make_gig(client, headers)
    by_id = await client.get(f"/v1/gigs/{gig['id']}")
    by_slug = await client.get(f"/v1/gigs/{gig['slug']}")
    assert by_id.status_code == by_slug.status_code == 200
    assert by_id.json()["id"] == by_slug.json()["id"] == gig["id"]
    for missing in ["00000000-0000-0000-0000-000000000000", "no-such-gig", "%F0%9F%8E%AC"]:
        assert_error(await client.get(f"/v1/gigs/{missing}"), 404, "gig_not_found")
    assert_error(await client.get("/v1/gigs/nul%00byte"), 422, "control_characters")
    assert (await client.get(f"/v1/gigs/{'x' * 161}")).status_code == 422


async def test_an_inactive_gig_is_seen_only_by_its_creator_and_admins(
    client: httpx.AsyncClient, creator: Creator, admin: Headers
) -> None:
    _, owner = creator
    _, other = await signed_up(client, "creator")
    gig = await make_gig(client, owner)
    response = await client.put(f"/v1/gigs/{gig['id']}", json={"is_active": False}, headers=owner)
    assert response.status_code == 200
    assert response.json()["is_active"] is False

    for path in (f"/v1/gigs/{gig['id']}", f"/v1/gigs/{gig['slug']}", f"/v1/gigs/{gig['id']}/packages"):
        assert_error(await client.get(path), 404, "gig_not_found")
        assert_error(await client.get(path, headers=other), 404, "gig_not_found")
        assert (await client.get(path, headers=owner)).status_code == 200
        assert (await client.get(path, headers=admin)).status_code == 200
    assert (await client.get("/v1/gigs")).json()["total"] == 0

    await client.put(f"/v1/gigs/{gig['id']}", json={"is_active": True}, headers=owner)
    assert (await client.get(f"/v1/gigs/{gig['id']}")).status_code == 200
    assert (await client.get("/v1/gigs")).json()["total"] == 1


async def test_a_bad_token_is_refused_even_where_none_is_needed(
    client: httpx.AsyncClient, creator: Creator
) -> None:
    _, headers = creator
    gig = await make_gig(client, headers)
    response = await client.get(f"/v1/gigs/{gig['id']}", headers={"Authorization": "Bearer not-a-token"})
    assert_error(response, 401, "invalid_token")


async def test_update_changes_only_the_fields_sent(client: httpx.AsyncClient, creator: Creator) -> None:
    _, headers = creator
    gig = await make_gig(client, headers)
    ids = await taxonomy()
    changes = {
        "description": "Now with colour grading.",
        "tags": ["Colour", "GRADING", "colour"],
        "category_id": ids["post-production"],
        "subcategory_id": ids["color-grading"],
        "thumbnail_url": None,
        "requirements": None,
    }
    response = await client.put(f"/v1/gigs/{gig['id']}", json=changes, headers=headers)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["description"] == "Now with colour grading."
    assert updated["tags"] == ["colour", "grading"]
    assert updated["category"]["slug"] == "post-production"
    assert updated["subcategory"]["slug"] == "color-grading"
    assert updated["thumbnail_url"] is None
    assert updated["requirements"] is None
    assert updated["title"] == gig["title"]  # untouched
    assert updated["video_preview_url"] == gig["video_preview_url"]
    assert updated["packages"] == gig["packages"]
    assert updated["updated_at"] > gig["updated_at"]

    # Dropping the subcategory is allowed; a category alone is enough.
    response = await client.put(f"/v1/gigs/{gig['id']}", json={"subcategory_id": None}, headers=headers)
    assert response.json()["subcategory"] is None


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"subcategory_id": "wedding-films"}, 422, "validation_error"),
        ({"title": None}, 422, "validation_error"),
        ({"tags": None}, 422, "validation_error"),
        ({"is_active": None}, 422, "validation_error"),
        ({"tags": [f"tag{i}" for i in range(11)]}, 422, "validation_error"),
        ({"stats": {"views": 10}}, 422, "validation_error"),
        ({"views_count": 10}, 422, "validation_error"),
        ({"slug": "my-own-slug"}, 422, "validation_error"),
        ({"creator_id": "00000000-0000-0000-0000-000000000000"}, 422, "validation_error"),
        ({"packages": []}, 422, "validation_error"),
        ({"thumbnail_url": "http://169.254.169.254/latest"}, 422, "validation_error"),
        ({"is_featured": True}, 403, "admin_only"),
    ],
)
async def test_bad_updates_change_nothing(
    client: httpx.AsyncClient, creator: Creator, changes: dict[str, Any], status: int, code: str
) -> None:
    _, headers = creator
    gig = await make_gig(client, headers)
    ids = await taxonomy()
    if changes.get("subcategory_id") == "wedding-films":
        changes = {"subcategory_id": ids["wedding-films"], "category_id": ids["motion-graphics"]}
        status, code = 400, "invalid_subcategory"
    assert_error(await client.put(f"/v1/gigs/{gig['id']}", json=changes, headers=headers), status, code)
    assert (await client.get(f"/v1/gigs/{gig['id']}", headers=headers)).json() == gig


async def test_a_subcategory_must_belong_to_the_category(client: httpx.AsyncClient, creator: Creator) -> None:
    _, headers = creator
    gig = await make_gig(client, headers)
    ids = await taxonomy()
    # A new category keeps the old subcategory, which belongs to the old one: refused.
    response = await client.put(
        f"/v1/gigs/{gig['id']}", json={"category_id": ids["animation"]}, headers=headers
    )
    assert_error(response, 400, "invalid_subcategory")
    response = await client.put(
        f"/v1/gigs/{gig['id']}", json={"category_id": ids["youtube-videos"]}, headers=headers
    )
    assert_error(response, 400, "invalid_category")
    assert (await client.get(f"/v1/gigs/{gig['id']}")).json()["category"]["slug"] == "video-editing"


async def test_only_admins_feature_gigs_and_admins_change_only_flags(
    client: httpx.AsyncClient, creator: Creator, admin: Headers
) -> None:
    _, owner = creator
    gig = await make_gig(client, owner)
    path = f"/v1/gigs/{gig['id']}"
    assert_error(await client.put(path, json={"is_featured": True}, headers=owner), 403, "admin_only")

    response = await client.put(path, json={"is_featured": True}, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["is_featured"] is True
    featured = (await client.get("/v1/gigs", params={"featured": "true"})).json()
    assert [item["id"] for item in featured["items"]] == [gig["id"]]

    assert_error(await client.put(path, json={"title": "Admin's title"}, headers=admin), 403, "not_owner")
    assert_error(await client.delete(path, headers=admin), 403, "not_owner")

    # Moderation: an admin may take a gig down and put it back.
    assert (await client.put(path, json={"is_active": False}, headers=admin)).json()["is_active"] is False
    assert (await client.get(path)).status_code == 404
    assert (await client.put(path, json={"is_active": True}, headers=admin)).status_code == 200
    assert (await client.get(path)).json()["title"] == gig["title"]


def _object_requests(gig: dict[str, Any]) -> list[tuple[str, str, dict[str, Any] | None]]:
    gig_path = f"/v1/gigs/{gig['id']}"
    package_path = f"{gig_path}/packages/{gig['packages'][0]['id']}"
    return [
        ("PUT", gig_path, {"title": "Stolen gig"}),
        ("PUT", gig_path, {"is_active": False}),
        ("DELETE", gig_path, None),
        ("POST", f"{gig_path}/packages", package_body("standard", "75.00")),
        ("PUT", package_path, {"price": {"currency": "EUR", "value": "1.00"}}),
        ("DELETE", package_path, None),
    ]


async def _state(client: httpx.AsyncClient, gig_id: str, owner: Headers) -> dict[str, Any]:
    return dict((await client.get(f"/v1/gigs/{gig_id}", headers=owner)).json())


async def test_another_users_token_on_every_gig_endpoint(client: httpx.AsyncClient, creator: Creator) -> None:
    """403 where the caller can see the gig; 404 where they cannot; nothing changes either way."""
    _, owner = creator
    _, other_creator = await signed_up(client, "creator")
    _, other_client = await signed_up(client, "client")
    gig = await make_gig(client, owner)
    before = await _state(client, gig["id"], owner)

    for headers in (other_creator, other_client):
        for method, path, body in _object_requests(gig):
            response = await client.request(method, path, json=body, headers=headers)
            assert_error(response, 403, "not_owner")
    for method, path, body in _object_requests(gig):  # and without a token at all
        assert_error(await client.request(method, path, json=body), 401)
    assert await _state(client, gig["id"], owner) == before

    await update_gig(gig["id"], is_active=False)
    before = await _state(client, gig["id"], owner)
    for headers in (other_creator, other_client):
        for method, path, body in _object_requests(gig):
            response = await client.request(method, path, json=body, headers=headers)
            assert_error(response, 404, "gig_not_found")
    assert await _state(client, gig["id"], owner) == before


async def test_deleting_a_gig_without_orders_removes_it(client: httpx.AsyncClient, creator: Creator) -> None:
    _, owner = creator
    gig = await make_gig(client, owner)
    response = await client.delete(f"/v1/gigs/{gig['id']}", headers=owner)
    assert response.status_code == 200
    assert response.json() == {"id": gig["id"], "outcome": "deleted"}
    assert await get_row(Gig, gig["id"]) is None
    assert (await client.get(f"/v1/gigs/{gig['id']}", headers=owner)).status_code == 404
    assert (await client.delete(f"/v1/gigs/{gig['id']}", headers=owner)).status_code == 404


def _with_package(**changes: Any) -> dict[str, Any]:
    return {"packages": [package_body("basic", **changes)]}


BAD_GIGS: list[tuple[str, dict[str, Any], int, str | None]] = [
    ("subcategory of another category", {"subcategory_id": "wedding-films"}, 400, "invalid_subcategory"),
    (
        "a subcategory as the category",
        {"category_id": "youtube-videos", "subcategory_id": None},
        400,
        "invalid_category",
    ),
    ("unknown category", {"category_id": 999_999, "subcategory_id": None}, 400, "invalid_category"),
    ("category id out of range", {"category_id": 2**40}, 422, None),
    (
        "a fourth package",
        {
            "packages": [
                package_body("basic"),
                package_body("standard"),
                package_body("premium"),
                package_body("basic"),
            ]
        },
        422,
        None,
    ),
    ("a duplicate tier", {"packages": [package_body("basic"), package_body("Basic", "60.00")]}, 422, None),
    ("an unknown tier", {"packages": [package_body("ultimate")]}, 422, None),
    ("a negative price", _with_package(value="-5.00"), 422, None),
    ("a zero price", _with_package(value="0.00"), 422, None),
    ("a price with three decimals", _with_package(value="5.001"), 422, None),
    ("a price too large", _with_package(value="1000000.01"), 422, None),
    (
        "a price in another currency",
        _with_package(price={"currency": "USD", "value": "50.00"}),
        400,
        "unsupported_currency",
    ),
    ("an unknown currency", _with_package(price={"currency": "XYZ", "value": "50.00"}), 422, None),
    ("a price as a number", _with_package(price=50), 422, None),
    ("negative delivery days", _with_package(days=-1), 422, None),
    ("zero delivery days", _with_package(days=0), 422, None),
    ("a delivery over a year", _with_package(days=366), 422, None),
    ("negative revisions", _with_package(revisions=-1), 422, None),
    ("too many features", _with_package(features=["x"] * 21), 422, None),
    ("more than 10 tags", {"tags": [f"tag{i}" for i in range(11)]}, 422, None),
    ("a tag too long", {"tags": ["x" * 41]}, 422, None),
    ("an empty tag", {"tags": ["   "]}, 422, None),
    ("an unknown field", {"rating": 5}, 422, None),
    ("featured on create", {"is_featured": True}, 422, None),
    ("an unknown package field", _with_package(discount="10%"), 422, None),
    ("a short title", {"title": "ab"}, 422, None),
    ("a NUL in the title", {"title": "Wedding\x00films"}, 422, None),
    ("a NUL in a feature", _with_package(features=["ok", "b\x00d"]), 422, None),
    ("no title", {"title": None}, 422, None),
    ("an internal thumbnail URL", {"thumbnail_url": "http://localhost/x.png"}, 422, None),
    ("a NUL in a URL", {"video_preview_url": "https://vimeo.com/1\x00"}, 422, None),
    ("a script URL", {"gallery_urls": ["javascript:alert(1)"]}, 422, None),
    (
        "too many gallery URLs",
        {"gallery_urls": [f"https://images.example.com/{i}.jpg" for i in range(11)]},
        422,
        None,
    ),
]


@pytest.mark.parametrize(("case", "changes", "status", "code"), BAD_GIGS, ids=[case[0] for case in BAD_GIGS])
async def test_bad_gigs_are_refused_and_nothing_is_created(
    client: httpx.AsyncClient,
    creator: Creator,
    case: str,
    changes: dict[str, Any],
    status: int,
    code: str | None,
) -> None:
    _, headers = creator
    ids = await taxonomy()
    resolved = {
        key: ids.get(value, value) if isinstance(value, str) else value for key, value in changes.items()
    }
    if case == "subcategory of another category":
        resolved["category_id"] = ids["motion-graphics"]
    body = await gig_body(**resolved)
    body = {key: value for key, value in body.items() if value is not None or key != "title"}
    assert_error(await client.post("/v1/gigs", json=body, headers=headers), status, code)
    assert await count_rows(Gig) == 0


async def test_malformed_bodies_are_4xx(client: httpx.AsyncClient, creator: Creator) -> None:
    _, headers = creator
    auth = {**headers, "Content-Type": "application/json"}
    assert_error(await client.post("/v1/gigs", content=b"{not json", headers=auth), 400, "invalid_json")
    lone_surrogate = json.dumps(await gig_body()).replace("YouTube video", "\\ud800 video")
    assert_error(await client.post("/v1/gigs", content=lone_surrogate.encode(), headers=auth), 422)
    form = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
    assert_error(await client.post("/v1/gigs", content=b"title=x", headers=form), 415)
    assert_error(await client.post("/v1/gigs", json=[1, 2], headers=headers), 422)
    assert await count_rows(Gig) == 0

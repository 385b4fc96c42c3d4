"""Categories: the public tree (cached in Redis), and the admins' create, edit, reorder and
deactivate, each of which the public tree shows at once."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import update

from reelbyte.catalog.cache import category_cache
from reelbyte.catalog.models import Category
from reelbyte.core.db import transaction
from reelbyte.core.redis import get_redis
from tests.catalog.test_gigs import assert_error
from tests.factories import Headers, gig_body, make_gig, signed_up, taxonomy


async def _tree(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/v1/categories")
    assert response.status_code == 200
    return list(response.json())


async def test_the_tree_holds_the_taxonomy_in_display_order(client: httpx.AsyncClient) -> None:
    tree = await _tree(client)
    assert [node["slug"] for node in tree][:3] == ["video-editing", "short-form-social", "motion-graphics"]
    assert len(tree) == 8
    editing = tree[0]
    assert editing["parent_id"] is None
    assert editing["icon"] == "scissors"
    assert [child["slug"] for child in editing["subcategories"]] == [
        "youtube-videos",
        "wedding-films",
        "podcast-editing",
        "event-videos",
    ]
    assert all(child["parent_id"] == editing["id"] for child in editing["subcategories"])
    assert all(node["is_active"] for node in tree)


async def test_one_category_and_its_subcategories_by_id_or_slug(client: httpx.AsyncClient) -> None:
    ids = await taxonomy()
    by_id = (await client.get(f"/v1/categories/{ids['animation']}")).json()
    by_slug = (await client.get("/v1/categories/animation")).json()
    assert by_id == by_slug
    assert by_id["name"] == "Animation"
    assert [c["slug"] for c in by_id["subcategories"]] == [
        "2d-animation",
        "3d-animation",
        "whiteboard-animation",
    ]

    subs = (await client.get("/v1/categories/animation/subcategories")).json()
    assert subs == by_id["subcategories"]
    child = (await client.get(f"/v1/categories/{ids['3d-animation']}")).json()
    assert child["parent_id"] == ids["animation"]
    assert child["subcategories"] == []
    assert (await client.get("/v1/categories/3d-animation/subcategories")).json() == []

    for missing in ("999999", "no-such-category", "0"):
        assert_error(await client.get(f"/v1/categories/{missing}"), 404, "category_not_found")
        assert_error(await client.get(f"/v1/categories/{missing}/subcategories"), 404, "category_not_found")


async def test_the_tree_is_cached_in_redis(client: httpx.AsyncClient) -> None:
    first = await _tree(client)
    keys = await get_redis().keys("catalog:categories:*")
    assert keys, "the tree was not cached"
    # A change made behind the service's back is not seen: the answer comes from the cache …
    await transaction(
        lambda session: session.execute(
            update(Category).where(Category.slug == "animation").values(name="Renamed")
        )
    )
    assert await _tree(client) == first
    # … until the cache is invalidated, as every admin change does.
    await category_cache.invalidate()
    assert "Renamed" in [node["name"] for node in await _tree(client)]


async def test_admins_create_categories_and_subcategories(client: httpx.AsyncClient, admin: Headers) -> None:
    await _tree(client)  # warm the cache: the change must still show at once
    response = await client.post(
        "/v1/admin/categories",
        json={"name": "Drone & Aerial", "description": "Aerial footage.", "icon": "plane"},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    top = response.json()
    assert top["slug"] == "drone-aerial"
    assert top["parent_id"] is None
    assert top["display_order"] == 8  # after its siblings
    assert top["is_active"] is True

    response = await client.post(
        "/v1/admin/categories", json={"name": "FPV Flights", "parent_id": top["id"]}, headers=admin
    )
    assert response.status_code == 201, response.text
    child = response.json()
    assert (child["parent_id"], child["slug"], child["display_order"]) == (top["id"], "fpv-flights", 0)

    tree = await _tree(client)
    assert tree[-1]["slug"] == "drone-aerial"
    assert [c["slug"] for c in tree[-1]["subcategories"]] == ["fpv-flights"]

    # A gig can be filed under the new pair right away.
    _, creator = await signed_up(client, "creator")
    gig = await make_gig(client, creator, category_id=top["id"], subcategory_id=child["id"])
    assert gig["subcategory"]["slug"] == "fpv-flights"


async def test_category_slugs_are_unique(client: httpx.AsyncClient, admin: Headers) -> None:
    ids = await taxonomy()
    # Same name as an existing subcategory, under another parent: a suffixed slug.
    response = await client.post(
        "/v1/admin/categories", json={"name": "YouTube Videos", "parent_id": ids["animation"]}, headers=admin
    )
    assert response.status_code == 201, response.text
    assert response.json()["slug"] == "youtube-videos-2"
    # Same name under the same parent (whatever the case): refused.
    response = await client.post(
        "/v1/admin/categories", json={"name": "youtube videos", "parent_id": ids["animation"]}, headers=admin
    )
    assert_error(response, 409, "category_exists")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": "Nested", "parent_id": "youtube-videos"}, 400, "invalid_parent"),
        ({"name": "Orphan", "parent_id": 999_999}, 400, "invalid_parent"),
        ({"name": "X"}, 422, "validation_error"),
        ({"name": "Bad icon", "icon": "<svg>"}, 422, "validation_error"),
        ({"name": "Nul\x00"}, 422, "control_characters"),
        ({"name": "Sluggy", "slug": "my-slug"}, 422, "validation_error"),
        ({"name": "Big id", "parent_id": 2**40}, 422, "validation_error"),
    ],
)
async def test_bad_categories_are_refused(
    client: httpx.AsyncClient, admin: Headers, body: dict[str, Any], status: int, code: str
) -> None:
    ids = await taxonomy()
    if body.get("parent_id") == "youtube-videos":
        body = {**body, "parent_id": ids["youtube-videos"]}
    before = await taxonomy()
    assert_error(await client.post("/v1/admin/categories", json=body, headers=admin), status, code)
    assert await taxonomy() == before


async def test_admins_edit_categories(client: httpx.AsyncClient, admin: Headers) -> None:
    ids = await taxonomy()
    await _tree(client)
    path = f"/v1/admin/categories/{ids['lyric-videos']}"
    response = await client.put(
        path, json={"name": "Lyric & Visualiser Videos", "icon": "music"}, headers=admin
    )
    assert response.status_code == 200, response.text
    edited = response.json()
    assert edited["name"] == "Lyric & Visualiser Videos"
    assert edited["slug"] == "lyric-videos"  # the slug stays
    music = next(node for node in await _tree(client) if node["slug"] == "music-video")
    assert "Lyric & Visualiser Videos" in [c["name"] for c in music["subcategories"]]

    # Move a subcategory under another top-level category.
    response = await client.put(path, json={"parent_id": ids["motion-graphics"]}, headers=admin)
    assert response.status_code == 200
    motion = (await client.get("/v1/categories/motion-graphics")).json()
    assert "lyric-videos" in [c["slug"] for c in motion["subcategories"]]

    bad = [
        ({"parent_id": ids["youtube-videos"]}, 400, "invalid_parent"),  # three levels
        ({"name": None}, 422, "validation_error"),
        ({"is_active": None}, 422, "validation_error"),
        ({"name": "Logo Animation"}, 409, "category_exists"),  # a sibling's name
    ]
    for body, status, code in bad:
        assert_error(await client.put(path, json=body, headers=admin), status, code)
    top = f"/v1/admin/categories/{ids['animation']}"
    assert_error(
        await client.put(top, json={"parent_id": ids["documentary"]}, headers=admin), 400, "invalid_parent"
    )
    assert_error(
        await client.put(top, json={"parent_id": ids["animation"]}, headers=admin), 400, "invalid_parent"
    )
    assert_error(await client.put("/v1/admin/categories/999999", json={"icon": "x"}, headers=admin), 404)


async def test_admins_reorder_categories(client: httpx.AsyncClient, admin: Headers) -> None:
    ids = await taxonomy()
    await _tree(client)
    new_order = [ids["event-videos"], ids["wedding-films"], ids["youtube-videos"], ids["podcast-editing"]]
    response = await client.post(
        "/v1/admin/categories/reorder",
        json={"parent_id": ids["video-editing"], "ordered_ids": new_order},
        headers=admin,
    )
    assert response.status_code == 200, response.text
    assert [c["id"] for c in response.json()] == new_order
    assert [c["display_order"] for c in response.json()] == [0, 1, 2, 3]
    editing = (await client.get("/v1/categories/video-editing")).json()
    assert [c["id"] for c in editing["subcategories"]] == new_order

    tops = [node["id"] for node in await _tree(client)]
    response = await client.post(
        "/v1/admin/categories/reorder", json={"ordered_ids": list(reversed(tops))}, headers=admin
    )
    assert response.status_code == 200
    assert [node["id"] for node in await _tree(client)] == list(reversed(tops))

    bad = [
        ({"parent_id": ids["video-editing"], "ordered_ids": new_order[:3]}, 400, "reorder_mismatch"),
        (
            {"parent_id": ids["video-editing"], "ordered_ids": [*new_order, ids["animation"]]},
            400,
            "reorder_mismatch",
        ),
        (
            {"parent_id": ids["video-editing"], "ordered_ids": [*new_order, new_order[0]]},
            422,
            "validation_error",
        ),
        ({"parent_id": ids["youtube-videos"], "ordered_ids": [1]}, 400, "invalid_parent"),
        ({"ordered_ids": []}, 422, "validation_error"),
    ]
    for body, status, code in bad:
        assert_error(
            await client.post("/v1/admin/categories/reorder", json=body, headers=admin), status, code
        )
    assert [node["id"] for node in await _tree(client)] == list(reversed(tops))


async def test_deactivated_categories_leave_the_tree_and_take_no_new_gigs(
    client: httpx.AsyncClient, admin: Headers
) -> None:
    ids = await taxonomy()
    _, creator = await signed_up(client, "creator")
    filed = await make_gig(client, creator, category_id=ids["documentary"], subcategory_id=None)
    await _tree(client)

    assert (
        await client.delete(f"/v1/admin/categories/{ids['wedding-films']}", headers=admin)
    ).status_code == 204
    editing = (await client.get("/v1/categories/video-editing")).json()
    assert "wedding-films" not in [c["slug"] for c in editing["subcategories"]]
    assert_error(await client.get("/v1/categories/wedding-films"), 404, "category_not_found")
    body = await gig_body(category_id=ids["video-editing"], subcategory_id=ids["wedding-films"])
    assert_error(await client.post("/v1/gigs", json=body, headers=creator), 400, "invalid_subcategory")

    # A deactivated top-level category hides its subcategories with it.
    assert (
        await client.delete(f"/v1/admin/categories/{ids['documentary']}", headers=admin)
    ).status_code == 204
    assert "documentary" not in [node["slug"] for node in await _tree(client)]
    assert_error(await client.get("/v1/categories/documentary-editing"), 404, "category_not_found")
    # Gigs already filed there stay.
    assert (await client.get(f"/v1/gigs/{filed['id']}")).status_code == 200

    # Admins still see everything, and can bring it back as it was.
    everything = (await client.get("/v1/admin/categories", headers=admin)).json()
    documentary = next(node for node in everything if node["slug"] == "documentary")
    assert documentary["is_active"] is False
    assert len(documentary["subcategories"]) == 2
    response = await client.put(
        f"/v1/admin/categories/{ids['documentary']}", json={"is_active": True}, headers=admin
    )
    assert response.json()["is_active"] is True
    back = (await client.get("/v1/categories/documentary")).json()
    assert [c["slug"] for c in back["subcategories"]] == ["documentary-editing", "mini-documentaries"]
    assert_error(await client.delete("/v1/admin/categories/999999", headers=admin), 404)


async def test_only_admins_manage_categories(client: httpx.AsyncClient) -> None:
    ids = await taxonomy()
    _, creator = await signed_up(client, "creator")
    _, hybrid = await signed_up(client, "hybrid")
    requests: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "/v1/admin/categories", None),
        ("POST", "/v1/admin/categories", {"name": "Sneaky"}),
        ("PUT", f"/v1/admin/categories/{ids['animation']}", {"name": "Sneaky"}),
        ("POST", "/v1/admin/categories/reorder", {"ordered_ids": [ids["animation"]]}),
        ("DELETE", f"/v1/admin/categories/{ids['animation']}", None),
    ]
    before = await _tree(client)
    for method, path, body in requests:
        assert_error(await client.request(method, path, json=body), 401)
        for headers in (creator, hybrid):
            assert_error(await client.request(method, path, json=body, headers=headers), 403, "wrong_role")
    await category_cache.invalidate()
    assert await _tree(client) == before


async def test_gigs_move_with_their_category(client: httpx.AsyncClient, admin: Headers) -> None:
    """Moving a category in the tree re-files its gigs, so every gig's pair stays valid."""
    ids = await taxonomy()
    _, creator = await signed_up(client, "creator")
    reel = await make_gig(
        client, creator, category_id=ids["short-form-social"], subcategory_id=ids["instagram-reels"]
    )
    music = await make_gig(client, creator, category_id=ids["music-video"], subcategory_id=None)

    async def filed(gig: dict[str, Any]) -> tuple[str, str | None]:
        shown = (await client.get(f"/v1/gigs/{gig['id']}")).json()
        return shown["category"]["slug"], (shown["subcategory"] or {}).get("slug")

    reels_path = f"/v1/admin/categories/{ids['instagram-reels']}"
    await client.put(reels_path, json={"parent_id": ids["motion-graphics"]}, headers=admin)
    assert await filed(reel) == ("motion-graphics", "instagram-reels")
    await client.put(reels_path, json={"parent_id": None}, headers=admin)
    assert await filed(reel) == ("instagram-reels", None)
    await client.put(reels_path, json={"parent_id": ids["short-form-social"]}, headers=admin)
    assert await filed(reel) == ("short-form-social", "instagram-reels")

    # A top-level category with subcategories cannot move; one without can, and takes its gigs.
    music_path = f"/v1/admin/categories/{ids['music-video']}"
    assert_error(await client.put(music_path, json={"parent_id": ids["animation"]}, headers=admin), 400)
    for child in ("performance-videos", "lyric-videos"):
        await client.put(
            f"/v1/admin/categories/{ids[child]}", json={"parent_id": ids["animation"]}, headers=admin
        )
    assert (
        await client.put(music_path, json={"parent_id": ids["animation"]}, headers=admin)
    ).status_code == 200
    assert await filed(music) == ("animation", "music-video")
    # The new pair is a valid one.
    pair = {"category_id": ids["animation"], "subcategory_id": ids["music-video"]}
    assert (await client.put(f"/v1/gigs/{music['id']}", json=pair, headers=creator)).status_code == 200

"""The seed's API contract for gig packages: a package's tier may be sent as `name` ("Basic",
"Standard", "Premium", in any case) as well as `tier`; one of them is needed and, sent together,
they must agree. Responses carry both. OpenAPI documents it."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.catalog.test_gigs import assert_error
from tests.factories import Headers, gig_body, make_gig

Creator = tuple[dict[str, Any], Headers]


def seed_package(name: str, value: str, days: int) -> dict[str, Any]:
    """A package as the seed's clients write it: named, no `tier`."""
    return {
        "name": name,
        "description": f"The {name} package.",
        "price": {"currency": "EUR", "value": value},
        "delivery_days": days,
        "revisions": 2,
        "features": ["Colour grade"],
    }


async def test_a_gig_posted_with_the_seeds_package_names(client: httpx.AsyncClient, creator: Creator) -> None:
    _, owner = creator
    body = await gig_body(
        packages=[
            seed_package("Premium", "150.00", 2),
            seed_package("basic", "50.00", 5),
            seed_package("STANDARD", "90.00", 3),
        ]
    )
    response = await client.post("/v1/gigs", json=body, headers=owner)
    assert response.status_code == 201, response.text
    packages = response.json()["packages"]
    assert [(p["tier"], p["name"]) for p in packages] == [
        ("basic", "Basic"),
        ("standard", "Standard"),
        ("premium", "Premium"),
    ]
    listed = (await client.get(f"/v1/gigs/{response.json()['id']}/packages")).json()
    assert [p["name"] for p in listed] == ["Basic", "Standard", "Premium"]


async def test_add_and_update_a_package_by_name(client: httpx.AsyncClient, creator: Creator) -> None:
    _, owner = creator
    gig = await make_gig(client, owner, packages=[])
    path = f"/v1/gigs/{gig['id']}/packages"
    added = await client.post(path, json=seed_package("Standard", "80.00", 4), headers=owner)
    assert added.status_code == 201, added.text
    assert (added.json()["tier"], added.json()["name"]) == ("standard", "Standard")

    moved = await client.put(f"{path}/{added.json()['id']}", json={"name": "Premium"}, headers=owner)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["tier"], moved.json()["name"]) == ("premium", "Premium")

    # Both, agreeing (in any case), are fine.
    both = await client.put(
        f"{path}/{added.json()['id']}", json={"name": "BASIC", "tier": "basic"}, headers=owner
    )
    assert both.status_code == 200, both.text
    assert both.json()["name"] == "Basic"

    # A name taken by another package is the same 409 as a taken tier.
    await client.post(path, json=seed_package("Premium", "120.00", 2), headers=owner)
    assert_error(
        await client.put(f"{path}/{added.json()['id']}", json={"name": "Premium"}, headers=owner),
        409,
        "duplicate_package_tier",
    )


@pytest.mark.parametrize(
    "change",
    [
        {"name": "Basic", "tier": "premium"},  # disagreeing
        {"name": "Gold"},  # no such tier
        {"name": ""},
        {"name": None},
        {"name": 3},
    ],
)
async def test_bad_names_are_422(client: httpx.AsyncClient, creator: Creator, change: dict[str, Any]) -> None:
    _, owner = creator
    gig = await make_gig(client, owner)
    path = f"/v1/gigs/{gig['id']}/packages"
    new = {**seed_package("Standard", "80.00", 4), **change}
    assert_error(await client.post(path, json=new, headers=owner), 422, "validation_error")
    package_id = gig["packages"][0]["id"]
    assert_error(
        await client.put(f"{path}/{package_id}", json=change, headers=owner), 422, "validation_error"
    )
    assert [p["id"] for p in (await client.get(path)).json()] == [p["id"] for p in gig["packages"]]


async def test_neither_tier_nor_name_is_422(client: httpx.AsyncClient, creator: Creator) -> None:
    _, owner = creator
    gig = await make_gig(client, owner, packages=[])
    body = seed_package("Basic", "10.00", 1)
    del body["name"]
    assert_error(
        await client.post(f"/v1/gigs/{gig['id']}/packages", json=body, headers=owner), 422, "validation_error"
    )


async def test_openapi_documents_the_name(client: httpx.AsyncClient) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    create = next(schema for name, schema in schemas.items() if name.startswith("PackageCreate"))
    assert "name" in create["properties"]
    assert "tier" not in create.get("required", [])
    assert {"required": ["name"]} in create["anyOf"]
    assert {"required": ["tier"]} in create["anyOf"]
    pattern = re.compile(_schema_of(create["properties"]["name"])["pattern"])
    for accepted in ("Basic", "basic", "STANDARD", "pReMiUm"):
        assert pattern.match(accepted)
    for refused in ("Gold", "Basic ", "basics", ""):
        assert not pattern.match(refused)
    update = next(schema for name, schema in schemas.items() if name.startswith("PackageUpdate"))
    assert "name" in update["properties"]
    out = next(schema for name, schema in schemas.items() if name.startswith("PackageOut"))
    assert "name" in out["required"]


def _schema_of(prop: dict[str, Any]) -> dict[str, Any]:
    """The string schema inside an optional property (anyOf [string, null])."""
    for option in prop.get("anyOf", [prop]):
        if option.get("type") == "string":
            return dict(option)
    raise AssertionError(prop)

"""A NUL character (which PostgreSQL text cannot hold) anywhere in a request's text is refused
once, centrally, with 422 `control_characters`, and nothing is written; binary bodies and file
parts pass untouched."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from reelbyte.core.db import get_database
from reelbyte.core.middleware import NulInBodyMiddleware
from reelbyte.identity.models import User
from tests.factories import TEST_PASSWORD, unique_name


def _registration(**overrides: Any) -> dict[str, Any]:
    name = unique_name()
    return {
        "email": f"{name}@example.com",
        "username": name,
        "password": TEST_PASSWORD,
        "full_name": "Nul Tester",
        "role": "client",
        **overrides,
    }


async def _users() -> int:
    async with get_database().sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)


def _refused(response: httpx.Response, location: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "control_characters"
    assert body["details"] == {"location": location}
    assert set(body) == {"error", "message", "details"}


async def test_register_with_a_nul_in_the_username_is_422_and_creates_no_one(
    client: httpx.AsyncClient,
) -> None:
    _refused(await client.post("/v1/auth/register", json=_registration(username="nul\x00user")), "body")
    _refused(await client.post("/v1/auth/register", json=_registration(full_name="\x00")), "body")
    assert await _users() == 0


async def test_an_escaped_backslash_before_u0000_is_text_not_a_nul(client: httpx.AsyncClient) -> None:
    # JSON `"a\\u0000b"` is the seven characters a, \, u, 0, 0, 0, 0, b: no NUL.
    body = _registration(full_name="a\\u0000b")
    assert "\\\\u0000" in json.dumps(body)
    response = await client.post("/v1/auth/register", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["full_name"] == "a\\u0000b"


async def test_a_nul_in_a_json_body_in_utf16_is_found_too(client: httpx.AsyncClient) -> None:
    content = json.dumps(_registration(username="nul\x00user")).encode("utf-16")
    response = await client.post(
        "/v1/auth/register", content=content, headers={"Content-Type": "application/json"}
    )
    _refused(response, "body")
    assert await _users() == 0


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
async def test_the_payment_webhook_refuses_a_nul_in_its_form_id(
    client: httpx.AsyncClient, encoding: str
) -> None:
    if encoding == "urlencoded":
        response = await client.post("/v1/payments/webhook", data={"id": "tr_\x00abc"})
    else:
        response = await client.post("/v1/payments/webhook", files={"id": (None, "tr_\x00abc")})
    _refused(response, "body")


async def test_the_sandbox_checkout_page_and_its_action_refuse_a_nul(client: httpx.AsyncClient) -> None:
    _refused(await client.get("/sandbox/checkout/pay%00ment"), "path")
    _refused(await client.post("/sandbox/checkout/payment", data={"action": "pay\x00"}), "body")


async def test_a_nul_in_a_query_parameter_is_422(client: httpx.AsyncClient) -> None:
    _refused(await client.get("/v1/search/gigs", params={"q": "drone\x00shot"}), "query")
    _refused(await client.get("/v1/gigs?tags=a%00b"), "query")


async def test_a_binary_body_is_not_read_as_text(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/register",
        content=b"\x00\x01\x02 binary \\u0000",
        headers={"Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 415, response.text  # the route's own answer: the middleware let it by
    assert response.json()["error"] == "unsupported_media_type"


async def _echo_form(request: Request) -> JSONResponse:
    form = await request.form()
    return JSONResponse({name: getattr(value, "filename", value) for name, value in form.multi_items()})


async def test_file_parts_may_hold_nul_bytes_but_text_fields_may_not() -> None:
    app = NulInBodyMiddleware(Starlette(routes=[Route("/upload", _echo_form, methods=["POST"])]))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        upload = {"clip": ("clip.bin", b"\x00\x00binary\x00", "application/octet-stream")}
        response = await http.post("/upload", data={"title": "fine"}, files=upload)
        assert response.status_code == 200, response.text
        assert response.json() == {"title": "fine", "clip": "clip.bin"}  # the app still reads the body

        _refused(await http.post("/upload", data={"title": "bad\x00"}, files=upload), "body")

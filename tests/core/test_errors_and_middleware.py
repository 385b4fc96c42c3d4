"""The one error format, request ids, security headers, CORS, hosts, metrics and the docs."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from reelbyte.core.config import Settings
from reelbyte.core.db import get_database
from reelbyte.identity.models import User
from reelbyte.main import MAX_BODY_BYTES, create_app

PASSWORD = "Sup3r!Secret"
ALLOWED_ORIGIN = "http://localhost:3000"


# --- helpers --------------------------------------------------------------------------------


def register_body(**overrides: Any) -> dict[str, Any]:
    name = f"user-{uuid.uuid4().hex[:10]}"
    body: dict[str, Any] = {
        "email": f"{name}@example.com",
        "username": name,
        "password": PASSWORD,
        "full_name": "Test User",
        "role": "creator",
    }
    body.update(overrides)
    return body


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "message", "details"}, body
    assert body["error"] == code, body
    assert isinstance(body["message"], str)
    assert body["message"]
    return dict(body)


async def users_with_email(email: str) -> int:
    async with get_database().sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(User).where(func.lower(User.email) == email.lower())
        )
    return int(count or 0)


async def assert_no_account(client: httpx.AsyncClient, email: str) -> None:
    """A rejected registration left nothing behind: no row, and logging in fails."""
    assert await users_with_email(email) == 0
    response = await client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert_error(response, 401, "invalid_credentials")


def client_for(app: FastAPI, base_url: str = "http://testserver") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 40001))
    return httpx.AsyncClient(transport=transport, base_url=base_url)


# --- 404, 405 -------------------------------------------------------------------------------


async def test_unknown_route_is_404_in_the_error_format(client: httpx.AsyncClient) -> None:
    body = assert_error(await client.get("/v1/no-such-thing"), 404, "not_found")
    assert body["details"] is None
    assert_error(await client.get("/definitely/not/here"), 404, "not_found")


async def test_unknown_user_is_404_in_the_error_format(client: httpx.AsyncClient) -> None:
    assert_error(await client.get(f"/v1/users/{uuid.uuid4()}"), 404, "user_not_found")


async def test_wrong_method_is_405_in_the_error_format(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/auth/register")
    assert_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["allow"]
    assert_error(await client.delete("/health"), 405, "method_not_allowed")


async def test_a_literal_path_owns_its_methods_over_a_parameter_that_also_matches(
    client: httpx.AsyncClient,
) -> None:
    """`GET /v1/payments/{payment_id}` also matches `/v1/payments/webhook`, which is POST only:
    the literal path decides, whichever route the router picked."""
    response = await client.get("/v1/payments/webhook")
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "POST"
    response = await client.get("/v1/payments/me/balance")
    assert response.status_code == 401  # a literal path with GET: on to the route (which wants a login)


# --- 422 validation -------------------------------------------------------------------------


def _locs(body: dict[str, Any]) -> list[list[Any]]:
    assert isinstance(body["details"], list)
    for item in body["details"]:
        assert set(item) == {"loc", "msg", "type"}
    return [item["loc"] for item in body["details"]]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": 12345}, "email"),
        ({"username": ["a", "list"]}, "username"),
        ({"password": {"an": "object"}}, "password"),
        ({"full_name": None}, "full_name"),
        ({"role": 3}, "role"),
        ({"role": "admin"}, "role"),  # cannot make yourself an admin
        ({"email": "not-an-email"}, "email"),
        ({"email": "two@@example.com"}, "email"),
        ({"email": f"{'a' * 250}@example.com"}, "email"),
        ({"username": "u" * 51}, "username"),
        ({"username": "no spaces allowed"}, "username"),
        ({"username": "ab"}, "username"),
        ({"full_name": "F" * 101}, "full_name"),
        ({"full_name": ""}, "full_name"),
        ({"password": "short1!"}, "password"),
        ({"password": "alllowercase1!"}, "password"),
        ({"password": "ALLUPPERCASE1!"}, "password"),
        ({"password": "NoDigitsHere!"}, "password"),
        ({"password": "NoSpecial123"}, "password"),
        ({"password": "Aa1!" + "x" * 125}, "password"),
    ],
)
async def test_invalid_register_is_422_and_creates_nothing(
    client: httpx.AsyncClient, overrides: dict[str, Any], field: str
) -> None:
    data = register_body(**overrides)
    response = await client.post("/v1/auth/register", json=data)
    body = assert_error(response, 422, "validation_error")
    assert ["body", field] in [loc[:2] for loc in _locs(body)]
    email = data["email"] if isinstance(data["email"], str) else register_body()["email"]
    if "@" in email and len(email) < 254 and "@@" not in email:
        await assert_no_account(client, email)


async def test_weak_password_is_not_echoed_back(client: httpx.AsyncClient) -> None:
    data = register_body(password="weakpassword-no-caps")
    response = await client.post("/v1/auth/register", json=data)
    assert_error(response, 422, "validation_error")
    assert "weakpassword-no-caps" not in response.text
    await assert_no_account(client, data["email"])


async def test_missing_fields_are_each_reported(client: httpx.AsyncClient) -> None:
    body = assert_error(await client.post("/v1/auth/register", json={}), 422, "validation_error")
    missing = {
        loc[-1] for loc, item in zip(_locs(body), body["details"], strict=True) if item["type"] == "missing"
    }
    assert missing == {"email", "username", "password", "full_name", "role"}


async def test_unknown_fields_are_refused(client: httpx.AsyncClient) -> None:
    data = register_body(is_admin=True, email_verified=True)
    body = assert_error(await client.post("/v1/auth/register", json=data), 422, "validation_error")
    assert {tuple(loc) for loc in _locs(body)} == {("body", "is_admin"), ("body", "email_verified")}
    assert {item["type"] for item in body["details"]} == {"extra_forbidden"}
    await assert_no_account(client, data["email"])


@pytest.mark.parametrize("payload", [[], "a string", 42, None, [register_body()]])
async def test_a_body_that_is_not_an_object_is_422(client: httpx.AsyncClient, payload: Any) -> None:
    response = await client.post("/v1/auth/register", json=payload)
    assert_error(response, 422, "validation_error")


async def test_a_valid_register_still_works(client: httpx.AsyncClient) -> None:
    """The control for the rejections above: the same shape of body, valid, is accepted."""
    data = register_body()
    response = await client.post("/v1/auth/register", json=data)
    assert response.status_code == 201, response.text
    assert await users_with_email(data["email"]) == 1
    login = await client.post("/v1/auth/login", json={"email": data["email"], "password": PASSWORD})
    assert login.status_code == 200


# --- 400, 415, 413 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b'{"email": "a@example.com", ', b"{'single': 'quotes'}", b"not json at all", b'{"a": 1,}'],
)
async def test_malformed_json_is_400_invalid_json(client: httpx.AsyncClient, content: bytes) -> None:
    response = await client.post(
        "/v1/auth/register", content=content, headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "invalid_json")


async def test_body_that_is_not_utf8_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/login", content=b'{"email": "\xff\xfe"}', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"error", "message", "details"}


async def test_malformed_json_on_login_changes_nothing(client: httpx.AsyncClient) -> None:
    data = register_body()
    content = json.dumps(data)[:-1].encode()  # the closing brace is missing
    response = await client.post(
        "/v1/auth/register", content=content, headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "invalid_json")
    await assert_no_account(client, data["email"])


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_a_body_that_is_not_json_is_415(client: httpx.AsyncClient, content_type: str | None) -> None:
    data = register_body()
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.post("/v1/auth/register", content=json.dumps(data).encode(), headers=headers)
    body = assert_error(response, 415, "unsupported_media_type")
    assert body["details"] == {"content_type": content_type}
    await assert_no_account(client, data["email"])


async def test_json_with_a_charset_or_a_json_suffix_is_accepted(client: httpx.AsyncClient) -> None:
    data = register_body()
    response = await client.post(
        "/v1/auth/register",
        content=json.dumps(data).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 201, response.text


async def test_a_body_over_one_mebibyte_is_413(client: httpx.AsyncClient) -> None:
    data = register_body(full_name="x" * MAX_BODY_BYTES)
    response = await client.post("/v1/auth/register", json=data)
    body = assert_error(response, 413, "payload_too_large")
    assert str(MAX_BODY_BYTES) in body["message"]
    assert "x-request-id" in response.headers
    await assert_no_account(client, data["email"])


async def test_a_streamed_body_over_one_mebibyte_is_413(client: httpx.AsyncClient) -> None:
    """Without a Content-Length the limit is enforced while the body streams in."""
    data = register_body()
    head = json.dumps(data)[:-1].encode() + b', "padding": "'

    async def chunks() -> AsyncIterator[bytes]:
        yield head
        for _ in range(20):
            yield b"y" * 65536
        yield b'"}'

    response = await client.post(
        "/v1/auth/register", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert_error(response, 413, "payload_too_large")
    await assert_no_account(client, data["email"])


async def test_a_body_just_under_the_limit_is_not_413(client: httpx.AsyncClient) -> None:
    data = register_body()
    data["full_name"] = ""
    padding = MAX_BODY_BYTES - len(json.dumps(data).encode())
    data["full_name"] = "x" * padding
    content = json.dumps(data).encode()
    assert len(content) == MAX_BODY_BYTES
    response = await client.post(
        "/v1/auth/register", content=content, headers={"Content-Type": "application/json"}
    )
    body = assert_error(response, 422, "validation_error")  # too long a name, but read in full
    assert _locs(body) == [["body", "full_name"]]


# --- 500 ------------------------------------------------------------------------------------


async def test_an_unexpected_exception_is_a_bare_500_with_a_request_id(settings: Settings) -> None:
    app = create_app(settings)

    async def boom() -> None:
        raise RuntimeError("secret detail: postgresql://reelbyte:hunter2@db/reelbyte")

    app.add_api_route("/boom", boom, methods=["GET"])
    async with client_for(app) as http:
        response = await http.get("/boom", headers={"X-Request-ID": "trace-500"})
        generated = await http.get("/boom")

    body = assert_error(response, 500, "internal_error")
    assert body["details"] is None
    for leak in ("hunter2", "postgresql", "RuntimeError", "Traceback", "boom"):
        assert leak not in response.text
    assert response.headers["x-request-id"] == "trace-500"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert_error(generated, 500, "internal_error")
    assert re.fullmatch(r"[0-9a-f]{32}", generated.headers["x-request-id"])


# --- request ids ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_id", ["abc-123", "req_01HZX.2:part", "a" * 128, "2ccdbd4a-7e07-4344-93a6-2c0ccbc75c37"]
)
async def test_a_sane_request_id_is_echoed(client: httpx.AsyncClient, request_id: str) -> None:
    response = await client.get("/health", headers={"X-Request-ID": request_id})
    assert response.headers["x-request-id"] == request_id


async def test_a_request_id_is_generated_when_missing(client: httpx.AsyncClient) -> None:
    first = await client.get("/health")
    second = await client.get("/health")
    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@pytest.mark.parametrize(
    "garbage",
    ["", "has spaces", "<script>alert(1)</script>", "a" * 129, "semi;colon", "new\tline", "é-accent"],
)
async def test_a_garbage_request_id_is_replaced(client: httpx.AsyncClient, garbage: str) -> None:
    response = await client.get("/health", headers={"X-Request-ID": garbage.encode("utf-8")})
    echoed = response.headers["x-request-id"]
    assert echoed != garbage
    assert re.fullmatch(r"[0-9a-f]{32}", echoed)


async def test_error_responses_carry_the_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/nope", headers={"X-Request-ID": "trace-404"})
    assert_error(response, 404, "not_found")
    assert response.headers["x-request-id"] == "trace-404"
    response = await client.post("/v1/auth/register", json={}, headers={"X-Request-ID": "trace-422"})
    assert response.headers["x-request-id"] == "trace-422"


# --- security headers -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/health", "/v1/no-such-thing", "/openapi.json"])
async def test_security_headers_on_api_responses(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    headers = response.headers
    assert headers["strict-transport-security"].startswith("max-age=")
    assert int(headers["strict-transport-security"].split("=")[1].split(";")[0]) >= 31536000
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp


async def test_docs_pages_get_a_policy_that_still_forbids_framing(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "https://cdn.jsdelivr.net" in csp
    assert response.headers["x-frame-options"] == "DENY"


async def test_security_headers_are_not_duplicated(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    for name in ("x-frame-options", "content-security-policy", "x-request-id"):
        assert len(response.headers.get_list(name)) == 1


# --- CORS -----------------------------------------------------------------------------------


def _preflight_headers(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, authorization",
    }


async def test_cors_preflight_from_an_allowed_origin(client: httpx.AsyncClient) -> None:
    response = await client.options("/v1/auth/login", headers=_preflight_headers(ALLOWED_ORIGIN))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed_headers = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed_headers
    assert "content-type" in allowed_headers


async def test_cors_preflight_from_another_origin_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.options("/v1/auth/login", headers=_preflight_headers("https://evil.example"))
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    assert response.json()["error"] == "cors_rejected"
    assert "origin" in response.json()["message"]


async def test_cors_simple_request_exposes_headers_to_allowed_origins_only(client: httpx.AsyncClient) -> None:
    allowed = await client.get("/health", headers={"Origin": ALLOWED_ORIGIN})
    assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    exposed = allowed.headers["access-control-expose-headers"].lower()
    for name in ("x-request-id", "retry-after", "ratelimit-remaining"):
        assert name in exposed
    other = await client.get("/health", headers={"Origin": "https://evil.example"})
    assert other.status_code == 200
    assert "access-control-allow-origin" not in other.headers


# --- trusted hosts --------------------------------------------------------------------------


async def test_trusted_hosts_reject_another_host(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"allowed_hosts": ["api.example.com"]}))
    async with client_for(app, "http://api.example.com") as good:
        assert (await good.get("/health")).status_code == 200
    async with client_for(app, "http://evil.example") as bad:
        response = await bad.get("/health")
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_host"
        assert "x-request-id" in response.headers
        response = await bad.get("/health", headers={"Host": "api.example.com.evil.example"})
        assert response.status_code == 400


async def test_the_default_allows_any_host(client: httpx.AsyncClient, settings: Settings) -> None:
    assert settings.allowed_hosts == ["*"]
    response = await client.get("/health", headers={"Host": "whatever.example"})
    assert response.status_code == 200


# --- metrics --------------------------------------------------------------------------------


@pytest.fixture
async def loopback(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client on this machine, where /metrics answers by default (METRICS_ALLOWED_IPS)."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def _sample(metrics: str, labels: str) -> float:
    match = re.search(
        rf"^reelbyte_http_requests_total\{{{re.escape(labels)}\}} (\S+)$", metrics, re.MULTILINE
    )
    return float(match.group(1)) if match else 0.0


async def test_metrics_serve_prometheus_text(loopback: httpx.AsyncClient) -> None:
    labels = 'method="GET",route="/health",status="200"'
    before = _sample((await loopback.get("/metrics")).text, labels)
    for _ in range(3):
        await loopback.get("/health")
    response = await loopback.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "# TYPE reelbyte_http_requests_total counter" in text
    assert "reelbyte_http_request_duration_seconds_bucket" in text
    assert _sample(text, labels) == before + 3


async def test_metrics_label_unknown_paths_by_template_not_by_path(loopback: httpx.AsyncClient) -> None:
    secret_path = f"/v1/nothing-{uuid.uuid4().hex}"
    user_path = f"/v1/users/{uuid.uuid4()}"
    await loopback.get(secret_path)
    await loopback.get(user_path)
    text = (await loopback.get("/metrics")).text
    assert secret_path not in text
    assert user_path not in text
    assert 'route="unmatched"' in text
    assert 'route="/v1/users/{user_id}"' in text


# --- docs -----------------------------------------------------------------------------------


async def test_swagger_ui_and_redoc_are_served(client: httpx.AsyncClient) -> None:
    for path in ("/docs", "/redoc"):
        response = await client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "/openapi.json" in response.text


async def test_openapi_has_tags_and_register_examples(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    tag_names = {tag["name"] for tag in spec["tags"]}
    assert {"auth", "users", "health"} <= tag_names
    assert all(tag.get("description") for tag in spec["tags"])

    register = spec["paths"]["/v1/auth/register"]["post"]
    assert "auth" in register["tags"]
    schema = register["requestBody"]["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    examples = schema["examples"]
    assert examples
    example = examples[0]
    assert set(example) == {"email", "username", "password", "full_name", "role"}

    assert "users" in spec["paths"]["/v1/users/me"]["get"]["tags"]
    assert "health" in spec["paths"]["/health"]["get"]["tags"]
    assert "/metrics" not in spec["paths"]


async def test_the_register_example_is_itself_a_valid_request(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    example = dict(spec["components"]["schemas"]["RegisterRequest"]["examples"][0])
    response = await client.post("/v1/auth/register", json=example)
    assert response.status_code == 201, response.text

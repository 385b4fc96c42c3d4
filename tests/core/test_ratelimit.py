"""Rate limits: login and register per IP, the public per-IP and the per-user limits, trusted
proxies, the switch, and the per-process fallback when Redis is down."""

from __future__ import annotations

import asyncio
import ipaddress
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from starlette.requests import Request

import reelbyte.core.redis
from reelbyte.core import ratelimit
from reelbyte.core.config import Settings, get_settings
from reelbyte.core.db import get_database, transaction
from reelbyte.core.ratelimit import Limit, client_ip
from reelbyte.core.redis import get_redis, init_redis
from reelbyte.identity.models import AuthSession, User
from reelbyte.identity.service import create_admin

PASSWORD = "Sup3r!Secret"
LIMIT_SETTINGS = (
    "rate_limit_public",
    "rate_limit_authenticated",
    "rate_limit_creator",
    "rate_limit_login",
    "rate_limit_register",
)


# --- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Settings:
    """The settings object with the shipped defaults for every limit (conftest loosens them);
    change them further with `monkeypatch.setattr(limits, ...)`; all is restored afterwards."""
    current = get_settings()
    assert current is settings
    for name in LIMIT_SETTINGS:
        monkeypatch.setattr(current, name, Settings.model_fields[name].default)
    monkeypatch.setattr(current, "rate_limit_enabled", True)
    monkeypatch.setattr(current, "trusted_proxies", [])
    assert current.rate_limit_login == "5/minute"
    assert current.rate_limit_register == "3/hour"
    return current


def unique_ip() -> str:
    """A fresh address in 198.18.0.0/15 (benchmarking range), so no counter is shared by accident."""
    return str(ipaddress.ip_address("198.18.0.0") + uuid.uuid4().int % 2**17)


@asynccontextmanager
async def peer(app: FastAPI, ip: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose connection comes from `ip`."""
    transport = httpx.ASGITransport(app=app, client=(ip, 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def fresh_window(seconds: int, room: float = 5.0) -> None:
    """Windows are fixed on the clock: rather than straddle a boundary mid-test, start after it."""
    left = seconds - time.time() % seconds
    if left < room:
        await asyncio.sleep(left + 0.05)


def register_body(role: str = "creator") -> dict[str, Any]:
    name = f"{role}-{uuid.uuid4().hex[:10]}"
    return {
        "email": f"{name}@example.com",
        "username": name,
        "password": PASSWORD,
        "full_name": "Rate Tester",
        "role": role,
    }


async def register(http: httpx.AsyncClient, role: str = "creator") -> dict[str, Any]:
    response = await http.post("/v1/auth/register", json=register_body(role))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def login(http: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await http.post("/v1/auth/login", json={"email": email, "password": password})


async def signed_up(app: FastAPI, role: str) -> tuple[dict[str, Any], dict[str, str]]:
    """A user registered and logged in from an address of its own: (user, auth headers)."""
    async with peer(app, unique_ip()) as http:
        user = await register(http, role)
        response = await login(http, user["email"])
    assert response.status_code == 200, response.text
    return user, {"Authorization": f"Bearer {response.json()['access_token']}"}


def assert_limited(response: httpx.Response, limit: int, window_seconds: int) -> None:
    assert response.status_code == 429, response.text
    body = response.json()
    assert set(body) == {"error", "message", "details"}
    assert body["error"] == "rate_limited"
    headers = response.headers
    assert headers["ratelimit-limit"] == str(limit)
    assert headers["ratelimit-remaining"] == "0"
    reset = int(headers["ratelimit-reset"])
    assert 1 <= reset <= window_seconds
    assert int(headers["retry-after"]) == reset
    assert body["details"] == {"retry_after": reset}
    assert "x-request-id" in headers


def assert_counted(response: httpx.Response, limit: int, remaining: int) -> None:
    assert response.headers["ratelimit-limit"] == str(limit)
    assert response.headers["ratelimit-remaining"] == str(remaining)
    assert "retry-after" not in response.headers


async def sessions_of(email: str) -> int:
    async with get_database().sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(AuthSession).join(User).where(User.email == email)
        )
    return int(count or 0)


async def user_exists(email: str) -> bool:
    async with get_database().sessions() as session:
        return await session.scalar(select(User.id).where(User.email == email)) is not None


# --- login and register ---------------------------------------------------------------------


async def test_the_sixth_login_in_a_minute_is_429(app: FastAPI, limits: Settings) -> None:
    await fresh_window(60)
    ip = unique_ip()
    async with peer(app, ip) as http:
        user = await register(http)
        for remaining in (4, 3, 2, 1, 0):
            response = await login(http, user["email"])
            assert response.status_code == 200, response.text
            assert_counted(response, 5, remaining)
        assert_limited(await login(http, user["email"]), 5, 60)
        assert_limited(await login(http, user["email"]), 5, 60)
    assert await sessions_of(user["email"]) == 5  # the refused logins opened no session

    async with peer(app, unique_ip()) as other:
        assert (await login(other, user["email"])).status_code == 200


async def test_failed_logins_count_so_guessing_is_stopped(app: FastAPI, limits: Settings) -> None:
    await fresh_window(60)
    async with peer(app, unique_ip()) as http:
        user = await register(http)
        for _ in range(3):
            assert (await login(http, user["email"], "Wr0ng!Guess")).status_code == 401
        form = {"username": user["email"], "password": "Wr0ng!Guess"}
        for _ in range(2):  # the OAuth2 form login shares the budget
            assert (await http.post("/v1/auth/token", data=form)).status_code == 401
        assert_limited(await login(http, user["email"]), 5, 60)  # even the right password now
    assert await sessions_of(user["email"]) == 0


async def test_the_fourth_register_in_an_hour_is_429(app: FastAPI, limits: Settings) -> None:
    await fresh_window(3600)
    async with peer(app, unique_ip()) as http:
        for remaining in (2, 1, 0):
            response = await http.post("/v1/auth/register", json=register_body())
            assert response.status_code == 201, response.text
            assert_counted(response, 3, remaining)
        body = register_body()
        assert_limited(await http.post("/v1/auth/register", json=body), 3, 3600)
    assert not await user_exists(body["email"])

    async with peer(app, unique_ip()) as other:
        assert (await other.post("/v1/auth/register", json=body)).status_code == 201


# --- X-Forwarded-For and trusted proxies ----------------------------------------------------


@pytest.mark.parametrize("peer_ip", ["203.0.113.50", "10.0.0.5"])
async def test_x_forwarded_for_is_ignored_from_an_untrusted_peer(
    app: FastAPI, limits: Settings, peer_ip: str
) -> None:
    await fresh_window(60)
    async with peer(app, unique_ip()) as setup:
        user = await register(setup)
    async with peer(app, peer_ip) as http:
        for n in range(5):
            forwarded = {"X-Forwarded-For": f"192.0.2.{n + 1}"}
            response = await http.post(
                "/v1/auth/login", json={"email": user["email"], "password": PASSWORD}, headers=forwarded
            )
            assert response.status_code == 200
        response = await http.post(
            "/v1/auth/login",
            json={"email": user["email"], "password": PASSWORD},
            headers={"X-Forwarded-For": "192.0.2.99"},
        )
        assert_limited(response, 5, 60)
    async with get_database().sessions() as session:
        addresses = set(await session.scalars(select(AuthSession.ip_address)))
    assert addresses == {peer_ip}


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_counter(
    app: FastAPI, limits: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "trusted_proxies", ["10.0.0.0/8"])
    await fresh_window(60)
    async with peer(app, unique_ip()) as setup:
        user = await register(setup)
    credentials = {"email": user["email"], "password": PASSWORD}

    async with peer(app, "10.0.0.5") as proxy:

        async def login_as(forwarded: str | None) -> httpx.Response:
            headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
            return await proxy.post("/v1/auth/login", json=credentials, headers=headers)

        for remaining in (4, 3, 2, 1, 0):
            response = await login_as("198.51.100.1")
            assert response.status_code == 200
            assert_counted(response, 5, remaining)
        assert_limited(await login_as("198.51.100.1"), 5, 60)
        # a client cannot escape by prepending addresses: the proxy appended its real one
        assert_limited(await login_as("192.0.2.7, 198.51.100.1"), 5, 60)
        # nor by hiding behind more trusted hops
        assert_limited(await login_as("198.51.100.1, 10.1.2.3"), 5, 60)

        response = await login_as("198.51.100.2")
        assert response.status_code == 200
        assert_counted(response, 5, 4)
        response = await login_as(None)  # the proxy's own requests count as the proxy
        assert response.status_code == 200
        assert_counted(response, 5, 4)

        # junk in the header is not taken for an address: the proxy that passed it on is
        junk = "x" * 100
        response = await login_as(f"{junk}, 10.0.0.7")
        assert response.status_code == 200
        assert_counted(response, 5, 4)

    async with get_database().sessions() as session:
        addresses = list(await session.scalars(select(AuthSession.ip_address)))
    assert sorted(set(addresses)) == ["10.0.0.5", "10.0.0.7", "198.51.100.1", "198.51.100.2"]
    assert addresses.count("198.51.100.1") == 5


# --- the general limits ---------------------------------------------------------------------


async def test_the_public_limit_is_per_ip(
    app: FastAPI, limits: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await fresh_window(60)
    async with peer(app, unique_ip()) as setup:
        user = await register(setup)
        assert_counted(await setup.get(f"/v1/users/{user['id']}"), 100, 98)  # register counted too
    monkeypatch.setattr(limits, "rate_limit_public", "3/minute")
    async with peer(app, unique_ip()) as http:
        for remaining in (2, 1, 0):
            response = await http.get(f"/v1/users/{user['id']}")
            assert response.status_code == 200
            assert_counted(response, 3, remaining)
        assert_limited(await http.get(f"/v1/users/{user['id']}"), 3, 60)
        assert_limited(await http.get(f"/v1/users/{uuid.uuid4()}"), 3, 60)  # every API route counts
        # a bearer token that does not decode does not buy another tier
        assert_limited(await http.get("/v1/users/me", headers={"Authorization": "Bearer junk"}), 3, 60)
        for _ in range(5):  # health probes and metrics are not limited
            assert (await http.get("/health")).status_code == 200
    async with peer(app, unique_ip()) as other:
        assert (await other.get(f"/v1/users/{user['id']}")).status_code == 200


async def test_the_authenticated_limit_is_per_user_and_per_role(
    app: FastAPI, limits: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    client_user, client_auth = await signed_up(app, "client")
    _, other_client_auth = await signed_up(app, "client")
    _, creator_auth = await signed_up(app, "creator")
    _, hybrid_auth = await signed_up(app, "hybrid")
    monkeypatch.setattr(limits, "rate_limit_authenticated", "3/minute")
    monkeypatch.setattr(limits, "rate_limit_creator", "2/minute")
    monkeypatch.setattr(limits, "rate_limit_public", "1/minute")
    await fresh_window(60)

    async with peer(app, unique_ip()) as http:
        for remaining in (2, 1, 0):
            response = await http.get("/v1/users/me", headers=client_auth)
            assert response.status_code == 200
            assert_counted(response, 3, remaining)
        assert_limited(await http.get("/v1/users/me", headers=client_auth), 3, 60)
        for remaining in (1, 0):
            assert_counted(await http.get("/v1/users/me", headers=creator_auth), 2, remaining)
        assert_limited(await http.get("/v1/users/me", headers=creator_auth), 2, 60)
        for remaining in (1, 0):
            assert_counted(await http.get("/v1/users/me", headers=hybrid_auth), 2, remaining)
        assert_limited(await http.get("/v1/users/me", headers=hybrid_auth), 2, 60)
        # the same address still has its own public allowance, and another client its own
        assert (await http.get(f"/v1/users/{client_user['id']}")).status_code == 200
        assert (await http.get("/v1/users/me", headers=other_client_auth)).status_code == 200
    async with peer(app, unique_ip()) as elsewhere:  # the user's counter follows the user
        assert_limited(await elsewhere.get("/v1/users/me", headers=client_auth), 3, 60)


async def test_admins_are_not_limited(
    app: FastAPI, limits: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    await transaction(
        lambda session: create_admin(session, email, f"admin-{uuid.uuid4().hex[:8]}", PASSWORD, "Ada Admin")
    )
    async with peer(app, unique_ip()) as setup:
        response = await login(setup, email)
    assert response.status_code == 200
    auth = {"Authorization": f"Bearer {response.json()['access_token']}"}
    for name in ("rate_limit_public", "rate_limit_authenticated", "rate_limit_creator"):
        monkeypatch.setattr(limits, name, "1/minute")
    await fresh_window(60)
    async with peer(app, unique_ip()) as http:
        assert (await http.get("/v1/users/me")).status_code == 401  # uses up the address's one call
        assert_limited(await http.get("/v1/users/me"), 1, 60)
        for _ in range(10):
            response = await http.get("/v1/users/me", headers=auth)
            assert response.status_code == 200
            assert response.json()["role"] == "admin"
            assert "ratelimit-limit" not in response.headers


async def test_rate_limits_can_be_switched_off(
    app: FastAPI, limits: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in LIMIT_SETTINGS:
        monkeypatch.setattr(limits, name, "1/hour")
    monkeypatch.setattr(limits, "rate_limit_enabled", False)
    async with peer(app, unique_ip()) as http:
        users = [await register(http) for _ in range(3)]
        for user in users:
            for _ in range(2):
                response = await login(http, user["email"])
                assert response.status_code == 200
                assert "ratelimit-limit" not in response.headers
            auth = {"Authorization": f"Bearer {response.json()['access_token']}"}
            for _ in range(2):
                assert (await http.get("/v1/users/me", headers=auth)).status_code == 200
    assert await get_redis().keys("ratelimit:*") == []


async def test_counters_live_in_redis_shared_by_every_instance(
    app: FastAPI, limits: Settings, settings: Settings
) -> None:
    """Two app instances (as two processes would) share one budget through Redis."""
    from reelbyte.main import create_app

    second = create_app(settings)
    await fresh_window(60)
    ip = unique_ip()
    async with peer(app, ip) as one, peer(second, ip) as two:
        user = await register(one)
        for http in (one, two, one, two, one):
            assert (await login(http, user["email"])).status_code == 200
        assert_limited(await login(two, user["email"]), 5, 60)
    assert await get_redis().keys(f"ratelimit:login:ip:{ip}:*")


async def test_without_redis_the_api_keeps_serving_with_per_process_limits(
    app: FastAPI, limits: Settings
) -> None:
    async with peer(app, unique_ip()) as setup:
        user = await register(setup)
    original = get_redis()
    unreachable = init_redis("redis://127.0.0.1:1")  # nothing listens on port 1
    try:
        await fresh_window(60)
        ip = unique_ip()
        async with peer(app, ip) as http:
            ready = await http.get("/health/ready")
            assert ready.status_code == 503
            assert ready.json()["details"]["checks"]["redis"].startswith("error")
            for remaining in (4, 3, 2, 1, 0):
                response = await login(http, user["email"])
                assert response.status_code == 200, response.text
                assert_counted(response, 5, remaining)
            assert_limited(await login(http, user["email"]), 5, 60)
            profile = await http.get(f"/v1/users/{user['id']}")  # the rest of the API still answers
            assert profile.status_code == 200
            assert profile.headers["ratelimit-limit"] == "100"
        async with peer(app, unique_ip()) as other:
            assert (await login(other, user["email"])).status_code == 200
    finally:
        await unreachable.aclose()
        reelbyte.core.redis._redis = original
    assert get_redis() is original
    assert await original.keys(f"ratelimit:*{ip}*") == []  # nothing reached the real Redis
    assert await sessions_of(user["email"]) == 6


# --- blocks of hits reserved in Redis ----------------------------------------------------------


def _unspent(leases: ratelimit._Leases, key: str, limit: int) -> int:
    lease = leases._leases.get(key)
    return 0 if lease is None else max(0, min(lease.last, limit) - lease.position + 1)


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    limit=st.integers(min_value=0, max_value=300),
    processes=st.integers(min_value=1, max_value=3),
    callers=st.lists(st.integers(min_value=0, max_value=2), min_size=1, max_size=400),
)
async def test_reserved_blocks_never_let_more_than_the_limit_through(
    settings: Settings, limit: int, processes: int, callers: list[int]
) -> None:
    """Processes (each its own blocks) hit one shared window in any order: never more than the
    limit is allowed; one process is allowed exactly up to the limit; several fall short only
    by the hits they reserved and did not spend."""
    await fresh_window(86400, room=60)
    key = f"test:{uuid.uuid4()}"
    leases = [ratelimit._Leases() for _ in range(processes)]
    allowed = 0
    original = ratelimit._leases
    try:
        for caller in callers:
            ratelimit._leases = leases[caller % processes]
            verdict = await ratelimit.hit(key, Limit(limit, 86400))
            allowed += verdict.allowed
            if processes == 1:  # what the headers say is exact too
                assert verdict.remaining == limit - allowed
    finally:
        ratelimit._leases = original
    assert allowed <= limit
    window_key = f"ratelimit:{key}:86400:{int(time.time() // 86400)}"
    unspent = sum(_unspent(process, window_key, limit) for process in leases)
    if processes == 1:
        assert allowed == min(len(callers), limit)
    assert allowed + unspent >= min(len(callers), limit)


@pytest.mark.parametrize(("limit", "burst"), [(100, 40), (30, 40), (1, 5)])
async def test_a_concurrent_burst_is_allowed_exactly_up_to_the_limit(
    settings: Settings, limit: int, burst: int
) -> None:
    """Requests arriving together, before any block is reserved, share one reservation at a
    time rather than each reserve a block for the same budget."""
    key = f"test:{uuid.uuid4()}"
    verdicts = await asyncio.gather(*(ratelimit.hit(key, Limit(limit, 86400)) for _ in range(burst)))
    assert sum(verdict.allowed for verdict in verdicts) == min(limit, burst)
    assert sorted(verdict.remaining for verdict in verdicts if verdict.allowed) == list(
        range(limit - min(limit, burst), limit)
    )


async def test_most_hits_are_counted_without_a_round_trip(settings: Settings) -> None:
    key = f"test:{uuid.uuid4()}"
    for _ in range(1000):
        assert (await ratelimit.hit(key, Limit(10_000, 86400))).allowed
    stored = int(await get_redis().get(f"ratelimit:{key}:86400:{int(time.time() // 86400)}") or 0)
    assert 1000 <= stored <= 1000 + ratelimit.MAX_BLOCK  # counted in Redis, at most a block ahead
    await get_redis().delete(f"ratelimit:{key}:86400:{int(time.time() // 86400)}")


# --- units ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100/minute", Limit(100, 60)),
        ("5/minute", Limit(5, 60)),
        ("3/hour", Limit(3, 3600)),
        ("10/30second", Limit(10, 30)),
        ("7/seconds", Limit(7, 1)),
        ("2/5minutes", Limit(2, 300)),
        ("1000/day", Limit(1000, 86400)),
        ("0/minute", Limit(0, 60)),
        ("  4/hour ", Limit(4, 3600)),
    ],
)
def test_limit_parse(text: str, expected: Limit) -> None:
    assert Limit.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "5",
        "5/",
        "/minute",
        "-1/minute",
        "1.5/minute",
        "5/fortnight",
        "5/m",
        "five/minute",
        "5/0second",
    ],
)
def test_limit_parse_refuses_nonsense(text: str) -> None:
    with pytest.raises(ValueError):
        Limit.parse(text)


def test_the_configured_defaults_parse() -> None:
    for name in LIMIT_SETTINGS:
        Limit.parse(Settings.model_fields[name].default)


@given(
    count=st.integers(min_value=0, max_value=10**9),
    multiplier=st.integers(min_value=1, max_value=10**4),
    unit=st.sampled_from([("second", 1), ("minute", 60), ("hour", 3600), ("day", 86400)]),
    plural=st.booleans(),
    written=st.booleans(),
)
def test_limit_parse_round_trips(
    count: int, multiplier: int, unit: tuple[str, int], plural: bool, written: bool
) -> None:
    name, seconds = unit
    period = f"{multiplier if written or multiplier != 1 else ''}{name}{'s' if plural else ''}"
    assert Limit.parse(f"{count}/{period}") == Limit(count, multiplier * seconds)


TRUSTED = ["10.0.0.0/8", "172.16.0.0/12", "fd00::/8"]
_TRUSTED_NETWORKS = [ipaddress.ip_network(net) for net in TRUSTED]


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _TRUSTED_NETWORKS)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def request_from(peer_ip: str | None, forwarded: list[str] | None) -> Request:
    headers = []
    if forwarded is not None:
        headers.append((b"x-forwarded-for", ", ".join(forwarded).encode("latin-1")))
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "query_string": b"",
        "headers": headers,
        "client": (peer_ip, 1234) if peer_ip is not None else None,
    }
    return Request(scope)


addresses = st.ip_addresses().map(str)
trusted_addresses = st.one_of(
    st.ip_addresses(network="10.0.0.0/8"),
    st.ip_addresses(network="172.16.0.0/12"),
    st.ip_addresses(network="fd00::/8"),
).map(str)
hops = st.one_of(
    addresses,
    trusted_addresses,
    st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=","), max_size=40),
)


@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    peer_ip=st.one_of(st.none(), addresses.filter(lambda address: not _trusted(address))),
    forwarded=st.one_of(st.none(), st.lists(hops, max_size=6)),
    configured=st.sampled_from([TRUSTED, []]),
)
def test_client_ip_never_takes_a_forwarded_address_from_an_untrusted_peer(
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    peer_ip: str | None,
    forwarded: list[str] | None,
    configured: list[str],
) -> None:
    monkeypatch.setattr(settings, "trusted_proxies", configured)
    assert client_ip(request_from(peer_ip, forwarded)) == (peer_ip or "unknown")


@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(peer_ip=trusted_addresses, forwarded=st.lists(hops, max_size=6))
def test_client_ip_behind_a_trusted_proxy_is_the_rightmost_untrusted_hop(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, peer_ip: str, forwarded: list[str]
) -> None:
    monkeypatch.setattr(settings, "trusted_proxies", TRUSTED)
    result = client_ip(request_from(peer_ip, forwarded))
    ipaddress.ip_address(result)  # always an address, never junk from the header
    chain = [peer_ip, *reversed([hop.strip() for hop in forwarded if hop.strip()])]
    first_untrusted = next((i for i, hop in enumerate(chain) if not _trusted(hop)), None)
    if first_untrusted is None:  # trusted all the way: the farthest hop
        assert result == chain[-1]
    elif _is_address(chain[first_untrusted]):
        assert result == chain[first_untrusted]
    else:  # junk: the last hop a trusted proxy vouched for
        assert result == chain[first_untrusted - 1]

"""Many instances behind nginx (bench/cluster.py): nginx with deploy/nginx/reelbyte.conf in front of
two `reelbyte serve`, a job worker and a media worker, on this run's PostgreSQL, Redis and S3.

Through nginx: chat between two users whose sockets are on different instances (nginx's access
log names the instance that served each socket), one rate-limit budget for both instances, a job
deferred by either instance that runs once, the client's address as X-Forwarded-For (a forged
one ignored), the API's body limit and error format, and the web app's cache headers.

Each test talks from an address of its own (127.0.0.x), so the per-address limits of one do not
touch another's.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import psycopg
import pytest
from aiosmtpd.controller import Controller
from bench.cluster import Cluster
from websockets.asyncio.client import ClientConnection, connect

from reelbyte.core.config import Settings
from reelbyte.core.jobs import libpq_url
from tests.conftest import Mailbox, _with_database, s3_env
from tests.factories import TEST_PASSWORD, bearer, login, register

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("nginx") is None, reason="needs nginx (.ci/run installs Debian's)"),
]

PORT = 8915  # nginx; the instances on 8916 and 8917
SMTP_PORT = 8919
RECEIVE_TIMEOUT = 10.0
ONE_MIB = 1024 * 1024
LOGIN_LIMIT = "5/minute"
ACCESS_LINE = re.compile(r"upstream=(\S+) request_id=(\S+)")


@pytest.fixture(scope="module")
def mail() -> Iterator[Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    yield mailbox
    controller.stop()


@pytest.fixture(scope="module")
def cluster(settings: Settings, mail: Mailbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One cluster for the module, on a database of its own beside the run's (the suite empties
    its own after every test) and the run's Redis and S3 server."""
    assert settings.database_url is not None
    database = f"reelbyte_cluster_{os.getpid()}"
    admin = libpq_url(_with_database(settings.database_url, "postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    try:
        with Cluster(
            tmp_path_factory.mktemp("cluster"),
            port=PORT,
            database_url=_with_database(settings.database_url, database),
            redis_url=settings.redis_url,
            s3_endpoint_url=settings.s3_endpoint_url,
            env={
                **s3_env(settings),
                "EMAIL_BACKEND": "smtp",
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(SMTP_PORT),
                "ARGON2_TIME_COST": "1",
                "ARGON2_MEMORY_KIB": "8192",
                "RATE_LIMIT_LOGIN": LOGIN_LIMIT,  # the production default (the suite raises it)
            },
        ) as running:
            yield running
            for name in ("api-1", "api-2", "worker"):
                assert "Traceback" not in running.log(name), running.log(name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@asynccontextmanager
async def client_from(cluster: Cluster, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of nginx's, connecting from `address` (any 127.0.0.x is this machine)."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(transport=transport, base_url=cluster.url, timeout=20) as http:
        yield http


def upstreams(cluster: Cluster, request_ids: list[str], within: float = 5.0) -> dict[str, str]:
    """The instance (address) nginx passed each request to, from its access log; a WebSocket's
    line is written when it closes."""
    deadline = time.monotonic() + within
    while True:
        by_id = {rid: addr for addr, rid in ACCESS_LINE.findall(cluster.log("nginx.access"))}
        if all(rid in by_id for rid in request_ids) or time.monotonic() > deadline:
            return {rid: by_id[rid] for rid in request_ids if rid in by_id}
        time.sleep(0.1)


def instance_addresses(cluster: Cluster) -> set[str]:
    return {f"127.0.0.1:{port}" for port in cluster.api_ports}


async def message_with(ws: ClientConnection, content: str) -> dict[str, Any]:
    """The `message` frame carrying `content` (other frames, such as presence, are skipped)."""
    deadline = time.monotonic() + RECEIVE_TIMEOUT
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"no message {content!r} within {RECEIVE_TIMEOUT}s"
        received = json.loads(await asyncio.wait_for(ws.recv(), left))
        if received["type"] == "message" and received["data"]["content"] == content:
            return dict(received["data"])


async def ticket(http: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await http.post("/v1/ws/ticket", headers=headers)
    assert response.status_code == 200, response.text
    return str(response.json()["ticket"])


async def chat_socket(cluster: Cluster, ticket: str, request_id: str) -> ClientConnection:
    url = f"ws://127.0.0.1:{cluster.port}/ws/chat?ticket={ticket}"
    return await connect(url, additional_headers={"X-Request-ID": request_id})


async def test_chat_between_users_whose_sockets_are_on_different_instances(cluster: Cluster) -> None:
    async with client_from(cluster, "127.0.0.4") as http:
        a = await register(http, "client", verified=False)
        b = await register(http, "creator", verified=False)
        a_h, b_h = bearer(await login(http, a["email"])), bearer(await login(http, b["email"]))
        started = await http.post("/v1/conversations", json={"participant_id": b["id"]}, headers=a_h)
        assert started.status_code == 201, started.text
        cid = started.json()["id"]

        # nginx balances round-robin, so the two sockets are usually on different instances;
        # its log says which served each, and an attempt where both shared one is done again.
        for attempt in range(4):
            a_id, b_id = f"ws-a-{uuid.uuid4().hex}", f"ws-b-{uuid.uuid4().hex}"
            # Both tickets first: with nothing else between them, the two handshakes go one to each.
            a_ticket, b_ticket = await ticket(http, a_h), await ticket(http, b_h)
            a_ws = await chat_socket(cluster, a_ticket, a_id)
            b_ws = await chat_socket(cluster, b_ticket, b_id)
            try:
                text = f"Hello from A, attempt {attempt}"
                await a_ws.send(
                    json.dumps({"type": "message", "data": {"conversation_id": cid, "content": text}})
                )
                received = await message_with(b_ws, text)
                assert received["sender_id"] == a["id"]
                assert received["conversation_id"] == cid

                reply = f"Hello from B, attempt {attempt}"
                await b_ws.send(
                    json.dumps({"type": "message", "data": {"conversation_id": cid, "content": reply}})
                )
                assert (await message_with(a_ws, reply))["sender_id"] == b["id"]
            finally:
                await a_ws.close()
                await b_ws.close()
            served = upstreams(cluster, [a_id, b_id])
            assert set(served.values()) <= instance_addresses(cluster), served
            if served.get(a_id) != served.get(b_id):
                break
        else:
            pytest.fail("the two sockets never landed on different instances")
        assert '"GET /ws/chat" 101' in cluster.log("nginx.access")  # the upgrade went through nginx


async def test_a_rate_limit_is_one_budget_across_both_instances(cluster: Cluster) -> None:
    if time.time() % 60 > 45:  # the login limit counts per clock minute: start in a fresh one
        await asyncio.sleep(61 - time.time() % 60)
    body = {"email": f"nobody-{uuid.uuid4().hex[:8]}@example.com", "password": "Wrong!Password1"}
    async with client_from(cluster, "127.0.0.3") as http:
        request_ids = [f"login-{uuid.uuid4().hex}" for _ in range(5)]
        for request_id in request_ids:  # RATE_LIMIT_LOGIN: 5 a minute
            response = await http.post("/v1/auth/login", json=body, headers={"X-Request-ID": request_id})
            assert response.status_code == 401, response.text
        refused = await http.post("/v1/auth/login", json=body)

    assert refused.status_code == 429, refused.text
    assert refused.json()["error"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 1
    # Both instances counted some of the five: the budget is the one in Redis, not one each.
    assert set(upstreams(cluster, request_ids).values()) == instance_addresses(cluster)


async def test_a_job_deferred_by_either_instance_runs_once(cluster: Cluster, mail: Mailbox) -> None:
    """Sign-ups on both instances each defer one verification e-mail; the worker sends each once."""
    async with client_from(cluster, "127.0.0.5") as http:
        emails, request_ids = [], []
        for _ in range(2):
            request_id = f"register-{uuid.uuid4().hex}"
            email = f"once-{uuid.uuid4().hex[:10]}@example.com"
            response = await http.post(
                "/v1/auth/register",
                json={
                    "email": email,
                    "username": f"once_{uuid.uuid4().hex[:10]}",
                    "password": TEST_PASSWORD,
                    "full_name": "Once Only",
                    "role": "client",
                },
                headers={"X-Request-ID": request_id},
            )
            assert response.status_code == 201, response.text
            emails.append(email)
            request_ids.append(request_id)
    assert set(upstreams(cluster, request_ids).values()) == instance_addresses(cluster)

    for _ in range(150):  # up to 30 s
        if all(mail.to(email) for email in emails):
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(2)  # a second run, were there one, would have sent by now
    assert [len(mail.to(email)) for email in emails] == [1, 1]


async def test_the_app_sees_the_client_address_nginx_saw_never_a_forged_one(cluster: Cluster) -> None:
    async with client_from(cluster, "127.0.0.2") as http:
        user = await register(http, "client", verified=False)
        forged = {"X-Forwarded-For": "203.0.113.66"}
        tokens = await http.post(
            "/v1/auth/login", json={"email": user["email"], "password": TEST_PASSWORD}, headers=forged
        )
        assert tokens.status_code == 200, tokens.text
        sessions = await http.get("/v1/users/me/sessions", headers={**bearer(tokens.json()), **forged})
    assert sessions.status_code == 200, sessions.text
    assert [s["ip_address"] for s in sessions.json()] == ["127.0.0.2"]


async def test_a_body_over_the_api_limit_is_refused_by_nginx_in_the_api_error_format(
    cluster: Cluster,
) -> None:
    async with client_from(cluster, "127.0.0.6") as http:
        too_big = await http.post(
            "/v1/auth/login", content=b"x" * (ONE_MIB + 1), headers={"Content-Type": "application/json"}
        )
        at_limit = await http.post(
            "/v1/auth/login", content=b"x" * ONE_MIB, headers={"Content-Type": "application/json"}
        )
    assert too_big.status_code == 413
    assert too_big.headers["content-type"] == "application/json"
    assert too_big.json() == {
        "error": "payload_too_large",
        "message": f"The request body is larger than {ONE_MIB} bytes.",
        "details": None,
    }
    # A body of exactly the limit reaches the API (which finds it is no JSON): the same limit.
    assert at_limit.status_code in (400, 422), at_limit.text
    assert at_limit.json()["error"] != "payload_too_large"


async def test_nginx_serves_hashed_assets_for_a_year_and_every_path_as_the_app_would(
    cluster: Cluster,
) -> None:
    async with client_from(cluster, "127.0.0.7") as http, httpx.AsyncClient(timeout=20) as direct:
        shell = await http.get("/")
        assert shell.status_code == 200
        assert shell.headers["cache-control"] == "no-cache"
        assert "script-src 'self'" in shell.headers["content-security-policy"]
        asset = re.search(r'/assets/[^"]+\.js', shell.text)
        assert asset is not None, shell.text

        script = await http.get(asset.group(0))
        assert script.status_code == 200
        assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "x-request-id" not in script.headers  # nginx sent it from disk, not an instance
        assert script.headers["x-content-type-options"] == "nosniff"

        instance = f"http://127.0.0.1:{cluster.api_ports[0]}"
        for path in ("/", "/gigs/some-gig", "/login", "/favicon.svg", "/assets/missing.js", "/v1/nothing-here",
                     "/health", "/index.html", "/docs"):  # fmt: skip
            through_nginx, from_app = await http.get(path), await direct.get(instance + path)
            assert (through_nginx.status_code, through_nginx.headers["content-type"]) == (
                from_app.status_code,
                from_app.headers["content-type"],
            ), path
            if path.startswith("/v1/"):
                assert through_nginx.json()["error"] == "not_found"

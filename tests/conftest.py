"""Test fixtures: a real PostgreSQL, Redis and S3 server, the ASGI app, a local SMTP server.

By default the tests use the embedded PostgreSQL (a database of their own per run, migrated
once), an embedded Redis and an embedded S3 server (SeaweedFS) of their own; TEST_DATABASE_URL /
TEST_REDIS_URL / TEST_S3_ENDPOINT_URL (with TEST_S3_ACCESS_KEY_ID, TEST_S3_SECRET_ACCESS_KEY)
point them at servers instead. Each test starts from empty tables and an empty Redis; stored
objects have random names, so tests never meet each other's.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiosmtpd.controller import Controller

if TYPE_CHECKING:
    from tests.factories import Categories

SMTP_PORT = 0  # chosen below, before the settings are first read


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


SMTP_PORT = _free_port()
os.environ.update(
    {
        "ENVIRONMENT": "test",
        "EMAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(SMTP_PORT),
        "PUBLIC_URL": "http://testserver",
        "LOG_LEVEL": "WARNING",
        # Set, so the suite does not store a generated key in the project's data folder.
        "SECRET_KEY": "test-suite-signing-key-" + "x" * 40,
        # Cheap password hashing: the suite registers hundreds of users. Production keeps the
        # Argon2id defaults; test_config checks them.
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "1024",
        # Generous limits so that tests registering many users do not trip them; the rate
        # limit tests set the production defaults explicitly.
        "RATE_LIMIT_REGISTER": "10000/hour",
        "RATE_LIMIT_LOGIN": "10000/minute",
        "RATE_LIMIT_PUBLIC": "10000/minute",
    }
)
os.environ.pop("DATABASE_URL", None)
os.environ.pop("REDIS_URL", None)

import httpx  # noqa: E402
import psycopg  # noqa: E402
import pytest  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from sqlalchemy import text  # noqa: E402

from reelbyte.catalog.pages import recent_pages  # noqa: E402
from reelbyte.core.config import Settings, get_settings  # noqa: E402
from reelbyte.core.db import get_database  # noqa: E402
from reelbyte.core.embedded import EmbeddedServices, S3Server, ensure_bucket  # noqa: E402
from reelbyte.core.jobs import libpq_url, run_worker  # noqa: E402
from reelbyte.core.migrate import upgrade  # noqa: E402
from reelbyte.core.ratelimit import forget_reserved_hits  # noqa: E402
from reelbyte.core.redis import get_redis  # noqa: E402
from reelbyte.core.runtime import Runtime  # noqa: E402
from reelbyte.core.views import forget_unsent_views  # noqa: E402
from reelbyte.main import create_app  # noqa: E402
from reelbyte.media.storage import get_storage  # noqa: E402
from reelbyte.models import metadata  # noqa: E402
from reelbyte.payments.providers import sandbox  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parents[1]


# --- order ---------------------------------------------------------------------------------


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first: pytest-xdist hands whole files to its workers in this order, so
    the fuzzing run (minutes, one file) and the tests that start servers begin at once rather
    than last, when the other workers have run out of files."""
    items.sort(
        key=lambda item: (item.get_closest_marker("fuzz") is None, item.get_closest_marker("slow") is None)
    )


# --- servers ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def embedded_services() -> Iterator[EmbeddedServices]:
    """The embedded PostgreSQL, kept in .reelbyte/test so that later runs skip initdb."""
    data_dir = Path(os.environ.get("REELBYTE_TEST_DATA_DIR", PROJECT_ROOT / ".reelbyte" / "test"))
    services = EmbeddedServices(data_dir)
    yield services
    services.stop()


@pytest.fixture(scope="session")
def server_urls(embedded_services: EmbeddedServices) -> Iterator[tuple[str, str]]:
    """(database URL of a fresh, migrated database for this run, Redis URL)."""
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if admin_url is None:
        admin_url = embedded_services.start_postgres("postgres")
    name = f"reelbyte_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin_dsn = libpq_url(admin_url)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    database_url = _with_database(admin_url, name)
    upgrade(database_url)
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        # Reference data the migrations load (the category taxonomy, the plans), restored after
        # each test.
        conn.execute("CREATE TABLE _reference_categories AS SELECT * FROM categories")
        conn.execute("CREATE TABLE _reference_plans AS SELECT * FROM plans")

    redis_url = os.environ.get("TEST_REDIS_URL")
    redis_services = None
    if redis_url is None:
        redis_services = EmbeddedServices(Path(tempfile.mkdtemp(prefix="reelbyte-test-redis-")))
        redis_url = redis_services.start_redis()
    try:
        yield database_url, redis_url
    finally:
        if redis_services is not None:
            redis_services.stop()
            shutil.rmtree(redis_services.data_dir, ignore_errors=True)
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _with_database(url: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """An S3 server for the run: TEST_S3_ENDPOINT_URL's, or an embedded SeaweedFS of its own."""
    bucket = f"reelbyte-test-{uuid.uuid4().hex[:8]}"
    endpoint = os.environ.get("TEST_S3_ENDPOINT_URL")
    if endpoint is not None:
        server = S3Server(
            endpoint, os.environ["TEST_S3_ACCESS_KEY_ID"], os.environ["TEST_S3_SECRET_ACCESS_KEY"], bucket
        )
        ensure_bucket(server)
        yield server
        return
    services = EmbeddedServices(Path(tempfile.mkdtemp(prefix="reelbyte-test-s3-")))
    try:
        yield services.start_s3(bucket)
    finally:
        services.stop()
        shutil.rmtree(services.data_dir, ignore_errors=True)


def s3_env(settings: Settings) -> dict[str, str]:
    """The variables that point a `reelbyte serve` started by a test at this run's S3 server
    (rather than at an embedded SeaweedFS of its own, in the project's data folder)."""
    assert settings.s3_endpoint_url is not None
    assert settings.s3_access_key_id is not None
    assert settings.s3_secret_access_key is not None
    return {
        "S3_ENDPOINT_URL": settings.s3_endpoint_url,
        "S3_ACCESS_KEY_ID": settings.s3_access_key_id,
        "S3_SECRET_ACCESS_KEY": settings.s3_secret_access_key,
        "S3_BUCKET": settings.s3_bucket,
    }


@pytest.fixture(scope="session")
def settings(server_urls: tuple[str, str], s3_server: S3Server) -> Settings:
    settings = get_settings()
    settings.database_url, settings.redis_url = server_urls
    settings.s3_endpoint_url = s3_server.endpoint_url
    settings.s3_access_key_id = s3_server.access_key_id
    settings.s3_secret_access_key = s3_server.secret_access_key
    settings.s3_bucket = s3_server.bucket
    get_storage.cache_clear()
    return settings


@pytest.fixture(scope="session")
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    runtime = Runtime(settings)
    await runtime.start()
    yield runtime
    await runtime.stop()


@pytest.fixture(scope="session")
def app(runtime: Runtime, settings: Settings) -> FastAPI:
    return create_app(settings)


# --- per-test isolation -------------------------------------------------------------------

# Emptying every table after each test is the suite's largest fixed cost: TRUNCATE of some
# eighty tables takes about 0.2 s (new files for each), so only the tables a test wrote to are
# emptied, by DELETE, with triggers and foreign-key checks off (session_replication_role); the
# reference data the migrations load is put back (triggers on) and every sequence starts again.
RESETTABLE_TABLES = [table.name for table in reversed(metadata.sorted_tables)] + [
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_jobs",
    "procrastinate_workers",
]
REFERENCE_TABLES = {"categories": "_reference_categories", "plans": "_reference_plans"}
WRITTEN_TABLES_SQL = " UNION ALL ".join(
    f"SELECT '{name}' WHERE EXISTS (SELECT FROM \"{name}\")"
    for name in RESETTABLE_TABLES
    if name not in REFERENCE_TABLES
)
RESTART_SEQUENCES_SQL = """
    SELECT setval(format('%I.%I', schemaname, sequencename), 1, false)
    FROM pg_sequences WHERE schemaname = 'public'
"""
RESTORE_REFERENCE_SQL = [
    *(
        f'INSERT INTO "{table}" OVERRIDING SYSTEM VALUE SELECT * FROM "{copy}"'
        for table, copy in REFERENCE_TABLES.items()
    ),
    "SELECT setval(pg_get_serial_sequence('categories', 'id'), (SELECT max(id) FROM categories))",
]


async def reset_state() -> None:
    """Empty the database (but for its reference data) and Redis, as a new test expects them."""
    async with get_database().engine.begin() as connection:
        written = (await connection.execute(text(WRITTEN_TABLES_SQL))).scalars().all()
        await connection.execute(text("SET LOCAL session_replication_role = replica"))
        for table in [*written, *REFERENCE_TABLES]:
            await connection.execute(text(f'DELETE FROM "{table}"'))
        await connection.execute(text(RESTART_SEQUENCES_SQL))
        # The reference rows go back with their triggers on (they fill the search dictionary).
        await connection.execute(text("SET LOCAL session_replication_role = origin"))
        for statement in RESTORE_REFERENCE_SQL:
            await connection.execute(text(statement))
    await get_redis().flushdb()
    # What this process holds in memory about what Redis held.
    recent_pages.clear()  # the catalog's pages (catalog/pages.py)
    forget_reserved_hits()  # blocks of rate-limit hits (core/ratelimit.py)
    forget_unsent_views()  # views not sent yet (core/views.py)


@pytest.fixture(autouse=True)
async def clean_state(runtime: Runtime, settings: Settings) -> AsyncIterator[None]:
    yield
    await reset_state()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture(autouse=True)
def webhooks_into_the_app(app: FastAPI) -> Iterator[None]:
    """The sandbox provider's webhook job posts into this very app (over ASGI)."""
    sandbox.webhook_transport = httpx.ASGITransport(app=app)
    yield
    sandbox.webhook_transport = None


@pytest.fixture
async def categories() -> Categories:
    """The ids of a few categories of the taxonomy."""
    from tests.factories import known_categories  # tests.factories imports this module

    return await known_categories()


# --- e-mail -------------------------------------------------------------------------------


class Mailbox:
    """Collects what the local SMTP server receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes
        from email.policy import default

        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages if m["To"] == address]


def link_in(message: Any) -> str:
    """The first http(s) link in the plain-text part of an e-mail."""
    body = message.get_body(("plain",)).get_content()
    match = re.search(r"https?://\S+", body)
    assert match, f"no link in {body!r}"
    return match.group(0)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    yield mailbox
    controller.stop()


@pytest.fixture
def mailbox(smtp_server: Mailbox) -> Iterator[Mailbox]:
    smtp_server.messages.clear()
    yield smtp_server
    smtp_server.messages.clear()


async def run_jobs() -> None:
    """Run every job that is due, then return."""
    await run_worker(wait=False, concurrency=1, name="test-worker")

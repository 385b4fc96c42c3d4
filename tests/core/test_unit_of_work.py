"""The unit of work: one commit at the end of a request, job or command; nothing left behind by a
unit that fails; after-commit hooks only after a commit; serialization failures retried."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import Depends, FastAPI, Request
from psycopg import errors as pg_errors
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.db import (
    Database,
    after_commit,
    constraint_error,
    driver_connection,
    get_database,
    planned_for_values,
    transaction,
)
from reelbyte.core.errors import Conflict, install_error_handlers
from reelbyte.core.routing import APIRouter, SessionDep, UnitOfWorkRoute
from reelbyte.core.runtime import Runtime


class ProbeTaken(Conflict):
    code = "probe_taken"
    message = "That probe exists already."


constraint_error("uq_uow_probe_name", ProbeTaken)


class Boom(RuntimeError):
    pass


@pytest.fixture
async def probe_table(runtime: Runtime) -> AsyncIterator[None]:
    async with get_database().engine.begin() as connection:
        await connection.execute(
            text("CREATE TABLE uow_probe (name text CONSTRAINT uq_uow_probe_name UNIQUE)")
        )
    yield
    async with get_database().engine.begin() as connection:
        await connection.execute(text("DROP TABLE uow_probe"))


async def _names() -> list[str]:
    async with get_database().engine.connect() as connection:
        return list((await connection.execute(text("SELECT name FROM uow_probe ORDER BY name"))).scalars())


async def _insert(session: AsyncSession, name: str) -> None:
    await session.execute(text("INSERT INTO uow_probe (name) VALUES (:name)"), {"name": name})


def _probe_app(published: list[str]) -> FastAPI:
    router = APIRouter(prefix="/probe")

    @router.post("/ok/{name}")
    async def write(name: str, session: SessionDep) -> dict[str, str]:
        await _insert(session, name)

        async def publish() -> None:
            published.append(name)

        after_commit(session, publish)
        return {"name": name}

    @router.post("/fail/{name}")
    async def write_then_fail(name: str, session: SessionDep) -> dict[str, str]:
        await _insert(session, name)

        async def publish() -> None:
            published.append(name)

        after_commit(session, publish)
        raise ProbeTaken("Refused after writing.")

    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    return app


@pytest.fixture
async def probe(probe_table: None) -> AsyncIterator[tuple[httpx.AsyncClient, list[str]]]:
    published: list[str] = []
    transport = httpx.ASGITransport(app=_probe_app(published))
    async with httpx.AsyncClient(transport=transport, base_url="http://probe") as http:
        yield http, published


async def test_a_route_commits_once_at_the_end_then_runs_its_hooks(
    probe: tuple[httpx.AsyncClient, list[str]],
) -> None:
    http, published = probe
    response = await http.post("/probe/ok/alpha")
    assert response.status_code == 200
    assert await _names() == ["alpha"]
    assert published == ["alpha"]


async def test_a_route_that_raises_after_writing_leaves_nothing_and_publishes_nothing(
    probe: tuple[httpx.AsyncClient, list[str]],
) -> None:
    http, published = probe
    response = await http.post("/probe/fail/beta")
    assert response.status_code == 409
    assert response.json()["error"] == "probe_taken"
    assert await _names() == []
    assert published == []


async def test_a_constraint_tripped_by_a_race_becomes_its_named_error(
    probe: tuple[httpx.AsyncClient, list[str]],
) -> None:
    http, _ = probe
    first, second = await asyncio.gather(http.post("/probe/ok/gamma"), http.post("/probe/ok/gamma"))
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    loser = first if first.status_code == 409 else second
    assert loser.json()["error"] == "probe_taken"
    assert await _names() == ["gamma"]


async def test_a_serialization_failure_runs_the_whole_unit_again(probe_table: None) -> None:
    attempts: list[int] = []
    hooks: list[int] = []

    async def work(session: AsyncSession) -> str:
        attempts.append(len(attempts) + 1)
        await _insert(session, f"try-{len(attempts)}")
        after_commit(session, _append(hooks, len(attempts)))
        if len(attempts) < 3:  # what PostgreSQL raises when a serializable transaction loses a race
            await session.execute(text("SELECT 1"))
            raise _db_error(pg_errors.SerializationFailure)
        return "done"

    assert await transaction(work) == "done"
    assert attempts == [1, 2, 3]
    assert await _names() == ["try-3"]  # the failed attempts left nothing
    assert hooks == [3]  # only the committed attempt's hook ran


async def test_retries_are_bounded(probe_table: None) -> None:
    calls = 0

    async def work(session: AsyncSession) -> None:
        nonlocal calls
        calls += 1
        await _insert(session, f"n{calls}")
        raise _db_error(pg_errors.DeadlockDetected)

    with pytest.raises(Exception, match="deadlock"):
        await transaction(work, attempts=3)
    assert calls == 3
    assert await _names() == []


async def test_an_error_that_is_not_retryable_is_raised_at_once(probe_table: None) -> None:
    calls = 0

    async def work(session: AsyncSession) -> None:
        nonlocal calls
        calls += 1
        await _insert(session, "delta")
        raise Boom("no")

    with pytest.raises(Boom):
        await transaction(work)
    assert calls == 1
    assert await _names() == []


async def test_a_real_serialization_conflict_between_two_units_is_retried(probe_table: None) -> None:
    """Two serializable units read the same table, then write: PostgreSQL fails one of them with
    40001; the unit of work runs it again and both end committed."""
    both_read = asyncio.Barrier(2)

    async def work(session: AsyncSession, name: str, first_attempt: list[bool]) -> None:
        await session.execute(text("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"))
        count = await session.scalar(text("SELECT count(*) FROM uow_probe"))
        if first_attempt[0]:
            first_attempt[0] = False
            await both_read.wait()
        await _insert(session, f"{name}-saw-{count}")

    flags = {"a": [True], "b": [True]}
    await asyncio.gather(
        transaction(lambda s: work(s, "a", flags["a"])),
        transaction(lambda s: work(s, "b", flags["b"])),
    )
    names = await _names()
    assert len(names) == 2
    assert sorted(name.split("-saw-")[1] for name in names) == ["0", "1"]  # one ran after the other


def test_every_api_route_is_a_unit_of_work(app: FastAPI) -> None:
    from fastapi.routing import APIRoute, iter_route_contexts

    routes = [
        context for context in iter_route_contexts(app.routes) if isinstance(context.original_route, APIRoute)
    ]
    assert len(routes) > 50
    assert [route.path for route in routes if not isinstance(route.original_route, UnitOfWorkRoute)] == []


def _append(into: list[int], value: int):  # type: ignore[no-untyped-def]
    async def hook() -> None:
        into.append(value)

    return hook


def _db_error(kind: type[pg_errors.Error]) -> Exception:
    from sqlalchemy.exc import DBAPIError

    message = "deadlock detected" if kind is pg_errors.DeadlockDetected else "could not serialize access"
    return DBAPIError("probe", None, kind(message))


async def test_only_routes_that_use_the_session_open_a_unit_of_work(probe_table: None) -> None:
    """A route that never asks for the session (a probe) pays for no unit of work; one whose
    router's own dependency asks for it (an admin check, say) gets one all the same."""
    opened: list[str] = []

    async def router_guard(session: SessionDep) -> None:
        opened.append("guard")
        await _insert(session, "guarded")

    guarded = APIRouter(prefix="/guarded")

    @guarded.post("/plain")
    async def plain() -> dict[str, bool]:
        return {"ok": True}

    bare = APIRouter(prefix="/bare")

    @bare.get("/plain")
    async def bare_plain(request: Request) -> dict[str, bool]:
        return {"in_unit_of_work": "reelbyte.session" in request.scope}

    app = FastAPI()
    install_error_handlers(app)
    app.include_router(guarded, dependencies=[Depends(router_guard)])
    app.include_router(bare)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://probe") as http:
        assert (await http.post("/guarded/plain")).status_code == 200
        assert (await http.get("/bare/plain")).json() == {"in_unit_of_work": False}
    assert opened == ["guard"]
    assert await _names() == ["guarded"]  # the guard's write was committed by its unit of work


async def test_a_connection_that_died_in_the_pool_is_replaced_and_the_work_runs_again(
    runtime: Runtime,
) -> None:
    """The pool does not ping before every checkout: a dead connection fails the unit's first
    statement, nothing has been done, and the unit runs again on a fresh connection."""
    database = Database(runtime.settings.database_url or "", pool_size=1)  # the pool's only connection
    attempts: list[int] = []

    async def backend(session: AsyncSession) -> int:
        attempts.append(1)
        return int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)

    try:
        first = await transaction(backend, sessions=database.sessions)
        async with get_database().engine.connect() as spare:  # the app's pool, not the probe's
            await spare.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        attempts.clear()
        second = await transaction(backend, sessions=database.sessions)
    finally:
        await database.dispose()
    assert second != first
    assert len(attempts) == 2  # the first attempt met the dead connection


async def test_a_get_runs_without_a_transaction_on_a_connection_that_refuses_writes(
    probe_table: None,
) -> None:
    """GET and HEAD only read: their statements run on their own (no BEGIN, no COMMIT), on the
    read pool, where PostgreSQL refuses any write, so a GET that wrote would fail, not write."""
    router = APIRouter(prefix="/reads")

    @router.get("/mode")
    async def mode(session: SessionDep) -> dict[str, str]:
        read_only = await session.scalar(text("SHOW transaction_read_only"))
        in_block = await session.scalar(text("SELECT now() = statement_timestamp()"))
        return {"read_only": str(read_only), "own_transaction_per_statement": str(in_block)}

    @router.get("/write")
    async def write(session: SessionDep) -> dict[str, str]:
        await _insert(session, "from-a-get")
        return {"wrote": "yes"}

    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://probe") as http:
        assert (await http.get("/reads/mode")).json() == {
            "read_only": "on",
            "own_transaction_per_statement": "True",
        }
        assert (await http.get("/reads/write")).status_code == 500
    assert await _names() == []


async def test_statements_planned_for_their_values_are_never_prepared(runtime: Runtime) -> None:
    """psycopg prepares a statement run five times on a connection (and PostgreSQL then may use
    one generic plan for all values); inside `planned_for_values` it never does."""
    probe = text("SELECT count(*) /* planned for values */ FROM users WHERE username = :name")
    prepared = text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%planned for values%'")

    async def run_often(session: AsyncSession) -> int:
        for attempt in range(8):
            await session.execute(probe, {"name": f"nobody-{attempt}"})
        return int(await session.scalar(prepared) or 0)

    async def planned(session: AsyncSession) -> tuple[int, object, object]:
        connection = await driver_connection(session)
        async with planned_for_values(session):
            inside = await run_often(session)
            threshold_inside = connection.prepare_threshold
        return inside, threshold_inside, connection.prepare_threshold

    assert await transaction(planned, read_only=True) == (0, None, 5)
    assert await transaction(run_often, read_only=True) == 1  # the default: prepared

"""The database: declarative base, engine, sessions and the transaction helper."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import psycopg
import structlog
from prometheus_client import Counter
from psycopg import errors as pg_errors
from sqlalchemy import DateTime, MetaData, Select, event, func, make_url
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, DisconnectionError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

T = TypeVar("T")
M = TypeVar("M")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UUIDPrimaryKey:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), default=utcnow, onupdate=utcnow)


# Read pools: PostgreSQL itself refuses any write on their connections.
_READ_ONLY = {"options": "-c default_transaction_read_only=on"}
# A replica that cannot be reached within this is taken for down (its reads go to the primary).
REPLICA_CONNECT_TIMEOUT_SECONDS = 2
# While down, the replica is tried again this often (one connection attempt, not one per read).
REPLICA_RETRY_SECONDS = 5.0
_REPLICA_SESSION = "reelbyte.replica"  # session.info: the session reads on the replica pool
_ON_PRIMARY = "reelbyte.on_primary"  # connection record info: a replica pool connection on the primary

REPLICA_FALLBACK_READS = Counter(
    "reelbyte_db_replica_fallback_reads_total",
    "Reads meant for the replica that the primary served, the replica being unreachable",
)


class Database:
    """The engines and session factories of one process: one pool for units of work that
    write, one for those that only read, and — with a replica (DATABASE_REPLICA_URL) — one on the
    replica for the routes that accept its lag (core/routing.py, `ReplicaSessionDep`).

    A reading unit (a GET) runs each statement on its own, without BEGIN and COMMIT (two round
    trips of the three a cached page costs), on connections PostgreSQL itself keeps read-only:
    a GET that tried to write would fail at once, not write outside a transaction."""

    def __init__(
        self, url: str, pool_size: int = 20, echo: bool = False, replica_url: str | None = None
    ) -> None:
        # No pre-ping: it cost a round trip per checkout. A connection found dead instead fails
        # its first statement, and the unit of work runs again on a fresh one (`transaction`).
        self._pool = {
            "pool_size": pool_size,
            "max_overflow": pool_size // 2,
            "pool_pre_ping": False,
            "echo": echo,
        }
        self.engine = self._engine(url)
        self.read_engine = self._engine(url, isolation_level="AUTOCOMMIT", connect_args=_READ_ONLY)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.read_sessions = async_sessionmaker(self.read_engine, expire_on_commit=False)
        self.replica_engine: AsyncEngine | None = None
        self.replica_sessions: async_sessionmaker[AsyncSession] | None = None
        if replica_url:
            self.replica_engine = self._engine(
                replica_url,
                isolation_level="AUTOCOMMIT",
                connect_args={**_READ_ONLY, "connect_timeout": REPLICA_CONNECT_TIMEOUT_SECONDS},
            )
            ReplicaFallback(self.replica_engine, primary_url=url)
            self.replica_sessions = async_sessionmaker(
                self.replica_engine, expire_on_commit=False, info={_REPLICA_SESSION: True}
            )

    def _engine(self, url: str, **options: Any) -> AsyncEngine:
        """Every engine of the process is made here, with the same pool settings."""
        return create_async_engine(url, **self._pool, **options)

    @property
    def has_replica(self) -> bool:
        return self.replica_sessions is not None

    @property
    def engines(self) -> list[AsyncEngine]:
        """Every engine of the process (to instrument them all)."""
        return [self.engine, self.read_engine, *([self.replica_engine] if self.replica_engine else [])]

    async def dispose(self) -> None:
        await self.engine.dispose()
        await self.read_engine.dispose()
        if self.replica_engine is not None:
            await self.replica_engine.dispose()


class ReplicaFallback:
    """The replica pool's connections go to the replica, or — while it cannot be reached — to
    the primary (read-only too), so that its reads still succeed: the first failure is logged,
    each read the primary serves in its place is counted (REPLICA_FALLBACK_READS). Every
    REPLICA_RETRY_SECONDS a connection tries the replica again; once it answers, the pool's
    connections to the primary are replaced as they are next taken.

    A replica that goes down under open connections fails their next statement as a lost
    connection, which `transaction` runs again on a fresh one: the read falls back unharmed."""

    def __init__(self, engine: AsyncEngine, primary_url: str) -> None:
        sync_engine = engine.sync_engine
        cargs, cparams = sync_engine.dialect.create_connect_args(make_url(primary_url))
        self._primary: tuple[list[Any], dict[str, Any]] = (list(cargs), {**cparams, **_READ_ONLY})
        self._down_until = 0.0  # time.monotonic(); 0: not known to be down
        self._down = False
        event.listen(sync_engine, "do_connect", self._connect)
        event.listen(sync_engine, "checkout", self._checkout)

    def _connect(self, dialect: Dialect, record: Any, cargs: list[Any], cparams: dict[str, Any]) -> Any:
        if time.monotonic() >= self._down_until:
            try:
                connection = dialect.connect(*cargs, **cparams)
            except psycopg.OperationalError as error:
                self._went_down(error)
            else:
                if self._down:
                    self._down = False
                    log.info("replica_reachable_again")
                record.info[_ON_PRIMARY] = False
                return connection
        record.info[_ON_PRIMARY] = True
        primary_args, primary_params = self._primary
        return dialect.connect(*primary_args, **primary_params)

    def _checkout(self, _dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if not record.info.get(_ON_PRIMARY):
            return
        if time.monotonic() >= self._down_until:
            raise DisconnectionError("time to try the replica again")  # the pool reconnects
        REPLICA_FALLBACK_READS.inc()

    def _went_down(self, error: psycopg.OperationalError) -> None:
        self._down_until = time.monotonic() + REPLICA_RETRY_SECONDS
        if not self._down:
            self._down = True
            log.warning("replica_unreachable", error=str(error).strip(), retry_in=REPLICA_RETRY_SECONDS)


def reads_replica(session: AsyncSession) -> bool:
    """Whether the session reads on the replica pool: what it reads may lag the primary (by
    the replica's replay delay), so it must not be cached under a version read elsewhere."""
    return bool(session.info.get(_REPLICA_SESSION))


_database: Database | None = None


def init_database(url: str, pool_size: int = 20, replica_url: str | None = None) -> Database:
    global _database
    _database = Database(url, pool_size=pool_size, replica_url=replica_url)
    return _database


def get_database() -> Database:
    if _database is None:
        raise RuntimeError("the database is not initialised: call init_database() first")
    return _database


RETRYABLE_SQLSTATES = {
    pg_errors.SerializationFailure.sqlstate,
    pg_errors.DeadlockDetected.sqlstate,
}
MAX_ATTEMPTS = 5

AfterCommit = Callable[[], Awaitable[None]]
_AFTER_COMMIT = "reelbyte.after_commit"

# A unique or check constraint that a service checks first but a racing transaction can still
# trip: the constraint's name maps to the domain error the unit of work raises in its place.
_CONSTRAINT_ERRORS: dict[str, Callable[[], Exception]] = {}

# Synchronous callbacks run whenever a writing unit of work of this process commits (see
# `on_write_committed`).
_WRITE_COMMITTED: list[Callable[[], None]] = []

log = structlog.get_logger(__name__)


def is_retryable(error: BaseException, *, committing: bool = False) -> bool:
    """A serialization failure or deadlock; or a connection found dead before the commit was
    sent (after it, whether the commit happened is unknown: never run the work twice)."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated and not committing:
        return True
    return getattr(error.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def constraint_error(constraint: str, make_error: Callable[[], Exception]) -> None:
    """Register the error that a violation of `constraint` becomes (at import time)."""
    _CONSTRAINT_ERRORS[constraint] = make_error


def _translated(error: IntegrityError) -> Exception | None:
    constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
    make_error = _CONSTRAINT_ERRORS.get(constraint or "")
    return make_error() if make_error is not None else None


def on_write_committed(callback: Callable[[], None]) -> None:
    """Call `callback` (quick, synchronous) each time a writing unit of work of this process
    commits, before its after-commit hooks: for what a process keeps in memory about the
    database and must not trust after its own writes (catalog/pages.py). Register at import."""
    _WRITE_COMMITTED.append(callback)


def after_commit(session: AsyncSession, hook: AfterCommit) -> None:
    """Run `hook` once the session's unit of work has committed; a rollback drops it."""
    session.info.setdefault(_AFTER_COMMIT, []).append(hook)


async def _run_after_commit_hooks(session: AsyncSession) -> None:
    for hook in session.info.pop(_AFTER_COMMIT, []):
        try:
            await hook()
        except Exception:  # the data is committed; a lost publish must not turn it into an error
            log.exception("after_commit_hook_failed", hook=getattr(hook, "__qualname__", repr(hook)))


async def transaction(
    work: Callable[[AsyncSession], Awaitable[T]],
    *,
    attempts: int = MAX_ATTEMPTS,
    sessions: Callable[[], AsyncSession] | None = None,
    read_only: bool = False,
    replica: bool = False,
) -> T:
    """The unit of work: run `work` in a new session, commit, then run its after-commit hooks.

    This is the only place that commits. An error rolls everything back (and drops the hooks);
    a serialization failure or deadlock runs the whole of `work` again, a bounded number of
    times with jittered backoff, so `work` must be safe to run from the start. Entry points
    (the request route class, each job, each CLI command) call this; services never commit.
    `sessions` makes the session on other connections than the app's pool (the sandbox
    provider keeps its books apart, as a remote provider would). A `read_only` unit runs on the
    read pool (`Database`): no transaction, and any write refused by PostgreSQL; with `replica`
    too, on the replica's pool if there is one (what it reads may lag the primary).
    """
    if sessions is None:
        sessions = _sessions(get_database(), read_only=read_only, replica=replica)
    for attempt in range(1, attempts + 1):
        async with sessions() as session:
            committing = False
            try:
                result = await work(session)
                committing = True
                if session.in_transaction() or not read_only:  # a read that ran no SQL has none
                    await session.commit()
            except IntegrityError as error:
                await session.rollback()
                translated = _translated(error)
                if translated is None:
                    raise
                raise translated from error
            except DBAPIError as error:
                await session.rollback()
                if not is_retryable(error, committing=committing) or attempt == attempts:
                    raise
                log.info(
                    "transaction_retried", attempt=attempt, sqlstate=getattr(error.orig, "sqlstate", None)
                )
                await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))  # noqa: S311 (jitter)
                continue
            except BaseException:
                await session.rollback()
                raise
            if not read_only:
                for callback in _WRITE_COMMITTED:
                    callback()
            await _run_after_commit_hooks(session)
            return result
    raise AssertionError("unreachable")


def _sessions(database: Database, *, read_only: bool, replica: bool) -> async_sessionmaker[AsyncSession]:
    if not read_only:
        return database.sessions
    if replica and database.replica_sessions is not None:
        return database.replica_sessions
    return database.read_sessions


async def lock_one(session: AsyncSession, query: Select[M]) -> M | None:
    """The one row `query` selects, locked FOR UPDATE until the unit of work ends, and read
    afresh (populate_existing) so that a copy loaded earlier in the session is not trusted."""
    locked = query.with_for_update().execution_options(populate_existing=True)
    row: M | None = (await session.execute(locked)).scalars().first()
    return row


async def driver_connection(session: AsyncSession) -> Any:
    """The psycopg connection under the session's current transaction (for procrastinate)."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


@asynccontextmanager
async def planned_for_values(session: AsyncSession) -> AsyncIterator[None]:
    """Run the statements inside unprepared, so that PostgreSQL plans each for its values.

    psycopg prepares a statement once a connection has run it five times, and PostgreSQL then
    settles on one generic plan for all values. Most statements gain (no planning); but the best
    plan of a search or a filtered list depends on its values (how many gigs the words, the
    category or the price bound match), and the generic plan walked an index past tens of
    thousands of rows where a plan for the values reads a few hundred (bench/search_load.py's
    long tail, from one connection: price-sorted searches 50 ms of PostgreSQL under the generic
    plan, 4 planned for their values)."""
    connection = await driver_connection(session)
    threshold = connection.prepare_threshold
    connection.prepare_threshold = None  # never prepared, so never a generic plan
    try:
        yield
    finally:
        connection.prepare_threshold = threshold


async def run_in_transaction(session: AsyncSession, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """TRANSITIONAL (removed once every domain uses `transaction`)."""
    result = await work(session)
    await session.commit()
    return result

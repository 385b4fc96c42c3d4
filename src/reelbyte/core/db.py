"""The database: declarative base, engine, sessions and the transaction helper."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from psycopg import errors as pg_errors
from sqlalchemy import DateTime, MetaData, func
from sqlalchemy.exc import DBAPIError
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


class Database:
    """The engine and session factory of one process."""

    def __init__(self, url: str, pool_size: int = 10, echo: bool = False) -> None:
        self.engine: AsyncEngine = create_async_engine(
            url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, echo=echo
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def dispose(self) -> None:
        await self.engine.dispose()


_database: Database | None = None


def init_database(url: str, pool_size: int = 10) -> Database:
    global _database
    _database = Database(url, pool_size=pool_size)
    return _database


def get_database() -> Database:
    if _database is None:
        raise RuntimeError("the database is not initialised: call init_database() first")
    return _database


async def get_session() -> AsyncIterator[AsyncSession]:
    """FastAPI dependency: one session per request; services decide when to commit."""
    async with get_database().sessions() as session:
        yield session


RETRYABLE_SQLSTATES = {
    pg_errors.SerializationFailure.sqlstate,
    pg_errors.DeadlockDetected.sqlstate,
}


def is_retryable(error: BaseException) -> bool:
    if isinstance(error, DBAPIError):
        sqlstate = getattr(error.orig, "sqlstate", None)
        return sqlstate in RETRYABLE_SQLSTATES
    return False


async def run_in_transaction(
    session: AsyncSession,
    work: Callable[[AsyncSession], Awaitable[T]],
    attempts: int = 5,
) -> T:
    """Run `work` in a transaction and commit; retry on serialization failures and deadlocks.

    `work` must be safe to run again from the start: everything it did is rolled back first.
    """
    for attempt in range(1, attempts + 1):
        try:
            result = await work(session)
            await session.commit()
            return result
        except DBAPIError as error:
            await session.rollback()
            if not is_retryable(error) or attempt == attempts:
                raise
            await asyncio.sleep(0.01 * 2**attempt)
        except BaseException:
            await session.rollback()
            raise
    raise AssertionError("unreachable")


async def driver_connection(session: AsyncSession) -> Any:
    """The psycopg connection under the session's current transaction (for procrastinate)."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection

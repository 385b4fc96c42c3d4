"""In-process domain events: how a lower domain tells a higher one without importing it.

A lower domain declares a `Signal` and emits it inside its transaction; a higher domain
registers a handler at import time. Handlers run in the emitter's transaction, so what they
write commits or rolls back with the change that caused it. A `Question` is a signal whose
handlers answer yes or no (is this gig still needed by an order?), asked the same way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

P = TypeVar("P")

Handler = Callable[[AsyncSession, P], Awaitable[object]]


class Signal(Generic[P]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._handlers: list[Handler[P]] = []

    def connect(self, handler: Handler[P]) -> Handler[P]:
        """Register `handler` (usable as a decorator); registering twice has no effect."""
        if handler not in self._handlers:
            self._handlers.append(handler)
        return handler

    def disconnect(self, handler: Handler[P]) -> None:
        """Unregister `handler` (tests that add one for a while)."""
        if handler in self._handlers:
            self._handlers.remove(handler)

    def handlers(self) -> tuple[Handler[P], ...]:
        return tuple(self._handlers)

    async def emit(self, session: AsyncSession, payload: P) -> None:
        for handler in list(self._handlers):
            await handler(session, payload)

    def __repr__(self) -> str:
        return f"Signal({self.name!r}, handlers={len(self._handlers)})"


class Question(Signal[P]):
    """Asked by a lower domain, answered by the higher ones that connect to it."""

    async def any(self, session: AsyncSession, payload: P) -> bool:
        """True when some handler answers true (they are asked in turn, until one does)."""
        for handler in list(self._handlers):
            if await handler(session, payload):
                return True
        return False

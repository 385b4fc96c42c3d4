"""Routes that run as one unit of work, and the errors they document.

Every HTTP route of the API is a `UnitOfWorkRoute` (use this module's `APIRouter`): the whole
route — its dependencies, the endpoint and the response it builds — runs inside
`core.db.transaction`, which commits once at the end, rolls back on an error and runs the route
again from the start on a serialization failure or deadlock. `SessionDep` hands the route and its
dependencies that unit's session.

A route documents the errors it can raise with `responses=errors(SomeError, ...)`; the errors
its dependencies raise (those marked with `@raises`) are added to it by the route class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import fastapi
from fastapi import Depends, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.db import transaction
from reelbyte.core.errors import (
    AppError,
    InvalidJson,
    PayloadTooLarge,
    ValidationFailed,
    documented_errors,
    error_responses,
)

_SESSION = "reelbyte.session"


def get_session(request: Request) -> AsyncSession:
    """The unit of work's session (FastAPI dependency)."""
    session = request.scope.get(_SESSION)
    if session is None:
        raise RuntimeError("no unit of work: the route must be a UnitOfWorkRoute (core.routing.APIRouter)")
    assert isinstance(session, AsyncSession)
    return session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def guarded_by(*dependencies: Any) -> dict[str, Any]:
    """Router-level `dependencies=` with the `responses=` that document what they raise.

    For `APIRouter(...)` and `include_router(...)`: FastAPI adds a router's dependencies to its
    routes only when the app is assembled, after each route has documented its own errors."""
    raised = [
        error for dependency in dependencies for error in getattr(dependency.dependency, "__raises__", ())
    ]
    return {"dependencies": list(dependencies), "responses": error_responses(*_unique(raised))}


def dependency_errors(dependant: Dependant) -> list[type[AppError]]:
    """The errors declared with `@raises` on `dependant`'s dependencies, recursively."""
    found: list[type[AppError]] = []
    for sub in dependant.dependencies:
        found.extend(getattr(sub.call, "__raises__", ()))
        found.extend(dependency_errors(sub))
    return found


class UnitOfWorkRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        self.declared_errors = _unique(
            [
                *documented_errors(self.responses),
                *dependency_errors(self.dependant),
                *self._request_errors(),
            ]
        )
        kept = {status: response for status, response in self.responses.items() if not _is_error(status)}
        self.responses = {**kept, **error_responses(*self.declared_errors)}

    def _request_errors(self) -> list[type[AppError]]:
        """What reading the request itself can refuse: its parameters and its body."""
        found: list[type[AppError]] = []
        if self.dependant.query_params or self.dependant.path_params or self.dependant.header_params:
            found.append(ValidationFailed)
        if self.body_field is not None:
            found += [ValidationFailed, InvalidJson, PayloadTooLarge]
        return found

    def get_route_handler(self) -> Callable[[Request], Any]:
        handle = super().get_route_handler()

        async def handle_in_unit_of_work(request: Request) -> Response:
            async def work(session: AsyncSession) -> Response:
                request.scope[_SESSION] = session
                try:
                    response: Response = await handle(request)
                    return response
                finally:
                    request.scope.pop(_SESSION, None)

            return await transaction(work)

        return handle_in_unit_of_work


class APIRouter(fastapi.APIRouter):
    """FastAPI's router whose routes are units of work."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("route_class", UnitOfWorkRoute)
        super().__init__(**kwargs)


def _is_error(status: int | str) -> bool:
    return str(status)[0] in "45"


def _unique(errors: list[type[AppError]]) -> list[type[AppError]]:
    return list(dict.fromkeys(errors))

"""Routes that run as one unit of work, and the errors they document.

Every HTTP route of the API is a `UnitOfWorkRoute` (use this module's `APIRouter`): the whole
route — its dependencies, the endpoint and the response it builds — runs inside
`core.db.transaction`, which commits once at the end, rolls back on an error and runs the route
again from the start on a serialization failure or deadlock. `SessionDep` hands the route and its
dependencies that unit's session.

A GET reads on read-only connections; one that asks for `ReplicaSessionDep` (a public read
that may lag the primary by a moment) reads on the replica when DATABASE_REPLICA_URL is set —
except for a client that wrote in the last REPLICA_STICKY_SECONDS (read-your-writes): every
successful write sets the cookie `reelbyte_read_primary` for that long, and API clients that
keep no cookies send `X-Read-Primary: 1` instead.

A route documents the errors it can raise with `responses=errors(SomeError, ...)`; the errors
its dependencies raise (those marked with `@raises`) are added to it by the route class.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from typing import Annotated, Any

import fastapi
from fastapi import Depends, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute, _effective_route_context_var, _get_scope_included_router
from sqlalchemy.ext.asyncio import AsyncSession
from starlette._utils import get_route_path
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

from reelbyte.core.config import get_settings
from reelbyte.core.db import get_database, transaction
from reelbyte.core.errors import (
    AppError,
    ControlCharacters,
    InvalidJson,
    PayloadTooLarge,
    ValidationFailed,
    documented_errors,
    error_responses,
)

_SESSION = "reelbyte.session"


async def get_session(request: Request) -> AsyncSession:
    """The unit of work's session (FastAPI dependency)."""
    session = request.scope.get(_SESSION)
    if session is None:
        raise RuntimeError("no unit of work: the route must be a UnitOfWorkRoute (core.routing.APIRouter)")
    assert isinstance(session, AsyncSession)
    return session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def get_writing_session(request: Request) -> AsyncSession:
    """The unit of work's session, for the rare GET that must write (an e-mailed link that
    confirms something): asking for this one makes the GET's unit of work a transaction on
    the pool that writes. Every other GET reads on the read-only pool."""
    return await get_session(request)


WritingSessionDep = Annotated[AsyncSession, Depends(get_writing_session)]


async def get_replica_session(request: Request) -> AsyncSession:
    """The unit of work's session, for a public read (a list, a search, a public profile) that
    may lag the primary by the replica's replay delay: asking for this one lets the GET read on
    the replica, when there is one and the client has not just written (`reads_primary`)."""
    return await get_session(request)


ReplicaSessionDep = Annotated[AsyncSession, Depends(get_replica_session)]

# Read-your-writes: the marker a client that wrote carries for REPLICA_STICKY_SECONDS.
READ_PRIMARY_COOKIE = "reelbyte_read_primary"
READ_PRIMARY_HEADER = "x-read-primary"


def reads_primary(request: Request) -> bool:
    """Whether the client asks to read the primary: it wrote a moment ago (the cookie), or
    says so (the header, for API clients that keep no cookies)."""
    return READ_PRIMARY_COOKIE in request.cookies or bool(request.headers.get(READ_PRIMARY_HEADER))


def _stick_to_primary(request: Request, response: Response) -> None:
    """After a successful write, let its author read the primary for a few seconds, until the
    replica has (in all likelihood) replayed it."""
    if response.status_code < 400:
        response.set_cookie(
            READ_PRIMARY_COOKIE,
            "1",
            max_age=get_settings().replica_sticky_seconds,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )


_READING_METHODS = frozenset({"GET", "HEAD"})


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


# The attribute by which a dependency declares the API key scope its route needs
# (identity.deps.require_scope): core only reads it, for the rate limits.
API_SCOPE_MARK = "__api_scope__"


def route_api_scopes(scope: Scope) -> set[str]:
    """The API key scopes the request's route declares; none: the route takes no API key."""
    context = scope.get("fastapi", {}).get("effective_route_context")
    dependant = getattr(context, "dependant", None) or getattr(scope.get("route"), "dependant", None)
    return _declared_scopes(dependant) if dependant is not None else set()


def _declared_scopes(dependant: Dependant) -> set[str]:
    found: set[str] = set()
    for sub in dependant.dependencies:
        mark = getattr(sub.call, API_SCOPE_MARK, None)
        if mark is not None:
            found.add(str(mark))
        found |= _declared_scopes(sub)
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
        if get_flat_params(self.dependant):  # the route's own parameters and its dependencies'
            found += [ValidationFailed, ControlCharacters]
        if self.body_field is not None:
            found += [ValidationFailed, ControlCharacters, InvalidJson, PayloadTooLarge]
        return found

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The path's owners are the published operations on it, a literal path winning over a
        # parameter (`/v1/payments/webhook` is no `{payment_id}`): a method none of them has is
        # a 405 whose `Allow` lists theirs, whichever route the router happened to pick.
        if scope["method"] not in (self.methods or ()) or _may_be_shadowed(
            scope["app"], _template(scope, self)
        ):
            allowed = _published_methods(scope)
            if allowed and scope["method"] not in allowed:
                raise HTTPException(status_code=405, headers={"Allow": ", ".join(sorted(allowed))})
        await super().handle(scope, receive, send)

    def get_route_handler(self) -> Callable[[Request], Any]:
        handle = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                response: Response = await handle(request)
                return response
            except HTTPException as error:
                # FastAPI's answer to a body it cannot decode (not UTF-8, say): one named error.
                if error.status_code == 400:
                    raise InvalidJson(details={"reason": error.detail}) from error
                raise

        async def handle_in_unit_of_work(request: Request) -> Response:
            async def work(session: AsyncSession) -> Response:
                request.scope[_SESSION] = session
                try:
                    return await answer(request)
                finally:
                    request.scope.pop(_SESSION, None)

            # GET and HEAD read (a convention the read pool enforces): no transaction.
            if reads_only and request.method in _READING_METHODS:
                replica = may_read_replica and get_database().has_replica and not reads_primary(request)
                return await transaction(work, read_only=True, replica=replica)
            response = await transaction(work)
            if get_database().has_replica:
                _stick_to_primary(request, response)
            return response

        dependant = self._effective_dependant()
        reads_only = not _uses(dependant, get_writing_session)
        may_read_replica = _uses(dependant, get_replica_session)
        # A route that never asks for the session (a probe, say) has no unit of work to run.
        uses_session = _uses(dependant, get_session) or may_read_replica or not reads_only
        return handle_in_unit_of_work if uses_session else answer

    def _effective_dependant(self) -> Dependant:
        """The dependant FastAPI builds the handler from: for a route of an included router,
        that of its inclusion, which adds the routers' own dependencies (as FastAPI's
        `get_route_handler` reads it)."""
        context = _effective_route_context_var.get()
        if context is not None and context.original_route is self:
            dependant: Dependant = context.dependant
            return dependant
        return self.dependant


class APIRouter(fastapi.APIRouter):
    """FastAPI's router whose routes are units of work, and whose route table is frozen once the
    app is built (`freeze`)."""

    _frozen_version: int | None = None

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("route_class", UnitOfWorkRoute)
        super().__init__(**kwargs)

    def freeze(self) -> None:
        """Take this router's version, and its included routers', once and for all.

        FastAPI re-derives an included router's version from its whole subtree on every match,
        twice per level, to notice routes added since: about 100 walks over the route lists
        per request at ReelByte's size, a tenth of a cached gig page's CPU. All routes are
        added while the app is built, so `create_app` freezes them; adding one afterwards is a
        mistake, refused loudly rather than routed stale."""
        for included in _included_routers(self.routes):
            included.freeze()
        self._frozen_version = super()._get_routes_version()

    def _get_routes_version(self, seen: set[int] | None = None) -> int:
        if self._frozen_version is not None:
            return self._frozen_version
        return super()._get_routes_version(seen)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """FastAPI matches a request against every route of every included router in turn, with
        a regular expression each, twice per level (to choose, then to handle): a router whose
        prefix the path does not start with holds no route that matches it."""
        included = _get_scope_included_router(scope)
        if (
            included is not None
            and included.original_router is self
            and not get_route_path(scope).startswith(included.include_context.prefix + self.prefix)
        ):
            return Match.NONE, {}
        return super().matches(scope)

    def _mark_routes_changed(self) -> None:
        if self._frozen_version is not None:
            raise RuntimeError("the app's routers are frozen once it is built: add routes in create_app")
        super()._mark_routes_changed()


def freeze_routes(app: fastapi.FastAPI) -> None:
    """Freeze every router the app includes (`APIRouter.freeze`)."""
    for included in _included_routers(app.routes):
        included.freeze()


def _included_routers(routes: list[Any]) -> list[APIRouter]:
    """Our routers among `routes` (FastAPI keeps an included router as a route that holds it)."""
    return [
        router for route in routes if isinstance(router := getattr(route, "original_router", None), APIRouter)
    ]


# What the edge and NulInBodyMiddleware enforce, stated in the schema of every free-text string.
NO_NUL_PATTERN = "^[^\\u0000]*$"


def publish_openapi(app: fastapi.FastAPI) -> None:
    """Make `app.openapi()` state the rules the middleware enforces on every request: no string
    holds a NUL (U+0000), which PostgreSQL text cannot store. Strings with a format (dates,
    ids, uploaded files) are left as they are."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _refuse_nul(build())
        return build()

    app.openapi = openapi  # type: ignore[method-assign]


def _refuse_nul(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and not {"format", "enum", "const"} & node.keys():
            if "pattern" not in node:
                node["pattern"] = NO_NUL_PATTERN
            elif node["pattern"] != NO_NUL_PATTERN:  # a pattern of its own: both must match
                node.setdefault("allOf", []).append({"pattern": NO_NUL_PATTERN})
        for value in node.values():
            _refuse_nul(value)
    elif isinstance(node, list):
        for value in node:
            _refuse_nul(value)


_PARAMETER = re.compile(r"\{[^}/]+\}")


def _template(scope: Scope, route: APIRoute) -> str:
    """The route's whole path template: that of its inclusion (with the routers' prefixes)."""
    context = scope.get("fastapi", {}).get("effective_route_context")
    return str(getattr(context, "path", None) or route.path)


def _uses(dependant: Dependant, dependency: Callable[..., Any]) -> bool:
    return any(sub.call is dependency or _uses(sub, dependency) for sub in dependant.dependencies)


def prepare_method_rules(app: Any) -> None:
    """Build the tables the 405 rule reads (from the OpenAPI, which takes a second or two to
    build at ReelByte's size) before the first request, which would otherwise wait for them
    with every request that arrived beside it."""
    _shadowed_templates(app)
    _path_table(app)


def _may_be_shadowed(app: Any, template: str) -> bool:
    """Whether a published path with fewer parameters than `template` can match a path that
    `template` matches (`/v1/payments/webhook` shadows `/v1/payments/{payment_id}`): only then
    can the methods of another operation decide the request (most routes: never)."""
    return template in _shadowed_templates(app)


def _shadowed_templates(app: Any) -> set[str]:
    shadowed = _SHADOWED.get(app)
    if shadowed is None:
        templates = list(app.openapi().get("paths", {}))
        shadowed = {
            own
            for own in templates
            if any(_overlap(own, other) for other in templates if _parameters(other) < _parameters(own))
        }
        _SHADOWED[app] = shadowed
    return shadowed


def _parameters(template: str) -> int:
    return len(_PARAMETER.findall(template))


def _overlap(one: str, other: str) -> bool:
    """Some path matches both templates (a segment with a parameter matches any segment)."""
    ours, theirs = one.split("/"), other.split("/")
    return len(ours) == len(theirs) and all(
        a == b or "{" in a or "{" in b for a, b in zip(ours, theirs, strict=True)
    )


_SHADOWED: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def _published_methods(scope: Scope) -> set[str]:
    """The methods the OpenAPI publishes for this request's path, from the most literal
    templates that match it (fewest parameters); empty when none does."""
    table = _path_table(scope["app"])
    path = get_route_path(scope)
    matching = [(parameters, methods) for regex, parameters, methods in table if regex.fullmatch(path)]
    if not matching:
        return set()
    fewest = min(parameters for parameters, _ in matching)
    return {method for parameters, methods in matching if parameters == fewest for method in methods}


_TABLES: weakref.WeakKeyDictionary[Any, list[tuple[re.Pattern[str], int, set[str]]]] = (
    weakref.WeakKeyDictionary()
)


def _path_table(app: Any) -> list[tuple[re.Pattern[str], int, set[str]]]:
    table = _TABLES.get(app)
    if table is None:
        table = [
            (
                re.compile("".join(_template_parts(template))),
                _parameters(template),
                {method.upper() for method in operations if method.upper() in _HTTP_METHODS},
            )
            for template, operations in app.openapi().get("paths", {}).items()
        ]
        _TABLES[app] = table
    return table


def _template_parts(template: str) -> list[str]:
    parts: list[str] = []
    position = 0
    for parameter in _PARAMETER.finditer(template):
        parts += [re.escape(template[position : parameter.start()]), "[^/]+"]
        position = parameter.end()
    return [*parts, re.escape(template[position:])]


_HTTP_METHODS = {"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"}


def _is_error(status: int | str) -> bool:
    return str(status)[0] in "45"


def _unique(errors: list[type[AppError]]) -> list[type[AppError]]:
    return list(dict.fromkeys(errors))

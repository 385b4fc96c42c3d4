"""The code's own rules, checked by reading the code: one place commits, errors are named classes,
every route documents every error code its code path can raise, docs/errors.md is current."""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from reelbyte import errors_doc
from reelbyte.core import errors as core_errors
from reelbyte.core.errors import AppError, documented_errors
from tests.conftest import PROJECT_ROOT

SOURCE = PROJECT_ROOT / "src" / "reelbyte"
UNIT_OF_WORK = SOURCE / "core" / "db.py"

# Families: a route raises a named subclass, never one of these bare.
FAMILIES = {
    core_errors.BadRequest,
    core_errors.Unauthorized,
    core_errors.PaymentRequired,
    core_errors.Forbidden,
    core_errors.NotFound,
    core_errors.Conflict,
    core_errors.ServiceUnavailable,
}


def _python_files() -> Iterator[Path]:
    yield from sorted(SOURCE.rglob("*.py"))


def _calls(path: Path) -> Iterator[ast.Call]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            yield node


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(PROJECT_ROOT)}:{getattr(node, 'lineno', '?')}"


def test_only_the_unit_of_work_commits_rolls_back_or_opens_sessions() -> None:
    """Services never commit: `core.db.transaction` is the one place that ends a transaction."""
    banned = {"commit", "rollback", "sessions"}
    found = [
        f"{_where(path, call)} .{call.func.attr}()"
        for path in _python_files()
        if path != UNIT_OF_WORK
        for call in _calls(path)
        if isinstance(call.func, ast.Attribute) and call.func.attr in banned
    ]
    assert found == []


def test_errors_are_raised_by_class_never_with_an_ad_hoc_code() -> None:
    found = []
    for path in _python_files():
        scope = vars(importlib.import_module(_module_name(path)))
        for call in _calls(path):
            error_class = _resolve(call.func, scope)
            if _is_error_class(error_class) and any(keyword.arg == "code" for keyword in call.keywords):
                found.append(_where(path, call))
    assert found == []


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_error_class(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, AppError)


# --- what a route can raise, found by reading its code ----------------------------------------


def _resolve(node: ast.expr, scope: dict[str, Any]) -> Any:
    if isinstance(node, ast.Name):
        return scope.get(node.id, getattr(builtins, node.id, None))
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, scope)
        return getattr(owner, node.attr, None) if owner is not None else None
    return None


def _scope(function: Callable[..., Any]) -> dict[str, Any]:
    scope = dict(getattr(function, "__globals__", {}))
    code = getattr(function, "__code__", None)
    closure = getattr(function, "__closure__", None) or ()
    if code is not None:
        for name, cell in zip(code.co_freevars, closure, strict=False):
            try:
                scope[name] = cell.cell_contents
            except ValueError:  # an empty cell
                continue
    return scope


def raised_by(function: Any, seen: set[Any] | None = None) -> set[type[AppError]]:
    """The error classes `function` and the project's functions it calls can raise (built)."""
    seen = set() if seen is None else seen
    function = inspect.unwrap(function)
    if function in seen or not getattr(function, "__module__", "").startswith("reelbyte"):
        return set()
    seen.add(function)
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return set()
    scope = _scope(function)
    found: set[type[AppError]] = set()
    for node in _reachable(ast.parse(source), scope):
        target = None
        if isinstance(node, ast.Call):
            target = _resolve(node.func, scope)
        elif isinstance(node, ast.Raise) and node.exc is not None:
            target = _resolve(node.exc, scope)
        if _is_error_class(target):
            found.add(target)
        elif inspect.isfunction(target) or inspect.ismethod(target):
            found |= raised_by(target, seen)
    return found


def _reachable(tree: ast.AST, scope: dict[str, Any]) -> Iterator[ast.AST]:
    """Every node of `tree` but the bodies of `try` blocks that catch AppError: what those raise
    is translated by their handler (which is still read), not let out."""
    for node in ast.iter_child_nodes(tree):
        yield node
        if isinstance(node, ast.Try) and any(_catches_app_errors(h, scope) for h in node.handlers):
            for part in (*node.handlers, *node.orelse, *node.finalbody):
                yield part
                yield from _reachable(part, scope)
        else:
            yield from _reachable(node, scope)


def _catches_app_errors(handler: ast.ExceptHandler, scope: dict[str, Any]) -> bool:
    caught = _resolve(handler.type, scope) if handler.type is not None else None
    return inspect.isclass(caught) and caught is AppError


def _dependency_calls(dependant: Any) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _dependency_calls(sub)


def _api_routes(app: FastAPI) -> Iterator[Any]:
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute) and context.include_in_schema:
            yield context


def test_every_route_documents_every_error_its_code_can_raise(app: FastAPI) -> None:
    undocumented: dict[str, list[str]] = {}
    for route in _api_routes(app):
        documented = set(documented_errors(route.responses))
        raised = raised_by(route.endpoint)
        for dependency in _dependency_calls(route.dependant):
            raised |= raised_by(dependency)
        missing = sorted(error.code for error in raised - documented if error not in FAMILIES)
        if missing:
            undocumented[f"{sorted(route.methods)[0]} {route.path}"] = missing
    assert undocumented == {}


def test_no_route_raises_a_bare_error_family(app: FastAPI) -> None:
    bare: dict[str, list[str]] = {}
    for route in _api_routes(app):
        raised = raised_by(route.endpoint)
        for dependency in _dependency_calls(route.dependant):
            raised |= raised_by(dependency)
        families = sorted(error.__name__ for error in raised & FAMILIES)
        if families:
            bare[f"{sorted(route.methods)[0]} {route.path}"] = families
    assert bare == {}


def test_the_walker_finds_errors_raised_deep_in_services() -> None:
    """The check above is only as good as its walker: it follows calls into other modules."""
    from reelbyte.identity import deps

    assert {"invalid_token", "not_authenticated"} <= {e.code for e in raised_by(deps.optional_user)}


def test_every_error_code_is_unique_and_has_a_message() -> None:
    errors_doc.render()  # registers every domain's errors
    for code, error in AppError.registry.items():
        assert error.code == code
        assert error.message
        assert not error.message.endswith(" ")


def test_docs_errors_md_is_current() -> None:
    on_disk = (PROJECT_ROOT / "docs" / "errors.md").read_text()
    assert on_disk == errors_doc.render(), "regenerate: uv run python -m reelbyte.errors_doc > docs/errors.md"


@pytest.mark.parametrize("status", [500, 502])
def test_server_errors_are_not_documented_as_expected_answers(app: FastAPI, status: int) -> None:
    for route in _api_routes(app):
        assert status not in route.responses
        assert str(status) not in route.responses


def _dependency_calls(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _dependency_calls(sub)


def test_every_dependency_is_a_coroutine(app: FastAPI) -> None:
    """FastAPI runs a plain `def` dependency in a worker thread: a thread hop for every request
    that uses it (four of them were a tenth of a cached gig page's cost). Ours do no blocking
    work, so they are `async def`. FastAPI's OAuth2 form (the password login only, whose
    Argon2 hash costs a thousand times more) is the one class left."""
    allowed = {"fastapi.security.oauth2.OAuth2PasswordRequestForm"}
    plain = {
        f"{call.__module__}.{getattr(call, '__qualname__', type(call).__qualname__)}"
        for route in iter_route_contexts(app.routes)
        if isinstance(route.original_route, APIRoute)
        for call in _dependency_calls(route.dependant)
        if call is not None
        and not inspect.iscoroutinefunction(call)
        and not inspect.iscoroutinefunction(type(call).__call__)
    }
    assert sorted(plain - allowed) == []

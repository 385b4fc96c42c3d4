"""Domain errors and the one error format: {"error": code, "message": text, "details": ...}."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

F = TypeVar("F", bound=Callable[..., Any])


class AppError(Exception):
    """A named error: one class per error, with its HTTP status, stable code and default message.

    Every concrete error class registers its code; `docs/errors.md` lists them all and the routes
    document the ones they can raise (`core.routing`). Raise with a more precise message or
    `details` when it helps the client: `raise ProjectNotFound()` or `raise Closed("…", details=…)`.
    """

    status_code = 400
    code = "bad_request"
    message = "The request cannot be served."
    registry: ClassVar[dict[str, type[AppError]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            return  # an abstract family (a status without a code of its own)
        known = AppError.registry.get(cls.code)
        if known is not None and (known.__module__, known.__qualname__) != (cls.__module__, cls.__qualname__):
            raise TypeError(f"error code {cls.code!r} is taken by {known.__module__}.{known.__qualname__}")
        AppError.registry[cls.code] = cls

    def __init__(
        self,
        message: str | None = None,
        *,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or type(self).message
        super().__init__(self.message)
        self.details = details
        self.headers = headers


class BadRequest(AppError):
    status_code = 400
    code = "bad_request"
    message = "The request is not valid."


class InvalidJson(AppError):
    status_code = 400
    code = "invalid_json"
    message = "The request body is not valid JSON."


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"
    message = "Log in first."


class PaymentRequired(AppError):
    """What the user's plan does not cover (a usage limit reached): a better plan lifts it."""

    status_code = 402
    code = "payment_required"
    message = "Your plan does not cover this: upgrade to continue."


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"
    message = "You may not do this."


class NotOwner(Forbidden):
    code = "not_owner"
    message = "Only its owner can do this."


class MetricsForbidden(Forbidden):
    code = "metrics_forbidden"
    message = "Metrics are served only to allowed addresses or with the metrics token."


class NotFound(AppError):
    status_code = 404
    code = "not_found"
    message = "No such resource."


class Conflict(AppError):
    status_code = 409
    code = "conflict"
    message = "That change conflicts with the current data."


class InvalidTransition(Conflict):
    """A state machine refused a move: `details` says which entity, from and to."""

    code = "invalid_transition"
    message = "That change of state is not allowed."

    def __init__(self, entity: str, from_state: str, to_state: str, message: str | None = None) -> None:
        super().__init__(
            message or f"A {entity} that is {from_state} cannot become {to_state}.",
            details={"entity": entity, "from": from_state, "to": to_state},
        )


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"
    message = "The request body is too large."


class UnsupportedMediaType(AppError):
    status_code = 415
    code = "unsupported_media_type"
    message = "Send the request body as application/json."


class InvalidCursor(BadRequest):
    """A list paged by cursor (conversations, gigs) was given a cursor it did not give."""

    code = "invalid_cursor"
    message = "The cursor is not one this list gave: pass a `next_cursor` as given, with the same sort order."


class ValidationFailed(AppError):
    status_code = 422
    code = "validation_error"
    message = "The request is not valid."


class ControlCharacters(ValidationFailed):
    """Text PostgreSQL cannot store (NUL) anywhere in a request, or control characters where
    only printable text belongs (search labels)."""

    code = "control_characters"
    message = "Text must not contain control characters such as NUL."


class RateLimited(AppError):
    status_code = 429
    code = "rate_limited"
    message = "Too many requests: slow down and retry later."


class InternalError(AppError):
    """What an unexpected failure answers (after logging it), over HTTP and on sockets alike."""

    status_code = 500
    code = "internal_error"
    message = "Something went wrong on our side."


class ServiceUnavailable(AppError):
    status_code = 503
    code = "service_unavailable"
    message = "A service this needs is unavailable: retry shortly."


def raises(*error_classes: type[AppError]) -> Callable[[F], F]:
    """Mark a dependency with the errors it can raise, so every route using it documents them."""

    def mark(dependency: F) -> F:
        dependency.__raises__ = (*getattr(dependency, "__raises__", ()), *error_classes)  # type: ignore[attr-defined]
        return dependency

    return mark


def error_schema(codes: list[str]) -> dict[str, Any]:
    """The JSON schema of the error body, its `error` limited to `codes`."""
    return {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "enum": sorted(codes)},
            "message": {"type": "string"},
            "details": {},
        },
    }


def error_responses(*error_classes: type[AppError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` documenting these errors, grouped by status."""
    by_status: dict[int, list[type[AppError]]] = {}
    for error_class in error_classes:
        group = by_status.setdefault(error_class.status_code, [])
        if error_class not in group:
            group.append(error_class)
    return {
        status: {
            "description": "\n".join(f"- `{e.code}`: {e.message}" for e in group),
            "content": {"application/json": {"schema": error_schema([e.code for e in group])}},
        }
        for status, group in sorted(by_status.items())
    }


def documented_errors(responses: dict[int | str, dict[str, Any]]) -> list[type[AppError]]:
    """The error classes that `responses` (as built by `error_responses`) documents."""
    found: list[type[AppError]] = []
    for response in responses.values():
        schema = response.get("content", {}).get("application/json", {}).get("schema", {})
        for code in schema.get("properties", {}).get("error", {}).get("enum", []):
            if code in AppError.registry:
                found.append(AppError.registry[code])
    return found


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": code, "message": message, "details": details}


def error_response(
    status_code: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status_code, headers=headers)


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    402: "payment_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]


async def _on_app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return error_response(exc.status_code, exc.code, exc.message, exc.details, exc.headers)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = _validation_details(exc)
    if any(item["type"] == "json_invalid" for item in details):
        return error_response(InvalidJson.status_code, InvalidJson.code, InvalidJson.message, details)
    return error_response(
        ValidationFailed.status_code, ValidationFailed.code, ValidationFailed.message, details
    )


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    if exc.status_code == 404 and exc.detail == "Not Found":
        message = "No such resource."
    return error_response(exc.status_code, code, message, None, getattr(exc, "headers", None))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _on_app_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)

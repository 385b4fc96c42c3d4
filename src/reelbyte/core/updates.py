"""Partial updates: a field left out keeps its value, and a field that cannot be empty refuses
null. `not_nullable(...)` makes the JSON schema say so (Pydantic writes `X | None = None` as
nullable), so a client reading the OpenAPI knows null is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def not_nullable(*names: str, examples: list[Any] | None = None) -> Callable[[dict[str, Any]], None]:
    """A `json_schema_extra` for a partial-update model: `names` are optional but not nullable."""

    def edit(schema: dict[str, Any]) -> None:
        for name in names:
            _drop_null(schema["properties"][name])
        if examples is not None:
            schema["examples"] = examples

    return edit


def _drop_null(field: dict[str, Any]) -> None:
    options = field.get("anyOf")
    if options is not None:
        kept = [option for option in options if option != {"type": "null"}]
        if len(kept) == 1:
            del field["anyOf"]
            field.update({**kept[0], **field})
        else:
            field["anyOf"] = kept
    if "default" in field and field["default"] is None:
        del field["default"]

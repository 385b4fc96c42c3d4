"""Query parameter types whose OpenAPI schema states exactly the rule the server applies.

A query value is always a string: an amount is declared as a string with a pattern (not
Pydantic's `number | string`, which lets `1e3` or `12.345` look valid), and a list of labels
states the length of each label.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, BeforeValidator, WithJsonSchema


def _matching(pattern: str, rule: str) -> Callable[[object], object]:
    compiled = re.compile(pattern)

    def check(value: object) -> object:
        if isinstance(value, str) and not compiled.fullmatch(value):
            raise ValueError(rule)
        return value

    return check


def _integer_only(value: object) -> object:
    if isinstance(value, bool | str):
        raise ValueError("must be a JSON integer, not a boolean or a string")
    return value


# An integer as JSON Schema means it in a body: Pydantic would also take `true` or `"3"` for 1 or 3.
# Put it after the Field constraints (`Annotated[int, Field(ge=1), JSON_INTEGER]`) so that they
# stay in the JSON schema.
JSON_INTEGER = BeforeValidator(_integer_only)


def _decimal_schema(pattern: str, rule: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "pattern": f"^{pattern}$", "description": rule})


_AMOUNT_1M = r"(?:[0-9]{1,6}(?:\.[0-9]{1,2})?|1000000(?:\.0{1,2})?)"
_AMOUNT_1M_RULE = "an amount from 0 to 1000000 with at most two decimals"
_AMOUNT_10M = r"(?:[0-9]{1,7}(?:\.[0-9]{1,2})?|10000000(?:\.0{1,2})?)"
_AMOUNT_10M_RULE = "an amount from 0 to 10000000 with at most two decimals"
_RATING = r"(?:[0-4](?:\.[0-9]{1,2})?|5(?:\.0{1,2})?)"
_RATING_RULE = "a rating from 0 to 5 with at most two decimals"

AmountUpTo1M = Annotated[
    Decimal,
    BeforeValidator(_matching(_AMOUNT_1M, _AMOUNT_1M_RULE)),
    _decimal_schema(_AMOUNT_1M, _AMOUNT_1M_RULE),
]
AmountUpTo10M = Annotated[
    Decimal,
    BeforeValidator(_matching(_AMOUNT_10M, _AMOUNT_10M_RULE)),
    _decimal_schema(_AMOUNT_10M, _AMOUNT_10M_RULE),
]
Rating = Annotated[
    Decimal, BeforeValidator(_matching(_RATING, _RATING_RULE)), _decimal_schema(_RATING, _RATING_RULE)
]


# A moment in a query: ISO 8601 with its time zone. Pydantic alone would also take a number of
# seconds since 1970 ("0.5"), which the published `format: date-time` does not.
_MOMENT_RULE = "a date and time in ISO 8601 with its time zone, such as 2026-12-01T09:30:00Z"
Moment = Annotated[
    AwareDatetime,
    BeforeValidator(_matching(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ].+", _MOMENT_RULE)),
    WithJsonSchema({"type": "string", "format": "date-time", "description": _MOMENT_RULE}),
]


_LABEL = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"


def is_label(text: str, max_length: int) -> bool:
    """A tag or skill in a query: a non-space character, at most `max_length` characters and no
    control character (what `labels_schema` publishes)."""
    return len(text) <= max_length and re.fullmatch(_LABEL, text) is not None


def labels_schema(max_items: int, max_length: int) -> WithJsonSchema:
    """The schema of a repeated label parameter (tags, skills): see `is_label`."""
    return WithJsonSchema(
        {
            "type": "array",
            "maxItems": max_items,
            "items": {
                "type": "string",
                "maxLength": max_length,
                "pattern": _LABEL,
            },
        }
    )

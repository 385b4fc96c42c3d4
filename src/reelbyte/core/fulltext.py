"""PostgreSQL full-text search pieces shared by the domains' list queries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement

# The configuration of the tsvector triggers (migration 0004); queries must use the same.
TEXT_SEARCH_CONFIG = "english"
MAX_QUERY_LENGTH = 200


def text_query(q: str | ColumnElement[Any]) -> ColumnElement[Any]:
    """The user's words as a tsquery: websearch syntax (quotes, OR, -), never a syntax error."""
    return func.websearch_to_tsquery(TEXT_SEARCH_CONFIG, q)

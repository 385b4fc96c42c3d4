"""Column types shared by several domains."""

from __future__ import annotations

import enum

from sqlalchemy import Enum
from sqlalchemy.dialects.postgresql import TSVECTOR


def pg_enum(cls: type[enum.Enum], name: str, *, create_type: bool = True) -> Enum:
    """A PostgreSQL enum storing the members' values (not their Python names).

    `create_type=False` where a second table reuses a type another table already creates.
    """
    return Enum(
        cls,
        name=name,
        values_callable=lambda members: [m.value for m in members],
        create_type=create_type,
    )


__all__ = ["TSVECTOR", "pg_enum"]

"""Catalog dependencies: pages that anybody may read but that show more to their owner."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from reelbyte.identity.deps import SessionDep, access_claims, current_user, oauth2_scheme
from reelbyte.identity.models import User


async def optional_user(
    session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User | None:
    """The caller if they sent a bearer token (a bad one is still a 401), else None."""
    if not token:
        return None
    return await current_user(session, await access_claims(token))


OptionalUser = Annotated[User | None, Depends(optional_user)]

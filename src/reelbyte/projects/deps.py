"""Auth dependencies of the projects routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from reelbyte.identity.deps import SessionDep, access_claims, current_user, oauth2_scheme, require_role
from reelbyte.identity.models import User


async def optional_user(
    session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User | None:
    """The caller if a bearer token is sent (401 if that token is bad), else None (anonymous)."""
    if not token:
        return None
    return await current_user(session, await access_claims(token))


Viewer = Annotated[User | None, Depends(optional_user)]
CurrentClient = Annotated[User, Depends(require_role("client"))]
CurrentCreator = Annotated[User, Depends(require_role("creator"))]

"""Auth dependencies: the current user from a bearer access token (required or optional), and role checks."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.db import get_session
from reelbyte.core.errors import Forbidden, Unauthorized
from reelbyte.core.security import AccessClaims, InvalidToken, decode_access_token
from reelbyte.identity import service
from reelbyte.identity.models import Role, User

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/v1/auth/token", auto_error=False)

SessionDep = Annotated[AsyncSession, Depends(get_session)]

_BEARER = {"WWW-Authenticate": "Bearer"}


async def access_claims(token: Annotated[str | None, Depends(oauth2_scheme)]) -> AccessClaims:
    if not token:
        raise Unauthorized(
            "Log in first: this needs a bearer access token.", code="not_authenticated", headers=_BEARER
        )
    try:
        return decode_access_token(token)
    except InvalidToken as error:
        raise Unauthorized(str(error), code="invalid_token", headers=_BEARER) from error


async def current_user(session: SessionDep, claims: Annotated[AccessClaims, Depends(access_claims)]) -> User:
    try:
        return await service.authenticate(session, claims.user_id, claims.session_id)
    except Unauthorized as error:  # a 401 always says how to authenticate
        raise Unauthorized(error.message, code=error.code, headers=_BEARER) from error


CurrentUser = Annotated[User, Depends(current_user)]


async def optional_user(
    session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User | None:
    """The caller if a bearer token came with the request; None without one.

    A token that is sent but is not valid (expired, forged, of a revoked session) is a 401,
    not an anonymous request: the client should learn that its login has lapsed.
    """
    if not token:
        return None
    return await current_user(session, await access_claims(token))


OptionalUser = Annotated[User | None, Depends(optional_user)]


def require_role(role: str) -> Callable[..., Coroutine[Any, Any, User]]:
    """A dependency that lets through users holding `role` (a hybrid holds creator and client)."""
    wanted = Role(role)

    async def dependency(user: CurrentUser) -> User:
        if not user.role.holds(wanted):
            raise Forbidden(f"Only a {wanted.value} can do this.", code="wrong_role")
        return user

    return dependency

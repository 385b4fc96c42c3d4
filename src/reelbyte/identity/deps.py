"""Auth dependencies: the current user from a bearer access token (required or optional), and
the role checks every domain uses (`CurrentCreator`, `CurrentClient`, `CurrentAdmin`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

from reelbyte.core.errors import raises
from reelbyte.core.routing import SessionDep
from reelbyte.core.security import AccessClaims, decode_access_token
from reelbyte.core.security import InvalidToken as MalformedToken
from reelbyte.identity import service
from reelbyte.identity.errors import EmailNotVerified, InvalidToken, NotAuthenticated, WrongRole
from reelbyte.identity.models import Role, User

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/v1/auth/token", auto_error=False)

_BEARER = {"WWW-Authenticate": "Bearer"}


@raises(NotAuthenticated, InvalidToken)
async def access_claims(token: Annotated[str | None, Depends(oauth2_scheme)]) -> AccessClaims:
    if not token:
        raise NotAuthenticated(headers=_BEARER)
    try:
        return decode_access_token(token)
    except MalformedToken as error:
        raise InvalidToken(str(error), headers=_BEARER) from error


@raises(InvalidToken)
async def current_user(session: SessionDep, claims: Annotated[AccessClaims, Depends(access_claims)]) -> User:
    try:
        return await service.authenticate(session, claims.user_id, claims.session_id)
    except InvalidToken as error:  # a 401 always says how to authenticate
        raise InvalidToken(error.message, headers=_BEARER) from error


CurrentUser = Annotated[User, Depends(current_user)]


async def current_session_id(
    user: CurrentUser, claims: Annotated[AccessClaims, Depends(access_claims)]
) -> uuid.UUID:
    """The login session of the request's access token (live and the user's: `current_user`)."""
    return claims.session_id


CurrentSessionId = Annotated[uuid.UUID, Depends(current_session_id)]


@raises(NotAuthenticated, InvalidToken)
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


def require_role(role: Role) -> Callable[..., Coroutine[Any, Any, User]]:
    """A dependency that lets through users holding `role` (a hybrid holds creator and client).

    The role is the database user's, never the access token's `role` claim: a role changed
    since the token was issued (POST /v1/users/me/role) applies at once."""

    @raises(WrongRole)
    async def dependency(user: CurrentUser) -> User:
        _check_role(user, role)
        return user

    return dependency


def require_verified(role: Role) -> Callable[..., Coroutine[Any, Any, User]]:
    """`require_role`, and a verified e-mail address where the settings require one: for what
    commits someone to a deal or moves money (ordering, publishing, proposing, withdrawing)."""

    @raises(WrongRole, EmailNotVerified)
    async def dependency(user: CurrentUser) -> User:
        _check_role(user, role)
        service.ensure_email_verified(user)
        return user

    return dependency


def _check_role(user: User, role: Role) -> None:
    if not user.role.holds(role):
        article = "an" if role.value[0] in "aeiou" else "a"
        raise WrongRole(f"Only {article} {role.value} can do this.")


CurrentCreator = Annotated[User, Depends(require_role(Role.CREATOR))]
CurrentClient = Annotated[User, Depends(require_role(Role.CLIENT))]
CurrentAdmin = Annotated[User, Depends(require_role(Role.ADMIN))]
VerifiedCreator = Annotated[User, Depends(require_verified(Role.CREATOR))]
VerifiedClient = Annotated[User, Depends(require_verified(Role.CLIENT))]

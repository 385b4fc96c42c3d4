"""Auth dependencies: the current user from a bearer access token or an API key (required or
optional), the scope an API key needs for a route (`require_scope`), and the role checks every
domain uses (`CurrentCreator`, `CurrentClient`, `CurrentAdmin`).

An API key (`Authorization: Bearer rb_live_…` or `X-API-Key`) authenticates only on routes that
declare a scope with `require_scope`, and there only within the key's scopes: every other route
that asks who the caller is refuses it (`missing_scope`), so a new route is closed to keys until
it says otherwise. Access tokens have every scope.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.db import transaction
from reelbyte.core.errors import RateLimited, raises
from reelbyte.core.ratelimit import client_ip, limit_api_key
from reelbyte.core.routing import API_SCOPE_MARK, SessionDep, route_api_scopes
from reelbyte.core.security import AccessClaims, decode_access_token, presented_api_key
from reelbyte.core.security import InvalidToken as MalformedToken
from reelbyte.identity import api_keys, service
from reelbyte.identity.api_keys import ApiScope
from reelbyte.identity.errors import (
    AccountSuspended,
    ApiKeyDisabled,
    EmailNotVerified,
    InvalidApiKey,
    InvalidToken,
    MissingScope,
    NotAuthenticated,
    WrongRole,
)
from reelbyte.identity.models import ApiKey, Role, User

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/v1/auth/token", auto_error=False)

_BEARER = {"WWW-Authenticate": "Bearer"}
# Where a unit of work keeps its API key's authentication (`_api_key_caller`): in its session,
# so that a unit run again (a serialization failure) authenticates again, in its new session.
_KEY_CALLER = "reelbyte.api_key_caller"


@raises(NotAuthenticated, InvalidToken, MissingScope)
async def access_claims(
    request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> AccessClaims:
    """The claims of the request's access token. Routes that need the login session itself
    (logout, WebSocket tickets) take no API key."""
    if presented_api_key(request.headers) is not None:
        raise _refused_to_keys(None)
    if not token:
        raise NotAuthenticated(headers=_BEARER)
    try:
        return decode_access_token(token)
    except MalformedToken as error:
        raise InvalidToken(str(error), headers=_BEARER) from error


# AccountSuspended: an access token of a session a suspension ended says why (service.authenticate).
@raises(
    NotAuthenticated, InvalidToken, AccountSuspended, MissingScope, InvalidApiKey, ApiKeyDisabled, RateLimited
)
async def optional_user(
    request: Request,
    response: Response,
    session: SessionDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> User | None:
    """The caller if an access token or an API key came with the request; None without either.

    A token or key that is sent but is not valid (expired, forged, revoked) is a 401, not an
    anonymous request: the client should learn that its credentials have lapsed.
    """
    key = presented_api_key(request.headers)
    if key is not None:
        return (await _api_key_caller(request, response, session, key)).user
    if not token:
        return None
    return await _user_of_access_token(session, await access_claims(request, token))


async def _user_of_access_token(session: AsyncSession, claims: AccessClaims) -> User:
    try:
        return await service.authenticate(session, claims.user_id, claims.session_id)
    except InvalidToken as error:  # a 401 always says how to authenticate
        raise InvalidToken(error.message, headers=_BEARER) from error


@dataclass(frozen=True)
class _KeyCaller:
    user: User
    scopes: frozenset[str]


async def _api_key_caller(
    request: Request, response: Response, session: AsyncSession, key: str
) -> _KeyCaller:
    """The key's owner and scopes, once the key is valid, within its limit, allowed by the
    owner's plan, and meant for this route; its use is recorded (`api_keys.use_is_due`). Done
    once per unit of work: the user and the scope dependencies both ask."""
    known: _KeyCaller | None = session.info.get(_KEY_CALLER)
    if known is not None:
        return known
    try:
        api_key, user = await api_keys.authenticate(session, key)
    except InvalidApiKey as error:
        await limit_api_key(request, response, None)
        raise InvalidApiKey(error.message, headers=_BEARER) from error
    await limit_api_key(request, response, api_key.id)
    await _ensure_api_access(session, api_key, user)
    if api_keys.use_is_due(api_key):
        # Its own unit of work: a GET's session cannot write, and the use stands even if the
        # request then fails.
        await transaction(partial(api_keys.record_use, key_id=api_key.id, ip_address=client_ip(request)))
    if not route_api_scopes(request.scope):
        raise _refused_to_keys(api_key.scopes)
    # Its own unit of work, like the use above: a GET's session cannot write. The id is made
    # here, outside the unit, so that a retried unit counts the call once.
    await transaction(partial(api_keys.meter_call, user_id=user.id, call_id=f"api:{uuid.uuid4()}"))
    caller = _KeyCaller(user, frozenset(api_key.scopes))
    session.info[_KEY_CALLER] = caller
    return caller


async def _ensure_api_access(session: AsyncSession, api_key: ApiKey, user: User) -> None:
    """Refuse the key while its owner's plan lacks API access, and mark the owner's keys
    disabled; clear the mark once the plan has API access again (api_keys.py's rule). The marks
    are written in a unit of work of their own, so that they stand although this request fails."""
    allowed = await api_keys.has_api_access(session, user)
    if allowed != (api_key.disabled_at is None):  # the mark is out of date
        await transaction(partial(api_keys.sync_api_access, user_id=user.id, allowed=allowed))
    if not allowed:
        raise ApiKeyDisabled(details={"upgrade_url": api_keys.upgrade_url()})


def _refused_to_keys(granted: list[str] | None) -> MissingScope:
    return MissingScope(
        "No API key scope grants this: it takes an access token (log in).",
        details={"required": None, "granted": sorted(granted) if granted is not None else None},
    )


@raises(NotAuthenticated)
async def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise NotAuthenticated(headers=_BEARER)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def current_session_id(
    user: CurrentUser, claims: Annotated[AccessClaims, Depends(access_claims)]
) -> uuid.UUID:
    """The login session of the request's access token (live and the user's: `current_user`)."""
    return claims.session_id


CurrentSessionId = Annotated[uuid.UUID, Depends(current_session_id)]


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


def require_scope(scope: ApiScope) -> Callable[..., Coroutine[Any, Any, None]]:
    """A dependency that opens its route to API keys holding `scope` (access tokens have every
    scope; a request without credentials is left to the route). It marks itself, so that the
    key's authentication and the rate limits know the route takes keys."""

    @raises(InvalidApiKey, ApiKeyDisabled, MissingScope, RateLimited)
    async def dependency(request: Request, response: Response, session: SessionDep) -> None:
        key = presented_api_key(request.headers)
        if key is None:
            return  # an access token has every scope; without one the route decides
        caller = await _api_key_caller(request, response, session, key)
        if scope.value not in caller.scopes:
            raise MissingScope(
                f"This API key lacks the {scope.value} scope.",
                details={"required": scope.value, "granted": sorted(caller.scopes)},
            )

    setattr(dependency, API_SCOPE_MARK, scope.value)
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

"""HTTP routes of accounts, profiles and portfolios (under /v1)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated

from fastapi import Body, Cookie, Depends, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm

from reelbyte.core.config import get_settings
from reelbyte.core.errors import error_response, error_responses
from reelbyte.core.ratelimit import client_ip, limit_per_ip
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.core.security import AccessClaims
from reelbyte.identity import service
from reelbyte.identity.deps import CurrentCreator, CurrentUser, access_claims
from reelbyte.identity.errors import (
    AccountDeactivated,
    AccountExists,
    AlreadyVerified,
    FieldRequired,
    InvalidCredentials,
    InvalidLink,
    InvalidRefreshToken,
    LinkExpired,
    MissingRefreshToken,
    PortfolioFull,
    PortfolioItemNotFound,
    RefreshTokenExpired,
    RefreshTokenReused,
    SessionRevoked,
    UserNotFound,
)
from reelbyte.identity.schemas import (
    EmailRequest,
    LoginRequest,
    Message,
    PortfolioItemCreate,
    PortfolioItemOut,
    PrivateProfile,
    ProfileUpdate,
    PublicProfile,
    RefreshRequest,
    RegisterRequest,
    ResetPasswordRequest,
    TokenPair,
    TokenRequest,
)

auth_router = APIRouter(prefix="/auth", tags=["auth"])
token_router = APIRouter(prefix="/auth", tags=["auth"])
users_router = APIRouter(prefix="/users", tags=["users"])

REFRESH_COOKIE = "refresh_token"
REFRESH_COOKIE_PATH = "/v1/auth"

login_limit = Depends(limit_per_ip("login", "rate_limit_login"))
register_limit = Depends(limit_per_ip("register", "rate_limit_register"))


def _client(request: Request) -> service.ClientInfo:
    return service.ClientInfo(ip_address=client_ip(request), user_agent=request.headers.get("user-agent"))


def _token_response(response: Response, tokens: service.IssuedTokens) -> TokenPair:
    response.set_cookie(
        REFRESH_COOKIE,
        tokens.refresh_token,
        max_age=get_settings().refresh_token_expire_days * 86400,
        path=REFRESH_COOKIE_PATH,
        httponly=True,
        secure=True,
        samesite="strict",
    )
    response.headers["Cache-Control"] = "no-store"
    return TokenPair(
        access_token=tokens.access_token, refresh_token=tokens.refresh_token, expires_in=tokens.expires_in
    )


@auth_router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=PrivateProfile,
    dependencies=[register_limit],
    responses=error_responses(AccountExists),
)
async def register(data: RegisterRequest, session: SessionDep) -> PrivateProfile:
    """Create an account; a verification e-mail is sent to the address."""
    return PrivateProfile.of(await service.register(session, data))


@auth_router.post(
    "/login",
    response_model=TokenPair,
    dependencies=[login_limit],
    responses=error_responses(InvalidCredentials, AccountDeactivated),
)
async def login(data: LoginRequest, request: Request, response: Response, session: SessionDep) -> TokenPair:
    """Exchange e-mail and password for an access token and a refresh token (also set as a cookie)."""
    tokens = await service.login(session, data.email, data.password, _client(request))
    return _token_response(response, tokens)


@token_router.post(
    "/token",
    response_model=TokenPair,
    dependencies=[login_limit],
    responses=error_responses(InvalidCredentials, AccountDeactivated),
)
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    response: Response,
    session: SessionDep,
) -> TokenPair:
    """OAuth2 password flow for Swagger UI's Authorize button: `username` is the e-mail."""
    tokens = await service.login(session, form.username, form.password, _client(request))
    return _token_response(response, tokens)


@auth_router.post(
    "/refresh",
    response_model=TokenPair,
    responses=error_responses(
        MissingRefreshToken,
        InvalidRefreshToken,
        SessionRevoked,
        RefreshTokenReused,
        RefreshTokenExpired,
        AccountDeactivated,
    ),
)
async def refresh(
    response: Response,
    session: SessionDep,
    data: Annotated[RefreshRequest | None, Body()] = None,
    cookie_token: Annotated[str | None, Cookie(alias=REFRESH_COOKIE)] = None,
) -> TokenPair | JSONResponse:
    """A new token pair for a refresh token (body or cookie); the old refresh token stops working.

    The same token sent again within REFRESH_REUSE_GRACE_SECONDS of its rotation (two tabs
    refreshing at once) gets the same new pair; sent later, it ends the session
    (`refresh_token_reused`)."""
    presented = (data.refresh_token if data else None) or cookie_token
    if not presented:
        raise MissingRefreshToken()
    try:
        tokens = await service.refresh(session, presented)
    except RefreshTokenReused as error:
        # The session's revocation must stand although the request fails: answer with the
        # error instead of raising it, so that the unit of work commits.
        return error_response(error.status_code, error.code, error.message, error.details)
    return _token_response(response, tokens)


@auth_router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(session: SessionDep, claims: Annotated[AccessClaims, Depends(access_claims)]) -> Response:
    """End this session: its refresh tokens and access tokens stop working."""
    await service.logout(session, claims.user_id, claims.session_id)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(
        REFRESH_COOKIE, path=REFRESH_COOKIE_PATH, secure=True, httponly=True, samesite="strict"
    )
    return response


@auth_router.post(
    "/forgot-password",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Message,
    dependencies=[login_limit],
)
async def forgot_password(data: EmailRequest, session: SessionDep) -> Message:
    """Always 202: if the account exists, a single-use reset link valid for one hour is e-mailed."""
    await service.forgot_password(session, data.email)
    return Message(message="If an account exists for that address, a reset link is on its way.")


@auth_router.post(
    "/reset-password",
    response_model=Message,
    responses=error_responses(InvalidLink, LinkExpired, AccountDeactivated),
)
async def reset_password(data: ResetPasswordRequest, session: SessionDep) -> Message:
    """Set a new password with the e-mailed token; every session of the account is ended."""
    await service.reset_password(session, data.token, data.new_password)
    return Message(message="Your password has been changed. Log in with the new one.")


@auth_router.post(
    "/verify-email", response_model=PrivateProfile, responses=error_responses(InvalidLink, LinkExpired)
)
async def verify_email(data: TokenRequest, session: SessionDep) -> PrivateProfile:
    return PrivateProfile.of(await service.verify_email(session, data.token))


@auth_router.post(
    "/resend-verification",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Message,
    responses=error_responses(AlreadyVerified),
)
async def resend_verification(user: CurrentUser, session: SessionDep) -> Message:
    await service.resend_verification(session, user)
    return Message(message="A new verification e-mail is on its way.")


@users_router.get("/me", response_model=PrivateProfile)
async def get_me(user: CurrentUser) -> PrivateProfile:
    return PrivateProfile.of(user)


@users_router.put("/me", response_model=PrivateProfile, responses=error_responses(FieldRequired))
async def update_me(changes: ProfileUpdate, user: CurrentUser, session: SessionDep) -> PrivateProfile:
    """Change your profile: only the fields sent change."""
    return PrivateProfile.of(await service.update_profile(session, user, changes))


@users_router.delete("/me", status_code=status.HTTP_204_NO_CONTENT)
async def deactivate_me(user: CurrentUser, session: SessionDep) -> None:
    """Deactivate your account: sessions end, login is refused, the profile is hidden; data is kept."""
    await service.deactivate(session, user)


@users_router.post(
    "/me/portfolio",
    status_code=status.HTTP_201_CREATED,
    response_model=PortfolioItemOut,
    responses=error_responses(PortfolioFull),
)
async def add_portfolio_item(
    data: PortfolioItemCreate, user: CurrentCreator, session: SessionDep
) -> PortfolioItemOut:
    return PortfolioItemOut.model_validate(await service.add_portfolio_item(session, user, data))


@users_router.delete(
    "/me/portfolio/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(PortfolioItemNotFound),
)
async def delete_portfolio_item(item_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    await service.delete_portfolio_item(session, user, item_id)


# Presence (online, last seen) is kept by a higher domain (messaging); it registers its lookup
# here at start-up, so that identity never imports it. Without one, profiles say offline.
PresenceLookup = Callable[[uuid.UUID], Awaitable[tuple[bool, datetime | None]]]
_presence_lookup: PresenceLookup | None = None


def set_presence_lookup(lookup: PresenceLookup | None) -> None:
    global _presence_lookup
    _presence_lookup = lookup


@users_router.get("/{user_id}", response_model=PublicProfile, responses=error_responses(UserNotFound))
async def get_user(user_id: uuid.UUID, session: SessionDep) -> PublicProfile:
    """A public profile: no e-mail, no private settings; online status and last seen."""
    profile = PublicProfile.of(await service.get_public_user(session, user_id))
    if _presence_lookup is not None:
        profile.online, profile.last_seen_at = await _presence_lookup(user_id)
    return profile


@users_router.get(
    "/{user_id}/portfolio", response_model=list[PortfolioItemOut], responses=error_responses(UserNotFound)
)
async def get_portfolio(user_id: uuid.UUID, session: SessionDep) -> list[PortfolioItemOut]:
    return [PortfolioItemOut.model_validate(item) for item in await service.list_portfolio(session, user_id)]

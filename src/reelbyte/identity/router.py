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
from reelbyte.core.routing import APIRouter, ReplicaSessionDep, SessionDep
from reelbyte.core.security import AccessClaims
from reelbyte.identity import errors, schemas, service
from reelbyte.identity.deps import CurrentCreator, CurrentSessionId, CurrentUser, OptionalUser, access_claims
from reelbyte.media.errors import UploadKindMismatch, UploadNotFound, UploadNotReady, UploadPurposeMismatch

auth_router = APIRouter(prefix="/auth", tags=["auth"])
token_router = APIRouter(prefix="/auth", tags=["auth"])
users_router = APIRouter(prefix="/users", tags=["users"])

REFRESH_COOKIE = "refresh_token"
REFRESH_COOKIE_PATH = "/v1/auth"

login_limit = Depends(limit_per_ip("login", "rate_limit_login"))
register_limit = Depends(limit_per_ip("register", "rate_limit_register"))
# Guessing the current password with a stolen access token is as slow as guessing at login.
password_limit = Depends(limit_per_ip("change_password", "rate_limit_login"))


def _client(request: Request) -> service.ClientInfo:
    return service.ClientInfo(ip_address=client_ip(request), user_agent=request.headers.get("user-agent"))


def _token_response(response: Response, tokens: service.IssuedTokens) -> schemas.TokenPair:
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
    return schemas.TokenPair(
        access_token=tokens.access_token, refresh_token=tokens.refresh_token, expires_in=tokens.expires_in
    )


@auth_router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.PrivateProfile,
    dependencies=[register_limit],
    responses=error_responses(errors.AccountExists),
)
async def register(data: schemas.RegisterRequest, session: SessionDep) -> schemas.PrivateProfile:
    """Create an account; a verification e-mail is sent to the address."""
    return schemas.PrivateProfile.of(await service.register(session, data))


@auth_router.post(
    "/login",
    response_model=schemas.TokenPair,
    dependencies=[login_limit],
    responses=error_responses(errors.InvalidCredentials, errors.AccountDeactivated, errors.AccountSuspended),
)
async def login(
    data: schemas.LoginRequest, request: Request, response: Response, session: SessionDep
) -> schemas.TokenPair:
    """Exchange e-mail and password for an access token and a refresh token (also set as a cookie)."""
    tokens = await service.login(session, data.email, data.password, _client(request))
    return _token_response(response, tokens)


@token_router.post(
    "/token",
    response_model=schemas.TokenPair,
    dependencies=[login_limit],
    responses=error_responses(errors.InvalidCredentials, errors.AccountDeactivated, errors.AccountSuspended),
)
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    response: Response,
    session: SessionDep,
) -> schemas.TokenPair:
    """OAuth2 password flow for Swagger UI's Authorize button: `username` is the e-mail."""
    tokens = await service.login(session, form.username, form.password, _client(request))
    return _token_response(response, tokens)


@auth_router.post(
    "/refresh",
    response_model=schemas.TokenPair,
    responses=error_responses(
        errors.MissingRefreshToken,
        errors.InvalidRefreshToken,
        errors.SessionRevoked,
        errors.RefreshTokenReused,
        errors.RefreshTokenExpired,
        errors.AccountDeactivated,
        errors.AccountSuspended,
    ),
)
async def refresh(
    response: Response,
    session: SessionDep,
    data: Annotated[schemas.RefreshRequest | None, Body()] = None,
    cookie_token: Annotated[str | None, Cookie(alias=REFRESH_COOKIE)] = None,
) -> schemas.TokenPair | JSONResponse:
    """A new token pair for a refresh token (body or cookie); the old refresh token stops working.

    The same token sent again within REFRESH_REUSE_GRACE_SECONDS of its rotation (two tabs
    refreshing at once) gets the same new pair; sent later, it ends the session
    (`refresh_token_reused`)."""
    presented = (data.refresh_token if data else None) or cookie_token
    if not presented:
        raise errors.MissingRefreshToken()
    try:
        tokens = await service.refresh(session, presented)
    except errors.RefreshTokenReused as error:
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
    response_model=schemas.Message,
    dependencies=[login_limit],
)
async def forgot_password(data: schemas.EmailRequest, session: SessionDep) -> schemas.Message:
    """Always 202: if the account exists, a single-use reset link valid for one hour is e-mailed."""
    await service.forgot_password(session, data.email)
    return schemas.Message(message="If an account exists for that address, a reset link is on its way.")


@auth_router.post(
    "/reset-password",
    response_model=schemas.Message,
    responses=error_responses(errors.InvalidLink, errors.LinkExpired, errors.AccountDeactivated),
)
async def reset_password(data: schemas.ResetPasswordRequest, session: SessionDep) -> schemas.Message:
    """Set a new password with the e-mailed token; every session of the account is ended."""
    await service.reset_password(session, data.token, data.new_password)
    return schemas.Message(message="Your password has been changed. Log in with the new one.")


@auth_router.post(
    "/verify-email",
    response_model=schemas.PrivateProfile,
    responses=error_responses(errors.InvalidLink, errors.LinkExpired),
)
async def verify_email(data: schemas.TokenRequest, session: SessionDep) -> schemas.PrivateProfile:
    return schemas.PrivateProfile.of(await service.verify_email(session, data.token))


@auth_router.post(
    "/resend-verification",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=schemas.Message,
    responses=error_responses(errors.AlreadyVerified),
)
async def resend_verification(user: CurrentUser, session: SessionDep) -> schemas.Message:
    await service.resend_verification(session, user)
    return schemas.Message(message="A new verification e-mail is on its way.")


@auth_router.post(
    "/confirm-email",
    response_model=schemas.PrivateProfile,
    responses=error_responses(errors.InvalidLink, errors.LinkExpired, errors.AccountExists),
)
async def confirm_email_change(data: schemas.TokenRequest, session: SessionDep) -> schemas.PrivateProfile:
    """Follow the link sent to a new address: the account moves there (verified)."""
    return schemas.PrivateProfile.of(await service.confirm_email_change(session, data.token))


@users_router.get("/me", response_model=schemas.PrivateProfile)
async def get_me(user: CurrentUser) -> schemas.PrivateProfile:
    return schemas.PrivateProfile.of(user)


# Attaching an uploaded file (an avatar, a portfolio video): media.attach.attachable's refusals.
ATTACH_ERRORS = (UploadNotFound, UploadPurposeMismatch, UploadNotReady, UploadKindMismatch)


@users_router.put(
    "/me",
    response_model=schemas.PrivateProfile,
    responses=error_responses(errors.FieldRequired, *ATTACH_ERRORS),
)
async def update_me(
    changes: schemas.ProfileUpdate, user: CurrentUser, session: SessionDep
) -> schemas.PrivateProfile:
    """Change your profile: only the fields sent change. The avatar is a link (`avatar_url`) or
    an image uploaded with purpose `avatar` (`avatar_upload_id`), not both."""
    return schemas.PrivateProfile.of(await service.update_profile(session, user, changes))


# DELETE /me (deactivate or erase the account) is privacy/router.py's: erasure reaches every domain.


@users_router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[password_limit],
    responses=error_responses(errors.WrongPassword, errors.SamePassword),
)
async def change_password(
    data: schemas.ChangePasswordRequest, user: CurrentUser, session_id: CurrentSessionId, session: SessionDep
) -> None:
    """Change your password, giving the current one (policy: as at registration). Every other
    login session ends at once; this one stays logged in. You are told by e-mail."""
    await service.change_password(session, user, session_id, data.current_password, data.new_password)


@users_router.post(
    "/me/email",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=schemas.Message,
    dependencies=[password_limit],
    responses=error_responses(errors.WrongPassword, errors.SameEmail, errors.AccountExists),
)
async def change_email(
    data: schemas.EmailChangeRequest, user: CurrentUser, session: SessionDep
) -> schemas.Message:
    """Move your account to another e-mail address, giving your password. A link goes to the new
    address and the account moves when it is followed (the new address is then verified); the old
    address is told."""
    await service.request_email_change(session, user, data.new_email, data.password)
    return schemas.Message(message=f"A confirmation link is on its way to {data.new_email}.")


@users_router.get("/me/sessions", response_model=list[schemas.LoginSession])
async def list_sessions(
    user: CurrentUser, session_id: CurrentSessionId, session: SessionDep
) -> list[schemas.LoginSession]:
    """Your live login sessions (devices and browsers), the most recently used first; `current`
    marks the one this request came from."""
    return [
        schemas.LoginSession.of(auth_session, session_id)
        for auth_session in await service.list_sessions(session, user.id)
    ]


@users_router.delete(
    "/me/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(errors.SessionNotFound),
)
async def end_session(
    session_id: uuid.UUID, user: CurrentUser, current: CurrentSessionId, session: SessionDep
) -> Response:
    """Log a session out: its refresh token and access tokens stop working. Ending this
    request's own session is a logout (the refresh cookie is cleared too)."""
    await service.end_session(session, user.id, session_id, current)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    if session_id == current:
        response.delete_cookie(
            REFRESH_COOKIE, path=REFRESH_COOKIE_PATH, secure=True, httponly=True, samesite="strict"
        )
    return response


@users_router.post(
    "/me/role",
    response_model=schemas.PrivateProfile,
    responses=error_responses(errors.RoleChangeNotAllowed, errors.AlreadyHybrid),
)
async def change_role(
    data: schemas.RoleChangeRequest, user: CurrentUser, session: SessionDep
) -> schemas.PrivateProfile:
    """Become both a creator and a client (`hybrid`), keeping everything you have. The access
    token you hold works in the new role at once."""
    return schemas.PrivateProfile.of(await service.become_hybrid(session, user))


@users_router.post(
    "/me/portfolio",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.PortfolioItemOut,
    responses=error_responses(errors.PortfolioFull, *ATTACH_ERRORS),
)
async def add_portfolio_item(
    data: schemas.PortfolioItemCreate, user: CurrentCreator, session: SessionDep
) -> schemas.PortfolioItemOut:
    """Add a video: a link (`video_url`) or a video uploaded with purpose `portfolio`
    (`upload_id`), which brings its poster, preview, length and thumbnail."""
    return schemas.PortfolioItemOut.model_validate(await service.add_portfolio_item(session, user, data))


@users_router.delete(
    "/me/portfolio/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(errors.PortfolioItemNotFound),
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


@users_router.get(
    "/{user_id}", response_model=schemas.PublicProfile, responses=error_responses(errors.UserNotFound)
)
async def get_user(
    user_id: uuid.UUID, viewer: OptionalUser, session: ReplicaSessionDep
) -> schemas.PublicProfile:
    """A public profile: no e-mail, no private settings; online status and last seen. One the
    moderators hid is shown only to its owner and admins."""
    profile = schemas.PublicProfile.of(await service.get_profile(session, user_id, viewer))
    if _presence_lookup is not None:
        profile.online, profile.last_seen_at = await _presence_lookup(user_id)
    return profile


@users_router.get(
    "/{user_id}/portfolio",
    response_model=list[schemas.PortfolioItemOut],
    responses=error_responses(errors.UserNotFound),
)
async def get_portfolio(
    user_id: uuid.UUID, viewer: OptionalUser, session: ReplicaSessionDep
) -> list[schemas.PortfolioItemOut]:
    """A creator's portfolio, highlights first; hidden with the profile (owner and admins only)."""
    return [
        schemas.PortfolioItemOut.model_validate(item)
        for item in await service.list_portfolio(session, user_id, viewer)
    ]

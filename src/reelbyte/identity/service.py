"""Accounts: registration, login, sessions with rotating refresh tokens, e-mail tokens,
profiles and portfolios. Every public function here is one transaction."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import get_settings
from reelbyte.core.db import utcnow
from reelbyte.core.email import queue_email
from reelbyte.core.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized
from reelbyte.core.security import (
    create_access_token,
    hash_password,
    hash_secret_token,
    new_secret_token,
    verify_password,
)
from reelbyte.identity import events
from reelbyte.identity.errors import InvalidToken
from reelbyte.identity.models import (
    AccountToken,
    AuthSession,
    PortfolioItem,
    RefreshToken,
    Role,
    TokenPurpose,
    User,
)
from reelbyte.identity.schemas import PortfolioItemCreate, ProfileUpdate, RegisterRequest

MAX_PORTFOLIO_ITEMS = 50


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class ClientInfo:
    ip_address: str | None = None
    user_agent: str | None = None


# --- registration and e-mail verification -------------------------------------------------


async def register(session: AsyncSession, data: RegisterRequest, *, verified: bool = False) -> User:
    """Create the account; unless it is `verified` already (demo data), e-mail a verification link."""
    await _ensure_identity_free(session, data.email, data.username)
    user = User(
        email=data.email,
        username=data.username,
        password_hash=await asyncio.to_thread(hash_password, data.password),
        full_name=data.full_name,
        role=Role(data.role),
        email_verified_at=utcnow() if verified else None,
        notification_preferences={},
        skills=[],
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as error:  # a concurrent registration won the race
        await session.rollback()
        raise Conflict("That e-mail or username is already taken.", code="account_exists") from error
    if not verified:
        await _send_verification(session, user)
    await session.commit()
    return user


async def _ensure_identity_free(session: AsyncSession, email: str, username: str) -> None:
    taken = await session.scalar(
        select(User.id).where(
            (func.lower(User.email) == email.lower()) | (func.lower(User.username) == username.lower())
        )
    )
    if taken is not None:
        raise Conflict("That e-mail or username is already taken.", code="account_exists")


async def _send_verification(session: AsyncSession, user: User) -> None:
    hours = get_settings().email_verification_expire_hours
    token = await _issue_account_token(session, user, TokenPurpose.VERIFY_EMAIL, timedelta(hours=hours))
    await queue_email(
        session,
        user.email,
        "verify_email",
        name=user.full_name,
        link=f"{_public_url()}/account/verify-email?token={token}",
        valid_hours=hours,
    )


async def resend_verification(session: AsyncSession, user: User) -> None:
    if user.is_email_verified:
        raise Conflict("Your e-mail address is already verified.", code="already_verified")
    await _send_verification(session, user)
    await session.commit()


async def verify_email(session: AsyncSession, token: str) -> User:
    account_token = await _consume_account_token(session, token, TokenPurpose.VERIFY_EMAIL)
    user = await session.get_one(User, account_token.user_id)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    await session.commit()
    return user


# --- login, sessions and refresh tokens ---------------------------------------------------


async def login(session: AsyncSession, email: str, password: str, client: ClientInfo) -> IssuedTokens:
    user = await session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    password_ok = await asyncio.to_thread(verify_password, password, user.password_hash if user else None)
    if user is None or not password_ok:
        raise Unauthorized("The e-mail or password is wrong.", code="invalid_credentials")
    if not user.is_active:
        raise Forbidden("This account has been deactivated.", code="account_deactivated")
    auth_session = AuthSession(
        user_id=user.id, ip_address=client.ip_address, user_agent=(client.user_agent or "")[:512] or None
    )
    session.add(auth_session)
    await session.flush()
    user.last_login_at = utcnow()
    tokens = await _issue_tokens(session, user, auth_session)
    await session.commit()
    return tokens


async def _issue_tokens(session: AsyncSession, user: User, auth_session: AuthSession) -> IssuedTokens:
    refresh_token = new_secret_token()
    session.add(
        RefreshToken(
            session_id=auth_session.id,
            token_hash=hash_secret_token(refresh_token),
            expires_at=utcnow() + timedelta(days=get_settings().refresh_token_expire_days),
        )
    )
    access_token, expires_in = create_access_token(user.id, user.role.value, auth_session.id)
    return IssuedTokens(access_token, refresh_token, expires_in)


async def refresh(session: AsyncSession, refresh_token: str) -> IssuedTokens:
    """Rotate: the presented token is spent and a new pair is issued in the same session.

    Presenting a token that was already rotated means two parties hold it, so one of them
    stole it: the whole session is revoked and both must log in again.
    """
    stored = await session.scalar(
        select(RefreshToken)
        .where(RefreshToken.token_hash == hash_secret_token(refresh_token))
        .with_for_update()
    )
    if stored is None:
        raise Unauthorized("The refresh token is not valid.", code="invalid_refresh_token")
    auth_session = await session.get_one(AuthSession, stored.session_id, with_for_update=True)
    if auth_session.revoked_at is not None:
        raise Unauthorized("This session has ended; log in again.", code="session_revoked")
    if stored.rotated_at is not None:
        _revoke(auth_session, "refresh_token_reuse")
        await session.commit()
        raise Unauthorized(
            "This refresh token was already used; the session has been ended for safety.",
            code="refresh_token_reused",
        )
    if stored.expires_at <= utcnow():
        raise Unauthorized("The refresh token has expired; log in again.", code="refresh_token_expired")
    user = await session.get_one(User, auth_session.user_id)
    if not user.is_active:
        raise Unauthorized("This account has been deactivated.", code="account_deactivated")
    stored.rotated_at = utcnow()
    auth_session.last_used_at = utcnow()
    tokens = await _issue_tokens(session, user, auth_session)
    await session.commit()
    return tokens


async def logout(session: AsyncSession, session_id: uuid.UUID | None, refresh_token: str | None) -> None:
    """End the session of the access token, or else of the refresh token given."""
    if session_id is None and refresh_token is not None:
        session_id = await session.scalar(
            select(RefreshToken.session_id).where(RefreshToken.token_hash == hash_secret_token(refresh_token))
        )
    if session_id is not None:
        auth_session = await session.get(AuthSession, session_id, with_for_update=True)
        if auth_session is not None and auth_session.revoked_at is None:
            _revoke(auth_session, "logout")
    await session.commit()


def _revoke(auth_session: AuthSession, reason: str) -> None:
    auth_session.revoked_at = utcnow()
    auth_session.revoked_reason = reason


async def _revoke_all_sessions(session: AsyncSession, user_id: uuid.UUID, reason: str) -> None:
    await session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )


async def authenticate(session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID | None) -> User:
    """The user behind a valid access token, if the account is active and the session alive."""
    query = select(User).where(User.id == user_id, User.is_active.is_(True))
    if session_id is not None:
        query = query.where(
            select(AuthSession.id)
            .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
            .exists()
        )
    user = await session.scalar(query)
    if user is None:
        raise InvalidToken("The access token is no longer valid.")
    return user


# --- password reset -----------------------------------------------------------------------


async def forgot_password(session: AsyncSession, email: str) -> None:
    """Always silent about whether the account exists; e-mails a one-hour, single-use token."""
    user = await session.scalar(
        select(User).where(func.lower(User.email) == email.lower(), User.is_active.is_(True))
    )
    if user is None:
        return
    minutes = get_settings().password_reset_expire_minutes
    token = await _issue_account_token(session, user, TokenPurpose.RESET_PASSWORD, timedelta(minutes=minutes))
    await queue_email(
        session,
        user.email,
        "reset_password",
        name=user.full_name,
        link=f"{_public_url()}/account/reset-password?token={token}",
        valid_minutes=minutes,
    )
    await session.commit()


async def reset_password(session: AsyncSession, token: str, new_password: str) -> None:
    account_token = await _consume_account_token(session, token, TokenPurpose.RESET_PASSWORD)
    user = await session.get_one(User, account_token.user_id, with_for_update=True)
    if not user.is_active:
        raise BadRequest("This account has been deactivated.", code="account_deactivated")
    user.password_hash = await asyncio.to_thread(hash_password, new_password)
    await _revoke_all_sessions(session, user.id, "password_reset")
    # Any other reset link still in a mailbox dies with this one.
    await session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == TokenPurpose.RESET_PASSWORD,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    await session.commit()


# --- single-use e-mail tokens -------------------------------------------------------------


async def _issue_account_token(
    session: AsyncSession, user: User, purpose: TokenPurpose, lifetime: timedelta
) -> str:
    token = new_secret_token()
    session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=hash_secret_token(token),
            expires_at=utcnow() + lifetime,
        )
    )
    await session.flush()
    return token


async def _consume_account_token(session: AsyncSession, token: str, purpose: TokenPurpose) -> AccountToken:
    account_token = await session.scalar(
        select(AccountToken)
        .where(AccountToken.token_hash == hash_secret_token(token), AccountToken.purpose == purpose)
        .with_for_update()
    )
    if account_token is None or account_token.used_at is not None:
        raise BadRequest("This link is not valid or was already used.", code="invalid_token")
    if account_token.expires_at <= utcnow():
        raise BadRequest("This link has expired; ask for a new one.", code="token_expired")
    account_token.used_at = utcnow()
    return account_token


def _public_url() -> str:
    return get_settings().public_url.rstrip("/")


# --- profiles -----------------------------------------------------------------------------


async def update_profile(session: AsyncSession, user: User, changes: ProfileUpdate) -> User:
    fields = changes.model_dump(exclude_unset=True, exclude={"hourly_rate"})
    for required in ("full_name", "timezone", "language", "notification_preferences", "skills"):
        if required in fields and fields[required] is None:
            raise BadRequest(
                f"{required} cannot be cleared.", code="field_required", details={"field": required}
            )
    for name, value in fields.items():
        setattr(user, name, value)
    if "hourly_rate" in changes.model_fields_set:
        rate = changes.hourly_rate
        user.hourly_rate_minor = rate.minor if rate else None
        user.hourly_rate_currency = rate.currency if rate else None
    session.add(user)
    await session.commit()
    await session.refresh(user)
    return user


async def deactivate(session: AsyncSession, user: User) -> None:
    """Deactivate, keeping the data: sessions revoked, login refused, profile hidden."""
    user.is_active = False
    user.deactivated_at = utcnow()
    session.add(user)
    await _revoke_all_sessions(session, user.id, "deactivated")
    await events.user_deactivated.emit(session, user)
    await session.commit()


async def get_public_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound("No such user.", code="user_not_found")
    return user


# --- portfolio ----------------------------------------------------------------------------


async def list_portfolio(session: AsyncSession, user_id: uuid.UUID) -> list[PortfolioItem]:
    await get_public_user(session, user_id)
    items = await session.scalars(
        select(PortfolioItem)
        .where(PortfolioItem.user_id == user_id)
        .order_by(PortfolioItem.is_highlight.desc(), PortfolioItem.position, PortfolioItem.created_at)
    )
    return list(items)


async def add_portfolio_item(session: AsyncSession, user: User, data: PortfolioItemCreate) -> PortfolioItem:
    # Lock the owner so two concurrent adds cannot both pass the size check.
    await session.get_one(User, user.id, with_for_update=True)
    count = await session.scalar(select(func.count()).where(PortfolioItem.user_id == user.id))
    if (count or 0) >= MAX_PORTFOLIO_ITEMS:
        raise Conflict(f"A portfolio holds at most {MAX_PORTFOLIO_ITEMS} items.", code="portfolio_full")
    item = PortfolioItem(user_id=user.id, **data.model_dump())
    session.add(item)
    await session.commit()
    await session.refresh(item)
    return item


async def delete_portfolio_item(session: AsyncSession, user: User, item_id: uuid.UUID) -> None:
    item = await session.get(PortfolioItem, item_id)
    if item is None or item.user_id != user.id:  # another user's item is "not found", not "forbidden"
        raise NotFound("No such portfolio item.", code="portfolio_item_not_found")
    await session.delete(item)
    await session.commit()


# --- administration -----------------------------------------------------------------------


async def create_admin(
    session: AsyncSession, email: str, username: str, password: str, full_name: str
) -> User:
    await _ensure_identity_free(session, email, username)
    user = User(
        email=email,
        username=username,
        password_hash=await asyncio.to_thread(hash_password, password),
        full_name=full_name,
        role=Role.ADMIN,
        email_verified_at=utcnow(),
        notification_preferences={},
        skills=[],
    )
    session.add(user)
    await session.commit()
    return user

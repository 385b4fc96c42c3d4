"""Accounts: registration, login, sessions with rotating refresh tokens, e-mail tokens,
profiles and portfolios.

The functions run inside the caller's unit of work (`core.db.transaction`: the request, the job
or the CLI command) and never commit; they raise the named errors of identity/errors.py."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import get_settings
from reelbyte.core.db import constraint_error, lock_one, utcnow
from reelbyte.core.email import queue_email
from reelbyte.core.security import (
    create_access_token,
    hash_password,
    hash_secret_token,
    new_secret_token,
    secrets_equal,
    successor_token,
    verify_password,
)
from reelbyte.identity import events
from reelbyte.identity.errors import (
    AccountDeactivated,
    AccountExists,
    AccountSuspended,
    AlreadyHybrid,
    AlreadyVerified,
    EmailNotVerified,
    FieldRequired,
    InvalidCredentials,
    InvalidLink,
    InvalidRefreshToken,
    InvalidToken,
    LinkExpired,
    PortfolioFull,
    PortfolioItemNotFound,
    RefreshTokenExpired,
    RefreshTokenReused,
    RoleChangeNotAllowed,
    SameEmail,
    SamePassword,
    SessionNotFound,
    SessionRevoked,
    UserNotFound,
    WrongPassword,
)
from reelbyte.identity.models import (
    AccountToken,
    AuthSession,
    PortfolioItem,
    RefreshToken,
    Role,
    TokenPurpose,
    User,
)
from reelbyte.identity.schemas import (
    PortfolioItemCreate,
    PortfolioItemOut,
    PrivateProfile,
    ProfileUpdate,
    RegisterRequest,
)
from reelbyte.media.attach import attachable, public_url, stream_url
from reelbyte.media.models import Upload, UploadKind, UploadPurpose

MAX_PORTFOLIO_ITEMS = 50

# Two registrations racing for one e-mail or username both pass the check; the unique index
# stops the second, and the unit of work answers it as the same 409.
constraint_error("uq_users_email_lower", AccountExists)
constraint_error("uq_users_username_lower", AccountExists)


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
    await session.flush()  # a concurrent registration that won the race: AccountExists
    if not verified:
        await _send_verification(session, user)
    await events.user_registered.emit(session, user)
    return user


async def _ensure_identity_free(session: AsyncSession, email: str, username: str) -> None:
    taken = await session.scalar(
        select(User.id).where(
            (func.lower(User.email) == email.lower()) | (func.lower(User.username) == username.lower())
        )
    )
    if taken is not None:
        raise AccountExists()


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
        raise AlreadyVerified()
    await _send_verification(session, user)


async def verify_email(session: AsyncSession, token: str) -> User:
    account_token = await _consume_account_token(session, token, TokenPurpose.VERIFY_EMAIL)
    user = await session.get_one(User, account_token.user_id)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user


def ensure_email_verified(user: User) -> None:
    """Refuse, where the settings require it, someone whose e-mail address is not verified yet."""
    if user.must_verify_email:
        raise EmailNotVerified()


# --- changing the e-mail address ------------------------------------------------------------


async def request_email_change(session: AsyncSession, user: User, new_email: str, password: str) -> None:
    """Send a confirmation link to the new address; the account keeps the old one until the link
    is followed. The old address is told, so that a stolen session cannot move the account away
    unnoticed (and the password is asked for the same reason)."""
    if not await asyncio.to_thread(verify_password, password, user.password_hash):
        raise WrongPassword()
    if new_email.lower() == user.email.lower():
        raise SameEmail()
    await _ensure_email_free(session, new_email)
    hours = get_settings().email_change_expire_hours
    token = await _issue_account_token(
        session, user, TokenPurpose.CHANGE_EMAIL, timedelta(hours=hours), new_email=new_email
    )
    link = f"{_public_url()}/account/confirm-email?token={token}"
    await queue_email(
        session, new_email, "confirm_email_change", name=user.full_name, link=link, valid_hours=hours
    )
    await queue_email(
        session,
        user.email,
        "email_change_requested",
        name=user.full_name,
        new_email=new_email,
        link=f"{_public_url()}/forgot-password",
    )


async def confirm_email_change(session: AsyncSession, token: str) -> User:
    """Follow the link: the new address becomes the account's, verified by this very link. An
    older link of the same account stops working (the address it names is no longer wanted)."""
    account_token = await _consume_account_token(session, token, TokenPurpose.CHANGE_EMAIL)
    assert account_token.new_email is not None  # every change_email token names its address
    user = await lock_one(session, select(User).where(User.id == account_token.user_id))
    if user is None or not user.is_active:
        raise InvalidLink()
    await _ensure_email_free(session, account_token.new_email)
    user.email = account_token.new_email
    user.email_verified_at = utcnow()
    await session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose.in_([TokenPurpose.CHANGE_EMAIL, TokenPurpose.VERIFY_EMAIL]),
            AccountToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    await session.flush()  # someone who took the address meanwhile: AccountExists
    return user


async def _ensure_email_free(session: AsyncSession, email: str) -> None:
    if await session.scalar(select(User.id).where(func.lower(User.email) == email.lower())) is not None:
        raise AccountExists("That e-mail address belongs to another account.")


# --- login, sessions and refresh tokens ---------------------------------------------------


async def login(session: AsyncSession, email: str, password: str, client: ClientInfo) -> IssuedTokens:
    user = await session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    password_ok = await asyncio.to_thread(verify_password, password, user.password_hash if user else None)
    if user is None or not password_ok:
        raise InvalidCredentials()
    if user.is_suspended:
        raise _suspended(user)
    if not user.is_active:
        raise AccountDeactivated()
    auth_session = AuthSession(
        user_id=user.id, ip_address=client.ip_address, user_agent=(client.user_agent or "")[:512] or None
    )
    session.add(auth_session)
    await session.flush()
    user.last_login_at = utcnow()
    return _issue_tokens(session, user, auth_session, new_secret_token())


def _issue_tokens(
    session: AsyncSession, user: User, auth_session: AuthSession, refresh_token: str
) -> IssuedTokens:
    """Store `refresh_token` (hashed) in the session and mint its access token, issued together."""
    now = utcnow()
    session.add(
        RefreshToken(
            session_id=auth_session.id,
            token_hash=hash_secret_token(refresh_token),
            created_at=now,
            expires_at=now + timedelta(days=get_settings().refresh_token_expire_days),
        )
    )
    access_token, expires_in = create_access_token(user.id, user.role.value, auth_session.id, issued_at=now)
    return IssuedTokens(access_token, refresh_token, expires_in)


async def refresh(session: AsyncSession, refresh_token: str) -> IssuedTokens:
    """Rotate: the presented token is spent and a new pair is issued in the same session.

    The new refresh token is `successor_token(presented)`. Presenting the token again within
    REFRESH_REUSE_GRACE_SECONDS of its rotation — two tabs, or a retry after a lost answer,
    refreshing at once — gives the same new pair again (the access token is minted anew with
    the successor's issue time, so it comes out identical), as long as the successor itself is
    unspent. Any other reuse means two parties hold the token, so one of them stole it: the
    whole session is revoked and both must log in again. That revocation is written before
    `RefreshTokenReused` is raised; the caller must let it commit (see identity/router.py).

    The row lock on the presented token makes racing refreshes take turns: the second sees the
    first one's rotation, within the grace window.
    """
    stored = await lock_one(
        session, select(RefreshToken).where(RefreshToken.token_hash == hash_secret_token(refresh_token))
    )
    if stored is None:
        raise InvalidRefreshToken()
    auth_session = await lock_one(session, select(AuthSession).where(AuthSession.id == stored.session_id))
    assert auth_session is not None  # the foreign key (ON DELETE CASCADE) guarantees it
    if auth_session.revoked_at is not None:
        await _refuse_if_suspended(session, auth_session.user_id)
        raise SessionRevoked()
    if stored.rotated_at is not None:
        return await _reissue_within_grace(session, auth_session, stored, refresh_token)
    if stored.expires_at <= utcnow():
        raise RefreshTokenExpired()
    user = await _active_user(session, auth_session.user_id)
    stored.rotated_at = utcnow()
    auth_session.last_used_at = stored.rotated_at
    return _issue_tokens(session, user, auth_session, successor_token(refresh_token))


async def _reissue_within_grace(
    session: AsyncSession, auth_session: AuthSession, spent: RefreshToken, presented: str
) -> IssuedTokens:
    """The pair that `presented` was rotated into, if it was rotated a moment ago and that pair
    is still the session's newest; otherwise the session is revoked (see `refresh`)."""
    assert spent.rotated_at is not None
    grace = timedelta(seconds=get_settings().refresh_reuse_grace_seconds)
    successor = successor_token(presented)
    newest = await session.scalar(
        select(RefreshToken).where(
            RefreshToken.session_id == auth_session.id,
            RefreshToken.token_hash == hash_secret_token(successor),
        )
    )
    if newest is None or newest.rotated_at is not None or utcnow() - spent.rotated_at > grace:
        _revoke(auth_session, "refresh_token_reuse")
        await session.flush()
        raise RefreshTokenReused()
    user = await _active_user(session, auth_session.user_id)
    access_token, expires_in = create_access_token(
        user.id, user.role.value, auth_session.id, issued_at=newest.created_at
    )
    return IssuedTokens(access_token, successor, expires_in)


async def _active_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get_one(User, user_id)
    if not user.is_active:
        raise AccountDeactivated()
    return user


async def logout(session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID) -> None:
    """End the caller's login session (the one its access token names); ending one that has
    ended already, or that is not the caller's, changes nothing."""
    auth_session = await lock_one(
        session, select(AuthSession).where(AuthSession.id == session_id, AuthSession.user_id == user_id)
    )
    if auth_session is not None and auth_session.revoked_at is None:
        _revoke(auth_session, "logout")


def _revoke(auth_session: AuthSession, reason: str) -> None:
    auth_session.revoked_at = utcnow()
    auth_session.revoked_reason = reason


async def _revoke_all_sessions(
    session: AsyncSession, user_id: uuid.UUID, reason: str, *, keep: uuid.UUID | None = None
) -> None:
    """End every live session of the user's, but `keep` (the caller's own, when it stays)."""
    query = update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    if keep is not None:
        query = query.where(AuthSession.id != keep)
    await session.execute(query.values(revoked_at=utcnow(), revoked_reason=reason))


def _suspended(user: User) -> AccountSuspended:
    until = user.suspended_until
    ends = f" until {until:%Y-%m-%d %H:%M} UTC" if until else ""
    return AccountSuspended(
        f"This account is suspended{ends}: {user.suspension_reason}",
        details={"until": until.isoformat() if until else None},
    )


async def suspend(session: AsyncSession, user: User, reason: str, until: datetime | None) -> None:
    """An admin's suspension: its sessions end at once and log in is refused; meanwhile the account
    is hidden as a deactivated one is (profile, search, messages). Suspending again changes the
    terms (`reason`, `until`)."""
    user.suspended_at = user.suspended_at or utcnow()
    user.suspended_until = until
    user.suspension_reason = reason
    user.is_active = False
    await _revoke_all_sessions(session, user.id, "suspended")


def unsuspend(user: User) -> None:
    """The suspension ends: the account is back as it was (still closed if its owner closed it)."""
    user.suspended_at = user.suspended_until = user.suspension_reason = None
    user.is_active = user.deactivated_at is None


async def authenticate(session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID | None) -> User:
    """The user behind a valid access token: the account is active, and the token's session is
    alive and is that user's own. A token naming no session is refused (it could not be revoked)."""
    if session_id is None:
        raise InvalidToken("The access token names no session; log in again.")
    live_session_of_user = (
        select(AuthSession.id)
        .where(
            AuthSession.id == session_id,
            AuthSession.user_id == User.id,
            AuthSession.revoked_at.is_(None),
        )
        .exists()
    )
    user = await session.scalar(
        select(User).where(User.id == user_id, User.is_active.is_(True), live_session_of_user)
    )
    if user is None:
        await _refuse_if_suspended(session, user_id)
        raise InvalidToken("The access token is no longer valid.")
    return user


async def _refuse_if_suspended(session: AsyncSession, user_id: uuid.UUID) -> None:
    """A suspended account's ended sessions say why (403 `account_suspended` with the reason),
    so the app can tell its user rather than only log them out."""
    user = await session.get(User, user_id)
    if user is not None and user.suspended_at is not None:
        raise _suspended(user)


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


async def reset_password(session: AsyncSession, token: str, new_password: str) -> None:
    account_token = await _consume_account_token(session, token, TokenPurpose.RESET_PASSWORD)
    user = await lock_one(session, select(User).where(User.id == account_token.user_id))
    assert user is not None  # the token's foreign key (ON DELETE CASCADE) guarantees it
    if not user.is_active:
        raise AccountDeactivated()
    user.password_hash = await asyncio.to_thread(hash_password, new_password)
    await _revoke_all_sessions(session, user.id, "password_reset")
    # Any other reset link still in a mailbox dies with this one.
    await _spend_reset_links(session, user.id)


async def _spend_reset_links(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user_id,
            AccountToken.purpose == TokenPurpose.RESET_PASSWORD,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )


# --- the account's own security: password change, login sessions, role ---------------------

# The sessions listed: the most recently used ones (a session lives as long as its refresh token).
MAX_LISTED_SESSIONS = 100


async def change_password(
    session: AsyncSession, user: User, current_session_id: uuid.UUID, current_password: str, new_password: str
) -> None:
    """Change the password, knowing the current one. Every other login session ends at once (an
    intruder's too) and reset links still in the mailbox die; the caller's session stays. The
    owner is told by e-mail, with a way back in if it was not them."""
    locked = await lock_one(session, select(User).where(User.id == user.id))
    assert locked is not None  # the caller was authenticated in this unit of work
    if not await asyncio.to_thread(verify_password, current_password, locked.password_hash):
        raise WrongPassword()
    # The current password matched the hash: an equal new one would be the same password.
    if secrets_equal(new_password, current_password):
        raise SamePassword()
    locked.password_hash = await asyncio.to_thread(hash_password, new_password)
    await _revoke_all_sessions(session, locked.id, "password_changed", keep=current_session_id)
    await _spend_reset_links(session, locked.id)
    await queue_email(
        session,
        locked.email,
        "password_changed",
        name=locked.full_name,
        link=f"{_public_url()}/forgot-password",
    )


def _live_session(user_id: uuid.UUID) -> list[ColumnElement[bool]]:
    """The conditions of a login session of `user_id` that still works: not ended, and its
    newest refresh token not expired (an access token never outlives the refresh token it came
    with, so none of a lapsed session's works either)."""
    refreshable = (
        select(RefreshToken.id)
        .where(
            RefreshToken.session_id == AuthSession.id,
            RefreshToken.rotated_at.is_(None),
            RefreshToken.expires_at > utcnow(),
        )
        .exists()
    )
    return [AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None), refreshable]


async def list_sessions(session: AsyncSession, user_id: uuid.UUID) -> list[AuthSession]:
    """The user's live login sessions, the most recently used first."""
    found = await session.scalars(
        select(AuthSession)
        .where(*_live_session(user_id))
        .order_by(AuthSession.last_used_at.desc(), AuthSession.created_at.desc(), AuthSession.id.desc())
        .limit(MAX_LISTED_SESSIONS)
    )
    return list(found)


async def end_session(
    session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID, current_session_id: uuid.UUID
) -> None:
    """End one of the user's live sessions: its refresh and access tokens stop working. Another
    user's session, an unknown one and one that has ended are all "not found" alike. Ending the
    caller's own session is a logout."""
    auth_session = await lock_one(
        session, select(AuthSession).where(AuthSession.id == session_id, *_live_session(user_id))
    )
    if auth_session is None:
        raise SessionNotFound()
    _revoke(auth_session, "logout" if session_id == current_session_id else "ended_by_user")


async def become_hybrid(session: AsyncSession, user: User) -> User:
    """A creator or a client becomes both. Roles are read from the database on every request
    (identity/deps.py), so the caller's current access token may act in the new role at once."""
    locked = await lock_one(session, select(User).where(User.id == user.id))
    assert locked is not None  # the caller was authenticated in this unit of work
    if locked.role is Role.ADMIN:
        raise RoleChangeNotAllowed()
    if locked.role is Role.HYBRID:
        raise AlreadyHybrid()
    locked.role = Role.HYBRID
    await session.flush()
    await session.refresh(locked)
    return locked


# --- single-use e-mail tokens -------------------------------------------------------------


async def _issue_account_token(
    session: AsyncSession,
    user: User,
    purpose: TokenPurpose,
    lifetime: timedelta,
    *,
    new_email: str | None = None,
) -> str:
    token = new_secret_token()
    session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=hash_secret_token(token),
            expires_at=utcnow() + lifetime,
            new_email=new_email,
        )
    )
    await session.flush()
    return token


async def _consume_account_token(session: AsyncSession, token: str, purpose: TokenPurpose) -> AccountToken:
    """Mark the token used; the row lock makes two racing uses of one link take turns, so the
    second finds it used."""
    account_token = await lock_one(
        session,
        select(AccountToken).where(
            AccountToken.token_hash == hash_secret_token(token), AccountToken.purpose == purpose
        ),
    )
    if account_token is None or account_token.used_at is not None:
        raise InvalidLink()
    if account_token.expires_at <= utcnow():
        raise LinkExpired()
    account_token.used_at = utcnow()
    return account_token


def _public_url() -> str:
    return get_settings().public_url.rstrip("/")


# --- profiles -----------------------------------------------------------------------------


async def update_profile(session: AsyncSession, user: User, changes: ProfileUpdate) -> User:
    fields = changes.model_dump(exclude_unset=True, exclude={"hourly_rate", "avatar_url", "avatar_upload_id"})
    for required in ("full_name", "timezone", "language", "notification_preferences", "skills"):
        if required in fields and fields[required] is None:
            raise FieldRequired(f"{required} cannot be cleared.", details={"field": required})
    await _change_avatar(session, user, changes)
    for name, value in fields.items():
        setattr(user, name, value)
    if "hourly_rate" in changes.model_fields_set:
        rate = changes.hourly_rate
        user.hourly_rate_minor = rate.minor if rate else None
        user.hourly_rate_currency = rate.currency if rate else None
    session.add(user)
    await session.flush()
    await session.refresh(user)
    return user


async def _change_avatar(session: AsyncSession, user: User, changes: ProfileUpdate) -> None:
    """A link, or an image uploaded for the avatar (shown as its 200x200 derived file); either
    replaces the other, and null for either clears the avatar."""
    sent = changes.model_fields_set
    if "avatar_url" in sent:
        user.avatar_url, user.avatar_upload_id = changes.avatar_url, None
    elif changes.avatar_upload_id is not None:
        upload = await attachable(
            session, user, changes.avatar_upload_id, UploadPurpose.AVATAR, kinds={UploadKind.IMAGE}
        )
        user.avatar_url, user.avatar_upload_id = public_url(upload, "avatar"), upload.id
    elif "avatar_upload_id" in sent:  # as null
        user.avatar_url, user.avatar_upload_id = None, None


async def deactivate(session: AsyncSession, user: User) -> None:
    """Deactivate, keeping the data: sessions revoked, login refused, profile hidden."""
    user.is_active = False
    user.deactivated_at = utcnow()
    session.add(user)
    await _revoke_all_sessions(session, user.id, "deactivated")
    await events.user_deactivated.emit(session, user)


async def admin_ids(session: AsyncSession) -> list[uuid.UUID]:
    """The admins who can act now (not suspended or closed): whom the platform's alerts reach."""
    return list(
        await session.scalars(select(User.id).where(User.role == Role.ADMIN, User.is_active.is_(True)))
    )


async def get_public_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        raise UserNotFound()
    return user


async def get_profile(session: AsyncSession, user_id: uuid.UUID, viewer: User | None) -> User:
    """The account whose public profile `viewer` opens: one the moderators hid is shown only
    to its owner and admins (404 for everybody else)."""
    user = await get_public_user(session, user_id)
    if user.profile_hidden_at is not None and not (viewer and (viewer.id == user.id or viewer.is_admin)):
        raise UserNotFound()
    return user


async def hide_profile(session: AsyncSession, user_id: uuid.UUID) -> bool:
    """A moderator hides a profile: out of creator search, and its page is seen only by its
    owner and admins. Hiding it again changes nothing; False when there is no such account."""
    hidden = await session.scalar(
        update(User)
        .where(User.id == user_id)
        .values(profile_hidden_at=func.coalesce(User.profile_hidden_at, utcnow()))
        .returning(User.id)
        .execution_options(synchronize_session=False)
    )
    return hidden is not None


# --- portfolio ----------------------------------------------------------------------------


async def list_portfolio(
    session: AsyncSession, user_id: uuid.UUID, viewer: User | None
) -> list[PortfolioItem]:
    await get_profile(session, user_id, viewer)
    items = await session.scalars(
        select(PortfolioItem)
        .where(PortfolioItem.user_id == user_id)
        .order_by(PortfolioItem.is_highlight.desc(), PortfolioItem.position, PortfolioItem.created_at)
    )
    return list(items)


async def add_portfolio_item(session: AsyncSession, user: User, data: PortfolioItemCreate) -> PortfolioItem:
    # Lock the owner so two concurrent adds cannot both pass the size check.
    await lock_one(session, select(User).where(User.id == user.id))
    count = await session.scalar(select(func.count()).where(PortfolioItem.user_id == user.id))
    if (count or 0) >= MAX_PORTFOLIO_ITEMS:
        raise PortfolioFull(
            f"A portfolio holds at most {MAX_PORTFOLIO_ITEMS} items.", details={"max": MAX_PORTFOLIO_ITEMS}
        )
    item = PortfolioItem(user_id=user.id, **data.model_dump(exclude={"upload_id"}))
    if data.upload_id is not None:
        # Portfolio items are videos: an image uploaded for the portfolio is refused here.
        upload = await attachable(
            session, user, data.upload_id, UploadPurpose.PORTFOLIO, kinds={UploadKind.VIDEO}
        )
        _show_uploaded_video(item, upload)
    session.add(item)
    await session.flush()
    await session.refresh(item)
    return item


def _show_uploaded_video(item: PortfolioItem, upload: Upload) -> None:
    """The item plays the uploaded original and shows its derived files; a thumbnail the
    request gave is kept."""
    item.upload_id = upload.id
    item.video_url = public_url(upload)
    item.thumbnail_url = item.thumbnail_url or public_url(upload, "thumbnail")
    item.poster_url = public_url(upload, "poster")
    item.preview_url = public_url(upload, "preview")
    item.stream_url = stream_url(upload)
    item.duration_seconds = (upload.probe or {}).get("duration_seconds")


async def delete_portfolio_item(session: AsyncSession, user: User, item_id: uuid.UUID) -> None:
    item = await session.get(PortfolioItem, item_id)
    if item is None or item.user_id != user.id:  # another user's item is "not found", not "forbidden"
        raise PortfolioItemNotFound()
    await session.delete(item)


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
    await session.flush()
    return user


# --- your data (GDPR): export and erasure, for the privacy domain ---------------------------


async def personal_data(session: AsyncSession, user_id: uuid.UUID) -> dict[str, Any]:
    """The account's own data for its export: the profile, the portfolio and the login sessions
    (with the addresses and browsers they came from)."""
    user = await session.get_one(User, user_id)
    portfolio = await session.scalars(
        select(PortfolioItem)
        .where(PortfolioItem.user_id == user_id)
        .order_by(PortfolioItem.position, PortfolioItem.created_at)
    )
    logins = await session.scalars(
        select(AuthSession).where(AuthSession.user_id == user_id).order_by(AuthSession.created_at)
    )
    return {
        "profile": PrivateProfile.of(user).model_dump(mode="json"),
        "portfolio": [PortfolioItemOut.model_validate(item).model_dump(mode="json") for item in portfolio],
        "login_sessions": [
            {
                "id": str(login.id),
                "created_at": login.created_at.isoformat(),
                "last_used_at": login.last_used_at.isoformat(),
                "ended_at": login.revoked_at.isoformat() if login.revoked_at else None,
                "ip_address": login.ip_address,
                "user_agent": login.user_agent,
            }
            for login in logins
        ],
    }


ERASED_NAME = "Erased user"


async def erase_personal_data(session: AsyncSession, user: User) -> None:
    """Anonymise the account for good (GDPR art. 17): deactivated as by its owner (sessions end,
    offers hidden, files gone), then every personal field replaced. The e-mail address and
    username become placeholders unique to the account; the password becomes the hash of a
    random secret nobody knows, so that no login can succeed (and a login attempt still spends
    the usual hashing time instead of meeting an unknown hash format)."""
    await deactivate(session, user)
    placeholder = f"erased-{user.id.hex}"
    user.email = f"{placeholder}@erased.invalid"
    user.username = placeholder
    user.full_name = ERASED_NAME
    user.password_hash = await asyncio.to_thread(hash_password, new_secret_token())
    user.bio = user.avatar_url = user.avatar_upload_id = None
    user.website_url = user.youtube_url = user.instagram_url = None
    user.skills = []
    user.hourly_rate_minor = user.hourly_rate_currency = user.availability = None
    user.notification_preferences = {}
    user.email_verified_at = user.last_login_at = None
    user.erased_at = utcnow()
    await session.execute(delete(PortfolioItem).where(PortfolioItem.user_id == user.id))
    # Change-of-address tokens hold an e-mail address; the others are spent with the password.
    await session.execute(delete(AccountToken).where(AccountToken.user_id == user.id))
    await session.execute(
        update(AuthSession).where(AuthSession.user_id == user.id).values(ip_address=None, user_agent=None)
    )
    await session.flush()

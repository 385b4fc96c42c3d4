"""API keys: a third party acts as the user, within the key's scopes only.

A key is `rb_live_` and 32 random bytes in base62, shown once when it is made; only its SHA-256
is kept (it is random, so no salt or stretching), with its first characters (`prefix`) to tell
keys apart. Looking a key up by its hash compares it in constant time: nothing is compared
character by character against a stored secret.

Whether the owner's plan includes API access is billing's to say, a higher domain: billing
registers its answer with `set_api_access_check` at start-up. Without one every user has API
access; administrators always have it. Billing also meters each key-authenticated call on the
owner's usage (`set_api_call_meter`).

The rule when a plan loses API access (a downgrade): keys stay listed but every use is refused
(`api_key_disabled`); the first refused use marks the owner's live keys `disabled_at`. When the
plan allows API access again, the next use of any of them clears the mark on them all: keys are
re-enabled, not lost. `sync_api_access` applies the same marks at once, for billing to call when
a plan changes.
"""

from __future__ import annotations

import enum
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import get_settings
from reelbyte.core.db import lock_one, utcnow
from reelbyte.core.pagination import PageParams
from reelbyte.core.security import API_KEY_PREFIX, hash_secret_token
from reelbyte.identity.errors import (
    ApiKeyExpiryInPast,
    ApiKeyNotFound,
    InvalidApiKey,
    PlanHasNoApiAccess,
)
from reelbyte.identity.models import ApiKey, User


# Each route third parties need declares its scope (deps.require_scope); a route that declares
# none refuses keys.
class ApiScope(enum.StrEnum):
    """What an API key may do (docs/api.md lists the routes each scope opens)."""

    GIGS_READ = "gigs:read"
    GIGS_WRITE = "gigs:write"
    ORDERS_READ = "orders:read"
    MEDIA_WRITE = "media:write"
    VIDEO_JOBS_WRITE = "video_jobs:write"
    WEBHOOKS_WRITE = "webhooks:write"


_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SECRET_BYTES = 32
SECRET_CHARS = 43  # 62**43 > 2**256: every 32-byte value fits, left-padded with "0"
PREFIX_CHARS = len(API_KEY_PREFIX) + 8
KEY_PATTERN = re.compile(rf"{re.escape(API_KEY_PREFIX)}[0-9A-Za-z]{{{SECRET_CHARS}}}")
# Recording every use would write a row on every API call: once a minute per key is enough to
# tell when (and from where) a key was last used.
LAST_USED_EVERY = timedelta(minutes=1)


def upgrade_url() -> str:
    """Where a refusal for want of API access points the client: the plans to choose from."""
    return f"{get_settings().public_url}/v1/billing/plans"


ApiAccessCheck = Callable[[AsyncSession, uuid.UUID], Awaitable[bool]]
_api_access_check: ApiAccessCheck | None = None


def set_api_access_check(check: ApiAccessCheck | None) -> None:
    """Billing's answer to "does this user's plan include API access?" (None: everyone's does)."""
    global _api_access_check
    _api_access_check = check


ApiCallMeter = Callable[[AsyncSession, uuid.UUID, str], Awaitable[None]]
_api_call_meter: ApiCallMeter | None = None


def set_api_call_meter(meter: ApiCallMeter | None) -> None:
    """Billing's usage metering of key-authenticated calls (None: calls are not metered)."""
    global _api_call_meter
    _api_call_meter = meter


async def meter_call(session: AsyncSession, user_id: uuid.UUID, call_id: str) -> None:
    """Count one key-authenticated call on the owner's usage, once per `call_id`."""
    if _api_call_meter is not None:
        await _api_call_meter(session, user_id, call_id)


async def has_api_access(session: AsyncSession, user: User) -> bool:
    if user.is_admin or _api_access_check is None:
        return True
    return await _api_access_check(session, user.id)


def new_key() -> str:
    number = int.from_bytes(secrets.token_bytes(SECRET_BYTES), "big")
    digits = []
    while number:
        number, digit = divmod(number, 62)
        digits.append(_BASE62[digit])
    return API_KEY_PREFIX + "".join(reversed(digits)).rjust(SECRET_CHARS, "0")


async def create(
    session: AsyncSession, user: User, name: str, scopes: list[ApiScope], expires_at: datetime | None
) -> tuple[ApiKey, str]:
    """A new key of the user's and the key itself: the only time it is ever returned."""
    if not await has_api_access(session, user):
        raise PlanHasNoApiAccess(details={"upgrade_url": upgrade_url()})
    if expires_at is not None and expires_at <= utcnow():
        raise ApiKeyExpiryInPast()
    key = new_key()
    api_key = ApiKey(
        user_id=user.id,
        name=name,
        prefix=key[:PREFIX_CHARS],
        key_hash=hash_secret_token(key),
        scopes=[scope.value for scope in scopes],
        expires_at=expires_at,
    )
    session.add(api_key)
    await session.flush()
    return api_key, key


def _live_keys_of(user_id: uuid.UUID) -> list[ColumnElement[bool]]:
    return [ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None)]


async def list_keys(
    session: AsyncSession, user_id: uuid.UUID, params: PageParams
) -> tuple[list[ApiKey], int]:
    """The user's keys that are not revoked (expired and disabled ones too), newest first."""
    live = _live_keys_of(user_id)
    total = await session.scalar(select(func.count()).select_from(ApiKey).where(*live))
    rows = await session.scalars(
        select(ApiKey)
        .where(*live)
        .order_by(ApiKey.created_at.desc(), ApiKey.id)
        .limit(params.page_size)
        .offset(params.offset)
    )
    return list(rows), int(total or 0)


async def revoke(session: AsyncSession, user_id: uuid.UUID, key_id: uuid.UUID) -> None:
    """Revoke one of the user's keys: it stops working at once. Another user's key, an unknown
    one and one already revoked are all "not found" alike."""
    api_key = await lock_one(session, select(ApiKey).where(ApiKey.id == key_id, *_live_keys_of(user_id)))
    if api_key is None:
        raise ApiKeyNotFound()
    api_key.revoked_at = utcnow()


async def authenticate(session: AsyncSession, presented: str) -> tuple[ApiKey, User]:
    """The key and its owner: the key is well formed, known, not revoked, not expired, and its
    owner's account is active. Whether the plan allows its use is `has_api_access`'s."""
    if not KEY_PATTERN.fullmatch(presented):
        raise InvalidApiKey("This is not an API key: keys look like rb_live_ and 43 letters and digits.")
    found = (
        await session.execute(
            select(ApiKey, User)
            .join(User, User.id == ApiKey.user_id)
            .where(ApiKey.key_hash == hash_secret_token(presented))
        )
    ).first()
    if found is None:
        raise InvalidApiKey()
    api_key, user = found
    if api_key.revoked_at is not None:
        raise InvalidApiKey("This API key was deleted.")
    if api_key.expires_at is not None and api_key.expires_at <= utcnow():
        raise InvalidApiKey("This API key has expired.")
    if not user.is_active:
        raise InvalidApiKey("The account of this API key is closed or suspended.")
    return api_key, user


def use_is_due(api_key: ApiKey) -> bool:
    """Whether this use should be recorded (at most once per `LAST_USED_EVERY`)."""
    return api_key.last_used_at is None or utcnow() - api_key.last_used_at >= LAST_USED_EVERY


async def record_use(session: AsyncSession, key_id: uuid.UUID, ip_address: str) -> None:
    """Note when and from where the key was used; concurrent uses record one of them."""
    await session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == key_id,
            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at <= utcnow() - LAST_USED_EVERY),
        )
        .values(last_used_at=utcnow(), last_used_ip=ip_address[:64])
    )


async def sync_api_access(session: AsyncSession, user_id: uuid.UUID, *, allowed: bool) -> None:
    """Mark the user's live keys disabled (no API access on the plan) or clear the mark."""
    query = update(ApiKey).where(*_live_keys_of(user_id))
    if allowed:
        await session.execute(query.where(ApiKey.disabled_at.is_not(None)).values(disabled_at=None))
    else:
        await session.execute(query.where(ApiKey.disabled_at.is_(None)).values(disabled_at=utcnow()))

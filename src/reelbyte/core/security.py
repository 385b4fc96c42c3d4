"""Password hashing, JWT access tokens and opaque secret tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from reelbyte.core.config import get_settings

JWT_ALGORITHM = "HS256"
ACCESS_TOKEN_TYPE = "access"


@lru_cache
def _hasher() -> tuple[PasswordHash, str]:
    """Argon2id with the configured cost, and a dummy hash of that same cost.

    The dummy is verified against when the e-mail is unknown, so that a login costs the same
    whether or not the account exists.
    """
    settings = get_settings()
    password_hash = PasswordHash(
        (Argon2Hasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib),)
    )
    return password_hash, password_hash.hash("not-a-real-password-but-the-same-cost")


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Constant-time verification; with no hash it still spends the full Argon2 cost."""
    hasher, dummy = _hasher()
    if password_hash is None:
        hasher.verify(password, dummy)
        return False
    return hasher.verify(password, password_hash)


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    role: str
    session_id: uuid.UUID


def create_access_token(
    user_id: uuid.UUID, role: str, session_id: uuid.UUID, *, issued_at: datetime | None = None
) -> tuple[str, int]:
    """Return the JWT and the seconds it has left to live.

    Every access token names its login session (`sid`), so that ending the session (logout,
    password reset, refresh-token reuse) ends the token too. `issued_at` (default: now) makes
    the token again exactly as it was first issued: same claims, same signature."""
    settings = get_settings()
    now = datetime.now(UTC).replace(microsecond=0)  # JWT times are whole seconds
    issued = (issued_at or now).replace(microsecond=0)
    expires = issued + timedelta(minutes=settings.access_token_expire_minutes)
    payload: dict[str, Any] = {
        "sub": str(user_id),
        "sid": str(session_id),
        "type": ACCESS_TOKEN_TYPE,
        "role": role,
        "iat": issued,
        "exp": expires,
    }
    token = jwt.encode(payload, settings.secret_key, algorithm=JWT_ALGORITHM)
    return token, max(0, int((expires - now).total_seconds()))


class InvalidToken(Exception):
    pass


def decode_access_token(token: str) -> AccessClaims:
    """Decode with the one algorithm we sign with; reject anything that is not an access token,
    or that names no session (`sid`): such a token could not be revoked."""
    try:
        payload = jwt.decode(
            token,
            get_settings().secret_key,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["sub", "sid", "type", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise InvalidToken("The access token has expired.") from error
    except jwt.PyJWTError as error:
        raise InvalidToken("The access token is not valid.") from error
    if payload.get("type") != ACCESS_TOKEN_TYPE:
        raise InvalidToken("This is not an access token.")
    try:
        user_id = uuid.UUID(str(payload["sub"]))
        session_id = uuid.UUID(str(payload["sid"]))
    except ValueError as error:
        raise InvalidToken("The access token is not valid.") from error
    return AccessClaims(user_id=user_id, role=str(payload.get("role", "")), session_id=session_id)


def new_secret_token() -> str:
    """An opaque, URL-safe token with 256 bits of randomness."""
    return secrets.token_urlsafe(32)


def hash_secret_token(token: str) -> str:
    """Tokens are stored only as their SHA-256: they are random, so no salt or stretching."""
    return hashlib.sha256(token.encode()).hexdigest()


def successor_token(token: str) -> str:
    """The refresh token that replaces `token` when it is rotated: HMAC-SHA256 of it under the
    secret key, so as unguessable as a random one to whoever lacks the key, yet the same every
    time. A second refresh racing the first (within the grace window) is handed the same new
    token again without its plaintext ever being stored."""
    mac = hmac.new(get_settings().secret_key.encode(), b"refresh-successor:" + token.encode(), "sha256")
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def secrets_equal(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())


# API keys (identity/api_keys.py) are told from access tokens by this prefix.
API_KEY_PREFIX = "rb_live_"
API_KEY_HEADER = "x-api-key"


def presented_api_key(headers: Mapping[str, str]) -> str | None:
    """The API key a request authenticates with: `Authorization: Bearer rb_live_…`, else the
    `X-API-Key` header; None when it sends neither (an access token or nothing)."""
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip().startswith(API_KEY_PREFIX):
        return credentials.strip()
    return headers.get(API_KEY_HEADER) or None

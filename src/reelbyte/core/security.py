"""Password hashing, JWT access tokens and opaque secret tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
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
    session_id: uuid.UUID | None


def create_access_token(
    user_id: uuid.UUID, role: str, session_id: uuid.UUID | None = None
) -> tuple[str, int]:
    """Return the JWT and its lifetime in seconds."""
    settings = get_settings()
    now = datetime.now(UTC)
    lifetime = timedelta(minutes=settings.access_token_expire_minutes)
    payload: dict[str, Any] = {
        "sub": str(user_id),
        "type": ACCESS_TOKEN_TYPE,
        "role": role,
        "iat": now,
        "exp": now + lifetime,
    }
    if session_id is not None:
        payload["sid"] = str(session_id)
    token = jwt.encode(payload, settings.secret_key, algorithm=JWT_ALGORITHM)
    return token, int(lifetime.total_seconds())


class InvalidToken(Exception):
    pass


def decode_access_token(token: str) -> AccessClaims:
    """Decode with the one algorithm we sign with; reject anything that is not an access token."""
    try:
        payload = jwt.decode(
            token,
            get_settings().secret_key,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["sub", "type", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise InvalidToken("The access token has expired.") from error
    except jwt.PyJWTError as error:
        raise InvalidToken("The access token is not valid.") from error
    if payload.get("type") != ACCESS_TOKEN_TYPE:
        raise InvalidToken("This is not an access token.")
    try:
        user_id = uuid.UUID(str(payload["sub"]))
        session_id = uuid.UUID(str(payload["sid"])) if "sid" in payload else None
    except ValueError as error:
        raise InvalidToken("The access token is not valid.") from error
    return AccessClaims(user_id=user_id, role=str(payload.get("role", "")), session_id=session_id)


def new_secret_token() -> str:
    """An opaque, URL-safe token with 256 bits of randomness."""
    return secrets.token_urlsafe(32)


def hash_secret_token(token: str) -> str:
    """Tokens are stored only as their SHA-256: they are random, so no salt or stretching."""
    return hashlib.sha256(token.encode()).hexdigest()


def secrets_equal(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())

"""Request and response bodies of accounts, profiles and portfolios."""

from __future__ import annotations

import re
import uuid
import zoneinfo
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    EmailStr,
    Field,
    field_validator,
    model_validator,
)

from reelbyte.core.money import Money, positive_money_schema
from reelbyte.core.params import JSON_INTEGER
from reelbyte.core.schemas import PublicUrl, RequestModel, ResponseModel
from reelbyte.core.updates import not_nullable
from reelbyte.identity.api_keys import ApiScope
from reelbyte.identity.models import ApiKey, AuthSession, Availability, CreatorLevel, Role, User
from reelbyte.orders.schemas import NOT_BLANK

PASSWORD_RULES = (
    "8 to 128 characters with an upper-case letter, a lower-case letter, a digit and a special character"
)


def _strong_password(password: str) -> str:
    checks = [
        re.search(r"[A-Z]", password),
        re.search(r"[a-z]", password),
        re.search(r"[0-9]", password),
        re.search(r"[^A-Za-z0-9]", password),
    ]
    if not all(checks):
        raise ValueError(f"password must have {PASSWORD_RULES}")
    return password


def _known_timezone(name: str) -> str:
    if name not in zoneinfo.available_timezones():
        raise ValueError("must be an IANA time zone such as Europe/Amsterdam")
    return name


# The pattern states _strong_password for the OpenAPI (lookaheads: one of each kind, anywhere).
PASSWORD_PATTERN = r"^(?=[\s\S]*[A-Z])(?=[\s\S]*[a-z])(?=[\s\S]*[0-9])(?=[\s\S]*[^A-Za-z0-9])[\s\S]*$"
Password = Annotated[
    str,
    Field(min_length=8, max_length=128, json_schema_extra={"pattern": PASSWORD_PATTERN}),
    AfterValidator(_strong_password),
]
Email = Annotated[EmailStr, Field(max_length=254)]
Username = Annotated[str, Field(min_length=3, max_length=50, pattern=r"^[A-Za-z0-9_-]+$")]
FullName = Annotated[str, Field(min_length=1, max_length=100)]
Token = Annotated[str, Field(min_length=16, max_length=128)]
Timezone = Annotated[
    str,
    Field(max_length=64, json_schema_extra={"enum": sorted(zoneinfo.available_timezones())}),
    AfterValidator(_known_timezone),
]
Language = Annotated[str, Field(max_length=16, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
Skill = Annotated[str, Field(min_length=1, max_length=50)]
ChannelPreferences = dict[Literal["in_app", "email"], Annotated[bool, Field(strict=True)]]
NOTIFICATION_KEY_PATTERN = r"^[a-z_]{1,50}$"
NotificationKey = Annotated[str, Field(pattern=NOTIFICATION_KEY_PATTERN)]

AVATAR_EITHER = "send avatar_url (a link) or avatar_upload_id (an uploaded image), not both"
VIDEO_EXACTLY_ONE = "send video_url (a link) or upload_id (an uploaded video): exactly one of them"
SchemaEdit = Callable[[dict[str, Any]], None]


def _with_rule(rule: dict[str, Any], edit: SchemaEdit | None = None) -> SchemaEdit:
    """A `json_schema_extra` that states a rule between fields (after `edit`), so that the
    OpenAPI announces what the model's validator refuses."""

    def extra(schema: dict[str, Any]) -> None:
        if edit is not None:
            edit(schema)
        schema.update(rule)

    return extra


class RegisterRequest(RequestModel):
    email: Email
    username: Username
    password: Password
    full_name: FullName
    role: Literal["creator", "client", "hybrid"]

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "email": "maya@example.com",
                    "username": "maya-edits",
                    "password": "Str0ng!Passw0rd",
                    "full_name": "Maya Jensen",
                    "role": "creator",
                }
            ]
        }
    }


class LoginRequest(RequestModel):
    email: Email
    password: Annotated[str, Field(min_length=1, max_length=128)]

    model_config = {
        "json_schema_extra": {"examples": [{"email": "maya@example.com", "password": "Str0ng!Passw0rd"}]}
    }


class RefreshRequest(RequestModel):
    refresh_token: Token | None = None


class EmailRequest(RequestModel):
    email: Email


class TokenRequest(RequestModel):
    token: Token


class ResetPasswordRequest(RequestModel):
    token: Token
    new_password: Password


class ChangePasswordRequest(RequestModel):
    current_password: Annotated[str, Field(min_length=1, max_length=128, pattern=r"\S")]
    new_password: Password

    model_config = {
        "json_schema_extra": {
            "examples": [{"current_password": "Str0ng!Passw0rd", "new_password": "An0ther!Passw0rd"}]
        }
    }


class EmailChangeRequest(RequestModel):
    """Move the account to another address: the password again, as a stolen session cannot know it."""

    new_email: Email
    password: Annotated[str, Field(min_length=1, max_length=128, pattern=r"\S")]

    model_config = {
        "json_schema_extra": {
            "examples": [{"new_email": "me@new.example.com", "password": "Str0ng!Passw0rd"}]
        }
    }


class RoleChangeRequest(RequestModel):
    """A creator or a client becomes both (`hybrid`); there is no way back to one role."""

    role: Literal["hybrid"]


class LoginSession(ResponseModel):
    """One live login (a device or browser) of the caller's."""

    id: uuid.UUID
    created_at: datetime = Field(description="when it logged in")
    last_used_at: datetime = Field(description="when it last refreshed its tokens")
    user_agent: str | None
    ip_address: str | None
    current: bool = Field(description="the session of the access token this request used")

    @classmethod
    def of(cls, auth_session: AuthSession, current_session_id: uuid.UUID) -> LoginSession:
        return cls(
            id=auth_session.id,
            created_at=auth_session.created_at,
            last_used_at=auth_session.last_used_at,
            user_agent=auth_session.user_agent,
            ip_address=auth_session.ip_address,
            current=auth_session.id == current_session_id,
        )


class TokenPair(ResponseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class Message(ResponseModel):
    message: str


class ProfileUpdate(RequestModel):
    """Every field is optional: only the ones sent change. Send null to clear an optional one.

    The avatar is a link (`avatar_url`) or an uploaded image (`avatar_upload_id`), never both in
    one request; null for either clears it."""

    full_name: FullName | None = None
    bio: Annotated[str, Field(max_length=5000)] | None = None
    avatar_url: PublicUrl | None = None
    avatar_upload_id: Annotated[
        uuid.UUID | None,
        Field(
            description="an image uploaded with purpose `avatar` (instead of `avatar_url`): "
            "the profile shows its 200x200 avatar"
        ),
    ] = None
    timezone: Timezone | None = None
    language: Language | None = None
    notification_preferences: (
        Annotated[
            dict[NotificationKey, ChannelPreferences],
            Field(max_length=50, json_schema_extra={"propertyNames": {"pattern": NOTIFICATION_KEY_PATTERN}}),
        ]
        | None
    ) = None
    skills: Annotated[list[Skill], Field(max_length=30)] | None = None
    hourly_rate: Annotated[Money, positive_money_schema(9)] | None = None
    availability: Availability | None = None
    website_url: PublicUrl | None = None
    youtube_url: PublicUrl | None = None
    instagram_url: PublicUrl | None = None

    @field_validator("skills")
    @classmethod
    def _dedupe_skills(cls, skills: list[str] | None) -> list[str] | None:
        if skills is None:
            return None
        seen: dict[str, str] = {}
        for skill in skills:
            seen.setdefault(skill.lower(), skill)
        return list(seen.values())

    @field_validator("hourly_rate")
    @classmethod
    def _positive_rate(cls, rate: Money | None) -> Money | None:
        if rate is not None and Decimal(rate.value) <= 0:
            raise ValueError("hourly rate must be positive")
        return rate

    @model_validator(mode="after")
    def _one_avatar(self) -> ProfileUpdate:
        if {"avatar_url", "avatar_upload_id"} <= self.model_fields_set:
            raise ValueError(AVATAR_EITHER)
        return self

    model_config = {
        "json_schema_extra": _with_rule(
            {"not": {"required": ["avatar_url", "avatar_upload_id"]}},
            not_nullable(
                "full_name",
                "timezone",
                "language",
                "notification_preferences",
                "skills",
                examples=[
                    {
                        "bio": "Wedding and travel films, cut for YouTube and Reels.",
                        "skills": ["Premiere Pro", "Color Grading"],
                        "hourly_rate": {"currency": "EUR", "value": "45.00"},
                        "availability": "part-time",
                        "timezone": "Europe/Amsterdam",
                    }
                ],
            ),
        )
    }


# The track record shown wherever a creator is (profiles, gig cards, search), kept by reviews/.
ResponseTimeHours = Annotated[int | None, Field(description="median hours to a first reply (last 90 days)")]
OnTimeDeliveryPercent = Annotated[
    int | None, Field(description="completed orders first delivered by the due date, in percent")
]
RepeatClientPercent = Annotated[int | None, Field(description="clients who ordered again, in percent")]


class CreatorStats(ResponseModel):
    rating: Decimal
    total_reviews: int
    total_orders: int
    response_time_hours: ResponseTimeHours
    on_time_delivery_percent: OnTimeDeliveryPercent
    repeat_client_percent: RepeatClientPercent


class PublicProfile(ResponseModel):
    """What anybody may see of a user: no e-mail, no settings."""

    id: uuid.UUID
    username: str
    full_name: str
    role: Role
    bio: str | None
    avatar_url: str | None
    avatar_upload_id: uuid.UUID | None = Field(description="the uploaded image the avatar was made from")
    timezone: str
    language: str
    skills: list[str]
    hourly_rate: Money | None
    availability: Availability | None
    website_url: str | None
    youtube_url: str | None
    instagram_url: str | None
    stats: CreatorStats
    creator_level: CreatorLevel = Field(description="new, rising, pro or top (catalog/levels.py)")
    is_verified: bool = Field(description="an admin verified their identity or portfolio (the badge)")
    member_since: datetime
    online: bool = Field(default=False, description="has a live connection now (public profile only)")
    last_seen_at: datetime | None = Field(default=None, description="last time a connection was alive")

    @classmethod
    def of(cls, user: User) -> PublicProfile:
        return cls(
            id=user.id,
            username=user.username,
            full_name=user.full_name,
            role=user.role,
            bio=user.bio,
            avatar_url=user.avatar_url,
            avatar_upload_id=user.avatar_upload_id,
            timezone=user.timezone,
            language=user.language,
            skills=list(user.skills or []),
            hourly_rate=_hourly_rate(user),
            availability=user.availability,
            website_url=user.website_url,
            youtube_url=user.youtube_url,
            instagram_url=user.instagram_url,
            stats=CreatorStats.model_validate(user),
            creator_level=user.creator_level,
            is_verified=user.verified_at is not None,
            member_since=user.created_at,
        )


class PrivateProfile(PublicProfile):
    """The owner's own view: adds the account and settings."""

    email: str
    email_verified: bool
    must_verify_email: bool = Field(
        description="true while ordering, publishing, proposing and withdrawing wait for the "
        "e-mail address to be verified (403 email_not_verified)"
    )
    is_active: bool
    notification_preferences: dict[str, dict[str, bool]]
    last_login_at: datetime | None

    @classmethod
    def of(cls, user: User) -> PrivateProfile:
        return cls(
            **PublicProfile.of(user).model_dump(),
            email=user.email,
            email_verified=user.is_email_verified,
            must_verify_email=user.must_verify_email,
            is_active=user.is_active,
            notification_preferences=user.notification_preferences or {},
            last_login_at=user.last_login_at,
        )


def _hourly_rate(user: User) -> Money | None:
    if user.hourly_rate_minor is None or user.hourly_rate_currency is None:
        return None
    return Money.from_minor(user.hourly_rate_minor, user.hourly_rate_currency)


class PortfolioItemCreate(RequestModel):
    """The video is a link (`video_url`) or a video uploaded with purpose `portfolio`
    (`upload_id`): exactly one of the two. An uploaded video brings its poster, preview, length
    and thumbnail (a `thumbnail_url` sent replaces that one). Items are videos: an uploaded image
    is refused (`upload_kind_mismatch`)."""

    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=5000)] | None = None
    video_url: PublicUrl | None = None
    upload_id: uuid.UUID | None = None
    thumbnail_url: PublicUrl | None = None
    is_highlight: Annotated[bool, Field(strict=True)] = False
    position: Annotated[int, Field(ge=0, le=10_000), JSON_INTEGER] = 0

    @model_validator(mode="after")
    def _one_video(self) -> PortfolioItemCreate:
        sent = [getattr(self, name) for name in ("video_url", "upload_id") if name in self.model_fields_set]
        if len(sent) != 1 or sent[0] is None:
            raise ValueError(VIDEO_EXACTLY_ONE)
        return self

    model_config = {
        "json_schema_extra": _with_rule(
            {"oneOf": [{"required": ["video_url"]}, {"required": ["upload_id"]}]},
            not_nullable(
                "video_url",
                "upload_id",
                examples=[
                    {
                        "title": "Lisbon wedding teaser",
                        "description": "Three-minute teaser, graded in Resolve.",
                        "video_url": "https://vimeo.com/123456789",
                        "thumbnail_url": "https://images.example.com/lisbon.jpg",
                        "is_highlight": True,
                        "position": 0,
                    }
                ],
            ),
        )
    }


class PortfolioItemOut(ResponseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    title: str
    description: str | None
    video_url: str
    thumbnail_url: str | None
    upload_id: uuid.UUID | None = Field(description="the uploaded video (null for a link)")
    poster_url: str | None = Field(description="a full-size frame of the uploaded video")
    preview_url: str | None = Field(description="a 10-second muted clip of the uploaded video")
    stream_url: str | None = Field(
        description="the uploaded video's HLS master playlist (360p, 720p, 1080p: adaptive streaming)"
    )
    duration_seconds: float | None = Field(description="the uploaded video's length")
    is_highlight: bool
    position: int
    created_at: datetime


# --- API keys -------------------------------------------------------------------------------

ApiKeyName = Annotated[str, Field(min_length=1, max_length=100, pattern=NOT_BLANK)]


def _distinct_scopes(scopes: list[ApiScope]) -> list[ApiScope]:
    if len(set(scopes)) != len(scopes):
        raise ValueError("must not name a scope twice")
    return scopes


Scopes = Annotated[
    list[ApiScope],
    Field(min_length=1, max_length=len(ApiScope), json_schema_extra={"uniqueItems": True}),
    AfterValidator(_distinct_scopes),
]


def _not_a_number(value: Any) -> Any:
    """Pydantic would read a number as a Unix time; the schema says a string (date-time)."""
    if isinstance(value, int | float):
        raise ValueError("must be an ISO 8601 time with its offset, such as 2027-01-31T12:00:00Z")
    return value


Expiry = Annotated[AwareDatetime, BeforeValidator(_not_a_number)]


class ApiKeyCreate(RequestModel):
    name: ApiKeyName = Field(description="what the key is for, to tell keys apart")
    scopes: Scopes = Field(description="what the key may do; routes outside them answer 403 missing_scope")
    expires_at: Expiry | None = Field(default=None, description="when the key stops working; none: never")

    model_config = {
        "json_schema_extra": {
            "examples": [{"name": "Zapier sync", "scopes": ["gigs:read", "orders:read"], "expires_at": None}]
        }
    }


class ApiKeyOut(ResponseModel):
    """A key as listed: never the key itself, which is shown once, when it is made."""

    id: uuid.UUID
    name: str
    prefix: str = Field(description="the key's first characters, to tell which key is which")
    scopes: list[ApiScope]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None = Field(description="when it was last used (recorded once a minute)")
    last_used_ip: str | None = Field(description="the address it was last used from")
    disabled_at: datetime | None = Field(
        description="since when uses are refused because the plan lost API access; cleared once it has it again"
    )
    status: Literal["active", "expired", "disabled"] = Field(
        description="disabled: the plan has no API access (upgrade to use the key again)"
    )

    @classmethod
    def of(cls, api_key: ApiKey, *, api_access: bool, **extra: Any) -> Self:
        expired = api_key.expires_at is not None and api_key.expires_at <= datetime.now(UTC)
        status = "expired" if expired else "active" if api_access else "disabled"
        return cls.model_validate({**_columns(api_key), "status": status, **extra})


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="the key: shown this once only, store it now")


def _columns(api_key: ApiKey) -> dict[str, Any]:
    return {name: getattr(api_key, name) for name in ApiKeyOut.model_fields if name != "status"}

"""Request and response bodies of categories, tags, gigs and packages."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator

from reelbyte.catalog.models import Category, Package, PackageTier
from reelbyte.catalog.video_spec import OptionalVideoSpec, VideoSpec
from reelbyte.core.money import Money, positive_money_schema
from reelbyte.core.params import JSON_INTEGER
from reelbyte.core.schemas import PublicUrl, RequestModel, ResponseModel
from reelbyte.core.text import normalise_label
from reelbyte.core.updates import not_nullable
from reelbyte.identity.models import CreatorLevel
from reelbyte.identity.schemas import OnTimeDeliveryPercent, RepeatClientPercent

MAX_TAGS = 10
MAX_TAG_LENGTH = 40
MAX_PACKAGES = 3
MAX_GALLERY = 10
MAX_FEATURES = 20
MAX_PRICE = Decimal("1000000.00")  # per package; keeps cents well inside the INTEGER column
MAX_ID = 2**31 - 1
# A gig's uploaded files: given on update only, once the gig exists for them to be uploaded for.
UPLOAD_FIELDS = ("gallery_upload_ids", "video_preview_upload_id")
PREVIEW_EITHER = "send video_preview_url (a link) or video_preview_upload_id (an uploaded video), not both"


def _plain_text(value: str) -> str:
    """PostgreSQL text holds neither NUL nor lone surrogates: refuse them here, not with a 500."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


# Lengths count after trimming: the patterns say so in the schema (3 or 2 characters from the
# first non-space to the last).
Title = Annotated[
    str, Field(min_length=3, max_length=120, pattern=r"\S[\s\S]+\S"), AfterValidator(_plain_text)
]
Description = Annotated[
    str, Field(min_length=1, max_length=10_000, pattern=r"\S"), AfterValidator(_plain_text)
]  # not only spaces
Requirements = Annotated[str, Field(max_length=5_000), AfterValidator(_plain_text)]
Tag = Annotated[
    str, Field(min_length=1, max_length=MAX_TAG_LENGTH, pattern=r"\S"), AfterValidator(_plain_text)
]
Url = Annotated[PublicUrl, AfterValidator(_plain_text)]
CategoryId = Annotated[int, Field(ge=1, le=MAX_ID)]
Tier = Annotated[PackageTier, BeforeValidator(_lower)]  # "Basic" and "basic" alike
PackagePrice = Annotated[Money, positive_money_schema(6, inclusive_power_of_ten=True)]  # up to MAX_PRICE


def _any_case(word: str) -> str:
    return "".join(f"[{letter.upper()}{letter.lower()}]" for letter in word)


# The seed's API names a package's tier `name`: "Basic", "Standard" or "Premium", in any case.
# The pattern says so in the JSON schema (which has no case-insensitive flag).
PACKAGE_NAME_PATTERN = "^(" + "|".join(_any_case(tier.value) for tier in PackageTier) + ")$"
PackageName = Annotated[
    str,
    Field(
        pattern=PACKAGE_NAME_PATTERN,
        description="the tier by its display name: Basic, Standard or Premium (any case); "
        "send `tier` or `name` (if both, they must agree)",
    ),
]


def package_name(tier: PackageTier) -> str:
    """The tier's display name: "Basic", "Standard", "Premium"."""
    return tier.value.title()


def _tier_from_name(data: Any) -> Any:
    """Accept `name` for `tier` (the seed's field): one of them is needed; both must agree."""
    if not isinstance(data, dict):
        return data
    name, tier = data.get("name"), data.get("tier")
    if "name" in data and name is None:
        raise ValueError("name cannot be null: leave it out, or send the tier's name")
    if name is None:
        return data
    if "tier" not in data:
        return {**data, "tier": name}
    if isinstance(name, str) and isinstance(tier, str) and name.strip().lower() != tier.strip().lower():
        raise ValueError("name and tier name different tiers: send one of them, or both alike")
    return data


def _tier_or_name_schema(schema: dict[str, Any]) -> None:
    """In the JSON schema, either `tier` or `name` is required (not `tier` alone)."""
    required = [field for field in schema.get("required", []) if field != "tier"]
    if required:
        schema["required"] = required
    else:
        schema.pop("required", None)
    schema["anyOf"] = [{"required": ["tier"]}, {"required": ["name"]}]


PackageText = Annotated[
    str, Field(min_length=1, max_length=2_000, pattern=r"\S"), AfterValidator(_plain_text)
]
Feature = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S"), AfterValidator(_plain_text)]
DeliveryDays = Annotated[int, Field(ge=1, le=365), JSON_INTEGER]
Revisions = Annotated[int, Field(ge=0, le=100), JSON_INTEGER]
CategoryName = Annotated[
    str, Field(min_length=2, max_length=80, pattern=r"\S[\s\S]*\S"), AfterValidator(_plain_text)
]
CategoryText = Annotated[str, Field(max_length=2_000), AfterValidator(_plain_text)]
Icon = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]
DisplayOrder = Annotated[int, Field(ge=0, le=100_000)]


def _clean_tags(tags: list[str] | None) -> list[str] | None:
    """Normalised (core/text.normalise_label), duplicates dropped, first spelling's order kept."""
    if tags is None:
        return None
    cleaned: list[str] = []
    for tag in tags:
        label = normalise_label(tag)
        if not label or len(label) > MAX_TAG_LENGTH:
            raise ValueError(f"each tag has 1 to {MAX_TAG_LENGTH} characters")
        if label not in cleaned:
            cleaned.append(label)
    return cleaned


def _valid_price(price: Money | None) -> Money | None:
    if price is None:
        return None
    amount = Decimal(price.value)
    if amount <= 0:
        raise ValueError("price must be positive")
    if amount > MAX_PRICE:
        raise ValueError(f"price must be at most {MAX_PRICE}")
    return price


def _refuse_uploads_on_create(data: Any) -> Any:
    """Files are uploaded for an existing gig (purpose gig_gallery, `target_id` the gig's id), so
    a new gig cannot name any yet: say so, rather than only "extra fields not permitted"."""
    if isinstance(data, dict):
        sent = [name for name in UPLOAD_FIELDS if name in data]
        if sent:
            raise ValueError(
                f"{' and '.join(sent)} can be sent only to update a gig: files for a gig are uploaded "
                "once it exists (purpose gig_gallery, target_id the gig's id); create the gig, "
                "upload them, then add them with PUT /v1/gigs/{gig}"
            )
    return data


def _refuse_nulls(model: RequestModel, required: tuple[str, ...]) -> None:
    """In a partial update a field may be left out, but not set to null unless it is optional."""
    for name in required:
        if name in model.model_fields_set and getattr(model, name) is None:
            raise ValueError(f"{name} cannot be null")


# --- categories ---------------------------------------------------------------------------


class CategoryOut(ResponseModel):
    id: int
    parent_id: int | None
    name: str
    slug: str
    description: str | None
    icon: str | None
    display_order: int
    is_active: bool


class CategoryNode(CategoryOut):
    """A category with its subcategories (empty for a subcategory)."""

    subcategories: list[CategoryOut]

    @classmethod
    def of(cls, category: Category, children: list[Category]) -> CategoryNode:
        return cls(
            **CategoryOut.model_validate(category).model_dump(),
            subcategories=[CategoryOut.model_validate(child) for child in children],
        )


class CategoryCreate(RequestModel):
    """A top-level category, or a subcategory of one (`parent_id`). The slug is made from the name."""

    name: CategoryName
    parent_id: CategoryId | None = None
    description: CategoryText | None = None
    icon: Icon | None = None
    display_order: DisplayOrder | None = Field(default=None, description="default: after its siblings")

    model_config = {
        "json_schema_extra": {
            "examples": [{"name": "Drone Footage", "parent_id": 1, "description": "Aerial shots."}]
        }
    }


class CategoryUpdate(RequestModel):
    """Only the fields sent change. The slug stays: links to the category keep working."""

    name: CategoryName | None = None
    parent_id: CategoryId | None = None
    description: CategoryText | None = None
    icon: Icon | None = None
    display_order: DisplayOrder | None = None
    is_active: Annotated[bool, Field(strict=True)] | None = None

    model_config = {"json_schema_extra": not_nullable("name", "display_order", "is_active")}

    @model_validator(mode="after")
    def _no_null_required(self) -> CategoryUpdate:
        _refuse_nulls(self, ("name", "display_order", "is_active"))
        return self


class CategoryReorder(RequestModel):
    """All the children of `parent_id` (null: the top-level categories), in their new order."""

    parent_id: CategoryId | None = None
    ordered_ids: Annotated[
        list[CategoryId], Field(min_length=1, max_length=500, json_schema_extra={"uniqueItems": True})
    ]

    @field_validator("ordered_ids")
    @classmethod
    def _unique(cls, ids: list[int]) -> list[int]:
        if len(set(ids)) != len(ids):
            raise ValueError("ids must not repeat")
        return ids


class TagCount(ResponseModel):
    name: str
    count: int


# --- packages -----------------------------------------------------------------------------


def _package_create_schema(schema: dict[str, Any]) -> None:
    _tier_or_name_schema(schema)
    not_nullable("name")(schema)  # `name: null` names no tier
    schema["examples"] = [
        {
            "tier": "basic",
            "description": "A 60-second cut with music and captions.",
            "price": {"currency": "EUR", "value": "50.00"},
            "delivery_days": 3,
            "revisions": 2,
            "features": ["Up to 60 seconds", "Licensed music", "Captions"],
        },
        {
            "name": "Premium",
            "description": "Three cuts, colour grade and subtitles.",
            "price": {"currency": "EUR", "value": "150.00"},
            "delivery_days": 5,
            "revisions": 3,
            "features": ["Three cuts", "Colour grade", "Subtitles"],
        },
    ]


class PackageCreate(RequestModel):
    """A package: its tier as `tier` ("basic") or as `name` ("Basic"), and what it offers."""

    tier: Tier = Field(description="basic, standard or premium: one package of each at most")
    name: PackageName | None = Field(default=None, exclude=True)
    description: PackageText
    price: PackagePrice = Field(description="in the platform currency; positive")
    delivery_days: DeliveryDays
    revisions: Revisions = 1
    features: Annotated[list[Feature], Field(max_length=MAX_FEATURES)] = Field(default_factory=list)
    video_spec: OptionalVideoSpec = Field(
        default=None, description="what each delivered video should be; checked when it is uploaded"
    )

    @model_validator(mode="before")
    @classmethod
    def _name_is_tier(cls, data: Any) -> Any:
        return _tier_from_name(data)

    @field_validator("price")
    @classmethod
    def _price(cls, price: Money | None) -> Money | None:
        return _valid_price(price)

    model_config = {"json_schema_extra": _package_create_schema}


class PackageUpdate(RequestModel):
    """Only the fields sent change. The tier may be sent as `tier` or as `name`."""

    tier: Tier | None = None
    name: PackageName | None = Field(default=None, exclude=True)
    description: PackageText | None = None
    price: PackagePrice | None = None
    delivery_days: DeliveryDays | None = None
    revisions: Revisions | None = None
    features: Annotated[list[Feature], Field(max_length=MAX_FEATURES)] | None = None
    video_spec: OptionalVideoSpec = Field(default=None, description="null (or {}) removes the spec")

    @field_validator("price")
    @classmethod
    def _price(cls, price: Money | None) -> Money | None:
        return _valid_price(price)

    @model_validator(mode="before")
    @classmethod
    def _name_is_tier(cls, data: Any) -> Any:
        return _tier_from_name(data)

    model_config = {
        "json_schema_extra": not_nullable(
            "tier", "name", "description", "price", "delivery_days", "revisions", "features"
        )
    }

    @model_validator(mode="after")
    def _no_null_required(self) -> PackageUpdate:
        _refuse_nulls(
            self, ("tier", "name", "description", "price", "delivery_days", "revisions", "features")
        )
        return self


class PackageOut(ResponseModel):
    id: uuid.UUID
    gig_id: uuid.UUID
    tier: PackageTier
    name: str = Field(description="the tier's display name: Basic, Standard or Premium")
    description: str
    price: Money
    delivery_days: int
    revisions: int
    features: list[str]
    video_spec: VideoSpec | None = Field(description="what each delivered video should be; null: no spec")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, package: Package) -> PackageOut:
        return cls(
            id=package.id,
            gig_id=package.gig_id,
            tier=package.tier,
            name=package_name(package.tier),
            description=package.description,
            price=Money.from_minor(package.price_minor, package.currency),
            delivery_days=package.delivery_days,
            revisions=package.revisions,
            features=list(package.features or []),
            video_spec=VideoSpec.model_validate(package.video_spec) if package.video_spec else None,
            created_at=package.created_at,
            updated_at=package.updated_at,
        )


# --- gigs ---------------------------------------------------------------------------------


class GigCreate(RequestModel):
    title: Title
    description: Description
    category_id: CategoryId
    subcategory_id: CategoryId | None = None
    tags: Annotated[list[Tag], Field(max_length=MAX_TAGS)] = Field(default_factory=list)
    thumbnail_url: Url | None = None
    gallery_urls: Annotated[list[Url], Field(max_length=MAX_GALLERY)] = Field(default_factory=list)
    video_preview_url: Url | None = None
    requirements: Requirements | None = Field(default=None, description="what the buyer must provide")
    is_active: Annotated[bool, Field(strict=True)] = True
    packages: Annotated[list[PackageCreate], Field(max_length=MAX_PACKAGES)] = Field(
        default_factory=list, description="up to three, one per tier"
    )

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: list[str] | None) -> list[str] | None:
        return _clean_tags(tags)

    @model_validator(mode="before")
    @classmethod
    def _no_uploads_yet(cls, data: Any) -> Any:
        return _refuse_uploads_on_create(data)

    @field_validator("packages")
    @classmethod
    def _one_per_tier(cls, packages: list[PackageCreate]) -> list[PackageCreate]:
        tiers = [package.tier for package in packages]
        if len(set(tiers)) != len(tiers):
            raise ValueError("each tier (basic, standard, premium) at most once")
        return packages

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "title": "I will edit your YouTube video with hooks and captions",
                    "description": "Fast-paced edits that keep viewers watching.",
                    "category_id": 1,
                    "subcategory_id": 2,
                    "tags": ["youtube", "premiere pro"],
                    "thumbnail_url": "https://images.example.com/thumb.jpg",
                    "video_preview_url": "https://vimeo.com/76979871",
                    "requirements": "Raw footage and a reference video you like.",
                    "packages": [
                        {
                            "tier": "basic",
                            "description": "Up to 5 minutes of final video.",
                            "price": {"currency": "EUR", "value": "50.00"},
                            "delivery_days": 3,
                            "revisions": 1,
                            "features": ["Cuts and pacing", "Music"],
                        }
                    ],
                }
            ]
        }
    }


GIG_UPDATE_REQUIRED = (
    "title",
    "description",
    "category_id",
    "tags",
    "gallery_urls",
    "gallery_upload_ids",
    "is_active",
    "is_featured",
)


def _gig_update_schema(schema: dict[str, Any]) -> None:
    not_nullable(*GIG_UPDATE_REQUIRED)(schema)
    schema["not"] = {"required": ["video_preview_url", "video_preview_upload_id"]}  # PREVIEW_EITHER


class GigUpdate(RequestModel):
    """Only the fields sent change; send null to clear an optional one. `is_featured` is for
    admins; an admin may change only the flags of another creator's gig.

    The gallery shows its links (`gallery_urls`), then its uploaded files
    (`gallery_upload_ids`): each, when sent, replaces its part, and the two together hold at
    most 10. The video preview is a link (`video_preview_url`) or an uploaded video
    (`video_preview_upload_id`), not both in one request; null for either clears it. Files are
    uploaded for this gig first (purpose gig_gallery, `target_id` the gig's id)."""

    title: Title | None = None
    description: Description | None = None
    category_id: CategoryId | None = None
    subcategory_id: CategoryId | None = None
    tags: Annotated[list[Tag], Field(max_length=MAX_TAGS)] | None = None
    thumbnail_url: Url | None = None
    gallery_urls: Annotated[list[Url], Field(max_length=MAX_GALLERY)] | None = Field(
        default=None,
        description="the gallery's links; the uploaded files' URLs, if sent back, are left to "
        "`gallery_upload_ids`",
    )
    gallery_upload_ids: Annotated[list[uuid.UUID], Field(max_length=MAX_GALLERY)] | None = Field(
        default=None,
        description="the gallery's uploaded images and videos (purpose gig_gallery, for this gig), "
        "in order, shown after the links: an image as itself, a video as its 10-second preview "
        "clip; [] removes them",
    )
    video_preview_url: Url | None = None
    video_preview_upload_id: uuid.UUID | None = Field(
        default=None,
        description="a video uploaded for this gig (purpose gig_gallery): `video_preview_url` "
        "becomes its 10-second muted preview clip (mp4), and `thumbnail_url`, if the gig has "
        "none, its 400x300 thumbnail",
    )
    requirements: Requirements | None = None
    is_active: Annotated[bool, Field(strict=True)] | None = None
    is_featured: Annotated[bool, Field(strict=True)] | None = None

    model_config = {"json_schema_extra": _gig_update_schema}

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: list[str] | None) -> list[str] | None:
        return _clean_tags(tags)

    @model_validator(mode="after")
    def _no_null_required(self) -> GigUpdate:
        _refuse_nulls(self, GIG_UPDATE_REQUIRED)
        if {"video_preview_url", "video_preview_upload_id"} <= self.model_fields_set:
            raise ValueError(PREVIEW_EITHER)
        return self


class CreatorSummary(ResponseModel):
    id: uuid.UUID
    username: str
    full_name: str
    avatar_url: str | None
    creator_level: CreatorLevel
    rating: Decimal
    total_reviews: int
    on_time_delivery_percent: OnTimeDeliveryPercent
    repeat_client_percent: RepeatClientPercent
    is_verified: bool = Field(description="an admin verified their identity or portfolio (the badge)")


class CategoryRef(ResponseModel):
    id: int
    name: str
    slug: str


class GigStats(ResponseModel):
    views: int
    orders: int
    rating: Decimal
    total_reviews: int


class GigSummary(ResponseModel):
    """A gig as lists show it."""

    id: uuid.UUID
    slug: str
    title: str
    creator: CreatorSummary
    creator_level: CreatorLevel
    category_id: int
    subcategory_id: int | None
    tags: list[str]
    thumbnail_url: str | None
    video_preview_url: str | None
    price_from: Money | None = Field(description="the cheapest package; null without packages")
    price_to: Money | None
    min_delivery_days: int | None
    stats: GigStats
    is_featured: bool
    created_at: datetime


class MyGig(GigSummary):
    """One of my gigs, as its creator's dashboard lists it: listed or not."""

    is_active: bool = Field(description="false while paused (or deactivated when deleted with orders)")
    is_listed: bool = Field(description="active and with a package: shown to clients in lists and search")
    hidden_by_moderators: bool = Field(
        description="hidden after a report: off, and only an admin can switch it back on"
    )
    updated_at: datetime


class GalleryUpload(ResponseModel):
    """An uploaded file of a gig's gallery."""

    upload_id: uuid.UUID
    kind: Literal["image", "video"]
    url: str = Field(
        description="its entry in `gallery_urls`: an image itself, a video's 10-second muted "
        "preview clip (mp4)"
    )
    poster_url: str = Field(
        description="a still to show in its place: a video's poster frame (full size), an image itself"
    )
    thumbnail_url: str = Field(description="a 400x300 JPEG of it")
    stream_url: str | None = Field(
        default=None, description="a video's HLS master playlist (360p, 720p, 1080p: adaptive streaming)"
    )


class GigOut(GigSummary):
    """A gig in full, with its packages (basic, standard, premium)."""

    description: str
    requirements: str | None
    gallery_urls: list[str] = Field(description="the gallery as shown: its links, then its uploaded files")
    gallery_uploads: list[GalleryUpload] = Field(
        description="the uploaded files among `gallery_urls`, in order"
    )
    video_preview_upload_id: uuid.UUID | None = Field(
        description="the uploaded video `video_preview_url` is the preview clip of (null for a link)"
    )
    category: CategoryRef
    subcategory: CategoryRef | None
    is_active: bool
    packages: list[PackageOut]
    updated_at: datetime


class GigDeleted(ResponseModel):
    id: uuid.UUID
    outcome: Literal["deleted", "deactivated"] = Field(
        description="a gig that has orders is deactivated, not deleted"
    )

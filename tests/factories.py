"""The one place tests build what they need: users, gigs, projects, proposals, orders, payments.

Two flavours, named by how they build:
- `make_*` goes through the API as a user would (and asserts the answer), returning the JSON;
  the user acting is `who`: an `Actor` or a dict of auth headers.
- `insert_*` writes rows straight into the database with the models, for tests that need many
  rows or values no endpoint sets (creation times, ratings, levels, counters).
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog.models import Category, Gig, Package, PackageTier
from reelbyte.core.db import get_database, transaction
from reelbyte.identity import service as identity
from reelbyte.identity.models import Role, User
from reelbyte.payments.models import PayoutMethod, PayoutMethodStatus, PayoutProvider
from reelbyte.projects.models import Project, ProjectInvite, ProjectVisibility
from tests.conftest import run_jobs

TEST_PASSWORD = "Sup3r!Secret"

Headers = dict[str, str]
M = TypeVar("M")

_sequence = itertools.count(1)
# Inserted rows get creation times one step apart from here, so that "newest first" is known.
_START = datetime(2026, 1, 1, tzinfo=UTC)


def unique_name(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def eur(value: str) -> dict[str, str]:
    return {"currency": "EUR", "value": value}


def in_days(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


# --- users through the API ----------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """A signed-up user with a token."""

    id: str
    headers: Headers
    role: str
    email: str


Who = Actor | Headers


def _headers(who: Who) -> Headers:
    return who.headers if isinstance(who, Actor) else who


async def register(
    client: httpx.AsyncClient,
    role: str = "creator",
    *,
    email: str | None = None,
    verified: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """A new user (the body `/v1/auth/register` answers), not logged in. Its e-mail address is
    verified (as if the e-mailed link was followed: ordering, publishing, proposing and
    withdrawing need that) unless `verified` is false."""
    username = unique_name(role)
    body = {
        "email": email or f"{username}@example.com",
        "username": username,
        "password": TEST_PASSWORD,
        "full_name": f"Test {role.title()}",
        "role": role,
        **extra,
    }
    response = await client.post("/v1/auth/register", json=body)
    assert response.status_code == 201, response.text
    user = dict(response.json())
    if verified:
        await verify_email_of(user["id"])
        user["email_verified"] = True
    return user


async def verify_email_of(user_id: str | uuid.UUID) -> None:
    await transaction(
        lambda session: session.execute(
            update(User).where(User.id == _uuid(user_id)).values(email_verified_at=func.now())
        )
    )


async def login(client: httpx.AsyncClient, email: str, password: str = TEST_PASSWORD) -> dict[str, Any]:
    response = await client.post("/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return dict(response.json())


def bearer(tokens: dict[str, Any]) -> Headers:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def signed_up(
    client: httpx.AsyncClient, role: str = "creator", *, verified: bool = True
) -> tuple[dict[str, Any], Headers]:
    """Register and log in: (the user as register returned it, auth headers)."""
    user = await register(client, role, verified=verified)
    return user, bearer(await login(client, user["email"]))


async def actor(client: httpx.AsyncClient, role: str = "creator") -> Actor:
    """Register and log in, as an `Actor`."""
    user, headers = await signed_up(client, role)
    return Actor(id=user["id"], headers=headers, role=role, email=user["email"])


async def make_admin(client: httpx.AsyncClient) -> Headers:
    """An administrator (no endpoint makes one: the service does, as the CLI), logged in."""
    name = unique_name("admin")
    email = f"{name}@example.com"
    await transaction(lambda session: identity.create_admin(session, email, name, TEST_PASSWORD, "Admin"))
    return bearer(await login(client, email))


# --- users in the database ----------------------------------------------------------------


async def insert_user(role: Role = Role.CREATOR, **fields: Any) -> User:
    """A user row (no password that logs in); `fields` set any column."""
    n = next(_sequence)
    name = fields.pop("username", f"user{n}-{uuid.uuid4().hex[:6]}")
    values: dict[str, Any] = {
        "email": f"{name}@example.com",
        "username": name,
        "password_hash": "not-a-hash",
        "role": role,
        "full_name": f"Person {n}",
        "created_at": _START + timedelta(minutes=n),
        **fields,
    }

    async def write(session: AsyncSession) -> User:
        user = User(**values)
        session.add(user)
        return user

    return await transaction(write)


# --- categories (the taxonomy the migrations load) ----------------------------------------


async def taxonomy() -> dict[str, int]:
    """Every category's id by slug."""
    async with get_database().sessions() as session:
        rows = await session.execute(select(Category.slug, Category.id))
        return dict(rows.all())


async def category_id(slug: str = "video-editing") -> int:
    found = (await taxonomy()).get(slug)
    assert found is not None, slug
    return found


@dataclass(frozen=True)
class Categories:
    video_editing: int
    youtube_videos: int  # a subcategory of video editing
    motion_graphics: int
    logo_animation: int  # a subcategory of motion graphics


async def known_categories() -> Categories:
    ids = await taxonomy()
    return Categories(
        video_editing=ids["video-editing"],
        youtube_videos=ids["youtube-videos"],
        motion_graphics=ids["motion-graphics"],
        logo_animation=ids["logo-animation"],
    )


# --- gigs ---------------------------------------------------------------------------------


def package_body(tier: str = "basic", value: str = "50.00", days: int = 3, **extra: Any) -> dict[str, Any]:
    return {
        "tier": tier,
        "description": f"The {tier} package.",
        "price": eur(value),
        "delivery_days": days,
        "revisions": 1,
        "features": ["Colour grade", "Music"],
        **extra,
    }


async def gig_body(**overrides: Any) -> dict[str, Any]:
    """A valid body for `POST /v1/gigs`: two packages, basic at 50.00 and premium at 150.00."""
    ids = await taxonomy()
    body: dict[str, Any] = {
        "title": "I will edit your YouTube video",
        "description": "Fast-paced edits with hooks, b-roll and captions.",
        "category_id": ids["video-editing"],
        "subcategory_id": ids["youtube-videos"],
        "tags": ["YouTube", "Premiere Pro"],
        "thumbnail_url": "https://images.example.com/thumb.jpg",
        "gallery_urls": ["https://images.example.com/1.jpg"],
        "video_preview_url": "https://vimeo.com/76979871",
        "requirements": "Your raw footage.",
        "packages": [package_body("basic", "50.00", 5), package_body("premium", "150.00", 2)],
    }
    body.update(overrides)
    return body


async def make_gig(client: httpx.AsyncClient, who: Who, **overrides: Any) -> dict[str, Any]:
    """A gig created through the API by `who` (a creator); `overrides` change the body."""
    response = await client.post("/v1/gigs", json=await gig_body(**overrides), headers=_headers(who))
    assert response.status_code == 201, response.text
    return dict(response.json())


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


async def insert_gig(
    creator: User | str | uuid.UUID,
    title: str = "Wedding highlight film",
    *,
    description: str = "Professional video work, delivered on time.",
    tags: list[str] | None = None,
    prices: Sequence[int] = (5000,),
    delivery_days: Sequence[int] | None = None,
    revisions: int = 1,
    **fields: Any,
) -> Gig:
    """A listed gig (active, one package per price, basic first; prices in cents) written
    directly; `fields` set any other column. `creator` is a user row or a user's id."""
    n = next(_sequence)
    days = list(delivery_days or [3] * len(prices))
    if "category_id" not in fields:
        fields["category_id"] = await category_id()
    if isinstance(creator, User):
        fields.setdefault("creator_level", creator.creator_level)
    values: dict[str, Any] = {
        "creator_id": creator.id if isinstance(creator, User) else _uuid(creator),
        "title": title,
        "slug": f"gig-{n}-{uuid.uuid4().hex[:6]}",
        "description": description,
        "tags": tags or [],
        "price_from_minor": min(prices),
        "price_to_minor": max(prices),
        "min_delivery_days": min(days),
        "currency": "EUR",
        "rating": Decimal("0"),
        "created_at": _START + timedelta(hours=n),
        **fields,
    }

    async def write(session: AsyncSession) -> Gig:
        gig = Gig(**values)
        session.add(gig)
        await session.flush()
        for tier, (price, delivery) in zip(PackageTier, zip(prices, days, strict=True), strict=False):
            session.add(
                Package(
                    gig_id=gig.id,
                    tier=tier,
                    description=f"The {tier.value} package.",
                    price_minor=price,
                    currency="EUR",
                    delivery_days=delivery,
                    revisions=revisions,
                    features=["3 minutes"],
                )
            )
        return gig

    return await transaction(write)


async def gig_for_sale(
    creator_id: str | uuid.UUID, *, price_minor: int = 5000, delivery_days: int = 3, revisions: int = 1
) -> tuple[Gig, Package]:
    """A gig with a single package to order (inserted: what orders and payments test starts
    after the catalog's part)."""
    gig = await insert_gig(
        creator_id, prices=[price_minor], delivery_days=[delivery_days], revisions=revisions
    )
    async with get_database().sessions() as session:
        package = await session.scalar(select(Package).where(Package.gig_id == gig.id))
    assert package is not None
    return gig, package


async def update_gig(gig_id: str | uuid.UUID, **values: Any) -> None:
    """Change a gig's row directly (what other domains or jobs maintain: orders, rating, …)."""
    statement = update(Gig).where(Gig.id == _uuid(gig_id)).values(**values)
    await transaction(lambda session: session.execute(statement))


# --- projects and proposals ---------------------------------------------------------------


def project_body(category: int, /, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Cut a travel vlog",
        "description": "Two hours of GoPro footage from Lisbon.",
        "category_id": category,
        "required_skills": ["Premiere Pro", "Color Grading"],
        "budget_min": eur("200.00"),
        "budget_max": eur("450.00"),
        "deadline": in_days(30),
        "attachments": ["https://drive.example.com/brief.pdf"],
    }
    body.update(overrides)
    return body


def proposal_body(project_id: str, /, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "project_id": project_id,
        "cover_letter": "I cut travel vlogs every week.",
        "price": eur("300.00"),
        "delivery_days": 7,
        "attachments": ["https://vimeo.com/123456789"],
    }
    body.update(overrides)
    return body


async def make_project(
    client: httpx.AsyncClient, who: Who, category: int | None = None, /, **overrides: Any
) -> dict[str, Any]:
    """A project posted through the API by `who` (a client), in video editing unless told."""
    body = project_body(category if category is not None else await category_id(), **overrides)
    response = await client.post("/v1/projects", json=body, headers=_headers(who))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def make_proposal(
    client: httpx.AsyncClient, who: Who, project_id: str, /, **overrides: Any
) -> dict[str, Any]:
    """A proposal sent through the API by `who` (a creator): 300.00 in 7 days unless told."""
    response = await client.post(
        "/v1/proposals", json=proposal_body(project_id, **overrides), headers=_headers(who)
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def invite(client: httpx.AsyncClient, owner: Who, project_id: str, creator: Actor) -> None:
    response = await client.post(
        f"/v1/projects/{project_id}/invites", json={"creator_id": creator.id}, headers=_headers(owner)
    )
    assert response.status_code == 201, response.text


async def insert_project(
    owner: User,
    title: str,
    *,
    description: str = "We need a video made.",
    visibility: ProjectVisibility = ProjectVisibility.PUBLIC,
    invite: list[User] | None = None,
    **fields: Any,
) -> Project:
    """A project row (public, open, 100.00 to 500.00) with its invites; `fields` set any column."""
    n = next(_sequence)
    if "category_id" not in fields:
        fields["category_id"] = await category_id()
    values: dict[str, Any] = {
        "client_id": owner.id,
        "title": title,
        "description": description,
        "budget_min_minor": 10_000,
        "budget_max_minor": 50_000,
        "currency": "EUR",
        "deadline": _START + timedelta(days=30 + n),
        "visibility": visibility,
        "created_at": _START + timedelta(hours=n),
        **fields,
    }

    async def write(session: AsyncSession) -> Project:
        project = Project(**values)
        session.add(project)
        await session.flush()
        for creator in invite or []:
            session.add(ProjectInvite(project_id=project.id, creator_id=creator.id))
        return project

    return await transaction(write)


# --- orders and payments ------------------------------------------------------------------


def _id(thing: Any) -> str:
    """The id of a row or of an API answer."""
    return str(thing["id"] if isinstance(thing, dict) else thing.id)


async def make_order(client: httpx.AsyncClient, who: Who, gig: Any, package: Any) -> dict[str, Any]:
    """An order placed through the API by `who` (a client); gig and package are rows or API
    answers. It waits for payment."""
    body = {"gig_id": _id(gig), "package_id": _id(package)}
    response = await client.post("/v1/orders", json=body, headers=_headers(who))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def checkout(client: httpx.AsyncClient, who: Who, **target: str) -> dict[str, Any]:
    """Open a sandbox checkout for `order_id=` or `milestone_id=`."""
    response = await client.post("/v1/payments/checkout", json=target, headers=_headers(who))
    assert response.status_code == 201, response.text
    return dict(response.json())


def sandbox_id(payment: dict[str, Any]) -> str:
    """The sandbox provider's id of a checkout (the last part of its page's URL)."""
    return str(payment["checkout_url"]).rsplit("/", 1)[1]


async def pay_on_sandbox(client: httpx.AsyncClient, payment: dict[str, Any], action: str = "pay") -> None:
    """Click a button on the sandbox page, then let the webhook job deliver the notice."""
    response = await client.post(f"/sandbox/checkout/{sandbox_id(payment)}", data={"action": action})
    assert response.status_code == 303, response.text
    await run_jobs()


async def make_paid_order(client: httpx.AsyncClient, who: Who, gig: Any, package: Any) -> dict[str, Any]:
    """An order placed and paid (it is in progress); the answer of the order's creation."""
    order = await make_order(client, who, gig, package)
    await pay_on_sandbox(client, await checkout(client, who, order_id=order["id"]))
    return order


async def seller_and_buyer(
    client: httpx.AsyncClient, *, price_minor: int = 5000, delivery_days: int = 3, revisions: int = 1
) -> tuple[Headers, Headers, Gig, Package]:
    """A creator with a gig for sale and a client to buy it: (the creator's headers, the
    client's headers, the gig, its package)."""
    creator, creator_headers = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    gig, package = await gig_for_sale(
        creator["id"], price_minor=price_minor, delivery_days=delivery_days, revisions=revisions
    )
    return creator_headers, client_headers, gig, package


async def balance_of(client: httpx.AsyncClient, who: Who) -> dict[str, str]:
    """The user's balance values by account: available, pending, in_transit."""
    response = await client.get("/v1/payments/me/balance", headers=_headers(who))
    assert response.status_code == 200, response.text
    body = response.json()
    return {name: body[name]["value"] for name in ("available", "pending", "in_transit")}


# --- payout methods -----------------------------------------------------------------------


def payout_account_for(user_id: str | uuid.UUID, provider: str = "sandbox") -> str:
    """The provider account id `verified_payout_method` gives a user: stable per user, in the
    provider's own shape (acct_… at Stripe, org_… at Mollie, an e-mail at PayPal)."""
    digest = hashlib.sha256(str(user_id).encode()).hexdigest()
    shapes = {
        "stripe": f"acct_{digest[:16]}",
        "mollie": f"org_{int(digest, 16) % 10**8:08d}",
        "paypal": f"payee-{digest[:8]}@example.com",
        "venmo": f"creator-{digest[:8]}",
    }
    return shapes.get(provider, f"sandbox_{digest[:16]}")


async def verified_payout_method(
    session: AsyncSession, user: User | str | uuid.UUID, provider: str = "sandbox"
) -> PayoutMethod:
    """A verified payout method of the user, written directly (as if onboarding had finished at
    the provider); it is the user's default unless they already have a verified one. Flushed,
    not committed."""
    user_id = user.id if isinstance(user, User) else _uuid(user)
    default = await session.scalar(
        select(PayoutMethod).where(
            PayoutMethod.user_id == user_id, PayoutMethod.is_default, PayoutMethod.deleted_at.is_(None)
        )
    )
    if default is not None and default.status is not PayoutMethodStatus.VERIFIED:
        default.is_default = False  # as when a provider verifies a method: it takes over
        await session.flush()
        default = None
    account = payout_account_for(user_id, provider)
    method = PayoutMethod(
        user_id=user_id,
        provider=PayoutProvider(provider),
        status=PayoutMethodStatus.VERIFIED,
        provider_account_id=account,
        label=f"{provider} …{account[-4:]}",
        country="US" if provider == "venmo" else None,
        is_default=default is None,
        onboarding_nonce=uuid.uuid4().hex,
        verified_at=datetime.now(UTC),
    )
    session.add(method)
    await session.flush()
    return method


async def payout_ready(user: User | str | uuid.UUID, provider: str = "sandbox") -> PayoutMethod:
    """`verified_payout_method` in a unit of work of its own (for tests that drive the API)."""
    return await transaction(lambda session: verified_payout_method(session, user, provider))


async def can_withdraw(client: httpx.AsyncClient, who: Who, provider: str = "sandbox") -> PayoutMethod:
    """Give the user behind `who` a verified payout method (what withdrawing needs)."""
    response = await client.get("/v1/users/me", headers=_headers(who))
    assert response.status_code == 200, response.text
    return await payout_ready(response.json()["id"], provider)


# --- conversations ------------------------------------------------------------------------


async def pair(client: httpx.AsyncClient) -> tuple[dict[str, Any], Headers, dict[str, Any], Headers]:
    """Two users, a client and a creator: (a, a's headers, b, b's headers)."""
    a, a_headers = await signed_up(client, "client")
    b, b_headers = await signed_up(client, "creator")
    return a, a_headers, b, b_headers


async def start_conversation(
    client: httpx.AsyncClient, who: Who, participant_id: str, **extra: Any
) -> dict[str, Any]:
    """A conversation of `who` with `participant_id` (the existing one when there is one)."""
    response = await client.post(
        "/v1/conversations", json={"participant_id": participant_id, **extra}, headers=_headers(who)
    )
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


async def send_message(
    client: httpx.AsyncClient, who: Who, conversation_id: str, content: str, **extra: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/conversations/{conversation_id}/messages",
        json={"content": content, **extra},
        headers=_headers(who),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


# --- notifications ------------------------------------------------------------------------


async def notifications_of(client: httpx.AsyncClient, who: Who, **params: Any) -> list[dict[str, Any]]:
    """The user's notifications, newest first."""
    response = await client.get("/v1/notifications", headers=_headers(who), params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def notification_types(client: httpx.AsyncClient, who: Who) -> list[str]:
    """The types of the user's notifications, oldest first."""
    return [n["type"] for n in reversed(await notifications_of(client, who, limit=100))]


async def set_notification_preferences(client: httpx.AsyncClient, who: Who, preferences: Any) -> None:
    response = await client.put(
        "/v1/users/me", json={"notification_preferences": preferences}, headers=_headers(who)
    )
    assert response.status_code == 200, response.text


# --- reading rows back --------------------------------------------------------------------


async def get_row(model: type[M], row_id: str | uuid.UUID) -> M | None:
    """A row by id, read in a session of its own."""
    async with get_database().sessions() as session:
        return await session.get(model, _uuid(row_id))


async def count_rows(model: Any) -> int:
    async with get_database().sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)

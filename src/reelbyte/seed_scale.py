"""`reelbyte seed --scale N`: a large, realistic catalog for load tests and query plans.

N gigs (1 to 3 packages each), N/5 creators, N/5 projects and N/20 clients, written with
PostgreSQL's COPY in one transaction. Titles, descriptions and tags come from word lists of
real video work; ratings, orders and views are skewed the way marketplaces are (most gigs have
few orders, a few have very many). Every run gets its own prefix for usernames, e-mails and
slugs, so running it twice adds a second batch instead of failing. Categories are the taxonomy
that the migrations load.

The search dictionary triggers (migration 0008) are switched off for the load and the
dictionary is recounted once at the end, which is much faster than a trigger call per row; the
tsvector triggers stay on, so search_vector is filled as usual.
"""

from __future__ import annotations

import math
import random
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from reelbyte.core.jobs import libpq_url
from reelbyte.core.security import hash_password

SEED_PASSWORD = "Seed!Passw0rd"
BATCH = 5_000

FIRST_NAMES = [
    "Maya",
    "Leo",
    "Ada",
    "Noah",
    "Emma",
    "Liam",
    "Olivia",
    "Lucas",
    "Sofia",
    "Mateo",
    "Mia",
    "Hugo",
    "Zoe",
    "Elias",
    "Nora",
    "Felix",
    "Ines",
    "Omar",
    "Lea",
    "Ivan",
    "Chloe",
    "Tariq",
    "Ana",
    "Jonas",
    "Freya",
    "Rafael",
    "Yara",
    "Milan",
    "Aisha",
    "Theo",
    "Clara",
    "Kenji",
    "Amara",
    "Diego",
    "Lina",
    "Sami",
    "Rosa",
    "Pablo",
    "Hana",
    "Viktor",
    "Lucia",
    "Arjun",
    "Elena",
    "Malik",
    "Isla",
    "Tomas",
    "Julia",
    "Ravi",
    "Greta",
    "Nico",
    "Selin",
    "Oscar",
    "Priya",
    "Marco",
    "Alba",
    "Emil",
]
LAST_NAMES = [
    "Jensen",
    "Martins",
    "Okafor",
    "Silva",
    "Novak",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Haddad",
    "Tanaka",
    "Moreau",
    "Berg",
    "Costa",
    "Nguyen",
    "Fischer",
    "Santos",
    "Ibrahim",
    "Larsen",
    "Murphy",
    "Kaur",
    "Petrov",
    "Alvarez",
    "Schmidt",
    "Sato",
    "Hughes",
    "Romero",
    "Mensah",
    "Lindqvist",
    "Varga",
    "Ortiz",
    "Meyer",
    "Kim",
    "Bianchi",
    "Andersen",
    "Yilmaz",
    "Reyes",
    "Walsh",
    "Dimitrov",
    "Chen",
    "Moretti",
    "Nowak",
    "Park",
    "Lopez",
    "Keller",
    "Farah",
    "Holm",
]

# Per top-level category (by slug): the services sold, and the tags that go with them.
SERVICES: dict[str, tuple[list[str], list[str]]] = {
    "video-editing": (
        [
            "video editing",
            "youtube video editing",
            "wedding video editing",
            "wedding film",
            "vlog editing",
            "podcast video editing",
            "event highlight video",
            "travel video editing",
            "gaming video editing",
        ],
        [
            "video editing",
            "youtube",
            "wedding video",
            "wedding videography",
            "wedding film",
            "vlog",
            "podcast",
            "premiere pro",
            "final cut pro",
            "davinci resolve",
            "b-roll",
            "highlight reel",
            "event video",
            "jump cuts",
            "travel video",
            "gaming",
        ],
    ),
    "short-form-social": (
        [
            "instagram reels",
            "tiktok video editing",
            "youtube shorts",
            "vertical video editing",
            "social media video ads",
            "ugc video editing",
            "short form content",
        ],
        [
            "instagram reels",
            "tiktok",
            "youtube shorts",
            "vertical video",
            "social media",
            "ugc",
            "captions",
            "viral video",
            "short form",
            "facebook ads",
        ],
    ),
    "motion-graphics": (
        [
            "logo animation",
            "explainer video",
            "kinetic typography",
            "animated intro",
            "lower thirds",
            "title sequence",
            "motion graphics",
        ],
        [
            "motion graphics",
            "logo animation",
            "explainer video",
            "after effects",
            "kinetic typography",
            "intro",
            "outro",
            "lower thirds",
            "animated logo",
            "typography",
        ],
    ),
    "animation": (
        [
            "2d animation",
            "3d animation",
            "whiteboard animation",
            "character animation",
            "3d product animation",
            "cartoon explainer",
        ],
        [
            "2d animation",
            "3d animation",
            "whiteboard",
            "character animation",
            "blender",
            "cinema 4d",
            "cartoon",
            "product render",
            "animated explainer",
        ],
    ),
    "commercial-corporate": (
        [
            "product video",
            "testimonial video",
            "training video",
            "corporate video",
            "real estate video",
            "brand film",
            "promo video",
        ],
        [
            "product video",
            "commercial",
            "corporate video",
            "testimonial",
            "training video",
            "real estate",
            "brand film",
            "promo video",
            "advertising",
            "e-commerce",
        ],
    ),
    "post-production": (
        [
            "color grading",
            "sound design",
            "visual effects",
            "subtitles and captions",
            "audio mixing",
            "green screen compositing",
            "rotoscoping",
            "video restoration",
        ],
        [
            "color grading",
            "color correction",
            "sound design",
            "audio mixing",
            "vfx",
            "visual effects",
            "subtitles",
            "captions",
            "green screen",
            "rotoscoping",
            "compositing",
            "davinci resolve",
        ],
    ),
    "documentary": (
        ["documentary editing", "mini documentary", "interview editing", "story editing", "docuseries"],
        [
            "documentary",
            "mini documentary",
            "interview",
            "storytelling",
            "archival footage",
            "docuseries",
            "brand documentary",
        ],
    ),
    "music-video": (
        ["music video", "lyric video", "performance video", "music visualizer", "concert video"],
        ["music video", "lyric video", "performance", "visualizer", "concert", "hip hop", "band", "artist"],
    ),
}
DEFAULT_SERVICES = (["video editing", "video production"], ["video", "editing", "video production"])

ADJECTIVES = [
    "cinematic",
    "professional",
    "creative",
    "engaging",
    "viral",
    "stunning",
    "premium",
    "clean",
    "dynamic",
    "emotional",
    "epic",
    "modern",
    "polished",
    "fast",
    "affordable",
    "high-end",
    "minimalist",
    "bold",
]
AUDIENCES = [
    "youtube channel",
    "brand",
    "business",
    "wedding",
    "startup",
    "podcast",
    "event",
    "online course",
    "instagram",
    "real estate listing",
    "restaurant",
    "band",
    "fitness brand",
    "saas product",
    "nonprofit",
]
EXTRAS = [
    "motion graphics",
    "captions",
    "color grading",
    "sound design",
    "licensed music",
    "fast delivery",
    "unlimited revisions",
    "b-roll",
    "subtitles",
    "thumbnails",
    "4k export",
]
SOFTWARE = [
    "Premiere Pro",
    "After Effects",
    "DaVinci Resolve",
    "Final Cut Pro",
    "Blender",
    "Cinema 4D",
    "Avid",
]
TITLE_TEMPLATES = [
    "{Adj} {service}",
    "{Adj} {service} for your {audience}",
    "I will do {adj} {service} for your {audience}",
    "{Service} for {audience} videos",
    "{Adj} {service} with {extra}",
    "{Service} in 4k with {extra}",
    "{Service} and {service2}",
]
DESCRIPTION_SENTENCES = [
    "I am a {role} with {years} years of experience and more than {projects} delivered projects.",
    "Send me your raw footage and a reference you like; I deliver a {adj} {service} that fits your {audience}.",
    "Every package includes {extra} and {extra2}, exported for the platforms you need.",
    "I work in {software} and {software2}, with a calibrated monitor and licensed fonts and music.",
    "Clients come back for the pacing, the clean cuts and the {adj} look of the final film.",
    "Tell me about your {audience} before ordering so that we agree on style, length and deadline.",
    "Revisions are quick: comment on the timeline and I turn them around within a day.",
    "Need something custom? Message me and I will send an offer for your {service}.",
]
ROLES = ["video editor", "motion designer", "colorist", "animator", "filmmaker", "post-production artist"]
PROJECT_TEMPLATES = [
    "Need {service} for our {audience}",
    "Looking for a {adj} {service} editor",
    "{Service} for a product launch",
    "Ongoing {service}: {count} videos a month",
    "{Service} for a {audience} campaign",
]
PROJECT_SENTENCES = [
    "We are a small team and need help with {service} for our {audience}.",
    "We have about {hours} hours of footage shot on {camera}.",
    "The style should be {adj}, similar to the references we will share.",
    "Please include {extra} and deliver in 16:9 and 9:16.",
    "Tell us about similar work you have done and your usual turnaround.",
]
CAMERAS = ["a Sony FX3", "an iPhone 15 Pro", "a Canon R5", "a GoPro", "a DJI drone", "a BMPCC 6K"]


@dataclass
class ScaleReport:
    prefix: str
    creators: int = 0
    clients: int = 0
    gigs: int = 0
    packages: int = 0
    projects: int = 0
    invites: int = 0
    search_terms: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Category:
    id: int
    slug: str
    children: tuple[int, ...]


class _Words:
    """Random picks with the phrase slots filled in."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def fill(self, template: str, services: Sequence[str], **extra: Any) -> str:
        rng = self.rng
        service, service2 = rng.sample(list(services), 2) if len(services) > 1 else (services[0], services[0])
        adj = rng.choice(ADJECTIVES)
        values = {
            "adj": adj,
            "Adj": adj.capitalize(),
            "service": service,
            "Service": service[:1].upper() + service[1:],
            "service2": service2,
            "audience": rng.choice(AUDIENCES),
            "extra": rng.choice(EXTRAS),
            "extra2": rng.choice(EXTRAS),
            "software": rng.choice(SOFTWARE),
            "software2": rng.choice(SOFTWARE),
            "role": rng.choice(ROLES),
            "years": rng.randint(2, 15),
            "projects": rng.choice([50, 120, 300, 500, 1000]),
            "hours": rng.randint(1, 40),
            "camera": rng.choice(CAMERAS),
            "count": rng.randint(4, 30),
            **extra,
        }
        return template.format(**values)


def _skewed_count(rng: random.Random, cap: int, alpha: float = 1.2) -> int:
    """Pareto-shaped counts: most small, a long tail of large ones."""
    return min(cap, int(rng.paretovariate(alpha)) - 1)


def _rows_in_batches(rows: Iterable[Sequence[Any]], size: int = BATCH) -> Iterator[list[Sequence[Any]]]:
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _copy(
    cursor: psycopg.Cursor[Any],
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    advance: Callable[[int], None],
) -> int:
    total = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for batch in _rows_in_batches(rows):
            for row in batch:
                copy.write_row(row)
            total += len(batch)
            advance(len(batch))
    return total


def _categories(cursor: psycopg.Cursor[Any]) -> list[_Category]:
    rows = cursor.execute(
        "SELECT c.id, c.slug, coalesce(array_agg(s.id ORDER BY s.id) FILTER (WHERE s.id IS NOT NULL), '{}') "
        "FROM categories c LEFT JOIN categories s ON s.parent_id = c.id AND s.is_active "
        "WHERE c.parent_id IS NULL AND c.is_active GROUP BY c.id, c.slug ORDER BY c.id"
    ).fetchall()
    if not rows:
        raise RuntimeError("no categories: run the migrations first (they load the taxonomy)")
    return [_Category(id=row[0], slug=row[1], children=tuple(row[2])) for row in rows]


def _level(orders: int) -> str:
    if orders >= 500:
        return "top"
    if orders >= 100:
        return "pro"
    if orders >= 10:
        return "rising"
    return "new"


def seed_scale(
    database_url: str, n: int, *, console: Console | None = None, random_seed: int | None = None
) -> ScaleReport:
    """Write the catalog of size `n` into the database at `database_url` (a SQLAlchemy URL)."""
    started = time.perf_counter()
    rng = random.Random(random_seed)  # noqa: S311 (test data, not secrets)
    words = _Words(rng)
    prefix = f"s{secrets.token_hex(3)}"
    report = ScaleReport(prefix=prefix)
    now = datetime.now(UTC)
    n_creators = max(1, n // 5)
    n_clients = max(1, n // 20)
    n_projects = max(1, n // 5)
    password_hash = hash_password(SEED_PASSWORD)

    progress = Progress(
        TextColumn("[bold]{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console or Console(),
    )
    with progress, psycopg.connect(libpq_url(database_url)) as conn, conn.cursor() as cursor:
        categories = _categories(cursor)
        # The dictionary is recounted once at the end instead of row by row.
        cursor.execute("ALTER TABLE gigs DISABLE TRIGGER gigs_search_terms")
        cursor.execute("ALTER TABLE users DISABLE TRIGGER users_search_terms")

        # --- users ---------------------------------------------------------------------
        creators: list[tuple[uuid.UUID, str, str]] = []  # (id, level, top category slug)
        users_task = progress.add_task("creators+clients", total=n_creators + n_clients)

        def user_rows() -> Iterator[Sequence[Any]]:
            for i in range(n_creators + n_clients):
                is_creator = i < n_creators
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                username = f"{prefix}-{first.lower()}-{i}"
                created = now - timedelta(days=rng.uniform(30, 1500))
                if is_creator:
                    category = rng.choice(categories)
                    services, tags = SERVICES.get(category.slug, DEFAULT_SERVICES)
                    orders = _skewed_count(rng, 5000, 1.1)
                    reviews = int(orders * rng.uniform(0.3, 0.8))
                    rating = _rating(rng) if reviews else Decimal("0")
                    level = _level(orders)
                    creators.append((uid := uuid.uuid4(), level, category.slug))
                    skills = sorted({*rng.sample(SOFTWARE, 2), *rng.sample(tags, min(3, len(tags)))})
                    bio = " ".join(words.fill(s, services) for s in rng.sample(DESCRIPTION_SENTENCES[:4], 2))
                    yield (
                        uid,
                        f"{username}@seed.example.com",
                        username,
                        password_hash,
                        "hybrid" if rng.random() < 0.1 else "creator",
                        f"{first} {last}",
                        bio,
                        skills,
                        rng.choice([2500, 3500, 4500, 6000, 8000, 12000]),
                        "EUR",
                        rng.choice(["full-time", "part-time", "part-time", "unavailable"]),
                        rating,
                        reviews,
                        orders,
                        rng.choice([1, 2, 4, 8, 24]),
                        level,
                        created,
                        created,
                        created,
                    )
                else:
                    yield (
                        uuid.uuid4(),
                        f"{username}@seed.example.com",
                        username,
                        password_hash,
                        "client",
                        f"{first} {last}",
                        None,
                        [],
                        None,
                        None,
                        None,
                        Decimal("0"),
                        0,
                        0,
                        None,
                        "new",
                        created,
                        created,
                        created,
                    )

        user_columns = [
            "id",
            "email",
            "username",
            "password_hash",
            "role",
            "full_name",
            "bio",
            "skills",
            "hourly_rate_minor",
            "hourly_rate_currency",
            "availability",
            "rating",
            "total_reviews",
            "total_orders",
            "response_time_hours",
            "creator_level",
            "email_verified_at",
            "created_at",
            "updated_at",
        ]
        user_ids: list[uuid.UUID] = []

        def remember(rows: Iterator[Sequence[Any]]) -> Iterator[Sequence[Any]]:
            for row in rows:
                user_ids.append(row[0])
                yield row

        _copy(cursor, "users", user_columns, remember(user_rows()), lambda k: progress.advance(users_task, k))
        report.creators, report.clients = n_creators, n_clients
        client_ids = user_ids[n_creators:]

        # --- gigs and packages -----------------------------------------------------------
        gigs_task = progress.add_task("gigs", total=n)
        packages: list[Sequence[Any]] = []
        by_slug = {category.slug: category for category in categories}

        def gig_rows() -> Iterator[Sequence[Any]]:
            for i in range(n):
                creator_id, level, home = (
                    creators[i % len(creators)] if i < len(creators) else rng.choice(creators)
                )
                category = by_slug[home] if rng.random() < 0.8 else rng.choice(categories)
                services, tag_pool = SERVICES.get(category.slug, DEFAULT_SERVICES)
                title = words.fill(rng.choice(TITLE_TEMPLATES), services)[:120]
                description = " ".join(
                    words.fill(sentence, services)
                    for sentence in rng.sample(DESCRIPTION_SENTENCES, rng.randint(3, 5))
                )
                tags = sorted(set(rng.sample(tag_pool, rng.randint(2, min(6, len(tag_pool))))))
                gig_id = uuid.uuid4()
                created = now - timedelta(days=rng.uniform(0, 730) ** 1.0)
                prices, days = _packages(rng, gig_id, created, packages)
                orders = _skewed_count(rng, 20000, 1.15)
                reviews = int(orders * rng.uniform(0.3, 0.8))
                rating = _rating(rng) if reviews else Decimal("0")
                views = orders * rng.randint(15, 80) + int(rng.lognormvariate(4, 1.2))
                yield (
                    gig_id,
                    creator_id,
                    title,
                    f"{prefix}-{i}-{_slug(title)}"[:160],
                    description,
                    category.id,
                    rng.choice(category.children) if category.children and rng.random() < 0.9 else None,
                    tags,
                    f"https://picsum.photos/seed/{prefix}{i}/640/360",
                    views,
                    orders,
                    rating,
                    reviews,
                    rng.random() < 0.97,
                    rng.random() < 0.02,
                    min(prices),
                    max(prices),
                    "EUR",
                    min(days),
                    level,
                    created,
                    created,
                )

        gig_columns = [
            "id",
            "creator_id",
            "title",
            "slug",
            "description",
            "category_id",
            "subcategory_id",
            "tags",
            "thumbnail_url",
            "views_count",
            "orders_count",
            "rating",
            "total_reviews",
            "is_active",
            "is_featured",
            "price_from_minor",
            "price_to_minor",
            "currency",
            "min_delivery_days",
            "creator_level",
            "created_at",
            "updated_at",
        ]
        report.gigs = _copy(cursor, "gigs", gig_columns, gig_rows(), lambda k: progress.advance(gigs_task, k))

        packages_task = progress.add_task("packages", total=len(packages))
        package_columns = [
            "id",
            "gig_id",
            "tier",
            "description",
            "price_minor",
            "currency",
            "delivery_days",
            "revisions",
            "features",
            "created_at",
            "updated_at",
        ]
        report.packages = _copy(
            cursor, "packages", package_columns, packages, lambda k: progress.advance(packages_task, k)
        )

        # --- projects and invites --------------------------------------------------------
        projects_task = progress.add_task("projects", total=n_projects)
        invites: list[Sequence[Any]] = []

        def project_rows() -> Iterator[Sequence[Any]]:
            for _ in range(n_projects):
                category = rng.choice(categories)
                services, tag_pool = SERVICES.get(category.slug, DEFAULT_SERVICES)
                project_id = uuid.uuid4()
                created = now - timedelta(days=rng.uniform(0, 365))
                budget_min = rng.choice([100, 250, 500, 1000, 2500, 5000]) * 100
                status = rng.choices(
                    ["open", "in_progress", "completed", "cancelled"], weights=[80, 10, 6, 4]
                )[0]
                invite_only = rng.random() < 0.1
                if invite_only:
                    for creator_id, _, _ in rng.sample(creators, min(len(creators), rng.randint(1, 3))):
                        invites.append((project_id, creator_id, created))
                yield (
                    project_id,
                    rng.choice(client_ids),
                    words.fill(rng.choice(PROJECT_TEMPLATES), services)[:150],
                    " ".join(words.fill(s, services) for s in PROJECT_SENTENCES),
                    category.id,
                    rng.choice(category.children) if category.children else None,
                    sorted(set(rng.sample(tag_pool, min(3, len(tag_pool))))),
                    budget_min,
                    budget_min * rng.choice([1, 2, 3, 4]),
                    "EUR",
                    created + timedelta(days=rng.randint(7, 120)),
                    status,
                    "invite_only" if invite_only else "public",
                    _skewed_count(rng, 200, 1.5),
                    _skewed_count(rng, 5000, 1.1),
                    created,
                    created,
                )

        project_columns = [
            "id",
            "client_id",
            "title",
            "description",
            "category_id",
            "subcategory_id",
            "required_skills",
            "budget_min_minor",
            "budget_max_minor",
            "currency",
            "deadline",
            "status",
            "visibility",
            "proposals_count",
            "views_count",
            "created_at",
            "updated_at",
        ]
        report.projects = _copy(
            cursor, "projects", project_columns, project_rows(), lambda k: progress.advance(projects_task, k)
        )
        report.invites = _copy(
            cursor, "project_invites", ["project_id", "creator_id", "created_at"], invites, lambda k: None
        )

        # --- the search dictionary, then statistics ---------------------------------------
        terms_task = progress.add_task("search terms", total=1)
        cursor.execute("ALTER TABLE gigs ENABLE TRIGGER gigs_search_terms")
        cursor.execute("ALTER TABLE users ENABLE TRIGGER users_search_terms")
        row = cursor.execute("SELECT search_terms_rebuild()").fetchone()
        report.search_terms = int(row[0]) if row else 0
        progress.advance(terms_task)
        conn.commit()

        # VACUUM sets the visibility map (index-only scans for counts), ANALYZE the statistics.
        tables = ("users", "gigs", "packages", "projects", "project_invites", "search_terms")
        vacuum_task = progress.add_task("vacuum+analyze", total=len(tables))
        conn.autocommit = True
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
            progress.advance(vacuum_task)
        for table in ("users", "gigs", "packages", "projects", "search_terms"):
            counted = cursor.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
            report.counts[table] = int(counted[0]) if counted else 0
    report.seconds = time.perf_counter() - started
    return report


def _rating(rng: random.Random) -> Decimal:
    value = min(5.0, max(2.5, rng.gauss(4.65, 0.35)))
    return Decimal(f"{value:.2f}")


def _slug(title: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in title.lower()).split())


def _packages(
    rng: random.Random, gig_id: uuid.UUID, created: datetime, out: list[Sequence[Any]]
) -> tuple[list[int], list[int]]:
    """Append 1 to 3 package rows for the gig; return their prices (cents) and delivery days."""
    count = rng.choices([1, 2, 3], weights=[25, 15, 60])[0]
    basic = max(5, round(rng.lognormvariate(math.log(60), 0.7) / 5) * 5) * 100
    prices = [
        basic,
        int(round(basic * rng.uniform(1.6, 2.2), -2)),
        int(round(basic * rng.uniform(2.8, 4.0), -2)),
    ]
    basic_days = rng.randint(1, 7)
    days = [basic_days, basic_days + rng.randint(1, 4), basic_days + rng.randint(5, 14)]
    tiers = ["basic", "standard", "premium"]
    for i in range(count):
        out.append(
            (
                uuid.uuid4(),
                gig_id,
                tiers[i],
                f"{tiers[i].title()}: up to {[3, 8, 20][i]} minutes of finished video.",
                prices[i],
                "EUR",
                min(365, days[i]),
                [1, 3, 5][i],
                [["HD export"], ["4K export", "subtitles"], ["4K export", "subtitles", "source files"]][i],
                created,
                created,
            )
        )
    return prices[:count], days[:count]

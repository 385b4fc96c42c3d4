"""`reelbyte seed --scale N`: a large, realistic catalog for load tests and query plans.

N gigs (1 to 3 packages each), N/5 creators, N/5 projects and N/20 clients, written with
PostgreSQL's COPY. Titles, descriptions and tags come from the word lists of real video work in
`reelbyte.seed_data`; ratings, orders and views are skewed the way marketplaces are (most gigs
have few orders, a few have very many). Every run gets its own prefix for usernames, e-mails and
slugs, so running it twice adds a second batch instead of failing. Categories are the taxonomy
that the migrations load. With the same `random_seed` (and the same seed_data) a run makes the
same rows; only the ids, the prefix, the clock and the password hash's salt differ.

One step per table, in the order the foreign keys need: users (creators, then clients), gigs,
packages, projects, project_invites, then the search dictionary. The search dictionary triggers
(migration 0008) are switched off for the load and the dictionary is recounted once at the end,
which is much faster than a trigger call per row; the tsvector triggers stay on, so
search_vector is filled as usual.

The unit of work: this is a bulk load over a plain (synchronous) psycopg connection, outside
the ORM and so outside `reelbyte.core.db.transaction`, which runs async SQLAlchemy sessions and
could neither stream COPY nor run the VACUUM that follows (VACUUM refuses to run inside a
transaction). The whole load is ONE explicit psycopg transaction, `with conn.transaction()` in
`seed_scale`: it commits when the block ends and rolls back on any error, which also undoes the
trigger switch (DDL is transactional in PostgreSQL). Nothing in here calls commit() itself.
"""

from __future__ import annotations

import math
import random
import secrets
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from reelbyte.core.jobs import libpq_url
from reelbyte.core.security import hash_password
from reelbyte.seed_data import (
    ADJECTIVES,
    AUDIENCES,
    AVAILABILITY,
    BIO_SENTENCES,
    CAMERAS,
    DEFAULT_SERVICES,
    DELIVERED_PROJECTS,
    DESCRIPTION_SENTENCES,
    EXTRAS,
    FIRST_NAMES,
    HOURLY_RATES_MINOR,
    LAST_NAMES,
    PACKAGE_COUNT_WEIGHTS,
    PACKAGE_TIERS,
    PROJECT_BUDGET_MIN_EUR,
    PROJECT_SENTENCES,
    PROJECT_STATUS_WEIGHTS,
    PROJECT_STATUSES,
    PROJECT_TEMPLATES,
    RESPONSE_TIME_HOURS,
    ROLES,
    SERVICES,
    SOFTWARE,
    TITLE_TEMPLATES,
    CategoryWords,
)

SEED_PASSWORD = "Seed!Passw0rd"
BATCH = 5_000  # rows between two progress-bar updates
CURRENCY = "EUR"

Row = Sequence[Any]

USER_COLUMNS = (
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
)
GIG_COLUMNS = (
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
)
PACKAGE_COLUMNS = (
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
)
# The gig's price and delivery columns summarise its packages' rows.
_PACKAGE_PRICE = PACKAGE_COLUMNS.index("price_minor")
_PACKAGE_DAYS = PACKAGE_COLUMNS.index("delivery_days")
PROJECT_COLUMNS = (
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
)
INVITE_COLUMNS = ("project_id", "creator_id", "created_at")

# VACUUM sets the visibility map (index-only scans for counts), ANALYZE the statistics.
VACUUMED_TABLES = ("users", "gigs", "packages", "projects", "project_invites", "search_terms")
COUNTED_TABLES = ("users", "gigs", "packages", "projects", "search_terms")


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
class _Sizes:
    gigs: int
    creators: int
    clients: int
    projects: int

    @classmethod
    def of(cls, n: int) -> _Sizes:
        return cls(gigs=n, creators=max(1, n // 5), clients=max(1, n // 20), projects=max(1, n // 5))


@dataclass(frozen=True)
class _Category:
    id: int
    slug: str
    children: tuple[int, ...]

    @property
    def words(self) -> CategoryWords:
        return SERVICES.get(self.slug, DEFAULT_SERVICES)


@dataclass(frozen=True)
class _Creator:
    id: uuid.UUID
    level: str
    home: _Category  # the top category the creator mostly sells in


class _Words:
    """Random picks with the phrase slots filled in."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def fill(self, template: str, services: Sequence[str]) -> str:
        rng = self.rng
        service, service2 = rng.sample(list(services), 2) if len(services) > 1 else (services[0], services[0])
        adj = rng.choice(ADJECTIVES)
        values = {  # the picks are made in this order: keep it, or a seed makes other rows
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
            "projects": rng.choice(DELIVERED_PROJECTS),
            "hours": rng.randint(1, 40),
            "camera": rng.choice(CAMERAS),
            "count": rng.randint(4, 30),
        }
        return template.format(**values)


@dataclass(frozen=True)
class _Run:
    """What every table's rows draw on. All randomness comes from `rng`, one pick after the
    other, so the steps must run (and each row pick its values) in a fixed order."""

    rng: random.Random
    words: _Words
    prefix: str
    now: datetime
    password_hash: str
    categories: list[_Category]


class _Loader:
    """COPY rows into one table after another on one cursor, with a progress bar per table."""

    def __init__(self, cursor: psycopg.Cursor[Any], progress: Progress) -> None:
        self.cursor = cursor
        self.progress = progress

    def copy(self, table: str, columns: Sequence[str], rows: Iterable[Row], *, label: str, total: int) -> int:
        task = self.progress.add_task(label, total=total)
        written = 0
        with self.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
                if written % BATCH == 0:
                    self.progress.advance(task, BATCH)
        self.progress.advance(task, written % BATCH)
        return written


def seed_scale(
    database_url: str, n: int, *, console: Console | None = None, random_seed: int | None = None
) -> ScaleReport:
    """Write the catalog of size `n` into the database at `database_url` (a SQLAlchemy URL)."""
    started = time.perf_counter()
    rng = random.Random(random_seed)  # noqa: S311 (test data, not secrets)
    prefix = f"s{secrets.token_hex(3)}"
    now = datetime.now(UTC)
    password_hash = hash_password(SEED_PASSWORD)
    report = ScaleReport(prefix=prefix)
    progress = Progress(
        TextColumn("[bold]{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console or Console(),
    )
    with (
        progress,
        psycopg.connect(libpq_url(database_url), autocommit=True) as conn,
        conn.cursor() as cursor,
    ):
        # The one transaction of the bulk load (see the module docstring for why it is not
        # `core.db.transaction`): committed when this block ends, rolled back on any error.
        with conn.transaction():
            categories = _categories(cursor)
            run = _Run(
                rng, _Words(rng), prefix=prefix, now=now, password_hash=password_hash, categories=categories
            )
            _load_catalog(_Loader(cursor, progress), run, _Sizes.of(n), report)
        # Outside any transaction (autocommit): VACUUM cannot run inside one.
        _vacuum_analyze(cursor, progress)
        report.counts = _row_counts(cursor)
    report.seconds = time.perf_counter() - started
    return report


def _load_catalog(load: _Loader, run: _Run, sizes: _Sizes, report: ScaleReport) -> None:
    """Every table of the catalog, in the order their foreign keys need."""
    _disable_dictionary_triggers(load.cursor)
    creators, client_ids = _seed_users(load, run, sizes)
    report.creators, report.clients = len(creators), len(client_ids)
    report.gigs, packages = _seed_gigs(load, run, sizes.gigs, creators)
    report.packages = _seed_packages(load, packages)
    report.projects, invites = _seed_projects(load, run, sizes.projects, creators, client_ids)
    report.invites = _seed_invites(load, invites)
    report.search_terms = _rebuild_search_terms(load)


def _categories(cursor: psycopg.Cursor[Any]) -> list[_Category]:
    rows = cursor.execute(
        "SELECT c.id, c.slug, coalesce(array_agg(s.id ORDER BY s.id) FILTER (WHERE s.id IS NOT NULL), '{}') "
        "FROM categories c LEFT JOIN categories s ON s.parent_id = c.id AND s.is_active "
        "WHERE c.parent_id IS NULL AND c.is_active GROUP BY c.id, c.slug ORDER BY c.id"
    ).fetchall()
    if not rows:
        raise RuntimeError("no categories: run the migrations first (they load the taxonomy)")
    return [_Category(id=row[0], slug=row[1], children=tuple(row[2])) for row in rows]


# --- the search dictionary -----------------------------------------------------------------


def _disable_dictionary_triggers(cursor: psycopg.Cursor[Any]) -> None:
    """The dictionary is recounted once at the end (`_rebuild_search_terms`) instead of row by row."""
    cursor.execute("ALTER TABLE gigs DISABLE TRIGGER gigs_search_terms")
    cursor.execute("ALTER TABLE users DISABLE TRIGGER users_search_terms")


def _rebuild_search_terms(load: _Loader) -> int:
    """Switch the dictionary triggers back on and recount the dictionary; return its size."""
    task = load.progress.add_task("search terms", total=1)
    load.cursor.execute("ALTER TABLE gigs ENABLE TRIGGER gigs_search_terms")
    load.cursor.execute("ALTER TABLE users ENABLE TRIGGER users_search_terms")
    row = load.cursor.execute("SELECT search_terms_rebuild()").fetchone()
    load.progress.advance(task)
    return int(row[0]) if row else 0


# --- users ---------------------------------------------------------------------------------


def _seed_users(load: _Loader, run: _Run, sizes: _Sizes) -> tuple[list[_Creator], list[uuid.UUID]]:
    """Creators first, then clients; all verified, all with the seed password. Returns the
    creators and the clients' ids, which the later tables refer to."""
    creators: list[_Creator] = []
    client_ids: list[uuid.UUID] = []

    def rows() -> Iterator[Row]:
        for i in range(sizes.creators):
            row, creator = _creator_row(run, i)
            creators.append(creator)
            yield row
        for i in range(sizes.creators, sizes.creators + sizes.clients):
            row = _client_row(run, i)
            client_ids.append(row[0])
            yield row

    load.copy("users", USER_COLUMNS, rows(), label="creators+clients", total=sizes.creators + sizes.clients)
    return creators, client_ids


def _person(run: _Run, i: int) -> tuple[str, str, datetime]:
    """(full name, username, when the account was made) of the `i`th user of the run."""
    first, last = run.rng.choice(FIRST_NAMES), run.rng.choice(LAST_NAMES)
    username = f"{run.prefix}-{first.lower()}-{i}"
    created = run.now - timedelta(days=run.rng.uniform(30, 1500))
    return f"{first} {last}", username, created


def _creator_row(run: _Run, i: int) -> tuple[Row, _Creator]:
    rng = run.rng
    full_name, username, created = _person(run, i)
    category = rng.choice(run.categories)
    words = category.words
    orders = _skewed_count(rng, 5000, 1.1)
    reviews = int(orders * rng.uniform(0.3, 0.8))
    rating = _rating(rng) if reviews else Decimal("0")
    creator = _Creator(id=uuid.uuid4(), level=_level(orders), home=category)
    skills = sorted({*rng.sample(SOFTWARE, 2), *rng.sample(words.tags, min(3, len(words.tags)))})
    bio = " ".join(run.words.fill(sentence, words.services) for sentence in rng.sample(BIO_SENTENCES, 2))
    row = (
        creator.id,
        f"{username}@seed.example.com",
        username,
        run.password_hash,
        "hybrid" if rng.random() < 0.1 else "creator",
        full_name,
        bio,
        skills,
        rng.choice(HOURLY_RATES_MINOR),
        CURRENCY,
        rng.choice(AVAILABILITY),
        rating,
        reviews,
        orders,
        rng.choice(RESPONSE_TIME_HOURS),
        creator.level,
        created,
        created,
        created,
    )
    return row, creator


def _client_row(run: _Run, i: int) -> Row:
    full_name, username, created = _person(run, i)
    return (
        uuid.uuid4(),
        f"{username}@seed.example.com",
        username,
        run.password_hash,
        "client",
        full_name,
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


# --- gigs and packages ---------------------------------------------------------------------


def _seed_gigs(load: _Loader, run: _Run, n: int, creators: list[_Creator]) -> tuple[int, list[Row]]:
    """`n` gigs, the first one per creator, the rest to random creators. A gig's packages are
    drawn with it (its price and delivery columns summarise them) and returned for
    `_seed_packages`, since the gigs must be in before their packages."""
    packages: list[Row] = []

    def rows() -> Iterator[Row]:
        for i in range(n):
            creator = creators[i] if i < len(creators) else run.rng.choice(creators)
            gig, gig_packages = _gig_row(run, i, creator)
            packages.extend(gig_packages)
            yield gig

    written = load.copy("gigs", GIG_COLUMNS, rows(), label="gigs", total=n)
    return written, packages


def _gig_row(run: _Run, i: int, creator: _Creator) -> tuple[Row, list[Row]]:
    rng = run.rng
    category = creator.home if rng.random() < 0.8 else rng.choice(run.categories)
    words = category.words
    title = run.words.fill(rng.choice(TITLE_TEMPLATES), words.services)[:120]
    description = " ".join(
        run.words.fill(sentence, words.services)
        for sentence in rng.sample(DESCRIPTION_SENTENCES, rng.randint(3, 5))
    )
    tags = sorted(set(rng.sample(words.tags, rng.randint(2, min(6, len(words.tags))))))
    gig_id = uuid.uuid4()
    created = run.now - timedelta(days=rng.uniform(0, 730))
    packages = _package_rows(rng, gig_id, created)
    prices = [package[_PACKAGE_PRICE] for package in packages]
    days = [package[_PACKAGE_DAYS] for package in packages]
    orders = _skewed_count(rng, 20000, 1.15)
    reviews = int(orders * rng.uniform(0.3, 0.8))
    rating = _rating(rng) if reviews else Decimal("0")
    views = orders * rng.randint(15, 80) + int(rng.lognormvariate(4, 1.2))
    gig = (
        gig_id,
        creator.id,
        title,
        f"{run.prefix}-{i}-{_slug(title)}"[:160],
        description,
        category.id,
        rng.choice(category.children) if category.children and rng.random() < 0.9 else None,
        tags,
        f"https://picsum.photos/seed/{run.prefix}{i}/640/360",
        views,
        orders,
        rating,
        reviews,
        rng.random() < 0.97,
        rng.random() < 0.02,
        min(prices),
        max(prices),
        CURRENCY,
        min(days),
        creator.level,
        created,
        created,
    )
    return gig, packages


def _package_rows(rng: random.Random, gig_id: uuid.UUID, created: datetime) -> list[Row]:
    """1 to 3 packages for the gig, each dearer and slower than the one before."""
    count = rng.choices([1, 2, 3], weights=PACKAGE_COUNT_WEIGHTS)[0]
    basic = max(5, round(rng.lognormvariate(math.log(60), 0.7) / 5) * 5) * 100
    prices = [
        basic,
        int(round(basic * rng.uniform(1.6, 2.2), -2)),
        int(round(basic * rng.uniform(2.8, 4.0), -2)),
    ]
    basic_days = rng.randint(1, 7)
    days = [basic_days, basic_days + rng.randint(1, 4), basic_days + rng.randint(5, 14)]
    return [
        (
            uuid.uuid4(),
            gig_id,
            tier.tier,
            f"{tier.tier.title()}: up to {tier.minutes} minutes of finished video.",
            prices[level],
            CURRENCY,
            min(365, days[level]),
            tier.revisions,
            list(tier.features),
            created,
            created,
        )
        for level, tier in enumerate(PACKAGE_TIERS[:count])
    ]


def _seed_packages(load: _Loader, packages: list[Row]) -> int:
    return load.copy("packages", PACKAGE_COLUMNS, packages, label="packages", total=len(packages))


# --- projects and invites ------------------------------------------------------------------


def _seed_projects(
    load: _Loader, run: _Run, n: int, creators: list[_Creator], client_ids: list[uuid.UUID]
) -> tuple[int, list[Row]]:
    """`n` projects of random clients. One in ten is invite-only: its invites (1 to 3
    creators) are returned for `_seed_invites`."""
    invites: list[Row] = []

    def rows() -> Iterator[Row]:
        for _ in range(n):
            project, project_invites = _project_row(run, creators, client_ids)
            invites.extend(project_invites)
            yield project

    written = load.copy("projects", PROJECT_COLUMNS, rows(), label="projects", total=n)
    return written, invites


def _project_row(run: _Run, creators: list[_Creator], client_ids: list[uuid.UUID]) -> tuple[Row, list[Row]]:
    rng = run.rng
    category = rng.choice(run.categories)
    words = category.words
    project_id = uuid.uuid4()
    created = run.now - timedelta(days=rng.uniform(0, 365))
    budget_min = rng.choice(PROJECT_BUDGET_MIN_EUR) * 100
    status = rng.choices(PROJECT_STATUSES, weights=PROJECT_STATUS_WEIGHTS)[0]
    invite_only = rng.random() < 0.1
    invites: list[Row] = []
    if invite_only:
        invited = rng.sample(creators, min(len(creators), rng.randint(1, 3)))
        invites = [(project_id, creator.id, created) for creator in invited]
    project = (
        project_id,
        rng.choice(client_ids),
        run.words.fill(rng.choice(PROJECT_TEMPLATES), words.services)[:150],
        " ".join(run.words.fill(sentence, words.services) for sentence in PROJECT_SENTENCES),
        category.id,
        rng.choice(category.children) if category.children else None,
        sorted(set(rng.sample(words.tags, min(3, len(words.tags))))),
        budget_min,
        budget_min * rng.choice([1, 2, 3, 4]),
        CURRENCY,
        created + timedelta(days=rng.randint(7, 120)),
        status,
        "invite_only" if invite_only else "public",
        _skewed_count(rng, 200, 1.5),
        _skewed_count(rng, 5000, 1.1),
        created,
        created,
    )
    return project, invites


def _seed_invites(load: _Loader, invites: list[Row]) -> int:
    return load.copy("project_invites", INVITE_COLUMNS, invites, label="invites", total=len(invites))


# --- after the load ------------------------------------------------------------------------


def _vacuum_analyze(cursor: psycopg.Cursor[Any], progress: Progress) -> None:
    task = progress.add_task("vacuum+analyze", total=len(VACUUMED_TABLES))
    for table in VACUUMED_TABLES:
        cursor.execute(f"VACUUM (ANALYZE) {table}")
        progress.advance(task)


def _row_counts(cursor: psycopg.Cursor[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in COUNTED_TABLES:
        counted = cursor.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
        counts[table] = int(counted[0]) if counted else 0
    return counts


# --- the shapes of the numbers -------------------------------------------------------------


def _skewed_count(rng: random.Random, cap: int, alpha: float = 1.2) -> int:
    """Pareto-shaped counts: most small, a long tail of large ones."""
    return min(cap, int(rng.paretovariate(alpha)) - 1)


def _rating(rng: random.Random) -> Decimal:
    value = min(5.0, max(2.5, rng.gauss(4.65, 0.35)))
    return Decimal(f"{value:.2f}")


def _level(orders: int) -> str:
    if orders >= 500:
        return "top"
    if orders >= 100:
        return "pro"
    if orders >= 10:
        return "rising"
    return "new"


def _slug(title: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in title.lower()).split())

"""The whole published API, fuzzed from outside: schemathesis over `/openapi.json` of a real
`reelbyte serve`, four times (anonymously, then as a creator, a client and an admin), with all of its
checks: no 5xx, every status code documented, every response matching its schema, content type and
headers, no schema-valid request rejected (so the OpenAPI states the real constraints: lengths,
patterns, ranges), invalid requests refused, 405 (with a true `Allow`) for undeclared methods, auth
not ignored; and, for the three accounts, short stateful sequences (create, then read, change and
delete what was created: nothing deleted may still be served).

Generation is deterministic (a fixed seed, derandomized) and bounded by a number of examples per
operation, so a run sends the same requests every time and takes two to three minutes on two cores.
The server gets a fresh database on the session's PostgreSQL server (TEST_DATABASE_URL or the
embedded one) and the session's Redis; a creator, a client and an admin (made with
`reelbyte users create-admin`) and one of each object (gig, project, proposal, order, payment,
conversation…) exist before the fuzzer starts, and the fuzzer draws half of its ids from those.

What JSON Schema cannot state (cross-field rules, rules on state or on the clock) is listed in
EXCLUSIONS with its reason, matched on the refusal's own text so nothing else hides behind it; keep
that list small. A failure prints a summary by check and operation with one reproduction (curl) per
distinct cause; REELBYTE_FUZZ_REPORT=/some/file.md writes that summary to a file as well.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import schemathesis
from schemathesis.engine import events, from_schema
from sqlalchemy.engine import make_url

from reelbyte.core.config import Settings
from reelbyte.core.jobs import libpq_url
from tests.conftest import PROJECT_ROOT, s3_env

pytestmark = [pytest.mark.slow, pytest.mark.fuzz]

# --- bounds -------------------------------------------------------------------------------------

SEED = 20240610
MAX_EXAMPLES = 5  # per operation, fuzzing phase; the coverage phase adds its boundary cases
STATEFUL_EXAMPLES = 10  # sequences per run in the stateful phase (accounts only)
STATEFUL_STEPS = 6  # calls per sequence at most
REQUEST_TIMEOUT = 10.0  # seconds, one request
# Operations tested at once: one thread generates and checks while the server answers another.
WORKERS = 2
RUN_BUDGET = 600.0  # seconds, one run (10-300 s beside other xdist workers); past it, the test fails
START_TIMEOUT = 60.0
PASSWORD = "Fuzz!Secret-Passw0rd"


@dataclass(frozen=True)
class Run:
    """One schemathesis run: whose token (`role`, or none for "anonymous"), which phases, and
    over which operations (`admin_paths`: True only /v1/admin ones, False all but those)."""

    name: str
    role: str
    phases: tuple[str, ...]
    admin_paths: bool | None = None


# Examples, random fuzzing and (with an account) stateful sequences for every identity. The coverage
# phase (every boundary value of every parameter: most of the cases) runs once per operation, with
# an identity allowed to call it: a hybrid account (creator and client at once) for everything but
# /v1/admin, the admin for /v1/admin. Four full coverage runs would take four times as long and
# mostly see the same 401/403 answers.
RUNS = (
    Run("anonymous", "anonymous", ("examples", "fuzzing")),
    Run("creator", "creator", ("examples", "fuzzing", "stateful")),
    Run("client", "client", ("examples", "fuzzing", "stateful")),
    # No stateful sequences for the admin: they chain creators' and clients' operations, which the
    # admin may not call, so each link would follow a refusal with a request for an id of "None".
    Run("admin", "admin", ("examples", "fuzzing")),
    Run("coverage as hybrid", "hybrid", ("coverage",), admin_paths=False),
    Run("coverage as admin", "admin", ("coverage",), admin_paths=True),
)


# --- exclusions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exclusion:
    """A refusal the schema cannot announce: `check` may fail on `operation` when the response body
    contains `refusal` (the rule's own message or code), for `reason`."""

    operation: str
    check: str
    refusal: str
    reason: str


ACCEPTANCE = "positive_data_acceptance"
# Schemathesis's default statuses for refusing invalid data, and 413: a body over the size limit
# (a list of upload parts longer than its maxItems, say) is refused before it is read.
NEGATIVE_DATA_REJECTIONS = [
    "400",
    "401",
    "403",
    "404",
    "405",
    "406",
    "409",
    "413",
    "415",
    "422",
    "428",
    "429",
    "5xx",
]

# Only rules that JSON Schema cannot state belong here. A missing length, pattern or range, or an
# undocumented status, is a bug in the OpenAPI: fix the schema or the route instead.
STATE = "depends on what exists in the database"
SELF = "depends on who calls (the caller's own id)"
ROLE = "depends on who calls (the caller's role)"
CROSS = "a rule between two fields"
SECRET = "only the server can make a valid one (signed or random)"
CLOCK = "depends on the clock"
CONFIG = "depends on the server's settings"
HOST = "host names (DNS labels, IDNA) and public addresses (IPv4 in all its written forms)"
LINK = "a sequence's next step after a refused one: schemathesis sends the missing id as the text None"
KIND = "depends on the route's kind of file (its types, extensions, size limit and purposes)"
ANY_OPERATION = "*"  # every operation (with a link or an upload field, or an id in its path)


def _refused(operations: tuple[str, ...], refusal: str, reason: str) -> tuple[Exclusion, ...]:
    return tuple(Exclusion(operation, ACCEPTANCE, refusal, reason) for operation in operations)


_GIG_LISTS = ("GET /v1/gigs", "GET /v1/search/gigs")
_PROJECT_LISTS = ("GET /v1/projects", "GET /v1/search/projects")
_CATEGORY_WRITES = ("POST /v1/admin/categories", "PUT /v1/admin/categories/{category_id}")
_GIG_WRITES = ("POST /v1/gigs", "PUT /v1/gigs/{gig}")
_PACKAGE_WRITES = (
    "POST /v1/gigs",
    "POST /v1/gigs/{gig}/packages",
    "PUT /v1/gigs/{gig}/packages/{package_id}",
)
_PROJECT_WRITES = ("POST /v1/projects", "PUT /v1/projects/{project_id}")
_PROPOSAL_WRITES = ("POST /v1/proposals", "PUT /v1/proposals/{proposal_id}")
_COMMENT_WRITES = ("POST /v1/deliveries/{delivery_id}/comments",)
_MILESTONE_EDITS = ("PUT /v1/milestones/{milestone_id}", "PUT /v1/orders/{order_id}/milestones")
_UPLOAD_STARTS = ("POST /v1/uploads/video", "POST /v1/uploads/image", "POST /v1/uploads/document")
_WITHDRAWALS = ("POST /v1/payments/me/withdraw", "GET /v1/payments/me/withdrawals/quote")
_PAYOUT_LINKS = (
    "POST /v1/payments/payout-methods/confirm",
    "GET /v1/payments/payout-methods/mollie/callback",
)

EXCLUSIONS: tuple[Exclusion, ...] = (
    # The video tools: a subject-following crop re-frames, so it needs the aspect to re-frame to;
    # a clip goes to the portfolio (no target) or to a gig or an order (its id).
    *_refused(("POST /v1/video-jobs/trim",), "crop `subject` needs an `aspect`", CROSS),
    *_refused(("POST /v1/video-jobs/{job_id}/results/{index}/attach",), "target_id is needed", CROSS),
    # Ranges given as two fields: min ≤ max, and both budgets in one currency.
    *_refused(_GIG_LISTS, "invalid_price_range", CROSS),
    *_refused(_PROJECT_LISTS, "invalid_budget_range", CROSS),
    *_refused(_PROJECT_WRITES, "invalid_budget_range", CROSS),
    *_refused(_PROJECT_WRITES, "currency_mismatch", CROSS),
    *_refused(_PROPOSAL_WRITES, "currency_mismatch", STATE + " (the project's currency)"),
    # A package's tier under either name (`tier`, `name`): the two must agree.
    *_refused(_PACKAGE_WRITES, "name and tier name different tiers", CROSS),
    # A package's video spec: a duration range's min ≤ max (catalog/video_spec.py).
    *_refused(_PACKAGE_WRITES, "min_seconds must not exceed max_seconds", CROSS),
    # A proposal's price and days under either name: one of each pair is needed.
    *_refused(("POST /v1/proposals",), "(or proposed_price) is required", CROSS),
    *_refused(("POST /v1/proposals",), "(or delivery_time) is required", CROSS),
    *_refused(_PROPOSAL_WRITES, "are one field: send one", CROSS),
    *_refused(("POST /v1/conversations",), "a conversation is about an order or a project, not both", CROSS),
    # Ids that must name an existing object of the right kind.
    *_refused(_CATEGORY_WRITES, "invalid_parent", STATE),
    *_refused(("POST /v1/admin/categories/reorder",), "invalid_parent", STATE),
    *_refused(("POST /v1/admin/categories/reorder",), "reorder_mismatch", STATE + " (all the siblings)"),
    *_refused(
        ("PUT /v1/proposals/{proposal_id}",),
        "proposal_milestones_do_not_add_up",
        STATE + " (the milestones the proposal keeps)",
    ),
    *_refused((*_GIG_WRITES, *_PROJECT_WRITES), "invalid_category", STATE),
    *_refused((*_GIG_WRITES, *_PROJECT_WRITES), "invalid_subcategory", STATE),
    *_refused(("POST /v1/payments/checkout",), "invalid_checkout_target", STATE),
    # A refund request names one target, in its order's currency, for at most what escrow holds.
    *_refused(("POST /v1/payments/refunds",), "invalid_refund_target", CROSS),
    *_refused(("POST /v1/payments/refunds",), "currency_mismatch", STATE + " (the order's currency)"),
    *_refused(("POST /v1/payments/refunds",), "refund_exceeds_escrow", STATE + " (what escrow holds)"),
    # Milestone edits keep the order's total (other milestones' amounts), in the order's currency.
    *_refused(_MILESTONE_EDITS, "milestone_total_mismatch", STATE + " (the other milestones)"),
    *_refused(_MILESTONE_EDITS, "currency_mismatch", STATE + " (the order's currency)"),
    *_refused(("PUT /v1/orders/{order_id}/milestones",), "duplicate_milestone", CROSS + " (ids in a list)"),
    *_refused(("POST /v1/projects/{project_id}/invites",), "invalid_invitee", STATE),
    *_refused(("POST /v1/reports",), "invalid_target_id", STATE),
    *_refused(("POST /v1/conversations",), "not_in_context", STATE),
    # A comment on a delivery: a new thread has a timecode, a reply takes its thread's (and no
    # position of its own); a position is both x and y. Replies go to threads, at the video's times.
    *_refused(_COMMENT_WRITES, "timecode_ms is required on a comment that is not a reply", CROSS),
    *_refused(_COMMENT_WRITES, "a reply has no position of its own", CROSS),
    *_refused(_COMMENT_WRITES, "send both x and y, or neither", CROSS),
    *_refused(_COMMENT_WRITES, "timecode_past_video", STATE + " (the delivered video's length)"),
    *_refused(_COMMENT_WRITES, "reply_to_reply", STATE),
    *_refused(("POST /v1/orders/{order_id}/request-revision",), "comments_not_in_order", STATE),
    # The video tools: a range within the source (its length), hooks' min ≤ max.
    *_refused(("POST /v1/video-jobs/trim",), "invalid_trim_range", STATE + " (the source's length)"),
    *_refused(("POST /v1/video-jobs/auto-hooks",), "invalid_hook_lengths", CROSS),
    # Oneself is never a valid other party.
    *_refused(("POST /v1/conversations",), "cannot_message_yourself", SELF),
    *_refused(("POST /v1/users/{user_id}/block",), "cannot_block_yourself", SELF),
    *_refused(("POST /v1/reports",), "cannot_report_yourself", SELF),
    # An admin removing a review says why; its author withdrawing it need not.
    *_refused(("DELETE /v1/reviews/{review_id}",), "removal_reason_required", ROLE),
    # Tokens and cursors the server made.
    *_refused(
        ("POST /v1/auth/verify-email", "POST /v1/auth/reset-password", "POST /v1/auth/confirm-email"),
        "invalid_link",
        SECRET,
    ),
    # Moving the account to the address it has already.
    *_refused(("POST /v1/users/me/email",), "same_email", STATE),
    *_refused(("POST /v1/payments/webhook/stripe",), "invalid_signature", SECRET),
    *_refused(("POST /v1/payments/webhooks/paypal",), "invalid_paypal_signature", SECRET),
    # A checkout's method must be one the configured providers offer for the order's currency.
    *_refused(("POST /v1/payments/checkout",), "payment_method_unavailable", CONFIG + " and " + STATE),
    *_refused(("POST /v1/payments/checkout",), "venmo_requires_usd", STATE + " (the order's currency)"),
    # Form bodies may carry fields the schema does not name, and schemathesis sends some with a
    # NUL in their names; the body is refused whole (text cannot hold a NUL).
    *_refused(
        ("POST /v1/payments/webhook", "POST /v1/payments/webhook/subscriptions"),
        "control_characters",
        "a NUL in a form field the schema does not name",
    ),
    *_refused(
        ("GET /v1/conversations", "GET /v1/webhooks/endpoints/{endpoint_id}/deliveries", *_GIG_LISTS),
        "invalid_cursor",
        SECRET,
    ),
    # How deep page numbers reach depends on the page size (and on `q`); a cursor is for sorted
    # lists, not for relevance to a query.
    *_refused(_GIG_LISTS, "page_too_deep", CROSS),
    *_refused(("GET /v1/search/gigs",), "no_cursor_for_relevance", CROSS),
    # "In the future" moves with the clock.
    *_refused(_PROJECT_WRITES, "deadline must be in the future", CLOCK),
    *_refused(_PROJECT_WRITES, "deadline must be within three years", CLOCK),
    # A gig has at most one package per tier: unique by one field of the items.
    *_refused(("POST /v1/gigs",), "each tier (basic, standard, premium) at most once", CROSS),
    # Gig prices are in the platform currency.
    *_refused(_PACKAGE_WRITES, "unsupported_currency", CONFIG + " (DEFAULT_CURRENCY)"),
    # A withdrawal (and its quote): in the platform currency, at least MINIMUM_PAYOUT, and more
    # than the payout fee.
    *_refused(_WITHDRAWALS, "below_minimum_payout", CONFIG + " (MINIMUM_PAYOUT)"),
    *_refused(_WITHDRAWALS, "currency_mismatch", CONFIG + " (the platform currency)"),
    *_refused(_WITHDRAWALS, "amount_below_payout_fee", CONFIG + " (PAYOUT_FEES)"),
    # A payout method's fields go with its provider (paypal_email, venmo_handle); Venmo is US/USD only.
    *_refused(("POST /v1/payments/me/payout-methods",), "invalid_payout_method", CROSS + " and " + CONFIG),
    *_refused(_PAYOUT_LINKS, "invalid_onboarding_link", SECRET),
    # An upload's declaration is read against its kind's rules (media/rules.py); a file used
    # elsewhere must be the caller's, ready, and made for that place.
    *_refused(_UPLOAD_STARTS, "upload_type_not_allowed", KIND),
    *_refused(_UPLOAD_STARTS, "upload_too_large", KIND),
    *_refused(_UPLOAD_STARTS, "upload_kind_not_allowed", KIND),
    *_refused(_UPLOAD_STARTS, "upload_target_not_allowed", CROSS + " (the purpose and target_id)"),
    *_refused(_UPLOAD_STARTS, "upload_target_required", CROSS + " (the purpose and target_id)"),
    *_refused((ANY_OPERATION,), "upload_purpose_mismatch", STATE + " (what the upload was made for)"),
    *_refused((ANY_OPERATION,), "upload_kind_mismatch", STATE + " (the uploaded file's kind)"),
    *_refused((ANY_OPERATION,), "invalid character: found `N` at 0", LINK),
    # A link's pattern states its scheme and shape (core/schemas.PublicUrl); its host needs the validator.
    *_refused((ANY_OPERATION,), "must have a host name", HOST),
    *_refused((ANY_OPERATION,), "must have a valid host name", HOST),
    *_refused((ANY_OPERATION,), "must have a valid IPv6 address", HOST),
    *_refused((ANY_OPERATION,), "must have a valid port", HOST),
    *_refused((ANY_OPERATION,), "must point to a public", HOST),
    # A webhook's URL is resolved, and each address checked (billing/net_guard.py).
    *_refused(
        ("POST /v1/webhooks/endpoints", "PUT /v1/webhooks/endpoints/{endpoint_id}"),
        "webhook_url_not_allowed",
        HOST,
    ),
    # An admin's ranges and dates: from before to; a suspension ends in the future.
    *_refused(("GET /v1/admin/users",), "invalid_date_range", CROSS),
    # Analytics: from before to (today without `to`), and at most so many days per interval.
    *_refused(("GET /v1/admin/analytics",), "invalid_date_range", CROSS + " (or with the clock)"),
    *_refused(("GET /v1/admin/analytics",), "analytics_range_too_long", CROSS + " (the interval's limit)"),
    *_refused(("PUT /v1/admin/users/{user_id}/suspend",), "suspension_end_in_past", CLOCK),
    *_refused(("POST /v1/api-keys",), "api_key_expiry_in_past", CLOCK),
    # A report is resolved once: after the first resolution, the next is refused.
    *_refused(("PUT /v1/admin/reports/{report_id}/resolve",), "report_already_resolved", STATE),
    # Plans are data: Free (price 0) is never bought, and a plan's price stays in its currency.
    *_refused(("POST /v1/billing/checkout",), "free_plan_not_purchasable", STATE + " (the plans)"),
    *_refused(("PUT /v1/admin/plans/{code}",), "currency_mismatch", STATE + " (the plan's currency)"),
    # DELETE of a conversation archives it for the caller only: it stays theirs to read, marked
    # archived, and a new message brings it back to the list (messaging/service.py).
    Exclusion(
        "GET /v1/conversations/{conversation_id}",
        "use_after_free",
        '"archived":true',
        "DELETE archives a conversation for its caller; it stays readable, marked archived",
    ),
)

# Operations that end the caller's session or account, or change its role. Run with the role's own
# token they would log it out (or change it) half-way through the run, so each of their cases gets
# a throwaway account of its own (of the same role; admins cannot be registered through the API,
# so a throwaway client there).
SESSION_ENDERS = frozenset(
    {
        "POST /v1/auth/logout",
        "DELETE /v1/users/me",
        "DELETE /v1/users/me/sessions/{session_id}",
        "POST /v1/users/me/password",  # ends the account's other sessions
        "POST /v1/users/me/role",  # the account would be a hybrid for the rest of the run
    }
)


# --- the server ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _reelbyte_command() -> list[str]:
    script = Path(sys.executable).with_name("reelbyte")
    if script.exists():
        return [str(script)]
    uv = shutil.which("uv")
    assert uv is not None, "neither the reelbyte script nor uv is on PATH"
    return [uv, "run", "reelbyte"]


def _server_env(database_url: str, redis_url: str, data_dir: Path, base: str) -> dict[str, str]:
    """The test process's environment, pointed at this run's database, with limits out of the way."""
    dropped = {"DATABASE_URL", "REDIS_URL", "SMTP_HOST", "SMTP_PORT"}
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("TEST_")}
    env.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "REELBYTE_DATA_DIR": str(data_dir),
            "PUBLIC_URL": base,
            "ENVIRONMENT": "test",
            "EMAIL_BACKEND": "console",
            "LOG_JSON": "true",
            "LOG_LEVEL": "WARNING",
            "ARGON2_TIME_COST": "1",
            "ARGON2_MEMORY_KIB": "1024",
            # The fuzzer sends thousands of requests from one address: no limit may trip.
            "RATE_LIMIT_PUBLIC": "1000000/minute",
            "RATE_LIMIT_AUTHENTICATED": "1000000/minute",
            "RATE_LIMIT_CREATOR": "1000000/minute",
            "RATE_LIMIT_LOGIN": "1000000/minute",
            "RATE_LIMIT_REGISTER": "1000000/hour",
            "RATE_LIMIT_MESSAGES": "1000000/hour",
            # The Stripe webhook checks signatures only when it has a secret; without one it answers
            # 503 to everything, and the fuzzer would never reach the signature check.
            "STRIPE_WEBHOOK_SECRET": "whsec_fuzz-only-not-a-real-secret",
            # Likewise PayPal's: configured, so deliveries reach the check of their (missing)
            # transmission headers, which refuses them before any call to PayPal.
            "PAYPAL_CLIENT_ID": "fuzz-only-client",
            "PAYPAL_CLIENT_SECRET": "fuzz-only-secret",
            "PAYPAL_WEBHOOK_ID": "fuzz-only-webhook",
        }
    )
    return env


@dataclass
class Server:
    base: str
    env: dict[str, str]
    log: Path


@contextlib.contextmanager
def _fresh_database(session_database_url: str) -> Iterator[str]:
    """A new, empty database on the session's PostgreSQL server (TEST_DATABASE_URL or the embedded one)."""
    url = make_url(session_database_url)
    admin_dsn = libpq_url(url.set(database="postgres").render_as_string(hide_password=False))
    name = f"reelbyte_fuzz_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def server(server_urls: tuple[str, str], settings: Settings) -> Iterator[Server]:
    """`reelbyte serve --migrate` on a fresh database and a free port, without the job worker."""
    session_database_url, redis_url = server_urls
    data_dir = Path(tempfile.mkdtemp(prefix="rb-fuzz-", dir="/tmp"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with _fresh_database(session_database_url) as database_url:
        env = {**_server_env(database_url, redis_url, data_dir, base), **s3_env(settings)}
        log = data_dir / "serve.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [*_reelbyte_command(), "serve", "--port", str(port), "--migrate", "--no-worker", "--no-web"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_ready(base, process, log)
            yield Server(base=base, env=env, log=log)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(10)
            shutil.rmtree(data_dir, ignore_errors=True)


def _wait_ready(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    with httpx.Client(timeout=2) as http:
        while time.monotonic() < deadline:
            assert process.poll() is None, f"serve exited with {process.returncode}\n{log.read_text()}"
            with contextlib.suppress(httpx.TransportError):
                if http.get(f"{base}/health/ready").status_code == 200:
                    return
            time.sleep(0.2)
    raise AssertionError(f"/health/ready not 200 within {START_TIMEOUT:.0f}s\n{log.read_text()}")


# --- accounts and a little data -----------------------------------------------------------------


@dataclass
class World:
    """The accounts and the ids the fuzzer draws path parameters and body ids from."""

    tokens: dict[str, str]
    ids: dict[str, list[str | int]] = field(default_factory=lambda: defaultdict(list))
    users: dict[str, dict[str, Any]] = field(default_factory=dict)


def _check(response: httpx.Response, *expected: int) -> dict[str, Any]:
    assert response.status_code in expected, (
        f"{response.request.method} {response.request.url.path}: {response.status_code} {response.text}"
    )
    return dict(response.json()) if response.content else {}


def _register(http: httpx.Client, role: str) -> dict[str, Any]:
    name = f"fuzz-{role}-{uuid.uuid4().hex[:8]}"
    body = {
        "email": f"{name}@example.com",
        "username": name,
        "password": PASSWORD,
        "full_name": f"Fuzz {role.title()}",
        "role": role,
    }
    return _check(http.post("/v1/auth/register", json=body), 201)


def _login(http: httpx.Client, email: str) -> str:
    tokens = _check(http.post("/v1/auth/login", json={"email": email, "password": PASSWORD}), 200)
    return str(tokens["access_token"])


def _create_admin(server: Server) -> str:
    """An admin, made the only way admins are made: the `reelbyte users create-admin` command."""
    name = f"fuzz-admin-{uuid.uuid4().hex[:8]}"
    email = f"{name}@example.com"
    made = subprocess.run(
        [
            *_reelbyte_command(),
            "users",
            "create-admin",
            "--email",
            email,
            "--username",
            name,
            "--password",
            PASSWORD,
        ],
        cwd=PROJECT_ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert made.returncode == 0, f"create-admin failed:\n{made.stdout}\n{made.stderr}"
    return email


def _admin_login(http: httpx.Client, email: str) -> str:
    response = http.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, (
        f"`reelbyte users create-admin` succeeded, but the admin cannot log in: {response.text}"
    )
    return str(response.json()["access_token"])


@pytest.fixture(scope="module")
def world(server: Server) -> World:
    return _make_world(server)


def _verify_emails(server: Server, *users: dict[str, Any]) -> None:
    """As if each had followed the e-mailed link: ordering, publishing, proposing and withdrawing
    need a verified address."""
    with psycopg.connect(libpq_url(server.env["DATABASE_URL"]), autocommit=True) as conn:
        conn.execute(
            "UPDATE users SET email_verified_at = now() WHERE id = ANY(%s)",
            ([uuid.UUID(user["id"]) for user in users],),
        )


def _make_world(server: Server) -> World:
    with httpx.Client(base_url=server.base, timeout=15) as http:
        creator, client, hybrid = (_register(http, role) for role in ("creator", "client", "hybrid"))
        _verify_emails(server, creator, client, hybrid)
        world = World(
            tokens={
                "creator": _login(http, creator["email"]),
                "client": _login(http, client["email"]),
                "hybrid": _login(http, hybrid["email"]),
                "admin": _admin_login(http, _create_admin(server)),
            },
            users={"creator": creator, "client": client},
        )
        _make_data(http, world)
    return world


def _make_data(http: httpx.Client, world: World) -> None:
    """A gig with a package, a portfolio item, a project with a proposal and an invite, an order with
    a checkout, a conversation with a message, a report: one of each, so that ids exist for the fuzzer."""
    as_creator = {"Authorization": f"Bearer {world.tokens['creator']}"}
    as_client = {"Authorization": f"Bearer {world.tokens['client']}"}
    creator_id, client_id = world.users["creator"]["id"], world.users["client"]["id"]
    ids = world.ids
    ids["user_id"] += [creator_id, client_id]
    ids["creator_id"].append(creator_id)
    ids["participant_id"] += [creator_id, client_id]

    categories = http.get("/v1/categories").json()
    category = categories[0]
    ids["category"].append(category["slug"])
    ids["category_id"] += [category["id"], *(child["id"] for child in category.get("children", [])[:1])]

    gig = _check(
        http.post(
            "/v1/gigs",
            headers=as_creator,
            json={
                "title": "Wedding highlight reels",
                "description": "A three-minute highlight film from your raw wedding footage.",
                "category_id": category["id"],
                "tags": ["wedding", "highlights"],
                "packages": [
                    {
                        "tier": "basic",
                        "description": "A one-minute cut with music.",
                        "price": {"currency": "EUR", "value": "80.00"},
                        "delivery_days": 3,
                    }
                ],
            },
        ),
        201,
    )
    package_id = gig["packages"][0]["id"]
    ids["gig"] += [gig["id"], gig["slug"]]
    ids["gig_id"].append(gig["id"])
    ids["package_id"].append(package_id)

    item = _check(
        http.post(
            "/v1/users/me/portfolio",
            headers=as_creator,
            json={"title": "Lisbon teaser", "video_url": "https://vimeo.com/123456789"},
        ),
        201,
    )
    ids["item_id"].append(item["id"])

    project = _check(
        http.post(
            "/v1/projects",
            headers=as_client,
            json={
                "title": "Edit a travel vlog",
                "description": "Two hours of GoPro footage from Lisbon; fast cuts and captions.",
                "category_id": category["id"],
                "budget_min": {"currency": "EUR", "value": "200.00"},
                "budget_max": {"currency": "EUR", "value": "450.00"},
                "deadline": (datetime.now(UTC) + timedelta(days=60)).isoformat(),
            },
        ),
        201,
    )
    ids["project_id"].append(project["id"])
    _check(
        http.post(
            f"/v1/projects/{project['id']}/invites", headers=as_client, json={"creator_id": creator_id}
        ),
        200,
        201,
    )

    proposal = _check(
        http.post(
            "/v1/proposals",
            headers=as_creator,
            json={
                "project_id": project["id"],
                "cover_letter": "I cut travel vlogs every week.",
                "price": {"currency": "EUR", "value": "300.00"},
                "delivery_days": 7,
            },
        ),
        201,
    )
    ids["proposal_id"].append(proposal["id"])

    order = _check(
        http.post("/v1/orders", headers=as_client, json={"gig_id": gig["id"], "package_id": package_id}),
        201,
    )
    ids["order_id"].append(order["id"])
    payment = _check(
        http.post("/v1/payments/checkout", headers=as_client, json={"order_id": order["id"]}), 201
    )
    ids["payment_id"].append(payment["payment_id"])

    conversation = _check(
        http.post(
            "/v1/conversations",
            headers=as_client,
            json={"participant_id": creator_id, "message": "Hi! Could you cut a teaser?"},
        ),
        200,
        201,
    )
    ids["conversation_id"].append(conversation["id"])
    messages = _check(http.get(f"/v1/conversations/{conversation['id']}/messages", headers=as_client), 200)
    ids["message_id"] += [message["id"] for message in messages["items"][:1]]

    notifications = _check(http.get("/v1/notifications", headers=as_creator), 200)
    ids["notification_id"] += [notification["id"] for notification in notifications["items"][:1]]

    # A report on an account of its own, so that whatever the admin's resolution (a suspension,
    # a hidden profile) touches nobody the runs act as.
    reported = _register(http, "client")
    report = _check(
        http.post(
            "/v1/reports",
            headers=as_client,
            json={"target_type": "user", "target_id": reported["id"], "reason": "Spam"},
        ),
        201,
    )
    ids["report_id"].append(report["id"])


# --- one run ------------------------------------------------------------------------------------

# Where each id is used: path parameters by name, and the body fields that refer to other objects.
PATH_PARAMETERS = (
    "user_id",
    "creator_id",
    "item_id",
    "category",
    "category_id",
    "gig",
    "package_id",
    "project_id",
    "proposal_id",
    "order_id",
    "payment_id",
    "conversation_id",
    "message_id",
    "notification_id",
    "report_id",
)
BODY_FIELDS = ("project_id", "gig_id", "package_id", "participant_id", "order_id", "creator_id")
ID_PROBABILITY = 0.5  # how often a generated id is replaced by one that exists


def _config(run: Run, base: str, world: World, workers: int) -> schemathesis.Config:
    dictionaries = {f"ids_{name}": {"values": values} for name, values in world.ids.items() if values}
    parameters: dict[str, Any] = {}
    for location, names in (("path", PATH_PARAMETERS), ("body", BODY_FIELDS)):
        for name in names:
            if f"ids_{name}" in dictionaries:
                parameters[f"{location}.{name}"] = {
                    "dictionary": f"ids_{name}",
                    "probability": ID_PROBABILITY,
                }
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "base-url": base,
            "request-timeout": REQUEST_TIMEOUT,
            "workers": workers,
            "warnings": False,
            # Keep testing an operation after a failure, so every distinct cause is seen.
            "continue-on-failure": True,
            "generation": {"deterministic": True, "max-examples": MAX_EXAMPLES},
            "phases": {
                "examples": {"enabled": "examples" in run.phases},
                "coverage": {"enabled": "coverage" in run.phases},
                "fuzzing": {"enabled": "fuzzing" in run.phases},
                # Sequences create what they then read, change and delete.
                "stateful": {
                    "enabled": "stateful" in run.phases,
                    "max-steps": STATEFUL_STEPS,
                    "generation": {"max-examples": STATEFUL_EXAMPLES},
                },
            },
            "checks": {
                "enabled": True,
                "negative_data_rejection": {"expected-statuses": NEGATIVE_DATA_REJECTIONS},
            },
            "dictionaries": dictionaries,
            "parameters": parameters,
        }
    )


@dataclass(frozen=True)
class Found:
    role: str
    check: str
    operation: str
    status: int | None
    cause: str
    message: str
    curl: str
    response: str


@dataclass
class Outcome:
    role: str
    operations: set[str] = field(default_factory=set)
    cases: int = 0
    seconds: float = 0.0
    stopped_early: bool = False
    errors: list[str] = field(default_factory=list)
    failures: dict[tuple[str, str, str], Found] = field(default_factory=dict)
    excluded: dict[tuple[str, str, str], tuple[Found, Exclusion]] = field(default_factory=dict)


def _role_auth(role: str, world: World, base: str) -> Any:
    """The auth provider of one run: the role's token, and a fresh account for SESSION_ENDERS."""
    http = httpx.Client(base_url=base, timeout=15)

    class RoleAuth:
        def get(self, case: Any, context: Any) -> str | None:
            if case.operation.label in SESSION_ENDERS:
                throwaway_role = role if role in ("creator", "client", "hybrid") else "client"
                return _login(http, _register(http, throwaway_role)["email"])
            return world.tokens[role]

        def set(self, case: Any, data: str | None, context: Any) -> None:
            if data is not None:
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    return RoleAuth


# CPython 3.11's `ast` can fail this way when schemathesis's worker threads compile at the same
# time: the interpreter's doing, not the API's. An operation whose only trouble it was runs again,
# in one worker (no other thread compiling beside it), up to GLITCH_RETRIES times.
INTERPRETER_GLITCH = "AST constructor recursion depth mismatch"
GLITCH_RETRIES = 3


def _run(run: Run, base: str, world: World) -> Outcome:
    outcome = _run_once(run, base, world)
    for _ in range(GLITCH_RETRIES):
        glitched = {error.split(": ", 1)[0] for error in outcome.errors if INTERPRETER_GLITCH in error}
        for label in glitched:
            again = _run_once(run, base, world, only=label, workers=1)
            outcome.errors = [e for e in outcome.errors if not e.startswith(f"{label}: ")] + again.errors
            outcome.failures.update(again.failures)
            outcome.cases += again.cases
    return outcome


def _run_once(run: Run, base: str, world: World, only: str | None = None, workers: int = WORKERS) -> Outcome:
    config = _config(run, base, world, workers)
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json", config=config)
    if only is not None:
        method, path = only.split(" ", 1)
        schema = schema.include(method=method, path=path)
    if run.admin_paths is True:
        schema = schema.include(path_regex="^/v1/admin/")
    elif run.admin_paths is False:
        schema = schema.exclude(path_regex="^/v1/admin/")
    if run.role != "anonymous":
        schema.auth(refresh_interval=None)(_role_auth(run.role, world, base))
    outcome = Outcome(role=run.name)
    started = time.monotonic()
    stream = from_schema(schema).execute()
    for event in stream:
        if time.monotonic() - started > RUN_BUDGET and not outcome.stopped_early:
            outcome.stopped_early = True
            stream.stop()
        if isinstance(event, events.ScenarioFinished):
            _record(outcome, event.recorder)
        elif isinstance(event, events.NonFatalError):
            outcome.errors.append(f"{event.label}: {event.info.title}: {event.info.message}")
        elif isinstance(event, events.FatalError):
            outcome.errors.append(f"fatal: {event.exception!r}")
    outcome.seconds = time.monotonic() - started
    return outcome


def _record(outcome: Outcome, recorder: Any) -> None:
    outcome.cases += len(recorder.interactions)
    for case_id, nodes in recorder.checks.items():
        case = recorder.cases[case_id].value
        operation = case.operation.label
        outcome.operations.add(operation)
        for node in nodes:
            if node.failure_info is None:
                continue
            found = _describe(outcome.role, node.name, operation, recorder, case_id, node.failure_info)
            key = (found.check, found.operation, found.cause)
            exclusion = _excluded(found)
            if exclusion is not None:
                outcome.excluded.setdefault(key, (found, exclusion))
            else:
                outcome.failures.setdefault(key, found)


def _describe(role: str, check: str, operation: str, recorder: Any, case_id: str, info: Any) -> Found:
    failure = info.failure
    message = " ".join((failure.message or failure.title or "").split())
    response = recorder.find_response(case_id=case_id)
    status = response.status_code if response is not None else None
    body = ""
    if response is not None:
        with contextlib.suppress(Exception):
            body = response.content.decode("utf-8", "replace")
    return Found(
        role=role,
        check=check,
        operation=operation,
        status=status,
        cause=_cause(check, status, body, message),
        message=message[:300],
        curl=(info.steps[-1].curl if info.steps else "")[:600],
        response=body[:2000],
    )


def _cause(check: str, status: int | None, body: str, message: str) -> str:
    """What tells one failure from another of the same check and operation: the status and the
    error code, with the first field and message of a validation error; else the check's message."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    code = data.get("error") if isinstance(data, dict) else None
    if check in ("positive_data_acceptance", "status_code_conformance", "not_a_server_error") and code:
        details = data.get("details") if isinstance(data, dict) else None
        if code == "validation_error" and isinstance(details, list) and details:
            first = details[0]
            where = ".".join(str(part) for part in first.get("loc", []) if not isinstance(part, int))
            return f"{status} {code}: {where}: {first.get('msg', '')}"
        return f"{status} {code}"
    return f"{status} {message[:160]}"


def _excluded(found: Found) -> Exclusion | None:
    """The exclusion that explains this refusal; for a validation error, every one of its
    problems must be explained (by any exclusion of the operation), so that an unexcused
    problem never hides behind an excused one in the same answer."""
    own = [
        exclusion
        for exclusion in EXCLUSIONS
        if exclusion.operation in (found.operation, ANY_OPERATION) and exclusion.check == found.check
    ]
    matching = [exclusion for exclusion in own if exclusion.refusal in found.response]
    if not matching:
        return None
    for problem in _validation_problems(found.response):
        if not any(exclusion.refusal in problem for exclusion in own):
            return None
    return matching[0]


def _validation_problems(body: str) -> list[str]:
    try:
        data = json.loads(body)
    except ValueError:
        return []
    details = (
        data.get("details") if isinstance(data, dict) and data.get("error") == "validation_error" else None
    )
    return [json.dumps(problem) for problem in details] if isinstance(details, list) else []


# --- the report ---------------------------------------------------------------------------------


def _summary(outcomes: list[Outcome]) -> str:
    merged: dict[tuple[str, str, str], list[Found]] = defaultdict(list)
    for outcome in outcomes:
        for key, found in outcome.failures.items():
            merged[key].append(found)
    lines = [
        "| role | operations | cases | distinct failures | excluded | seconds |",
        "|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        early = " (stopped: over budget)" if o.stopped_early else ""
        lines.append(
            f"| {o.role} | {len(o.operations)} | {o.cases} | {len(o.failures)} | {len(o.excluded)} | "
            f"{o.seconds:.0f}{early} |"
        )
    operations = set().union(*(o.operations for o in outcomes))
    lines.append(
        f"| all | {len(operations)} | {sum(o.cases for o in outcomes)} | {len(merged)} "
        f"| {len({k for o in outcomes for k in o.excluded})} | {sum(o.seconds for o in outcomes):.0f} |"
    )
    per_check: dict[str, int] = defaultdict(int)
    per_operation: dict[tuple[str, str], list[tuple[str, ...]]] = defaultdict(list)
    for (check, operation, cause), found_list in merged.items():
        per_check[check] += 1
        per_operation[(check, operation)].append((cause, *sorted({f.role for f in found_list})))
    lines += [
        "",
        "Distinct failures per check (a cause on one operation counts once, whatever the roles):",
        "",
    ]
    lines += [f"- {check}: {count}" for check, count in sorted(per_check.items(), key=lambda kv: -kv[1])]
    lines += ["", "Per check and operation:", ""]
    for (check, operation), causes in sorted(per_operation.items()):
        lines.append(f"### {check} — {operation} ({len(causes)})")
        for cause, *roles in sorted(causes):
            example = merged[(check, operation, cause)][0]
            lines.append(f"- {cause} [{', '.join(roles)}]")
            if check not in ("status_code_conformance",):
                lines.append(f"  {example.message}")
            if example.curl:
                lines.append(f"  `{example.curl}`")
            if example.response:
                lines.append(f"  → {example.response[:300]}")
        lines.append("")
    errors = [f"[{o.role}] {error}" for o in outcomes for error in o.errors]
    if errors:
        lines += ["Errors (something could not be tested):", "", *(f"- {e}" for e in errors), ""]
    excluded = {key: pair for o in outcomes for key, pair in o.excluded.items()}
    if excluded:
        lines += ["Excluded (EXCLUSIONS):", ""]
        for (check, operation, cause), (_, exclusion) in sorted(excluded.items()):
            lines.append(f"- {check} — {operation}: {cause} ({exclusion.reason})")
    return "\n".join(lines)


# --- the test -----------------------------------------------------------------------------------


def test_the_published_api_holds_under_fuzzing(server: Server, world: World) -> None:
    outcomes = [_run(run, server.base, world) for run in RUNS]
    summary = _summary(outcomes)
    if report := os.environ.get("REELBYTE_FUZZ_REPORT"):
        Path(report).write_text(summary + "\n")
    assert all(o.operations and o.cases for o in outcomes), summary
    assert not any(o.stopped_early for o in outcomes), summary
    assert not any(o.failures or o.errors for o in outcomes), summary

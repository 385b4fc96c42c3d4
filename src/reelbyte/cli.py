"""The `reelbyte` command: serve, worker, migrate, seed, users, reports, ledger, analytics."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, cast

import typer
from rich.console import Console

from reelbyte.core.config import Settings, get_settings
from reelbyte.core.embedded import EmbeddedServices, S3Server
from reelbyte.core.logging import configure_logging
from reelbyte.core.telemetry import configure_telemetry, shutdown_telemetry

app = typer.Typer(help="ReelByte: the video-first freelance marketplace.", no_args_is_help=True)
users_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
app.add_typer(users_app, name="users")
ledger_app = typer.Typer(help="Inspect the money ledger.", no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")
reports_app = typer.Typer(help="Work the moderators' report queue.", no_args_is_help=True)
app.add_typer(reports_app, name="reports")
backup_app = typer.Typer(
    help="Back up the database (and list the stored files); restore it.", no_args_is_help=True
)
app.add_typer(backup_app, name="backup")
console = Console()


@contextlib.contextmanager
def resolved_services(settings: Settings, *, migrate: bool = False, storage: bool = False) -> Iterator[bool]:
    """Fill in DATABASE_URL / REDIS_URL (and, with `storage`, the S3 endpoint), starting the
    embedded servers for those unset.

    Yields whether the embedded database is in use; migrates it (always) or the configured
    one (when `migrate`). Stops what it started on the way out.
    """
    embedded = EmbeddedServices(settings.reelbyte_data_dir)
    try:
        embedded_db = settings.database_url is None
        if embedded_db:
            console.print(f"[dim]Starting embedded PostgreSQL in {embedded.data_dir}…[/dim]")
            settings.database_url = embedded.start_postgres()
        if settings.redis_url is None:
            console.print(f"[dim]Starting embedded Redis in {embedded.data_dir}…[/dim]")
            settings.redis_url = embedded.start_redis()
        if storage and settings.uses_embedded_s3:
            console.print(f"[dim]Starting embedded S3 (SeaweedFS) in {embedded.data_dir}…[/dim]")
            use_s3_server(settings, embedded.start_s3(settings.s3_bucket))
        if embedded_db or migrate:
            from reelbyte.core.migrate import upgrade

            assert settings.database_url is not None
            upgrade(settings.database_url)
        yield embedded_db
    finally:
        embedded.stop()


def use_s3_server(settings: Settings, server: S3Server) -> None:
    settings.s3_endpoint_url = server.endpoint_url
    settings.s3_access_key_id = server.access_key_id
    settings.s3_secret_access_key = server.secret_access_key


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo: Annotated[bool, typer.Option(help="Load the demo data set (idempotent).")] = False,
    migrate: Annotated[bool, typer.Option(help="Apply migrations to DATABASE_URL first.")] = False,
    worker: Annotated[
        bool | None,
        typer.Option(help="Run the job worker in this process (default: on the embedded database)."),
    ] = None,
    web: Annotated[
        bool, typer.Option(help="Serve the web app at / (built first when web/dist is missing or stale).")
    ] = True,
    build: Annotated[
        bool,
        typer.Option(help="Build a missing or stale web app first (--no-build: serve web/dist as it is)."),
    ] = True,
) -> None:
    """Serve the API (and, on the embedded default, the job worker)."""
    import uvicorn

    from reelbyte.core.runtime import Runtime
    from reelbyte.core.server import uvicorn_config
    from reelbyte.main import create_app
    from reelbyte.messaging.ws import MAX_FRAME_BYTES
    from reelbyte.webapp import WEB_DIST
    from reelbyte.webbuild import build_web_app

    settings = get_settings()
    configure_logging(settings.log_level, settings.logs_as_json)
    configure_telemetry(settings, service="reelbyte-api")
    with resolved_services(settings, migrate=migrate, storage=True) as embedded_db:
        base = f"http://{host}:{port}"
        if "public_url" not in settings.model_fields_set:
            settings.public_url = base  # links in e-mails (the demo accounts' too) point at this server
        if demo:
            _load_demo(settings)
        run_worker = embedded_db if worker is None else worker
        console.print(f"[bold green]ReelByte[/bold green] is serving on {base}")
        console.print(f"  API docs: {base}/docs   ReDoc: {base}/redoc   Health: {base}/health/ready")
        if web and (build_web_app(console.print) if build else (WEB_DIST / "index.html").is_file()):
            console.print(f"  Web app: {base}/")
        if run_worker:
            console.print("  Job worker: in this process")
        console.print("  Press Ctrl-C to stop.")
        application = create_app(settings, Runtime(settings, with_worker=run_worker), web_app=web)
        _tune_garbage_collector()
        # uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises the signal again for the
        # handler it found: make that (and a repeated Ctrl-C) a no-op, so that the embedded servers
        # are stopped below instead of the process dying with them still running.
        for stop_signal in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stop_signal, signal.SIG_IGN)
        server = uvicorn.Server(uvicorn_config(application, host, port, settings, MAX_FRAME_BYTES))
        server.run()
        shutdown_telemetry()
        if not server.started:  # the port is taken, say: uvicorn has logged why
            raise typer.Exit(code=3)
    console.print("[dim]Stopped.[/dim]")


def _tune_garbage_collector() -> None:
    """Keep the long-lived start-up objects out of every collection and collect less often: at
    Python's defaults a full collection stops the event loop for 80-180 ms every second or two
    under load (measured: bench/search_load.py --gc-tuned)."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


@app.command()
def worker(
    queues: Annotated[
        str | None,
        typer.Option(
            help="Only these queues, comma-separated (e.g. media). Default: all, media in a worker of its own."
        ),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Jobs run at once. Default: WORKER_CONCURRENCY (MEDIA_WORKER_CONCURRENCY for media).",
        ),
    ] = None,
    except_queues: Annotated[
        str | None,
        typer.Option(
            help="Every queue but these, comma-separated (e.g. media, beside a `--queues media` worker)."
        ),
    ] = None,
) -> None:
    """Run a job worker (start as many as you like)."""
    from reelbyte import registry
    from reelbyte.core.jobs import MEDIA_QUEUE, job_app, run_split_workers, run_worker
    from reelbyte.core.runtime import Runtime

    registry.load()
    settings = get_settings()
    configure_logging(settings.log_level, settings.logs_as_json)
    configure_telemetry(settings, service="reelbyte-worker")

    chosen = [queue.strip() for queue in queues.split(",") if queue.strip()] if queues else None
    if except_queues:
        if chosen is not None:
            console.print("[red]Pass --queues or --except-queues, not both.[/red]")
            raise typer.Exit(code=2)
        left_out = {queue.strip() for queue in except_queues.split(",")}
        chosen = sorted({task.queue for task in job_app.tasks.values()} - left_out)
    if chosen is None:
        slots = concurrency or settings.worker_concurrency
        described = f"all queues ({slots} at once) and media ({settings.media_worker_concurrency} at once)"
    else:
        slots = concurrency or (
            settings.media_worker_concurrency if chosen == [MEDIA_QUEUE] else settings.worker_concurrency
        )
        described = f"queues {', '.join(chosen)} ({slots} at once)"

    async def work() -> None:
        if chosen is None:
            await run_split_workers(
                concurrency=slots, media_concurrency=settings.media_worker_concurrency, name="worker"
            )
        else:
            await run_worker(concurrency=slots, queues=chosen)

    async def main() -> None:
        runtime = Runtime(settings)
        await runtime.start()
        task = asyncio.create_task(work())
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        try:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        finally:
            await runtime.stop()
            shutdown_telemetry()

    with resolved_services(settings, storage=True):
        console.print(f"[bold]Worker[/bold] running {described}; Ctrl-C to stop.")
        asyncio.run(main())


@app.command("migrate")
def migrate_command(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply the database migrations."""
    from reelbyte.core.migrate import upgrade

    settings = get_settings()
    with resolved_services(settings) as embedded_db:
        if not embedded_db:
            assert settings.database_url is not None
            upgrade(settings.database_url, revision)
    console.print(f"[green]Database migrated to {revision}.[/green]")


@app.command()
def seed(
    demo: Annotated[bool, typer.Option(help="Load the small demo data set (idempotent).")] = False,
    scale: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=5_000_000,
            help="Generate a large realistic catalog: N gigs, N/5 creators, N/5 projects (adds a new batch each run).",
        ),
    ] = None,
    random_seed: Annotated[
        int | None, typer.Option(help="Seed of the random generator, for a repeatable --scale catalog.")
    ] = None,
) -> None:
    """Load data: `--demo` for the demo accounts and their content, `--scale N` for a big catalog."""
    if not demo and scale is None:
        console.print("Nothing to do: pass --demo or --scale N.")
        raise typer.Exit(code=1)
    settings = get_settings()
    with resolved_services(settings):
        if demo:
            _load_demo(settings)
        if scale is not None:
            _load_scale(settings, scale, random_seed)


def _load_scale(settings: Settings, scale: int, random_seed: int | None) -> None:
    from reelbyte.seed_scale import SEED_PASSWORD, seed_scale

    assert settings.database_url is not None
    report = seed_scale(settings.database_url, scale, console=console, random_seed=random_seed)
    console.print(
        f"[bold]Scale data loaded[/bold] in {report.seconds:.1f}s (batch prefix {report.prefix}): "
        f"{report.gigs} gigs, {report.packages} packages, {report.creators} creators, "
        f"{report.clients} clients, {report.projects} projects, {report.invites} invites, "
        f"{report.search_terms} search terms."
    )
    console.print(f"  Seeded accounts log in with their e-mail and the password {SEED_PASSWORD}")


def _load_demo(settings: Settings) -> None:
    from reelbyte.seed import load_demo

    logins = asyncio.run(_with_runtime(settings, load_demo))
    console.print("[bold]Demo data loaded.[/bold] Log in with:")
    for email, password, role in logins:
        console.print(f"  {role:<8} {email}  /  {password}")


async def _with_runtime(settings: Settings, work):  # type: ignore[no-untyped-def]
    from reelbyte.core.runtime import Runtime

    runtime = Runtime(settings)
    await runtime.start()
    try:
        return await work()
    finally:
        await runtime.stop()


def _in_one_unit(work: Any) -> Any:
    """Run `work(session)` in one unit of work on the configured (or embedded) servers; an
    AppError (a taken e-mail, no such user, not allowed) is printed and exits 1."""
    from reelbyte.core.db import transaction
    from reelbyte.core.errors import AppError

    async def run() -> Any:
        return await transaction(work)

    settings = get_settings()
    with resolved_services(settings):
        try:
            return asyncio.run(_with_runtime(settings, run))
        except AppError as error:
            console.print(f"[red]{error.message}[/red]")
            raise typer.Exit(code=1) from None


@users_app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(prompt=True)],
    username: Annotated[str, typer.Option(prompt=True)],
    full_name: Annotated[str, typer.Option()] = "Administrator",
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
) -> None:
    """Make an admin account (admins are made only here)."""
    from pydantic import ValidationError

    from reelbyte.identity import service
    from reelbyte.identity.schemas import RegisterRequest

    try:
        checked = RegisterRequest(
            email=email, username=username, password=password, full_name=full_name, role="client"
        )
    except ValidationError as error:
        for problem in error.errors():
            console.print(f"[red]{'.'.join(map(str, problem['loc']))}: {problem['msg']}[/red]")
        raise typer.Exit(code=2) from None

    _in_one_unit(
        lambda session: service.create_admin(
            session, checked.email, checked.username, checked.password, checked.full_name
        )
    )
    console.print(f"[green]Admin {checked.username} created.[/green]")


AdminRef = Annotated[
    str, typer.Option("--admin", help="the admin acting (e-mail or username), for the audit log")
]


def _print_users(users: list[Any]) -> None:
    from rich.table import Table

    table = Table(
        "username", "e-mail", "role", "status", "verified", "orders (client/creator)", "open reports"
    )
    for user in users:
        table.add_row(
            user.username,
            user.email,
            user.role.value,
            user.status + (f" until {user.suspended_until:%Y-%m-%d}" if user.suspended_until else ""),
            "yes" if user.verified_at else "",
            f"{user.orders_as_client}/{user.orders_as_creator}",
            str(user.open_reports),
        )
    console.print(table)


@users_app.command("list")
def users_list(
    role: Annotated[str | None, typer.Option(help="creator, client, hybrid or admin")] = None,
    status: Annotated[str | None, typer.Option(help="active, suspended or deactivated")] = None,
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="part of the name, username or e-mail")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 50,
) -> None:
    """List accounts, newest first, as the admin console does."""
    from reelbyte.admin import service
    from reelbyte.admin.schemas import AccountStatus
    from reelbyte.core.pagination import PageParams
    from reelbyte.identity.models import Role

    roles, statuses = {r.value: r for r in Role}, {"active", "suspended", "deactivated"}
    if (role and role not in roles) or (status and status not in statuses):
        console.print(
            "[red]--role is creator, client, hybrid or admin; --status active, suspended or deactivated.[/red]"
        )
        raise typer.Exit(code=2)
    filters = service.UserFilters(
        role=roles[role] if role else None, status=cast(AccountStatus | None, status), q=query
    )
    page = _in_one_unit(
        lambda session: service.list_users(session, filters, PageParams(page=1, page_size=limit))
    )
    _print_users(page.items)
    console.print(f"[dim]{len(page.items)} of {page.total}[/dim]")


@users_app.command("suspend")
def users_suspend(
    user: Annotated[str, typer.Argument(help="e-mail or username")],
    reason: Annotated[str, typer.Option(help="shown to the user when log in is refused")],
    admin: AdminRef,
    until: Annotated[
        datetime | None, typer.Option(help="when it ends by itself (UTC), e.g. 2027-01-31T12:00")
    ] = None,
) -> None:
    """Suspend an account (as PUT /v1/admin/users/{id}/suspend)."""
    from reelbyte.admin import service
    from reelbyte.admin.schemas import SuspendRequest

    ends = until.replace(tzinfo=UTC) if until and until.tzinfo is None else until

    async def work(session: Any) -> Any:
        target = await service.find_user(session, user)
        acting = await service.find_admin(session, admin)
        return await service.suspend(session, acting, target.id, SuspendRequest(reason=reason, until=ends))

    _print_users([_in_one_unit(work)])


@users_app.command("unsuspend")
def users_unsuspend(user: Annotated[str, typer.Argument(help="e-mail or username")], admin: AdminRef) -> None:
    """Lift an account's suspension."""
    from reelbyte.admin import service

    async def work(session: Any) -> Any:
        target = await service.find_user(session, user)
        return await service.unsuspend(session, await service.find_admin(session, admin), target.id)

    _print_users([_in_one_unit(work)])


@users_app.command("verify")
def users_verify(
    user: Annotated[str, typer.Argument(help="e-mail or username")],
    admin: AdminRef,
    kind: Annotated[str, typer.Option(help="identity or portfolio")] = "identity",
    note: Annotated[str | None, typer.Option(help="what was checked")] = None,
) -> None:
    """Verify an account (the badge)."""
    from reelbyte.admin import service
    from reelbyte.admin.models import VerificationKind
    from reelbyte.admin.schemas import VerifyRequest

    if kind not in {k.value for k in VerificationKind}:
        console.print("[red]--kind is identity or portfolio.[/red]")
        raise typer.Exit(code=2)

    async def work(session: Any) -> Any:
        target = await service.find_user(session, user)
        acting = await service.find_admin(session, admin)
        return await service.verify(
            session, acting, target.id, VerifyRequest(kind=VerificationKind(kind), note=note)
        )

    _print_users([_in_one_unit(work)])


def _what_was_reported(item: Any) -> str:
    """A report's target on one line: what it is and whose."""
    preview = item.preview
    if preview is None:
        return "[deleted]"
    match preview.kind:
        case "message":
            return f"{preview.sender.username}: {preview.text}"
        case "review":
            return f"{preview.rating}* by {preview.author.username}: {preview.text}"
        case "gig":
            return f"{preview.title} by {preview.creator.username}"
        case "project":
            return f"{preview.title} by {preview.client.username}"
        case _:
            return f"{preview.username} ({preview.full_name})"


@reports_app.command("list")
def reports_list(
    status: Annotated[str, typer.Option(help="open, resolved or dismissed")] = "open",
    target_type: Annotated[str | None, typer.Option(help="user, gig, review, message or project")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 50,
) -> None:
    """List reports, oldest first, as GET /v1/admin/reports does."""
    from rich.table import Table

    from reelbyte.admin import reports
    from reelbyte.core.pagination import PageParams
    from reelbyte.messaging.models import ReportStatus, ReportTarget

    statuses, targets = {s.value: s for s in ReportStatus}, {t.value: t for t in ReportTarget}
    if status not in statuses or (target_type and target_type not in targets):
        console.print(
            "[red]--status is open, resolved or dismissed; --target-type user, gig, review, message or project.[/red]"
        )
        raise typer.Exit(code=2)
    page = _in_one_unit(
        lambda session: reports.report_queue(
            session,
            PageParams(page=1, page_size=limit),
            statuses[status],
            targets[target_type] if target_type else None,
        )
    )
    table = Table("reported at", "target", "what", "reporter", "reason", "open on target", "status")
    for item in page.items:
        table.add_row(
            f"{item.created_at:%Y-%m-%d %H:%M}",
            f"{item.target_type.value} {item.target_id}",
            _what_was_reported(item),
            item.reporter.username,
            item.reason,
            str(item.open_reports_on_target),
            item.status.value + (f" ({item.resolution_action.value})" if item.resolution_action else ""),
        )
    console.print(table)
    console.print(f"[dim]{len(page.items)} of {page.total}[/dim]")


@ledger_app.command("check")
def ledger_check() -> None:
    """Verify every ledger invariant; exit 1 and list the violations if any is broken."""
    from reelbyte.payments.ledger_check import INVARIANTS, check_and_record

    settings = get_settings()
    with resolved_services(settings):
        violations = asyncio.run(_with_runtime(settings, check_and_record))
    broken = {violation.invariant: violation for violation in violations}
    for invariant in INVARIANTS:
        if invariant.name in broken:
            console.print(f"[red]✗ {invariant.name}[/red]")
            for row in broken[invariant.name].rows:
                console.print(f"    {row}")
        else:
            console.print(f"[green]✓ {invariant.name}[/green]")
    if violations:
        raise typer.Exit(code=1)


@backup_app.command("create")
def backup_create(
    out: Annotated[Path, typer.Option(help="A new folder for the dump and its manifest.")],
) -> None:
    """pg_dump (custom format) of the database, and a manifest: row counts, revision, stored files."""
    from reelbyte.core.backup import BackupError, create_backup

    settings = get_settings()
    with resolved_services(settings, storage=True):
        try:
            manifest = create_backup(settings, out)
        except BackupError as error:
            console.print(f"[red]{error}[/red]")
            raise typer.Exit(code=1) from None
    console.print(
        f"[green]Backup written to {out}[/green]: {len(manifest.tables)} tables, "
        f"{sum(manifest.tables.values())} rows (revision {manifest.alembic_revision}), "
        f"{len(manifest.objects)} stored files ({manifest.object_bytes} bytes) listed."
    )


@backup_app.command("restore")
def backup_restore(
    folder: Annotated[Path, typer.Argument(help="A folder made by `reelbyte backup create`.")],
    database_url: Annotated[
        str, typer.Option(help="An empty database to restore into (postgresql+psycopg://…).")
    ],
) -> None:
    """Restore a backup into an empty database and check every table's row count against it."""
    from reelbyte.core.backup import BackupError, restore_backup

    try:
        manifest, mismatches = restore_backup(folder, database_url)
    except BackupError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(code=1) from None
    for mismatch in mismatches:
        console.print(
            f"[red]✗ {mismatch.table}: {mismatch.found} rows, the backup had {mismatch.expected}[/red]"
        )
    if mismatches:
        raise typer.Exit(code=1)
    console.print(
        f"[green]Restored the backup of {manifest.created_at}[/green] (revision {manifest.alembic_revision}): "
        f"all {len(manifest.tables)} tables hold the rows they had. "
        f"The manifest lists {len(manifest.objects)} stored files; the store keeps them."
    )


@app.command("analytics")
def analytics_command(
    start: Annotated[
        datetime | None,
        typer.Option("--from", formats=["%Y-%m-%d"], help="the first day (UTC); default: the default view's"),
    ] = None,
    end: Annotated[
        datetime | None,
        typer.Option("--to", formats=["%Y-%m-%d"], help="the last day, included; default: today"),
    ] = None,
    interval: Annotated[str, typer.Option(help="day, week or month")] = "day",
    fresh: Annotated[bool, typer.Option(help="compute now instead of reading the cache")] = False,
) -> None:
    """The marketplace's figures, as GET /v1/admin/analytics answers them (from the same cache)."""
    from reelbyte.admin import analytics
    from reelbyte.admin.schemas import AnalyticsInterval
    from reelbyte.core.db import utcnow

    if interval not in {i.value for i in AnalyticsInterval}:
        console.print("[red]--interval is day, week or month.[/red]")
        raise typer.Exit(code=2)

    async def work(session: Any) -> Any:
        first, last = (start.date() if start else None), (end.date() if end else None)
        window = analytics.window(AnalyticsInterval(interval), first, last, utcnow().date())
        return await analytics.report(session, window, fresh=fresh)

    report = _in_one_unit(work)
    console.print(
        f"[bold]{report.from_} to {report.to} by {report.interval.value}[/bold], amounts in "
        f"{report.currency} [dim](computed at {report.computed_at:%Y-%m-%d %H:%M:%S} UTC)[/dim]"
    )
    for table in (_series_table(report.series), _totals_table(report.totals), *_top_tables(report)):
        console.print(table)


def _shown(value: Any) -> str:
    """A figure in a table: an amount's value, a count, hours; a dash for none."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(getattr(value, "value", value))


def _signups(figures: Any) -> str:
    return f"{figures.signups.creator}/{figures.signups.client}/{figures.signups.hybrid}"


def _series_table(series: list[Any]) -> Any:
    from rich.table import Table

    table = Table(
        "from",
        "sign-ups creator/client/hybrid",
        "orders created",
        "paid",
        "completed",
        "GMV",
        "revenue",
        "refunds",
        "average order",
        "disputes",
    )
    for bucket in series:
        table.add_row(
            bucket.bucket_start.isoformat(),
            _signups(bucket),
            *map(
                _shown,
                (
                    bucket.orders_created,
                    bucket.orders_paid,
                    bucket.orders_completed,
                    bucket.gmv,
                    bucket.revenue,
                    bucket.refunds,
                    bucket.average_order_value,
                    bucket.disputes_opened,
                ),
            ),
        )
    return table


def _totals_table(totals: Any) -> Any:
    from rich.table import Table

    rate = None if totals.dispute_rate is None else f"{totals.dispute_rate:.2%}"
    table = Table("total", "value")
    for label, value in (
        ("sign-ups creator/client/hybrid", _signups(totals)),
        ("orders created", totals.orders_created),
        ("orders paid", totals.orders_paid),
        ("orders completed", totals.orders_completed),
        ("GMV", totals.gmv),
        ("revenue (fees)", totals.revenue),
        ("refunds", totals.refunds),
        ("average order value", totals.average_order_value),
        ("disputes opened", totals.disputes_opened),
        ("dispute rate", rate),
        ("first orders", totals.first_orders),
        ("hours to a first order, average", totals.avg_hours_to_first_order),
        ("hours to a first order, median", totals.median_hours_to_first_order),
    ):
        table.add_row(label, _shown(value))
    return table


def _top_tables(report: Any) -> list[Any]:
    from rich.table import Table

    tables = []
    for title, rows in (
        ("top categories", [(c.rank, c.name, c.orders, c.gmv) for c in report.top_categories]),
        ("top creators", [(c.rank, c.username, c.orders, c.gmv) for c in report.top_creators]),
    ):
        table = Table("#", title, "orders", "GMV")
        for row in rows:
            table.add_row(*map(_shown, row))
        tables.append(table)
    return tables


if __name__ == "__main__":
    app()

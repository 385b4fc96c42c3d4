"""Soak and chaos: minutes of mixed load through nginx, with faults injected on the way.

    uv run python -m bench.soak [--minutes 10] [--rate 6] [--chaos/--no-chaos] [--port 8920]
                                [--out soak.json] [--single] [--no-write]
    uv run python -m bench.soak --report-from soak.json

The load (bench/_soak_load.py), started open-loop at `--rate` operations per second, picked at
random in the issue's mix: browse and search 70 % (gig lists, gig pages, search, suggestions,
public profiles, anonymous), order flows 10 % (order → sandbox checkout → pay → the worker's
webhook → deliver → approve), chat 15 % (a message frame with a client_id on a live socket, until
its acknowledgement; its receiver, on another socket, counts it) and uploads 5 % (a small PNG:
start, PUT to the presigned URL, complete, wait until the media worker made it ready). An
operation that finds its kind's in-flight cap full is shed and counted.

Every 30 s: throughput, p50/p99 and errors per kind, and the memory of every cluster process
(PSS of it and its children). Growth is the last sample against the first after the warm-up
(2 minutes, or a fifth of a shorter run), of the process then running (a restarted process is
compared from its restart).

With --chaos (the default), spaced out over the run: `kill -9` api-1 (started again 15 s later),
kill the worker (20 s), kill Redis (5 s), pause PostgreSQL (5 s). Errors are counted per phase
(a fault's phase lasts until 30 s after its repair). A step of a flow that fails is retried:
a POST with its same Idempotency-Key or client_id, a transition by reading the order back.

At the end: `reelbyte ledger check` on the cluster's database (exit 0), every acknowledged
message received exactly once and stored once, every order paid once (orders paid = payments
captured = payment transfers in the ledger), and the report (markdown, and JSON with --out),
written to docs/benchmarks.md ("Soak and chaos") unless --no-write; `--report-from` writes it from
a run saved with --out.

`--single` runs the load against one `reelbyte serve --demo` (with its worker) on embedded
servers in a temporary folder instead of bench/cluster.py, without chaos: for trying the load.
The cluster's work folder (its logs, nginx's access log among them) stays in /tmp/rb-soak-*.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

import httpx
import psutil
import psycopg

from bench._common import machine, write_section
from bench._soak_load import (
    KINDS,
    Api,
    Catalog,
    ChatPair,
    Offer,
    OpFailed,
    Person,
    Recorder,
    browse,
    chat_pair,
    load_catalog,
    log_in,
    order_flow,
    sign_up,
    summary,
    upload,
)

TITLE = "Soak and chaos"
MIX = {"browse": 70, "order": 10, "chat": 15, "upload": 5}
IN_FLIGHT = {"browse": 64, "order": 48, "chat": 32, "upload": 24}
SAMPLE_SECONDS = 30
DEMO_PASSWORD = "Demo!Passw0rd"
DEMO_CREATORS = {"maya-edits": "maya@example.com", "leo-motion": "leo@example.com"}
CLUSTER_SETUP = "nginx, two API instances, the worker, the media worker, PostgreSQL, Redis, the S3 server (bench/cluster.py)"
SINGLE_SETUP = "one `reelbyte serve --demo` with its worker, on embedded PostgreSQL, Redis and S3"
CLIENTS = 24
CHAT_PAIRS = 12
# Limits raised for one address making all the traffic; accounts are not what is measured.
SOAK_ENV = {
    "RATE_LIMIT_PUBLIC": "1000000/minute",
    "RATE_LIMIT_AUTHENTICATED": "1000000/minute",
    "RATE_LIMIT_CREATOR": "1000000/minute",
    "RATE_LIMIT_LOGIN": "100000/minute",
    "RATE_LIMIT_REGISTER": "100000/hour",
    "RATE_LIMIT_MESSAGES": "1000000/hour",
    "RATE_LIMIT_UPLOADS": "100000/hour",
    "ARGON2_TIME_COST": "1",
    "ARGON2_MEMORY_KIB": "1024",
    "LOG_LEVEL": "WARNING",
}


class Target(Protocol):
    url: str
    names: list[str]

    def kill(self, name: str) -> None: ...
    def start(self, name: str) -> None: ...
    def pause(self, name: str, seconds: float) -> None: ...
    def pids(self) -> dict[str, int]: ...


# --- the single-server target (no cluster) --------------------------------------------------


class SingleServer:
    """`reelbyte serve --demo` with its worker, on embedded PostgreSQL and Redis started here
    (so that their URLs are known) and its own embedded S3."""

    def __init__(self, workdir: Path, port: int) -> None:
        from reelbyte.core.embedded import EmbeddedServices

        self.workdir = workdir
        self.url = f"http://127.0.0.1:{port}"
        self.port = port
        self.services = EmbeddedServices(workdir)
        self.names = ["api", "postgres", "redis"]
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> SingleServer:
        from reelbyte.core.migrate import upgrade

        self.database_url = self.services.start_postgres()
        self.redis_url = self.services.start_redis()
        upgrade(self.database_url)
        env = {
            **os.environ,
            **SOAK_ENV,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "REELBYTE_DATA_DIR": str(self.workdir),
        }
        env.pop("S3_ENDPOINT_URL", None)
        log = (self.workdir / "serve.log").open("wb")
        command = [sys.executable, "-m", "reelbyte.cli", "serve", "--demo", "--worker", "--no-web"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)], env=env, stdout=log, stderr=log, start_new_session=True
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/health/ready", timeout=2).status_code == 200:
                    return self
            time.sleep(0.5)
        raise RuntimeError(f"serve did not become ready; see {self.workdir / 'serve.log'}")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(30)
        self.services.stop()

    def _processes(self) -> dict[str, psutil.Process]:
        found: dict[str, psutil.Process] = {}
        assert self.process is not None
        found["api"] = psutil.Process(self.process.pid)
        for process in psutil.process_iter(["cmdline", "name"]):
            line = " ".join(process.info["cmdline"] or [])
            if str(self.workdir) not in line or process.pid == self.process.pid:
                continue
            name = process.info["name"] or ""
            kind = (
                "postgres"
                if "postgres" in name
                else "redis"
                if "redis" in name
                else "s3"
                if "weed" in name
                else ""
            )
            if kind and kind not in found:  # the main process of each (postgres forks backends)
                found[kind] = process
        return found

    def pids(self) -> dict[str, int]:
        return {name: process.pid for name, process in self._processes().items()}

    def kill(self, name: str) -> None:
        raise NotImplementedError("no chaos on a single server")

    start = kill

    def pause(self, name: str, seconds: float) -> None:
        raise NotImplementedError("no chaos on a single server")


def soak_cluster(workdir: Path, port: int) -> Any:
    """bench/cluster.py's cluster, its API instances started with `--no-web`: other work in this
    checkout changes web/src, and an instance started again after `kill -9` would otherwise
    rebuild the bundle (a minute of both cores) before it answers. The soak asks for no page."""
    from bench import cluster

    class SoakCluster(cluster.Cluster):
        log_offsets: ClassVar[dict[str, int]] = {}

        def _launch(self, part: Any) -> None:
            if part.name.startswith("api-") and "--no-web" not in part.command:
                part.command.append("--no-web")
            self.log_offsets[part.name] = len(self.log(part.name))
            super()._launch(part)

        def _worker_ready(self, name: str) -> Callable[[], bool]:
            # "running" in what this start wrote, not in the log of the start before the kill
            return lambda: "running" in self.log(name)[self.log_offsets.get(name, 0) :]

    cluster._build_web_app = lambda: None  # nginx's files are not asked for
    cluster.START_TIMEOUT = 300.0  # the machine is shared: an instance may take minutes to import
    return SoakCluster(workdir, port=port, demo=True, env=SOAK_ENV)


# --- the people and things the load works with ----------------------------------------------


@dataclass
class Population:
    catalog: Catalog
    clients: list[Person]
    offers: list[Offer]
    pairs: list[ChatPair]


async def set_up(api: Api, ws_base: str) -> Population:
    catalog = await load_catalog(api)
    creators = {
        username: await log_in(api, email, DEMO_PASSWORD) for username, email in DEMO_CREATORS.items()
    }
    offers = []
    for gig in catalog.gigs:
        creator = creators.get(gig["creator"]["username"])
        if creator is None:
            continue
        packages = (await api.call("setup", "GET", f"/v1/gigs/{gig['id']}/packages", retry=True)).json()
        offers += [Offer(gig["id"], package["id"], creator) for package in packages]
    if not offers:
        raise SystemExit("no demo gig to order: start the cluster with the demo data")
    gate = asyncio.Semaphore(4)

    async def person(role: str) -> Person:
        async with gate:
            return await sign_up(api, role)

    clients = await asyncio.gather(*(person("client") for _ in range(CLIENTS)))
    chat_creators = await asyncio.gather(*(person("creator") for _ in range(CHAT_PAIRS)))
    pairs = [await chat_pair(api, ws_base, clients[i], chat_creators[i]) for i in range(CHAT_PAIRS)]
    return Population(catalog, list(clients), offers, pairs)


# --- the run --------------------------------------------------------------------------------


@dataclass
class Run:
    target: Target
    minutes: float
    rate: float
    chaos: bool
    recorder: Recorder = field(default_factory=Recorder)
    samples: list[dict[str, Any]] = field(default_factory=list)
    faults: list[dict[str, Any]] = field(default_factory=list)
    in_flight: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0  # the load and its drain

    @property
    def seconds(self) -> float:
        return self.minutes * 60

    @property
    def warm_up(self) -> float:
        return min(120.0, self.seconds / 5)


async def one_operation(
    run: Run, api: Api, storage: httpx.AsyncClient, people: Population, kind: str
) -> None:
    run.in_flight[kind] += 1
    started = time.monotonic()
    try:
        if kind == "browse":
            await browse(api, people.catalog)
        elif kind == "order":
            await order_flow(api, random.choice(people.clients), random.choice(people.offers))
        elif kind == "chat":
            await random.choice(people.pairs).send_one()
        else:
            await upload(api, storage, random.choice(people.clients))
        run.recorder.ops_done[kind] += 1
        run.recorder.durations[kind].append(time.monotonic() - started)
    except OpFailed as error:
        run.recorder.failed(kind, str(error))
    except Exception as error:  # an answer the load did not expect: count it, keep going
        run.recorder.failed(kind, f"unexpected {error!r}")
    finally:
        run.in_flight[kind] -= 1


async def drive(run: Run, api: Api, storage: httpx.AsyncClient, people: Population) -> None:
    """Start operations open-loop at `rate` per second until the time is up, then wait for the
    ones in flight (the chaos is over by then)."""
    kinds, weights = list(MIX), list(MIX.values())
    tasks: set[asyncio.Task[None]] = set()
    started = time.monotonic()
    count = 0
    while (now := time.monotonic()) < started + run.seconds:
        await asyncio.sleep(max(0.0, started + count / run.rate - now))
        count += 1
        kind = random.choices(kinds, weights)[0]
        if run.in_flight[kind] >= IN_FLIGHT[kind]:
            run.recorder.ops_shed[kind] += 1
            continue
        task = asyncio.create_task(one_operation(run, api, storage, people, kind))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    run.recorder.phase = "drain"  # the operations in flight finish; nothing new starts
    if tasks:
        await asyncio.wait(tasks, timeout=400)


def memory(pids: dict[str, int]) -> dict[str, int]:
    """Per part: the proportional set size (PSS) of its process and all its children. Plain RSS
    summed over PostgreSQL's backends would count its shared buffers once per backend."""
    sizes = {}
    for name, pid in pids.items():
        total = 0
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(pid)
            for process in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += process.memory_full_info().pss
        if total:
            sizes[name] = total
    return sizes


async def sample(run: Run, http_started: float) -> None:
    """Every 30 s: the window's figures and every process's RSS, printed and kept."""
    while True:
        await asyncio.sleep(SAMPLE_SECONDS)
        window, errors = run.recorder.take_window()
        pids = await asyncio.to_thread(run.target.pids)
        rss = await asyncio.to_thread(memory, pids)
        elapsed = time.monotonic() - http_started
        row: dict[str, Any] = {
            "t": round(elapsed),
            "phase": run.recorder.phase,
            "requests_per_s": sum(len(v) for v in window.values()) / SAMPLE_SECONDS,
            "kinds": {kind: {**summary(window.get(kind, [])), "errors": errors[kind]} for kind in KINDS},
            "rss": rss,
            "pids": pids,
        }
        run.samples.append(row)
        kinds = "  ".join(
            f"{kind} {v['count'] / SAMPLE_SECONDS:.1f}/s {v['p50_ms']:.0f}/{v['p99_ms']:.0f}ms e{v['errors']}"
            for kind, v in row["kinds"].items()
        )
        sizes = " ".join(f"{name}={size / 2**20:.0f}M" for name, size in sorted(rss.items()))
        print(
            f"[{row['t']:4d}s {row['phase']}] {row['requests_per_s']:.1f} req/s  {kinds}  | {sizes}",
            flush=True,
        )


CHAOS: list[tuple[str, str, str, float]] = [
    # (phase, action, process, seconds down)
    ("kill -9 api-1", "kill", "api-1", 15),
    ("kill -9 worker", "kill", "worker", 20),
    ("restart redis", "kill", "redis", 5),
    ("pause postgres 5 s", "pause", "postgres", 5),
]


def inject(target: Target, action: str, name: str, down: float) -> float | None:
    """Pause the part for `down` seconds, or kill it and start it again after `down` seconds;
    returns how long the start took (until the part was ready)."""
    if action == "pause":
        target.pause(name, down)
        return None
    target.kill(name)
    time.sleep(down)
    repair = time.monotonic()
    target.start(name)
    return time.monotonic() - repair


async def chaos(run: Run, started: float) -> None:
    """The faults, spaced out after the warm-up; each phase lasts until 30 s after the repair
    (or the next fault, if sooner)."""
    span = run.seconds - run.warm_up - 60
    starts = [started + run.warm_up + span * index / len(CHAOS) for index in range(len(CHAOS))]
    for index, (phase, action, name, down) in enumerate(CHAOS):
        await asyncio.sleep(max(0.0, starts[index] - time.monotonic()))
        fault = {"phase": phase, "at_s": round(time.monotonic() - started)}
        run.recorder.phase = phase
        # In a thread, all of it: cancelled at the end of a short run, the thread still repairs.
        try:
            restart = await asyncio.to_thread(inject, run.target, action, name, down)
        except Exception as error:  # the part did not come back: say so, go on with the others
            fault["error"] = repr(error)[:300]
        else:
            if restart is not None:
                fault["restart_s"] = round(restart, 1)
        fault["repaired_at_s"] = round(time.monotonic() - started)
        run.faults.append(fault)
        print(f"chaos: {fault}", flush=True)
        following = starts[index + 1] if index + 1 < len(starts) else float("inf")
        await asyncio.sleep(max(0.0, min(30.0, following - time.monotonic())))
        run.recorder.phase = "steady"


async def warm_up_ends(run: Run) -> None:
    await asyncio.sleep(run.warm_up)
    if run.recorder.phase == "warm-up":
        run.recorder.phase = "steady"


async def soak(run: Run) -> tuple[Population, dict[str, Any]]:
    ws_base = run.target.url.replace("http://", "ws://")
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    async with (
        httpx.AsyncClient(base_url=run.target.url, timeout=30, limits=limits) as http,
        httpx.AsyncClient(timeout=30) as storage,
    ):
        api = Api(http, run.recorder)
        people = await set_up(api, ws_base)
        print(
            f"set up: {len(people.clients)} clients, {len(people.offers)} offers, {len(people.pairs)} chat pairs"
        )
        run.recorder.phase = "warm-up"
        started = time.monotonic()
        run.recorder.started = started
        background = [asyncio.create_task(sample(run, started)), asyncio.create_task(warm_up_ends(run))]
        if run.chaos:
            background.append(asyncio.create_task(chaos(run, started)))
        try:
            await drive(run, api, storage, people)
        finally:
            for task in background:
                task.cancel()
        run.elapsed = time.monotonic() - started
        run.recorder.phase = "end"
        await asyncio.sleep(3)  # the last frames on their way
        chat = await chat_outcome(api, people.pairs)
        for pair in people.pairs:
            await pair.sender.stop()
            await pair.receiver.stop()
    return people, chat


async def chat_outcome(api: Api, pairs: list[ChatPair]) -> dict[str, Any]:
    """Every acknowledged message received exactly once (on the socket, or caught up after a
    reconnect) and stored once; nothing stored that was not acknowledged."""
    acknowledged = missing = socket_duplicates = stored = stored_unacknowledged = reconnects = 0
    caught_up = 0
    for pair in pairs:
        acked_ids = set(pair.acknowledged.values())
        received = pair.receiver.received
        acknowledged += len(pair.acknowledged)
        missing += len(acked_ids - received)
        caught_up += len(pair.receiver.caught_up)
        socket_duplicates += sum(count - 1 for count in pair.receiver.on_socket.values() if count > 1)
        reconnects += pair.sender.reconnects + pair.receiver.reconnects
        history = await _history(api, pair)
        stored += len(history)
        stored_unacknowledged += len(history - acked_ids)
    delivery = [d for pair in pairs for d in pair.receiver.delivery]
    return {
        "acknowledged": acknowledged,
        "acknowledged_distinct_ids": len({i for p in pairs for i in p.acknowledged.values()}),
        "missing_at_receiver": missing,
        "socket_duplicates": socket_duplicates,
        "caught_up_after_reconnect": caught_up,
        "stored": stored,
        "stored_unacknowledged": stored_unacknowledged,
        "reconnects": reconnects,
        "delivery": summary(delivery),
    }


async def _history(api: Api, pair: ChatPair) -> set[int]:
    ids: set[int] = set()
    cursor: str | None = None
    socket = pair.receiver
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        path = f"/v1/conversations/{socket.conversation_id}/messages"
        page = (
            await api.call("end", "GET", path, params=params, headers=socket.who.headers, retry=True)
        ).json()
        ids.update(m["id"] for m in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


# --- the checks at the end ------------------------------------------------------------------

MONEY_SQL = {
    "orders": "SELECT count(*) FROM orders o JOIN users u ON u.id = o.client_id WHERE u.username LIKE 'soak-%'",
    "orders_paid": "SELECT count(*) FROM orders o JOIN users u ON u.id = o.client_id "
    "WHERE u.username LIKE 'soak-%' AND o.status IN ('in_progress', 'delivered', 'completed')",
    "orders_completed": "SELECT count(*) FROM orders o JOIN users u ON u.id = o.client_id "
    "WHERE u.username LIKE 'soak-%' AND o.status = 'completed'",
    "payments_captured": "SELECT count(*) FROM payments p JOIN users u ON u.id = p.payer_id "
    "WHERE u.username LIKE 'soak-%' AND p.status = 'paid'",
    "orders_paid_twice": "SELECT count(*) FROM (SELECT p.order_id FROM payments p JOIN users u ON u.id = p.payer_id "
    "WHERE u.username LIKE 'soak-%' AND p.status = 'paid' GROUP BY p.order_id HAVING count(*) > 1) twice",
    "payment_transfers": "SELECT count(*) FROM ledger_transfers t JOIN payments p ON p.id = t.reference_id "
    "JOIN users u ON u.id = p.payer_id WHERE u.username LIKE 'soak-%' AND t.kind = 'payment'",
    "release_transfers": "SELECT count(*) FROM ledger_transfers t JOIN orders o ON o.id = t.reference_id "
    "JOIN users u ON u.id = o.client_id WHERE u.username LIKE 'soak-%' AND t.kind = 'release'",
    "messages_stored": "SELECT count(*) FROM messages m JOIN users u ON u.id = m.sender_id WHERE u.username LIKE 'soak-%'",
    "messages_distinct_client_ids": "SELECT count(DISTINCT (m.sender_id, m.client_id)) FROM messages m "
    "JOIN users u ON u.id = m.sender_id WHERE u.username LIKE 'soak-%'",
}


def service_urls(target: Any) -> tuple[str, str]:
    """The database and Redis the target's processes use."""
    if isinstance(target, SingleServer):
        return target.database_url, target.redis_url
    urls = target._server_env()  # bench/cluster.py keeps them there
    return urls["DATABASE_URL"], urls["REDIS_URL"]


def database_checks(database_url: str) -> dict[str, Any]:
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        figures: dict[str, Any] = {
            name: int(connection.execute(sql).fetchone()[0])  # type: ignore[index]
            for name, sql in MONEY_SQL.items()
        }
        jobs = connection.execute(
            "SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY 1 ORDER BY 1"
        )
        figures["jobs"] = {status: int(count) for status, count in jobs.fetchall()}
    return figures


def ledger_check(database_url: str, redis_url: str, workdir: Path) -> tuple[int, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REELBYTE_DATA_DIR": str(workdir),
    }
    done = subprocess.run(
        [sys.executable, "-m", "reelbyte.cli", "ledger", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.returncode, (done.stdout + done.stderr).strip()


# --- the report -----------------------------------------------------------------------------


def rss_growth(run: Run) -> dict[str, dict[str, Any]]:
    """Per process: the first sample after the warm-up of the process running at the end, the
    last sample, and the growth."""
    after = [s for s in run.samples if s["t"] >= run.warm_up] or run.samples[-1:]
    growth: dict[str, dict[str, Any]] = {}
    if not after:
        return growth
    last = after[-1]
    for name, size in last["rss"].items():
        pid = last["pids"].get(name)
        first = next(s for s in after if s["pids"].get(name) == pid and name in s["rss"])
        restarted = any(s["pids"].get(name) not in (None, pid) for s in run.samples)
        growth[name] = {
            "first_mib": first["rss"][name] / 2**20,
            "last_mib": size / 2**20,
            "growth_pct": (size / first["rss"][name] - 1) * 100,
            "from_s": first["t"],
            "restarted": restarted,
        }
    return growth


def report(
    run: Run, command: str, chat: dict[str, Any], money: dict[str, Any], ledger: tuple[int, str]
) -> dict[str, Any]:
    recorder = run.recorder
    requests = sum(recorder.requests.values())
    errors = sum(recorder.errors.values())
    load_requests = sum(n for (phase, kind), n in recorder.requests.items() if kind in KINDS)
    return {
        "command": command,
        "machine": machine(),
        "minutes": run.minutes,
        "rate": run.rate,
        "chaos": run.chaos,
        "setup": SINGLE_SETUP if isinstance(run.target, SingleServer) else CLUSTER_SETUP,
        "requests": requests,
        "load_requests": load_requests,
        "requests_per_s": load_requests / run.elapsed,
        "elapsed_s": run.elapsed,
        "errors": errors,
        "kinds": {
            kind: {
                **summary(recorder.latencies.get(kind, [])),
                "errors": sum(n for (_, k), n in recorder.errors.items() if k == kind),
                "ops_done": recorder.ops_done[kind],
                "ops_failed": recorder.ops_failed[kind],
                "ops_shed": recorder.ops_shed[kind],
                "op": summary(recorder.durations.get(kind, [])),
            }
            for kind in KINDS
        },
        "phases": {
            phase: {
                "requests": sum(n for (p, _), n in recorder.requests.items() if p == phase),
                "errors": sum(n for (p, _), n in recorder.errors.items() if p == phase),
                "disconnects": recorder.disconnects[phase],
            }
            for phase in dict.fromkeys(p for p, _ in recorder.requests)
        },
        "waits": {name: summary(d) for name, d in recorder.durations.items() if name not in KINDS},
        "faults": run.faults,
        "rss": rss_growth(run),
        "samples": run.samples,
        "chat": chat,
        "money": money,
        "ledger_check": {"exit": ledger[0], "output": ledger[1]},
        "error_examples": recorder.examples,
        "failures": recorder.failures,
    }


def _ms(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.0f} ms"


def markdown(result: dict[str, Any]) -> str:
    kinds = "\n".join(
        f"| {kind} | {v['ops_done']} ({v['ops_failed']} failed, {v['ops_shed']} shed) | {v['count']} | "
        f"{_ms(v['p50_ms'])} | {_ms(v['p99_ms'])} | {_ms(v['op']['p50_ms'])} / {_ms(v['op']['p99_ms'])} | {v['errors']} |"
        for kind, v in result["kinds"].items()
    )
    phases = "\n".join(
        f"| {phase} | {v['requests']} | {v['errors']} | {v['errors'] / max(1, v['requests']) * 100:.2f} % "
        f"| {v['disconnects']} |"
        for phase, v in result["phases"].items()
    )
    faults = (
        "\n".join(
            f"| {f['phase']} | {f['at_s']} s | {f['repaired_at_s']} s | {f.get('restart_s', '—')} |"
            for f in result["faults"]
        )
        or "| (no chaos) | | | |"
    )
    rss = "\n".join(
        f"| {name} | {v['first_mib']:.0f} MiB (at {v['from_s']} s) | {v['last_mib']:.0f} MiB | {v['growth_pct']:+.1f} %"
        f"{' (restarted by the chaos)' if v['restarted'] else ''} |"
        for name, v in sorted(result["rss"].items())
    )
    samples = "\n".join(
        f"| {s['t']} s | {s['phase']} | {s['requests_per_s']:.1f} | "
        + " | ".join(f"{_ms(k['p50_ms'])} / {_ms(k['p99_ms'])} ({k['errors']})" for k in s["kinds"].values())
        + " |"
        for s in result["samples"]
    )
    chat, money = result["chat"], result["money"]
    waits = "".join(
        f"| {name}, p50 / p99 | {_ms(v['p50_ms'])} / {_ms(v['p99_ms'])} |\n"
        for name, v in result["waits"].items()
    )
    ledger = result["ledger_check"]
    examples = "\n".join(f"    {line}" for line in result["error_examples"]) or "    (none)"
    failures = "\n".join(f"    {line}" for line in result["failures"]) or "    (none)"
    return f"""
Command: `{result["command"]}` ({result["machine"]}; {result["setup"]} and the load generator all on
the same 2 cores; {_machine_load(result)}). {result["minutes"]:g} minutes at {result["rate"]:g} operations/s offered
(browse and search 70 %, order flows 10 %, chat 15 %, uploads 5 %): {result["load_requests"]} requests,
{result["requests_per_s"]:.1f} requests/s over {result["elapsed_s"]:.0f} s (with the operations in flight at the end),
{result["errors"]} answered with an error or not at all.

| kind | operations | requests | p50 | p99 | whole operation p50 / p99 | request errors |
| --- | --- | --- | --- | --- | --- | --- |
{kinds}

Errors per phase (a fault's phase lasts until 30 s after its repair):

| phase | requests | errors | share | chat sockets dropped |
| --- | --- | --- | --- | --- |
{phases}

A Redis restart degrades live chat by design: the instances close their sockets (their pub/sub
is gone) and `POST /v1/ws/ticket` answers 503 `realtime_unavailable` until Redis answers again;
each refused attempt counts as an error above, and the clients reconnect and catch up over HTTP.

| fault | at | repaired at | restart took |
| --- | --- | --- | --- |
{faults}

Every {SAMPLE_SECONDS} s (p50 / p99 per kind, errors in brackets):

| t | phase | requests/s | {" | ".join(KINDS)} |
| --- | --- | --- | {" | ".join("---" for _ in KINDS)} |
{samples}

Memory of each part (PSS of its process and its children, so that PostgreSQL's shared buffers count
once), first sample after the warm-up against the last:

| process | after warm-up | end | growth |
| --- | --- | --- | --- |
{rss}

PostgreSQL's figure holds its shared buffers as they are touched and one backend per pooled
connection (pools refill after a kill); the S3 server's grows with the objects stored. The target
(under 10 %) is for ReelByte's own processes.

Integrity at the end:

| check | result |
| --- | --- |
| `reelbyte ledger check` | exit {ledger["exit"]} |
| chat messages acknowledged / stored / stored twice for one client_id | {chat["acknowledged"]} / {money["messages_stored"]} / {money["messages_stored"] - money["messages_distinct_client_ids"]} |
| acknowledged but not received / received twice on a socket | {chat["missing_at_receiver"]} / {chat["socket_duplicates"]} |
| caught up over HTTP after a reconnect ({chat["reconnects"]} reconnects) | {chat["caught_up_after_reconnect"]} |
{waits}| send → receive p50 / p99 | {_ms(chat["delivery"]["p50_ms"])} / {_ms(chat["delivery"]["p99_ms"])} |
| orders made / paid / completed | {money["orders"]} / {money["orders_paid"]} / {money["orders_completed"]} |
| payments captured / payment transfers / orders paid twice | {money["payments_captured"]} / {money["payment_transfers"]} / {money["orders_paid_twice"]} |
| releases in the ledger / completed orders | {money["release_transfers"]} / {money["orders_completed"]} |
| jobs at the end, by status | {", ".join(f"{k} {v}" for k, v in money["jobs"].items())} |

Operations that gave up after their retries (the first of each kind; time since the start, phase):

{failures}

The first errors of each kind (time since the start, phase, kind, request, answer):

{examples}
"""


def _machine_load(result: dict[str, Any]) -> str:
    """How busy the machine was before the run: a soak beside other work reads much slower."""
    load = result.get("load_before")
    if load is None:
        return "**shared with other work while measuring**"
    return f"the machine's load average {load:.2f} when the cluster started"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=6, help="operations started per second")
    parser.add_argument("--chaos", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--port", type=int, default=8920)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--single", action="store_true", help="one serve instead of the cluster, no chaos")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--report-from", type=Path, help="write the report of a run saved with --out")
    args = parser.parse_args()
    if args.report_from:
        result = json.loads(args.report_from.read_text())
        write_section(TITLE, markdown(result))
        return
    load_before = os.getloadavg()[0]
    command = "uv run python -m bench.soak " + " ".join(sys.argv[1:])
    workdir = Path(tempfile.mkdtemp(prefix="rb-soak-"))
    if args.single:
        args.chaos = False
        target_context: Any = SingleServer(workdir, args.port)
    else:
        target_context = soak_cluster(workdir, args.port)
    with target_context as target:
        run = Run(target, args.minutes, args.rate, args.chaos)
        _, chat = asyncio.run(soak(run))
        database_url, redis_url = service_urls(target)
        money = database_checks(database_url)
        ledger = ledger_check(database_url, redis_url, workdir)
    result = report(run, command, chat, money, ledger) | {"load_before": load_before}
    body = markdown(result)
    print(body)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2, default=str))
    if not args.no_write:
        write_section(TITLE, body)


if __name__ == "__main__":
    main()

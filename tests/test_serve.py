"""The zero-setup start: `reelbyte serve --demo` with no DATABASE_URL / REDIS_URL starts the embedded
PostgreSQL and Redis, migrates, loads the demo data, serves the API with the job worker in-process,
and on Ctrl-C or SIGTERM stops everything it started. A second start on the same folder reuses the data."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import psycopg
import pytest
from pgserver.utils import PostmasterInfo

from reelbyte.seed import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.conftest import PROJECT_ROOT

START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
PASSWORD = "Sup3r!Secret"
USER = {
    "email": "first-run@example.com",
    "username": "first-run",
    "password": PASSWORD,
    "full_name": "First Run",
    "role": "client",
}

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve_env(data_dir: Path) -> dict[str, str]:
    """The test process's environment without anything that points at a server or a mailbox."""
    unset = {"DATABASE_URL", "REDIS_URL", "PUBLIC_URL", "EMAIL_BACKEND", "SMTP_HOST", "SMTP_PORT"}
    env = {
        key: value for key, value in os.environ.items() if key not in unset and not key.startswith("TEST_")
    }
    env.update({"REELBYTE_DATA_DIR": str(data_dir), "LOG_FORMAT": "json", "LOG_LEVEL": "INFO"})
    return env


def _processes_using(data_dir: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            if any(str(data_dir) in part for part in process.cmdline()):
                found.append(process)
    return found


class Server:
    """One `uv run reelbyte serve --demo` process in a session of its own (like a terminal's job)."""

    def __init__(self, data_dir: Path, logs: Path) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.stdout_path = logs / f"serve-{self.port}.out"
        self.stderr_path = logs / f"serve-{self.port}.err"
        uv = shutil.which("uv")
        assert uv is not None, "uv is not on PATH"
        with self.stdout_path.open("wb") as stdout, self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                [uv, "run", "reelbyte", "serve", "--port", str(self.port), "--demo", "--no-web"],
                cwd=PROJECT_ROOT,
                env=_serve_env(data_dir),
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,
            )

    def output(self) -> str:
        return f"stdout:\n{self.stdout_path.read_text()}\nstderr:\n{self.stderr_path.read_text()[-4000:]}"

    def log(self) -> list[dict[str, Any]]:
        lines = self.stderr_path.read_text().splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def wait_ready(self, http: httpx.Client) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (
                f"serve exited with {self.process.returncode}\n{self.output()}"
            )
            with contextlib.suppress(httpx.TransportError):
                response = http.get(f"{self.base}/health/ready", timeout=2)
                if response.status_code == 200:
                    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "storage": "ok"}
                    return
            time.sleep(0.2)
        raise AssertionError(f"/health/ready not 200 within {START_TIMEOUT:.0f}s\n{self.output()}")

    def stop(self, how: str) -> int:
        """`ctrl-c`: SIGINT to the whole process group, as a terminal sends it; `kill`: SIGTERM to the
        process, as a process manager sends it. Returns the exit code."""
        if how == "ctrl-c":
            os.killpg(self.process.pid, signal.SIGINT)
        else:
            self.process.terminate()
        try:
            return self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"serve did not stop within {STOP_TIMEOUT:.0f}s\n{self.output()}") from None

    def kill(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


@contextlib.contextmanager
def _data_dir() -> Iterator[Path]:
    # Short, under /tmp: unix socket paths are limited to ~100 characters.
    data_dir = Path(tempfile.mkdtemp(prefix="rb-", dir="/tmp"))
    try:
        yield data_dir
    finally:
        for process in _processes_using(data_dir):  # only what this test started, if a check failed
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


def _count(data_dir: Path, table: str) -> int:
    """Count rows straight in the embedded database, through its unix socket."""
    info = PostmasterInfo.read_from_pgdata(data_dir / "postgres")
    assert info is not None
    assert info.socket_dir is not None
    with psycopg.connect(f"postgresql://postgres@/reelbyte?host={info.socket_dir}") as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert row is not None
        return int(row[0])


def _login(http: httpx.Client, base: str, email: str, password: str) -> dict[str, str]:
    response = http.post(f"{base}/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _me(http: httpx.Client, base: str, headers: dict[str, str]) -> dict[str, Any]:
    response = http.get(f"{base}/v1/users/me", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _wait_for_mail(server: Server, to: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        mails = [entry for entry in server.log() if entry["event"] == "email" and entry["to"] == to]
        if mails:
            return mails[0]
        time.sleep(0.2)
    raise AssertionError(f"no e-mail to {to} in the log\n{server.output()}")


def _assert_stops_cleanly(server: Server, how: str) -> None:
    assert server.stop(how) == 0, server.output()
    assert "Stopped." in server.stdout_path.read_text()
    assert "Traceback" not in server.stderr_path.read_text(), server.output()
    deadline = time.monotonic() + 10
    while (left := _processes_using(server.data_dir)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert left == [], [process.cmdline() for process in left]


def test_serve_starts_from_nothing_and_a_second_start_reuses_the_data(tmp_path: Path) -> None:
    with _data_dir() as data_dir, httpx.Client(timeout=10) as http:
        # --- first start: empty folder -----------------------------------------------------
        server = Server(data_dir, tmp_path)
        try:
            server.wait_ready(http)
            base = server.base

            response = http.post(f"{base}/v1/auth/register", json=USER)
            assert response.status_code == 201, response.text
            me = _me(http, base, _login(http, base, USER["email"], PASSWORD))
            assert (me["email"], me["username"]) == (USER["email"], USER["username"])

            maya = _me(http, base, _login(http, base, "maya@example.com", DEMO_PASSWORD))
            assert maya["username"] == "maya-edits"
            assert maya["email_verified"] is True

            for path, marker in (("/docs", "swagger-ui"), ("/redoc", "redoc")):
                page = http.get(f"{base}{path}")
                assert page.status_code == 200
                assert page.headers["content-type"].startswith("text/html")
                assert marker in page.text.lower()
            assert http.get(f"{base}/openapi.json").json()["info"]["title"] == "ReelByte API"

            # The in-process worker sent the verification mail (console backend: to the log),
            # with a link to this very server.
            mail = _wait_for_mail(server, USER["email"])
            assert f"{base}/account/verify-email?token=" in mail["body"]
            # The demo accounts are verified already, so they get no verification mail.
            demo_emails = {account["email"] for account in DEMO_ACCOUNTS}
            assert not [e for e in server.log() if e["event"] == "email" and e["to"] in demo_emails]

            users, portfolio_items = _count(data_dir, "users"), _count(data_dir, "portfolio_items")
            assert users == len(DEMO_ACCOUNTS) + 2  # and the demo admin
            assert portfolio_items == sum(len(account["portfolio"]) for account in DEMO_ACCOUNTS)

            _assert_stops_cleanly(server, "ctrl-c")
        finally:
            server.kill()

        # --- second start: same folder, --demo again ---------------------------------------
        server = Server(data_dir, tmp_path)
        try:
            server.wait_ready(http)
            base = server.base

            me = _me(http, base, _login(http, base, USER["email"], PASSWORD))
            assert me["username"] == USER["username"]
            again = http.post(f"{base}/v1/auth/register", json=USER)
            assert again.status_code == 409, again.text
            assert again.json()["error"] == "account_exists"
            _login(http, base, "leo@example.com", DEMO_PASSWORD)

            assert _count(data_dir, "users") == users  # the demo data was not loaded twice
            assert _count(data_dir, "portfolio_items") == portfolio_items
            assert [entry for entry in server.log() if entry["event"] == "email"] == []

            _assert_stops_cleanly(server, "kill")
        finally:
            server.kill()

"""After a `kill -9` of the process that started the embedded servers, the next start adopts
what was left running, and its clean stop leaves no server process for that data folder."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.slow

# Starts both embedded servers in the data folder given as argv[1], prints their URLs, then either
# waits to be killed or (with "stop") stops them cleanly and exits.
SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from reelbyte.core.embedded import EmbeddedServices

    services = EmbeddedServices(Path(sys.argv[1]))
    print(services.start_postgres(), flush=True)
    print(services.start_redis(), flush=True)
    if sys.argv[2] == "stop":
        services.stop()
    else:
        time.sleep(600)
    """
)


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Short, so that the Unix sockets under it stay within the length limit.
    with tempfile.TemporaryDirectory(prefix="rb-orphan-") as directory:
        path = Path(directory)
        yield path
        _kill_leftovers(path)


def _start(data_dir: Path, then: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(data_dir), then],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "postgres" / "postmaster.pid").read_text().splitlines()[0])


def _redis_pid(data_dir: Path) -> int:
    [process] = [p for p in _server_processes(data_dir) if "redis-server" in p.name()]
    return process.pid


def _server_processes(data_dir: Path) -> list[psutil.Process]:
    """Live postgres and redis-server processes working in `data_dir`."""
    found = []
    for process in psutil.process_iter(["name", "cmdline", "status"]):
        if process.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        if process.info["name"] not in ("postgres", "redis-server"):
            continue
        with_cwd = " ".join(process.info["cmdline"] or [])
        with contextlib.suppress(psutil.Error):  # redis-server is found by its working folder
            with_cwd += " " + process.cwd()
        if str(data_dir) in with_cwd:
            found.append(process)
    return found


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _kill_leftovers(data_dir: Path) -> None:
    for process in _server_processes(data_dir):
        process.kill()


def test_a_killed_start_leaves_servers_that_the_next_start_adopts_and_stops(data_dir: Path) -> None:
    first = _start(data_dir, "wait")
    assert first.stdout is not None
    assert first.stdout.readline().startswith("postgresql+psycopg://")
    assert first.stdout.readline().startswith("unix://")
    postgres_pid, redis_pid = _postmaster_pid(data_dir), _redis_pid(data_dir)

    first.send_signal(signal.SIGKILL)  # kill -9: no cleanup of any kind runs
    first.wait(10)
    assert _alive(postgres_pid), "the test needs an orphaned PostgreSQL"
    assert _alive(redis_pid), "the test needs an orphaned Redis"

    second = _start(data_dir, "stop")
    output, _ = second.communicate(timeout=120)
    assert second.returncode == 0, output

    assert not _alive(postgres_pid), "the orphaned PostgreSQL is still running"
    assert not _alive(redis_pid), "the orphaned Redis is still running"
    assert not (data_dir / "postgres" / "postmaster.pid").exists()
    assert _server_processes(data_dir) == []

"""Jobs follow their transaction: a rolled-back job never exists, a committed one survives until a
worker (in another process, started later) runs it, and a failing send is retried, not lost."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import Settings
from reelbyte.core.db import get_database, transaction
from reelbyte.core.email import queue_email
from reelbyte.core.jobs import defer
from tests.conftest import PROJECT_ROOT, Mailbox, run_jobs

WAIT_SECONDS = 30.0
CONTEXT: dict[str, Any] = {
    "name": "Maya Jensen",
    "link": "http://testserver/account/verify-email?token=t0ken",
    "valid_hours": 48,
}


async def _jobs() -> list[dict[str, Any]]:
    """Every job row, read on a connection of its own (so: only what is committed)."""
    async with get_database().engine.connect() as connection:
        result = await connection.execute(
            text(
                "SELECT id, task_name, status::text AS status, attempts, scheduled_at, args"
                " FROM procrastinate_jobs ORDER BY id"
            )
        )
        return [dict(row) for row in result.mappings()]


async def _events(job_id: int) -> list[str]:
    async with get_database().engine.connect() as connection:
        result = await connection.execute(
            text("SELECT type::text FROM procrastinate_events WHERE job_id = :id ORDER BY id"), {"id": job_id}
        )
        return list(result.scalars())


async def test_a_job_deferred_in_a_rolled_back_transaction_never_exists(mailbox: Mailbox) -> None:
    async with get_database().sessions() as session:
        job_id = await defer(
            session, "send_email", to="ghost@example.com", template="verify_email", context=CONTEXT
        )
        # Inside the transaction the job is there; nobody else sees it yet.
        inside = await session.scalar(
            text("SELECT count(*) FROM procrastinate_jobs WHERE id = :id"), {"id": job_id}
        )
        assert inside == 1
        assert await _jobs() == []
        await session.rollback()

    assert await _jobs() == []
    assert await _events(job_id) == []
    await run_jobs()
    assert mailbox.messages == []


async def test_a_job_deferred_by_work_that_fails_is_rolled_back_with_it(mailbox: Mailbox) -> None:
    class Boom(Exception):
        pass

    async def work(session: AsyncSession) -> None:
        await queue_email(session, "ghost@example.com", "verify_email", **CONTEXT)
        raise Boom

    with pytest.raises(Boom):
        await transaction(work)

    assert await _jobs() == []
    await run_jobs()
    assert mailbox.messages == []


def _worker_env(settings: Settings) -> dict[str, str]:
    assert settings.database_url is not None
    assert settings.redis_url is not None
    # os.environ carries EMAIL_BACKEND=smtp and SMTP_HOST/SMTP_PORT of the test mailbox (conftest).
    return {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
    }


async def _wait_for(condition: Any, what: str, worker: asyncio.subprocess.Process) -> None:
    try:
        async with asyncio.timeout(WAIT_SECONDS):
            while not await condition():
                assert worker.returncode is None, f"the worker exited early with {worker.returncode}"
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise AssertionError(f"{what} did not happen within {WAIT_SECONDS:.0f}s") from None


@pytest.mark.slow
async def test_a_committed_job_is_run_by_a_worker_process_started_later(
    settings: Settings, mailbox: Mailbox, tmp_path: Path
) -> None:
    await transaction(lambda session: queue_email(session, "later@example.com", "verify_email", **CONTEXT))

    # No worker runs: the job waits in the database, committed and untouched.
    [job] = await _jobs()
    assert (job["task_name"], job["status"], job["attempts"]) == ("send_email", "todo", 0)
    assert job["args"]["to"] == "later@example.com"
    assert mailbox.messages == []

    stderr_path = tmp_path / "worker.err"
    with stderr_path.open("wb") as stderr:
        worker = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "reelbyte.cli", "worker", "--concurrency", "2"),
            cwd=PROJECT_ROOT,
            env=_worker_env(settings),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:

        async def delivered() -> bool:
            return bool(mailbox.to("later@example.com"))

        async def finished() -> bool:
            return await _jobs() == []  # the worker deletes successful jobs

        await _wait_for(delivered, "delivery of the e-mail", worker)
        await _wait_for(finished, "the job finishing", worker)
        [message] = mailbox.to("later@example.com")
        assert message["Subject"] == "Confirm your e-mail address for ReelByte"
        assert CONTEXT["link"] in message.get_body(("plain",)).get_content()

        worker.send_signal(signal.SIGTERM)
        async with asyncio.timeout(WAIT_SECONDS):
            assert await worker.wait() == 0
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()

    log = [json.loads(line) for line in stderr_path.read_text().splitlines() if line.startswith("{")]
    assert any(entry["event"] == "email_sent" and entry["to"] == "later@example.com" for entry in log), log
    assert not any(entry["level"] in ("error", "critical") for entry in log), log
    async with get_database().engine.connect() as connection:
        workers = await connection.scalar(text("SELECT count(*) FROM procrastinate_workers"))
    assert workers == 0  # it stopped cleanly and unregistered itself
    assert len(mailbox.messages) == 1  # run exactly once


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again on return: nothing listens there


async def test_a_failing_smtp_send_is_retried_not_lost(
    settings: Settings, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp_port = settings.smtp_port
    monkeypatch.setattr(settings, "smtp_port", _closed_port())
    await transaction(lambda session: queue_email(session, "retry@example.com", "verify_email", **CONTEXT))

    await run_jobs()  # the SMTP server cannot be reached

    [job] = await _jobs()
    assert job["status"] == "todo"
    assert job["attempts"] == 1
    assert job["scheduled_at"] > datetime.now(UTC)  # waits (exponential back-off) before the next try
    events = await _events(job["id"])
    assert "deferred_for_retry" in events
    assert "failed" not in events
    assert mailbox.messages == []

    monkeypatch.setattr(settings, "smtp_port", smtp_port)  # the server is back
    await run_jobs()
    assert mailbox.messages == []  # not due yet: the back-off is respected

    deadline = time.monotonic() + job["scheduled_at"].timestamp() - time.time() + 10
    while not mailbox.to("retry@example.com"):
        assert time.monotonic() < deadline, "the retried job did not deliver"
        await asyncio.sleep(0.2)
        await run_jobs()

    assert len(mailbox.to("retry@example.com")) == 1
    assert await _jobs() == []  # succeeded on the second attempt, and done

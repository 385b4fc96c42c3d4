"""Transactional e-mail: templates, escaping, strict context, the SMTP and console backends."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import jinja2
import pytest
import structlog
from sqlalchemy import text

import reelbyte.core.email as email_module
from reelbyte.core.config import Settings
from reelbyte.core.db import get_database
from reelbyte.core.email import queue_email, render_email
from reelbyte.core.logging import configure_logging
from tests.conftest import Mailbox, run_jobs

LINK = "http://testserver/account/verify-email?token=abc123&next=%2Fme"

CONTEXTS: dict[str, dict[str, Any]] = {
    "verify_email": {"name": "Maya Jensen", "link": LINK, "valid_hours": 48},
    "reset_password": {"name": "Maya Jensen", "link": LINK, "valid_minutes": 60},
}


@pytest.mark.parametrize(
    ("template", "subject", "validity"),
    [
        ("verify_email", "Confirm your e-mail address for ReelByte", "valid for 48 hours"),
        ("reset_password", "Reset your ReelByte password", "for 60 minutes"),
    ],
)
def test_render_gives_subject_text_and_html_with_the_link(template: str, subject: str, validity: str) -> None:
    rendered_subject, body, html = render_email(template, CONTEXTS[template])

    assert rendered_subject == subject
    assert "\n" not in rendered_subject
    assert "Hi Maya Jensen," in body
    assert LINK in body  # plain text: the link exactly as it must be opened
    assert validity in body
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert f'href="{LINK.replace("&", "&amp;")}"' in html  # HTML: the same link, attribute-escaped
    assert "Hi Maya Jensen," in html
    assert validity in html


@pytest.mark.parametrize("template", sorted(CONTEXTS))
def test_html_escapes_user_supplied_names(template: str) -> None:
    name = '<script>alert("x")</script> & Co'
    _, body, html = render_email(template, {**CONTEXTS[template], "name": name})

    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in html
    assert f"Hi {name}," in body  # plain text is not HTML: no entities there


@pytest.mark.parametrize("template", sorted(CONTEXTS))
def test_a_missing_context_variable_fails_loudly(template: str) -> None:
    context = dict(CONTEXTS[template])
    del context["link"]
    with pytest.raises(jinja2.UndefinedError, match="link"):
        render_email(template, context)


def test_an_unknown_template_fails_loudly() -> None:
    with pytest.raises(jinja2.TemplateNotFound):
        render_email("no_such_mail", {"name": "x", "link": LINK})


async def _count_jobs() -> int:
    async with get_database().engine.connect() as connection:
        return int((await connection.execute(text("SELECT count(*) FROM procrastinate_jobs"))).scalar_one())


async def test_queue_email_refuses_a_bad_context_before_anything_is_queued() -> None:
    async with get_database().sessions() as session:
        with pytest.raises(jinja2.UndefinedError):
            await queue_email(session, "maya@example.com", "verify_email", name="Maya", valid_hours=48)
        await session.commit()
    assert await _count_jobs() == 0


async def test_smtp_backend_sends_a_multipart_mail(settings: Settings, mailbox: Mailbox) -> None:
    assert settings.email_backend == "smtp"
    async with get_database().sessions() as session:
        await queue_email(session, "maya@example.com", "verify_email", **CONTEXTS["verify_email"])
        await session.commit()

    await run_jobs()

    [message] = mailbox.to("maya@example.com")
    assert message["Subject"] == "Confirm your e-mail address for ReelByte"
    assert message["From"] == settings.from_email
    assert message.get_content_type() == "multipart/alternative"
    assert LINK in message.get_body(("plain",)).get_content()
    assert LINK.replace("&", "&amp;") in message.get_body(("html",)).get_content()
    assert await _count_jobs() == 0  # done and deleted


@pytest.fixture
def restore_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Give back the logging set-up a test changes with configure_logging()."""
    saved_structlog = structlog.get_config()
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    quieted = {name: logging.getLogger(name).level for name in ("uvicorn.access", "procrastinate")}
    # configure_logging caches loggers on first use: give the module a fresh proxy to cache.
    monkeypatch.setattr(email_module, "log", structlog.get_logger(email_module.__name__))
    try:
        yield
    finally:
        structlog.configure(**saved_structlog)
        for handler in list(root.handlers):
            if isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter):
                root.removeHandler(handler)
        for handler in saved_handlers:  # pytest adds and removes its own per test phase
            if not type(handler).__module__.startswith("_pytest"):
                root.addHandler(handler)
        root.setLevel(saved_level)
        for name, level in quieted.items():
            logging.getLogger(name).setLevel(level)


@pytest.mark.usefixtures("restore_logging")
async def test_console_backend_writes_the_mail_and_its_link_to_the_log(
    settings: Settings,
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", json=True)  # as `reelbyte serve` and `reelbyte worker` do: JSON on stderr
    monkeypatch.setattr(settings, "email_backend", "console")
    async with get_database().sessions() as session:
        await queue_email(session, "leo@example.com", "reset_password", **CONTEXTS["reset_password"])
        await session.commit()

    await run_jobs()

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    [mail] = [line for line in lines if line["event"] == "email"]
    assert mail["to"] == "leo@example.com"
    assert mail["subject"] == "Reset your ReelByte password"
    assert LINK in mail["body"]
    assert mail["level"] == "info"
    assert any(line["event"] == "email_sent" and line["to"] == "leo@example.com" for line in lines)
    assert mailbox.messages == []  # nothing went over SMTP
    assert await _count_jobs() == 0

"""Transactional e-mail: Jinja2 templates rendered and sent by a job.

`queue_email()` defers the send in the caller's transaction. The job renders the subject,
text and HTML templates and hands the message to the configured backend: SMTP
(aiosmtplib), or the console backend that writes the whole mail, links included, to the log.
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
import procrastinate
import structlog
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import get_settings
from reelbyte.core.jobs import defer, job_app

log = structlog.get_logger(__name__)

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "email"

_templates = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_email(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Return (subject, text body, HTML body) for `template` with `context`."""
    settings = get_settings()
    full_context = {"public_url": settings.public_url.rstrip("/"), **context}
    subject = _templates.get_template(f"{template}.subject.txt").render(full_context).strip()
    text = _templates.get_template(f"{template}.txt").render(full_context)
    html = _templates.get_template(f"{template}.html").render(full_context)
    return subject, text, html


def build_message(to: str, subject: str, text: str, html: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = get_settings().from_email
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


async def deliver(message: EmailMessage) -> None:
    settings = get_settings()
    if settings.email_backend == "console":
        log.info(
            "email",
            to=message["To"],
            subject=message["Subject"],
            body=message.get_body(("plain",)).get_content(),  # type: ignore[union-attr]
        )
        return
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        start_tls=settings.smtp_starttls,
        use_tls=settings.smtp_use_tls,
        timeout=settings.smtp_timeout_seconds,
    )


@job_app.task(
    name="send_email", queue="email", retry=procrastinate.RetryStrategy(max_attempts=5, exponential_wait=2)
)
async def send_email(to: str, template: str, context: dict[str, Any]) -> None:
    subject, text, html = render_email(template, context)
    await deliver(build_message(to, subject, text, html))
    log.info("email_sent", to=to, template=template)


async def queue_email(session: AsyncSession, to: str, template: str, **context: Any) -> None:
    render_email(template, context)  # fail now, in the request, if the template or context is wrong
    await defer(session, "send_email", to=to, template=template, context=context)

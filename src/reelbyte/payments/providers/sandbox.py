"""The built-in sandbox provider: a stand-in for Mollie that runs offline.

It keeps its own books (the sandbox_* tables, written in its own transactions, as a remote
provider would), serves a checkout page where a person clicks Pay, Fail, Cancel or Expire, and
then notifies the webhook exactly as Mollie does: a form POST with the payment `id`, retried
until it is accepted. Payouts whose cents are 13 (e.g. 20.13) are refused, to try that path.
"""

from __future__ import annotations

import secrets

import httpx
import procrastinate
import structlog
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from reelbyte.core.config import get_settings
from reelbyte.core.db import get_database, transaction
from reelbyte.core.jobs import defer, job_app
from reelbyte.payments.models import SandboxPayment, SandboxPayout, SandboxRefund
from reelbyte.payments.providers import base

log = structlog.get_logger(__name__)

FINAL_STATUSES = {"paid", "failed", "canceled", "expired"}
ACTIONS = {"pay": "paid", "fail": "failed", "cancel": "canceled", "expire": "expired"}
REFUSED_PAYOUT_CENTS = 13

# Where webhooks are sent. None: real HTTP. Tests set an ASGI transport into the app itself.
webhook_transport: httpx.AsyncBaseTransport | None = None


_books_engine: AsyncEngine | None = None


def _books() -> AsyncSession:
    """A session on the sandbox's own connections, as a remote provider keeps its own books.

    Never from the app's pool: the request or job asking the provider holds one of those, and a
    burst of them (more than the pool) would leave none for the provider, each waiting on the
    others until the pool times out. NullPool: a connection per call, closed after it."""
    global _books_engine
    url = get_database().engine.url
    if _books_engine is None or _books_engine.url != url:
        _books_engine = create_async_engine(url, poolclass=NullPool)
    return AsyncSession(_books_engine, expire_on_commit=False)


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


def _to_provider_payment(row: SandboxPayment) -> base.ProviderPayment:
    return base.ProviderPayment(
        id=row.id,
        status=row.status,
        amount_minor=row.amount_minor,
        currency=row.currency,
        checkout_url=checkout_url(row.id) if row.status == "open" else None,
    )


def checkout_url(payment_id: str) -> str:
    return f"{get_settings().public_url.rstrip('/')}/sandbox/checkout/{payment_id}"


class SandboxProvider:
    name = "sandbox"

    async def create_payment(self, request: base.PaymentRequest) -> base.ProviderPayment:
        row = SandboxPayment(
            id=_new_id("tr"),
            amount_minor=request.amount_minor,
            currency=request.currency,
            description=request.description[:255],
            status="open",
            redirect_url=request.redirect_url,
            webhook_url=request.webhook_url,
        )

        async def record(session: AsyncSession) -> None:
            session.add(row)

        await transaction(record, sessions=_books)
        return _to_provider_payment(row)

    async def get_payment(self, provider_payment_id: str) -> base.ProviderPayment:
        async with _books() as session:
            row = await session.get(SandboxPayment, provider_payment_id)
        if row is None:
            raise base.ProviderError(f"sandbox: no payment {provider_payment_id}")
        return _to_provider_payment(row)

    async def create_refund(
        self, *, provider_payment_id: str, amount_minor: int, currency: str, idempotency_key: str
    ) -> base.ProviderRefund:
        async def refund(session: AsyncSession) -> str | None:
            payment = await session.get(SandboxPayment, provider_payment_id, with_for_update=True)
            if payment is None or payment.status != "paid":
                raise base.ProviderError(f"sandbox: payment {provider_payment_id} cannot be refunded")
            refund_id = await session.scalar(
                insert(SandboxRefund)
                .values(
                    id=_new_id("re"),
                    payment_id=payment.id,
                    idempotency_key=idempotency_key,
                    amount_minor=amount_minor,
                )
                .on_conflict_do_nothing(index_elements=[SandboxRefund.idempotency_key])
                .returning(SandboxRefund.id)
            )
            if refund_id is None:  # the same request again: the same refund
                refund_id = await session.scalar(
                    select(SandboxRefund.id).where(SandboxRefund.idempotency_key == idempotency_key)
                )
            else:
                if payment.refunded_minor + amount_minor > payment.amount_minor:
                    raise base.ProviderError("sandbox: refund exceeds the payment")
                payment.refunded_minor += amount_minor
            return refund_id

        refund_id = await transaction(refund, sessions=_books)
        assert refund_id is not None
        return base.ProviderRefund(id=refund_id, status="refunded")

    async def create_payout(
        self, *, destination: str, amount_minor: int, currency: str, idempotency_key: str
    ) -> base.ProviderPayout:
        if amount_minor % 100 == REFUSED_PAYOUT_CENTS:
            raise base.PayoutRejected("sandbox: payouts ending in .13 are refused")

        async def pay_out(session: AsyncSession) -> str | None:
            await session.execute(
                insert(SandboxPayout)
                .values(
                    id=_new_id("po"),
                    idempotency_key=idempotency_key,
                    amount_minor=amount_minor,
                    currency=currency,
                    destination=destination,
                )
                .on_conflict_do_nothing(index_elements=[SandboxPayout.idempotency_key])
            )
            return await session.scalar(
                select(SandboxPayout.id).where(SandboxPayout.idempotency_key == idempotency_key)
            )

        payout_id = await transaction(pay_out, sessions=_books)
        assert payout_id is not None
        return base.ProviderPayout(id=payout_id, status="paid")


async def load_checkout(payment_id: str) -> SandboxPayment | None:
    async with _books() as session:
        return await session.get(SandboxPayment, payment_id)


async def act(payment_id: str, action: str) -> SandboxPayment | None:
    """The person's choice on the checkout page; the webhook follows as a job, like Mollie's."""

    async def choose(session: AsyncSession) -> SandboxPayment | None:
        row = await session.get(SandboxPayment, payment_id, with_for_update=True)
        if row is None or action not in ACTIONS:
            return None
        if row.status not in FINAL_STATUSES:
            row.status = ACTIONS[action]
        await defer(session, "sandbox_send_webhook", url=row.webhook_url, payment_id=row.id)
        return row

    return await transaction(choose, sessions=_books)


@job_app.task(
    name="sandbox_send_webhook",
    queue="webhooks",
    retry=procrastinate.RetryStrategy(max_attempts=10, exponential_wait=2),
)
async def send_webhook(url: str, payment_id: str) -> None:
    async with httpx.AsyncClient(transport=webhook_transport, timeout=10) as client:
        response = await client.post(url, data={"id": payment_id})
    if response.status_code >= 500:
        raise base.ProviderError(f"webhook answered {response.status_code}; retrying like Mollie would")
    log.info("sandbox_webhook_sent", payment_id=payment_id, status=response.status_code)

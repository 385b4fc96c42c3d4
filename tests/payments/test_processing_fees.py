"""Processing fees passed to the client: charged on top, booked apart from escrow, never refunded."""

from __future__ import annotations

import re
import zlib
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from pydantic_settings import SettingsError
from sqlalchemy import text

from reelbyte.core.config import FeeRule, Settings
from reelbyte.core.db import get_database
from reelbyte.core.money import MAX_MINOR, percentage_of, to_minor
from reelbyte.payments.ledger_check import check
from reelbyte.payments.processing_fees import default_method, fee_of, processing_fee_minor
from tests.conftest import run_jobs
from tests.factories import balance_of, checkout, eur, make_order, pay_on_sandbox, seller_and_buyer

SANDBOX_FEES = {"sandbox": {"card": FeeRule(percent=Decimal("2.9"), fixed=Decimal("0.30"))}}


async def _scalar(sql: str, **params: Any) -> Any:
    async with get_database().engine.connect() as connection:
        return (await connection.execute(text(sql), params)).scalar()


async def _balance(key: str) -> int:
    return int(await _scalar("SELECT balance_minor FROM ledger_accounts WHERE key = :key", key=key) or 0)


async def _ledger_is_clean() -> None:
    async with get_database().sessions() as session:
        assert await check(session) == []


def _pdf_text(pdf: bytes) -> str:
    """The text drawn in a PDF's (compressed) content streams."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            chunks.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            chunks.append(stream.decode("latin-1"))
    return "".join(chunks)


@pytest.mark.parametrize(
    "raw",
    [
        '{"mollie": {"ideal": {"fixed": "-0.29"}}}',
        '{"stripe": {"card": {"percent": "-1"}}}',
        '{"stripe": {"card": {"percent": "101"}}}',
        '{"stripe": {"card": {"fixed": "0.001"}}}',
        '{"stripe": {"card": {"flat": "1"}}}',
        '{"bank": {"card": {"fixed": "1"}}}',
        '{"mollie": ',
        '["mollie"]',
    ],
)
def test_bad_fee_tables_refuse_start_up(raw: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCESSING_FEES", raw)
    with pytest.raises((ValidationError, SettingsError)):
        Settings()


def test_the_documented_fee_table_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "PROCESSING_FEES",
        '{"mollie": {"ideal": {"fixed": "0.29"}, "creditcard": {"percent": "1.8", "fixed": "0.25"}}, '
        '"stripe": {"card": {"percent": "1.5", "fixed": "0.25"}}, "sandbox": {}}',
    )
    fees = Settings().processing_fees
    assert fees["mollie"]["creditcard"] == FeeRule(percent=Decimal("1.8"), fixed=Decimal("0.25"))
    assert fees["sandbox"] == {}
    assert default_method("mollie") == "creditcard"
    assert default_method("stripe") == "card"


@given(
    amount=st.integers(min_value=1, max_value=MAX_MINOR),
    percent=st.decimals(min_value=0, max_value=100, places=2),
    fixed=st.decimals(min_value=0, max_value=1000, places=2),
)
def test_fee_math(amount: int, percent: Decimal, fixed: Decimal) -> None:
    fee = fee_of(FeeRule(percent=percent, fixed=fixed), amount)
    assert fee >= 0
    assert fee == percentage_of(amount, percent) + to_minor(fixed)
    charged = amount + fee
    assert charged - fee == amount  # what escrow gets back out of what is charged, to the cent
    assert fee_of(None, amount) == 0


def test_a_provider_or_method_without_a_rule_costs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from reelbyte.core.config import get_settings

    monkeypatch.setattr(get_settings(), "processing_fees", SANDBOX_FEES)
    assert processing_fee_minor("sandbox", None, 5000) == 175  # "card": 1.45 + 0.30
    assert processing_fee_minor("sandbox", "ideal", 5000) == 0
    assert processing_fee_minor("stripe", "card", 5000) == 0


async def test_the_fee_is_charged_on_top_and_kept_apart(
    client: httpx.AsyncClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "processing_fees", SANDBOX_FEES)
    creator, buyer, gig, package = await seller_and_buyer(client)
    order = await make_order(client, buyer, gig, package)
    payment = await checkout(client, buyer, order_id=order["id"])
    assert payment["amount"] == eur("51.75")  # 50.00 + 2.9 % (1.45) + 0.30
    assert await _scalar("SELECT amount_minor FROM sandbox_payments") == 5175
    await pay_on_sandbox(client, payment)

    assert await _balance(f"escrow:order:{order['id']}") == 5000
    assert await _balance("platform:processing_fees:EUR") == 175
    assert await _balance("provider:sandbox:clearing:EUR") == -5175
    assert (await balance_of(client, creator))["pending"] == "42.50"  # the platform fee is on 50.00 only
    await _ledger_is_clean()

    invoice = await client.get(f"/v1/orders/{order['id']}/invoice", headers=buyer)
    assert invoice.status_code == 200
    drawn = _pdf_text(invoice.content)
    for line in ("Order amount", "EUR 50.00", "Processing fee", "EUR 1.75", "Amount paid", "EUR 51.75"):
        assert line in drawn

    # A refund before any work returns the escrowed 50.00; the provider keeps the fee.
    request = await client.post(
        "/v1/payments/refunds", json={"order_id": order["id"], "reason": "Changed my mind."}, headers=buyer
    )
    assert request.json()["amount"] == eur("50.00")
    accepted = await client.post(f"/v1/payments/refunds/{request.json()['id']}/accept", headers=creator)
    assert accepted.status_code == 200, accepted.text
    await run_jobs()
    assert await _scalar("SELECT refunded_minor FROM sandbox_payments") == 5000
    assert await _scalar("SELECT status::text FROM payments") == "refunded"
    assert await _balance("platform:processing_fees:EUR") == 175
    assert await _balance("provider:sandbox:clearing:EUR") == -175
    await _ledger_is_clean()
    after = _pdf_text((await client.get(f"/v1/orders/{order['id']}/invoice", headers=buyer)).content)
    assert "Refunded" in after
    assert "EUR 51.75" in after


async def test_the_ledger_check_sees_a_fee_booked_wrongly(
    client: httpx.AsyncClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "processing_fees", SANDBOX_FEES)
    _, buyer, gig, package = await seller_and_buyer(client)
    order = await make_order(client, buyer, gig, package)
    await pay_on_sandbox(client, await checkout(client, buyer, order_id=order["id"]))
    async with get_database().engine.begin() as connection:
        await connection.execute(text("UPDATE payments SET processing_fee_minor = 100"))
    async with get_database().sessions() as session:
        broken = await check(session)
    assert [v.invariant for v in broken] == [
        "the processing fees account holds the fees of the paid payments"
    ]

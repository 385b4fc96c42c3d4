"""The database guards the ledger by itself (migrations 0009 and 0010), whatever the code does:
entries and transfers are append-only, a transfer must sum to zero when its transaction commits,
and an account that may not go negative cannot. `ledger.post` moves money once per key, and
`ledger check` (the function and the command) finds books that were tampered with."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from reelbyte.core.config import Settings
from reelbyte.core.db import get_database
from reelbyte.payments import ledger
from reelbyte.payments.ledger import Leg
from reelbyte.payments.ledger_check import check
from reelbyte.payments.models import EntryKind
from tests.conftest import PROJECT_ROOT
from tests.factories import gig_for_sale, make_paid_order, signed_up

CLEARING = ledger.clearing("sandbox", "EUR")
REFUNDS = ledger.refunds("EUR")
REVENUE = ledger.revenue("EUR")


async def _move(
    key: str, amount: int, source: ledger.Account = CLEARING, target: ledger.Account = REFUNDS
) -> bool:
    async with get_database().sessions() as session:
        moved = await ledger.post(
            session,
            idempotency_key=key,
            kind="test",
            reference_type="test",
            reference_id=uuid.uuid4(),
            legs=[Leg(source, -amount, EntryKind.PAYMENT), Leg(target, amount, EntryKind.PAYMENT)],
        )
        await session.commit()
    return moved


async def _balances() -> dict[str, int]:
    async with get_database().engine.connect() as connection:
        rows = await connection.execute(text("SELECT key, balance_minor FROM ledger_accounts"))
        return {str(key): int(balance) for key, balance in rows.all()}


async def _count(table: str) -> int:
    async with get_database().engine.connect() as connection:
        return int((await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


async def _refused(sql: str) -> str:
    """Run `sql` in a transaction of its own; it must be refused. Returns the database's message."""

    async def attempt() -> None:
        async with get_database().engine.begin() as connection:
            await connection.execute(text(sql))

    with pytest.raises(IntegrityError) as refused:
        await attempt()
    return str(refused.value.orig)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_entries SET amount_minor = amount_minor * 2",
        "UPDATE ledger_entries SET balance_after_minor = 0",
        "DELETE FROM ledger_entries",
        "UPDATE ledger_transfers SET idempotency_key = idempotency_key || '-again'",
        "DELETE FROM ledger_transfers",
    ],
)
async def test_entries_and_transfers_are_append_only(sql: str) -> None:
    assert await _move("guards:append-only", 1500)
    before = (await _balances(), await _count("ledger_entries"), await _count("ledger_transfers"))

    message = await _refused(sql)

    assert "append-only" in message
    assert (await _balances(), await _count("ledger_entries"), await _count("ledger_transfers")) == before
    async with get_database().sessions() as session:
        assert await check(session) == []


@pytest.mark.parametrize("amounts", [[1000, -999], [1000], [500, 500, -999]])
async def test_a_transfer_that_does_not_sum_to_zero_is_refused_at_commit(amounts: list[int]) -> None:
    assert await _move("guards:accounts", 1)  # the accounts exist
    accounts = await _balances()
    before = (accounts, await _count("ledger_entries"), await _count("ledger_transfers"))
    async with get_database().engine.connect() as connection:
        ids = list((await connection.execute(text("SELECT id FROM ledger_accounts ORDER BY id"))).scalars())
        transfer_id = (
            await connection.execute(
                text(
                    "INSERT INTO ledger_transfers (idempotency_key, kind, reference_type, reference_id) "
                    "VALUES ('guards:unbalanced', 'test', 'test', gen_random_uuid()) RETURNING id"
                )
            )
        ).scalar_one()
        for i, amount in enumerate(amounts):
            # Each statement passes: the check is deferred to the commit, when the whole transfer is in.
            await connection.execute(
                text(
                    "INSERT INTO ledger_entries (transfer_id, account_id, kind, amount_minor, "
                    "balance_after_minor, currency) VALUES (:t, :a, 'payment', :m, 0, 'EUR')"
                ),
                {"t": transfer_id, "a": ids[i % len(ids)], "m": amount},
            )
        with pytest.raises(IntegrityError) as refused:
            await connection.commit()
        await connection.rollback()
    assert "does not sum to zero" in str(refused.value.orig)
    assert (await _balances(), await _count("ledger_entries"), await _count("ledger_transfers")) == before


async def test_a_balanced_transfer_written_by_hand_is_accepted() -> None:
    """The deferred check refuses only what does not add up."""
    assert await _move("guards:accounts", 1)
    async with get_database().engine.begin() as connection:
        ids = list((await connection.execute(text("SELECT id FROM ledger_accounts ORDER BY id"))).scalars())
        transfer_id = (
            await connection.execute(
                text(
                    "INSERT INTO ledger_transfers (idempotency_key, kind, reference_type, reference_id) "
                    "VALUES ('guards:balanced', 'test', 'test', gen_random_uuid()) RETURNING id"
                )
            )
        ).scalar_one()
        for account_id, amount in zip(ids, (700, -700), strict=True):
            await connection.execute(
                text(
                    "INSERT INTO ledger_entries (transfer_id, account_id, kind, amount_minor, "
                    "balance_after_minor, currency) VALUES (:t, :a, 'payment', :m, 0, 'EUR')"
                ),
                {"t": transfer_id, "a": account_id, "m": amount},
            )
    assert await _count("ledger_entries") == 4


async def test_an_account_that_may_not_go_negative_cannot() -> None:
    assert await _move("guards:in", 2000)  # clearing -20.00 (allowed), refunds +20.00
    before = await _balances()

    message = await _refused(f"UPDATE ledger_accounts SET balance_minor = -1 WHERE key = '{REFUNDS.key}'")
    assert "no_overdraft" in message

    # Through post(): more than the balance out of the refunds account is refused, and moves nothing.
    with pytest.raises(ledger.InsufficientFunds):
        await _move("guards:too-much", 2001, source=REFUNDS, target=REVENUE)
    assert await _balances() == before
    assert await _move("guards:exactly", 2000, source=REFUNDS, target=REVENUE)  # to zero is fine
    balances = await _balances()
    assert (balances[REFUNDS.key], balances[REVENUE.key], balances[CLEARING.key]) == (0, 2000, -2000)
    async with get_database().sessions() as session:
        assert await check(session) == []


async def test_the_same_idempotency_key_moves_money_once() -> None:
    assert await _move("guards:once", 1234) is True
    assert await _move("guards:once", 1234) is False
    assert await _move("guards:once", 9999) is False  # the key decides, not the amount
    balances = await _balances()
    assert (balances[CLEARING.key], balances[REFUNDS.key]) == (-1234, 1234)
    assert await _count("ledger_transfers") == 1
    assert await _count("ledger_entries") == 2


def _ledger_check_command(settings: Settings) -> subprocess.CompletedProcess[str]:
    assert settings.database_url is not None
    assert settings.redis_url is not None
    env = {**os.environ, "DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url}
    return subprocess.run(
        [sys.executable, "-m", "reelbyte.cli", "ledger", "check"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
async def test_ledger_check_finds_tampered_books(client: httpx.AsyncClient, settings: Settings) -> None:
    creator, creator_headers = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    gig, package = await gig_for_sale(creator["id"], price_minor=5000)
    done = await make_paid_order(client, client_headers, gig, package)
    await client.post(f"/v1/orders/{done['id']}/deliver", json={"message": "x"}, headers=creator_headers)
    await client.post(f"/v1/orders/{done['id']}/approve", headers=client_headers)
    working = await make_paid_order(client, client_headers, gig, package)

    clean = _ledger_check_command(settings)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "✗" not in clean.stdout

    # The balance column is not append-only (it is the running total), so it can be tampered with.
    async with get_database().engine.begin() as connection:
        await connection.execute(
            text("UPDATE ledger_accounts SET balance_minor = balance_minor + 1 WHERE key = :key"),
            {"key": f"user:{creator['id']}:available:EUR"},
        )
    async with get_database().sessions() as session:
        broken = {violation.invariant for violation in await check(session)}
    assert broken == {
        "every balance equals the sum of its entries",
        "each account's latest entry shows its balance",
        "all the money adds up to zero",
    }
    result = _ledger_check_command(settings)
    assert result.returncode == 1, result.stdout + result.stderr
    for name in broken:
        assert f"✗ {name}" in result.stdout

    # An order marked completed behind the ledger's back still holds its escrow.
    async with get_database().engine.begin() as connection:
        await connection.execute(
            text("UPDATE orders SET status = 'completed' WHERE id = :id"), {"id": working["id"]}
        )
    async with get_database().sessions() as session:
        violations = {violation.invariant: violation.rows for violation in await check(session)}
    [(order_id, status, held)] = violations["no escrow is left on a completed or cancelled order"]
    assert (str(order_id), status, held) == (working["id"], "completed", 5000)

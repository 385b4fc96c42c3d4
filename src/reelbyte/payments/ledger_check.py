"""`reelbyte ledger check`: verify every ledger invariant; any violation is listed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class Invariant:
    name: str
    sql: str  # returns one row per violation


INVARIANTS = [
    Invariant(
        "every transfer sums to zero",
        "SELECT transfer_id, sum(amount_minor) FROM ledger_entries GROUP BY transfer_id HAVING sum(amount_minor) <> 0",
    ),
    Invariant(
        "every transfer has at least two entries",
        "SELECT t.id FROM ledger_transfers t LEFT JOIN ledger_entries e ON e.transfer_id = t.id "
        "GROUP BY t.id HAVING count(e.id) < 2",
    ),
    Invariant(
        "every balance equals the sum of its entries",
        "SELECT a.key, a.balance_minor, coalesce(sum(e.amount_minor), 0) FROM ledger_accounts a "
        "LEFT JOIN ledger_entries e ON e.account_id = a.id GROUP BY a.id "
        "HAVING a.balance_minor <> coalesce(sum(e.amount_minor), 0)",
    ),
    Invariant(
        "each account's latest entry shows its balance",
        "SELECT a.key FROM ledger_accounts a JOIN LATERAL (SELECT balance_after_minor FROM ledger_entries "
        "WHERE account_id = a.id ORDER BY id DESC LIMIT 1) last ON true "
        "WHERE last.balance_after_minor <> a.balance_minor",
    ),
    Invariant(
        "no balance is negative where that is not allowed",
        "SELECT key, balance_minor FROM ledger_accounts WHERE NOT allow_negative AND balance_minor < 0",
    ),
    Invariant(
        "all the money adds up to zero",
        "SELECT currency, sum(balance_minor) FROM ledger_accounts GROUP BY currency HAVING sum(balance_minor) <> 0",
    ),
    Invariant(
        "no escrow is left on a completed or cancelled order",
        "SELECT o.id, o.status, a.balance_minor FROM orders o "
        "JOIN ledger_accounts a ON a.key = 'escrow:order:' || o.id "
        "WHERE o.status IN ('completed', 'cancelled') AND a.balance_minor <> 0",
    ),
    Invariant(
        "no escrow is left on an approved or cancelled milestone",
        "SELECT m.id, m.status, a.balance_minor FROM milestones m "
        "JOIN ledger_accounts a ON a.key = 'escrow:milestone:' || m.id "
        "WHERE m.status IN ('approved', 'cancelled') AND a.balance_minor <> 0",
    ),
    Invariant(
        "payouts never exceed earnings",
        "WITH flows AS (SELECT a.owner_id, "
        "coalesce(sum(e.amount_minor) FILTER (WHERE e.kind IN ('earning', 'fee')), 0) AS earned, "
        "coalesce(-sum(e.amount_minor) FILTER (WHERE e.kind IN ('withdrawal', 'reversal')), 0) AS withdrawn "
        "FROM ledger_accounts a JOIN ledger_entries e ON e.account_id = a.id "
        "WHERE a.kind = 'available' GROUP BY a.owner_id) "
        "SELECT owner_id, earned, withdrawn FROM flows WHERE withdrawn > earned",
    ),
    Invariant(
        "a paid withdrawal left nothing in transit, a failed one returned its funds",
        "SELECT w.id, w.status FROM withdrawals w WHERE w.status IN ('paid', 'failed') AND NOT EXISTS "
        "(SELECT 1 FROM ledger_transfers t WHERE t.idempotency_key IN "
        "('withdrawal:' || w.id || ':paid', 'withdrawal:' || w.id || ':failed'))",
    ),
]


@dataclass(frozen=True)
class Violation:
    invariant: str
    rows: list[tuple[object, ...]]


async def check(session: AsyncSession, sample: int = 20) -> list[Violation]:
    """Run every invariant in one snapshot; return the broken ones (with up to `sample` rows)."""
    connection = await session.connection()
    await connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
    violations = []
    for invariant in INVARIANTS:
        rows = (await connection.exec_driver_sql(f"{invariant.sql} LIMIT {sample}")).all()
        if rows:
            violations.append(Violation(invariant.name, [tuple(row) for row in rows]))
    return violations

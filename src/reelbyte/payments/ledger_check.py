"""`reelbyte ledger check`: verify every ledger invariant; any violation is listed."""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.db import transaction
from reelbyte.core.metrics import record_ledger_check

log = structlog.get_logger(__name__)


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
    Invariant(
        "the payout fees account holds exactly the fees of paid withdrawals",
        "WITH due AS (SELECT currency, sum(fee_minor) AS fees FROM withdrawals WHERE status = 'paid' "
        "GROUP BY currency), held AS (SELECT currency, sum(balance_minor) AS fees FROM ledger_accounts "
        "WHERE kind = 'payout_fees' GROUP BY currency) "
        "SELECT coalesce(d.currency, h.currency), coalesce(d.fees, 0), coalesce(h.fees, 0) "
        "FROM due d FULL JOIN held h ON h.currency = d.currency "
        "WHERE coalesce(d.fees, 0) <> coalesce(h.fees, 0)",
    ),
    Invariant(
        "every withdrawal goes to a payout method of its own creator",
        "SELECT w.id, w.user_id, m.user_id FROM withdrawals w JOIN payout_methods m ON m.id = w.payout_method_id "
        "WHERE m.user_id <> w.user_id",
    ),
    Invariant(
        # Processing fees are never refunded (payments/processing_fees.py): nothing to subtract.
        "the processing fees account holds the fees of the paid payments",
        "WITH due AS (SELECT currency, sum(processing_fee_minor) AS fees FROM payments "
        "WHERE status IN ('paid', 'refunded') GROUP BY currency), "
        "held AS (SELECT currency, balance_minor FROM ledger_accounts WHERE kind = 'processing_fees') "
        "SELECT coalesce(held.currency, due.currency), coalesce(held.balance_minor, 0), coalesce(due.fees, 0) "
        "FROM held FULL JOIN due ON due.currency = held.currency "
        "WHERE coalesce(held.balance_minor, 0) <> coalesce(due.fees, 0)",
    ),
    Invariant(
        # One row per (creator, period) is the unique key; this checks what each row points at.
        "every scheduled payout made is one withdrawal of its own creator",
        "SELECT s.id, s.user_id, w.user_id FROM scheduled_payouts s "
        "LEFT JOIN withdrawals w ON w.id = s.withdrawal_id "
        "WHERE (s.status = 'requested') <> (w.id IS NOT NULL) OR w.user_id <> s.user_id",
    ),
    Invariant(
        "every accepted refund request is one refund of its amount, refunded when the request is",
        "SELECT r.id, r.status, f.status, r.amount_minor, f.amount_minor FROM refund_requests r "
        "LEFT JOIN refunds f ON f.id = r.refund_id "
        "WHERE (r.status IN ('accepted', 'refunded')) <> (f.id IS NOT NULL) "
        "OR (r.status = 'refunded') <> (f.status = 'refunded') OR r.amount_minor <> f.amount_minor",
    ),
    Invariant(
        # The processing fee stays with the provider: only what went into escrow can come back.
        "no payment is refunded more than it put in escrow",
        "SELECT p.id, p.amount_minor - p.processing_fee_minor, sum(f.amount_minor) FROM payments p "
        "JOIN refunds f ON f.payment_id = p.id GROUP BY p.id "
        "HAVING sum(f.amount_minor) > p.amount_minor - p.processing_fee_minor",
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


async def check_and_record() -> list[Violation]:
    """`check` in a unit of its own, its result recorded for every instance's /metrics (the
    dashboard's ledger panel; the verdict stands without it when Redis is down)."""
    violations = await transaction(check)
    try:
        await record_ledger_check(len(violations))
    except RedisError as error:
        log.warning("ledger_check_not_recorded", error=str(error))
    if violations:
        log.error("ledger_check_failed", invariants=[violation.invariant for violation in violations])
    return violations

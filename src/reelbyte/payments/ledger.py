"""The double-entry ledger: accounts, and transfers whose entries sum to zero.

`post()` is the only way money moves. It is idempotent (a transfer's key makes it happen once,
whoever retries), it locks the accounts it touches in one fixed order (so concurrent transfers
cannot deadlock) and refuses an overdraft itself; the database refuses one too (CHECK
no_overdraft), and an unbalanced transfer (a deferred constraint trigger, migration 0010), and
any change to an entry or transfer (append-only triggers).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.payments.errors import InsufficientFunds
from reelbyte.payments.models import AccountKind, EntryKind, LedgerAccount, LedgerEntry, LedgerTransfer

# --- accounts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """An account by its unique key; created on first use."""

    key: str
    kind: AccountKind
    currency: str
    owner_id: uuid.UUID | None = None
    allow_negative: bool = False


def available(user_id: uuid.UUID, currency: str) -> Account:
    return Account(f"user:{user_id}:available:{currency}", AccountKind.AVAILABLE, currency, user_id)


def in_transit(user_id: uuid.UUID, currency: str) -> Account:
    return Account(f"user:{user_id}:in_transit:{currency}", AccountKind.IN_TRANSIT, currency, user_id)


def order_escrow(order_id: uuid.UUID, client_id: uuid.UUID, currency: str) -> Account:
    return Account(f"escrow:order:{order_id}", AccountKind.ESCROW, currency, client_id)


def milestone_escrow(milestone_id: uuid.UUID, client_id: uuid.UUID, currency: str) -> Account:
    return Account(f"escrow:milestone:{milestone_id}", AccountKind.ESCROW, currency, client_id)


def revenue(currency: str) -> Account:
    return Account(f"platform:revenue:{currency}", AccountKind.REVENUE, currency)


def refunds(currency: str) -> Account:
    return Account(f"platform:refunds:{currency}", AccountKind.REFUNDS, currency)


def processing_fees(currency: str) -> Account:
    """Processing fees clients paid on top of their orders (PROCESSING_FEES); never refunded."""
    return Account(f"platform:processing_fees:{currency}", AccountKind.PROCESSING_FEES, currency)


def payout_fees(currency: str) -> Account:
    """What payout providers charge on withdrawals (PAYOUT_FEES), kept back from the creators."""
    return Account(f"platform:payout_fees:{currency}", AccountKind.PAYOUT_FEES, currency)


def clearing(provider: str, currency: str) -> Account:
    """Money outside the platform: it goes negative as clients pay in."""
    return Account(
        f"provider:{provider}:clearing:{currency}", AccountKind.CLEARING, currency, allow_negative=True
    )


# --- transfers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Leg:
    account: Account
    amount_minor: int
    kind: EntryKind


async def post(
    session: AsyncSession,
    *,
    idempotency_key: str,
    kind: str,
    reference_type: str,
    reference_id: uuid.UUID,
    legs: list[Leg],
    description: str | None = None,
) -> bool:
    """Record one transfer inside the caller's transaction. Returns False if it was already made.

    Raises InsufficientFunds (409) if a leg would overdraw an account that may not go negative;
    the caller's transaction must then roll back.
    """
    _check_balanced(legs)
    transfer_id = await session.scalar(
        insert(LedgerTransfer)
        .values(
            idempotency_key=idempotency_key,
            kind=kind,
            reference_type=reference_type,
            reference_id=reference_id,
            description=description,
        )
        .on_conflict_do_nothing(index_elements=[LedgerTransfer.idempotency_key])
        .returning(LedgerTransfer.id)
    )
    if transfer_id is None:
        return False  # made before: a retried webhook, job or request moves nothing
    accounts = await _lock_accounts(session, [leg.account for leg in legs])
    balances = {key: account.balance for key, account in accounts.items()}
    entries = []
    for leg in legs:
        balances[leg.account.key] += leg.amount_minor
        entries.append(
            {
                "transfer_id": transfer_id,
                "account_id": accounts[leg.account.key].id,
                "kind": leg.kind,
                "amount_minor": leg.amount_minor,
                "balance_after_minor": balances[leg.account.key],
                "currency": leg.account.currency,
            }
        )
    for key, balance in balances.items():
        if balance < 0 and not accounts[key].allow_negative:
            raise InsufficientFunds("Not enough funds for this.", details={"account": key.split(":")[0]})
    await session.execute(
        update(LedgerAccount),
        [{"id": accounts[key].id, "balance_minor": balance} for key, balance in balances.items()],
    )
    await session.execute(insert(LedgerEntry), entries)
    return True


def _check_balanced(legs: list[Leg]) -> None:
    if len(legs) < 2 or sum(leg.amount_minor for leg in legs) != 0:
        raise ValueError(f"a transfer needs two or more legs summing to zero: {legs}")
    if any(leg.amount_minor == 0 for leg in legs):
        raise ValueError("a leg of zero moves nothing")
    if len({leg.account.currency for leg in legs}) != 1:
        raise ValueError("a transfer moves one currency")


@dataclass(frozen=True)
class _Locked:
    id: int
    balance: int
    allow_negative: bool


async def _lock_accounts(session: AsyncSession, accounts: list[Account]) -> dict[str, _Locked]:
    """Create the accounts that do not exist yet, then lock all of them in id order.

    Inserting in key order and locking in id order, the same in every transaction, keeps
    concurrent transfers from deadlocking.
    """
    unique = sorted({account.key: account for account in accounts}.values(), key=lambda account: account.key)
    await session.execute(
        insert(LedgerAccount)
        .values(
            [
                {
                    "key": account.key,
                    "kind": account.kind,
                    "owner_id": account.owner_id,
                    "currency": account.currency,
                    "allow_negative": account.allow_negative,
                }
                for account in unique
            ]
        )
        .on_conflict_do_nothing(index_elements=[LedgerAccount.key])
    )
    rows = await session.execute(
        select(LedgerAccount.key, LedgerAccount.id, LedgerAccount.balance_minor, LedgerAccount.allow_negative)
        .where(LedgerAccount.key.in_([account.key for account in unique]))
        .order_by(LedgerAccount.id)
        .with_for_update()
    )
    return {key: _Locked(id_, int(balance), allow_negative) for key, id_, balance, allow_negative in rows}


async def balance_of(session: AsyncSession, account: Account) -> int:
    balance = await session.scalar(
        select(LedgerAccount.balance_minor).where(LedgerAccount.key == account.key)
    )
    return int(balance or 0)

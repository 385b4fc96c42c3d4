"""Monthly statements: the numbers match the ledger at the month's edges, through the API as PDF
and CSV, and bad months are refused."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import PayoutFee, Settings
from reelbyte.core.db import transaction, utcnow
from reelbyte.identity.models import User
from reelbyte.payments import ledger
from reelbyte.payments.ledger import Account, Leg
from reelbyte.payments.models import EntryKind, LedgerEntry
from reelbyte.payments.statements import Month, statement_for, to_csv
from tests.conftest import run_jobs
from tests.factories import Headers, gig_for_sale, insert_user, make_paid_order, payout_ready, signed_up

EUR = "EUR"
MONTHS = [Month(2025, m) for m in range(1, 5)]


# --- the ledger at the edges of months (hypothesis) ----------------------------------------


def _accounts(user_id: uuid.UUID) -> dict[str, Account]:
    return {
        "available": ledger.available(user_id, EUR),
        "in_transit": ledger.in_transit(user_id, EUR),
        "outside": ledger.clearing("sandbox", EUR),
        "platform": ledger.revenue(EUR),
        "refunds": ledger.refunds(EUR),
    }


# kind: (from, to) — money moving between the creator's accounts and the rest of the ledger.
MOVES = {
    EntryKind.EARNING: ("outside", "available"),
    EntryKind.FEE: ("available", "platform"),
    EntryKind.REFUND: ("available", "refunds"),
    EntryKind.PAYOUT_FEE: ("available", "platform"),
    EntryKind.WITHDRAWAL: ("available", "in_transit"),
    EntryKind.PAYOUT: ("in_transit", "outside"),
    EntryKind.REVERSAL: ("in_transit", "available"),
}
MINE = ("available", "in_transit")
# A payout whose provider fee goes to the payout fees account, booked as payments/service.py does.
PAYOUT_WITH_FEE = "payout_with_fee"


@dataclass(frozen=True)
class Posted:
    transfer_key: str
    lines: tuple[tuple[str, int], ...]  # (kind, what it did to available + in transit), 0 left out
    available_after: int
    in_transit_after: int


def _legs(
    accounts: dict[str, Account], kind: EntryKind | str, amount: int
) -> tuple[list[Leg], list[tuple[str, int]]]:
    if kind == PAYOUT_WITH_FEE:
        fee = max(1, amount // 50)
        legs = [
            Leg(accounts["in_transit"], -amount, EntryKind.PAYOUT),
            Leg(accounts["outside"], amount - fee, EntryKind.PAYOUT),
            Leg(ledger.payout_fees(EUR), fee, EntryKind.PAYOUT_FEE),
        ]
        return legs, [("payout", fee - amount), ("payout_fee", -fee)]
    assert isinstance(kind, EntryKind)
    source, target = MOVES[kind]
    signed = (amount if target in MINE else 0) - (amount if source in MINE else 0)
    return [Leg(accounts[source], -amount, kind), Leg(accounts[target], amount, kind)], [(kind.value, signed)]


async def _post(
    session: AsyncSession, user_id: uuid.UUID, kind: EntryKind | str, amount: int
) -> Posted | None:
    accounts = _accounts(user_id)
    source = "in_transit" if kind == PAYOUT_WITH_FEE else MOVES[EntryKind(kind)][0]
    if source in MINE:  # never more than is there
        amount = min(amount, await ledger.balance_of(session, accounts[source]))
    if amount <= (1 if kind == PAYOUT_WITH_FEE else 0):
        return None
    key = f"test:{uuid.uuid4()}"
    legs, lines = _legs(accounts, kind, amount)
    await ledger.post(
        session, idempotency_key=key, kind=str(kind), reference_type="test", reference_id=user_id, legs=legs
    )
    return Posted(
        key,
        tuple((line_kind, signed) for line_kind, signed in lines if signed != 0),
        await ledger.balance_of(session, accounts["available"]),
        await ledger.balance_of(session, accounts["in_transit"]),
    )


async def _move_to(session: AsyncSession, transfer_key: str, moment: datetime) -> None:
    """Date a transfer's entries back (the ledger refuses updates: its triggers are off for this
    test transaction only)."""
    await session.execute(text("SET LOCAL session_replication_role = replica"))
    await session.execute(
        update(LedgerEntry)
        .where(
            LedgerEntry.transfer_id == text("(SELECT id FROM ledger_transfers WHERE idempotency_key = :key)")
        )
        .values(created_at=moment),
        {"key": transfer_key},
    )


def _moment(month_index: int, where: str) -> datetime:
    """Right on a month's first instant, just after it, mid-month, or its very last microsecond."""
    month = MONTHS[month_index]
    return {
        "start": month.start,
        "just_after": month.start + timedelta(microseconds=1),
        "middle": month.start + timedelta(days=14, hours=7),
        "last": month.end - timedelta(microseconds=1),
    }[where]


operations = st.lists(
    st.tuples(
        st.sampled_from([*MOVES, PAYOUT_WITH_FEE]),
        st.integers(min_value=1, max_value=50_000),
        st.integers(min_value=0, max_value=len(MONTHS) - 1),
        st.sampled_from(["start", "just_after", "middle", "last"]),
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=operations)
async def test_opening_plus_lines_is_the_closing_balance_of_the_ledger_every_month(
    ops: list[tuple[EntryKind | str, int, int, str]],
) -> None:
    creator, other = await insert_user(), await insert_user()
    # Time runs forward as the ledger does: entries are dated in the order they were made.
    ops = sorted(ops, key=lambda op: _moment(op[2], op[3]))

    async def make(session: AsyncSession) -> list[tuple[Posted, datetime]]:
        posted = []
        for kind, amount, month_index, where in ops:
            made = await _post(session, creator.id, kind, amount)
            noise = await _post(session, other.id, EntryKind.EARNING, amount)  # never on my statement
            for row in (made, noise):
                if row is not None:
                    await _move_to(session, row.transfer_key, _moment(month_index, where))
            if made is not None:
                posted.append((made, _moment(month_index, where)))
        return posted

    posted = await transaction(make)

    def balances_before(moment: datetime) -> tuple[int, int]:
        earlier = [row for row, at in posted if at < moment]
        return (earlier[-1].available_after, earlier[-1].in_transit_after) if earlier else (0, 0)

    async def check(session: AsyncSession) -> None:
        user = await session.get_one(User, creator.id)
        for month in [Month(2024, 12), *MONTHS, Month(2025, 5)]:
            statement = await statement_for(session, user, month)
            [section] = statement.sections
            opening, closing = balances_before(month.start), balances_before(month.end)
            assert (section.opening.available_minor, section.opening.in_transit_minor) == opening, month
            assert (section.closing.available_minor, section.closing.in_transit_minor) == closing, month
            assert section.opening.total_minor + sum(line.amount_minor for line in section.lines) == sum(
                closing
            )
            # Every movement of the month on my balance is a line, by its kind; moves between my
            # own two accounts (a withdrawal asked for, a failed payout's return) net to nothing.
            expected = [line for row, at in posted if month.start <= at < month.end for line in row.lines]
            assert [(line.kind, line.amount_minor) for line in section.lines] == expected, month
            rows = list(csv.DictReader(io.StringIO(to_csv(statement).decode())))
            assert rows[0]["type"] == "opening_balance"
            assert rows[-1]["type"] == "closing_balance"
            assert rows[-1]["balance"] == f"{sum(closing) / 100:.2f}"
            assert [row["balance"] for row in rows[-2:-1]] in ([], [rows[-1]["balance"]])
        now_available = await ledger.balance_of(session, ledger.available(creator.id, EUR))
        now_in_transit = await ledger.balance_of(session, ledger.in_transit(creator.id, EUR))
        assert balances_before(Month(2025, 5).end) == (now_available, now_in_transit)

    await transaction(check, read_only=True)


# --- through the API ----------------------------------------------------------------------


def _csv(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def _this_month() -> str:
    return f"{utcnow():%Y-%m}"


async def _earned(client: httpx.AsyncClient, price_minor: int) -> tuple[str, Headers, Headers]:
    """A creator paid for one approved order: (their id, their headers, the client's headers)."""
    creator, creator_headers = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    gig, package = await gig_for_sale(creator["id"], price_minor=price_minor)
    order = await make_paid_order(client, client_headers, gig, package)
    await client.post(f"/v1/orders/{order['id']}/deliver", json={"message": "done"}, headers=creator_headers)
    approved = await client.post(f"/v1/orders/{order['id']}/approve", headers=client_headers)
    assert approved.json()["status"] == "completed"
    return creator["id"], creator_headers, client_headers


async def test_a_creators_month_as_csv_and_pdf(
    client: httpx.AsyncClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "payout_fees", {"sandbox": PayoutFee(fixed=Decimal("1.00"))})
    creator_id, creator_headers, _ = await _earned(client, 10000)
    await payout_ready(creator_id)
    withdrawn = await client.post(
        "/v1/payments/me/withdraw",
        json={"amount": {"currency": "EUR", "value": "30.00"}},
        headers=creator_headers,
    )
    assert withdrawn.status_code == 201, withdrawn.text
    await run_jobs()  # the payout

    url = f"/v1/payments/me/statements/{_this_month()}"
    rows = _csv(await client.get(url, params={"format": "csv"}, headers=creator_headers))
    body: list[tuple[str, str, str]] = [(row["type"], row["amount"], row["balance"]) for row in rows]
    # The withdrawal asked for moves money between my own accounts: only its payout is a line,
    # and the provider's fee kept back from it is one of its own.
    assert body == [
        ("opening_balance", "", "0.00"),
        ("earning", "100.00", "100.00"),
        ("fee", "-15.00", "85.00"),
        ("payout", "-29.00", "56.00"),
        ("payout_fee", "-1.00", "55.00"),
        ("closing_balance", "", "55.00"),
    ]
    balance = (await client.get("/v1/payments/me/balance", headers=creator_headers)).json()
    assert float(balance["available"]["value"]) + float(balance["in_transit"]["value"]) == 55.0
    assert all(row["currency"] == "EUR" for row in rows)

    by_accept = await client.get(url, headers={**creator_headers, "Accept": "text/csv"})
    assert _csv(by_accept)[:-1] == rows[:-1]  # the current month's closing row is dated now
    pdf = await client.get(url, headers=creator_headers)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    pages = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for shown in ("Opening balance", "EUR 0.00", "Closing balance", "EUR 55.00", "Earnings", "100.00",
                  "Platform fees", "-15.00", "Payouts", "-29.00", "Payout fees", "-1.00"):  # fmt: skip
        assert shown in pages, (shown, pages)
    assert "Withdrawals" not in pages  # moved between my own accounts: no line
    assert f'filename="reelbyte-statement-{_this_month()}.pdf"' in pdf.headers["content-disposition"]
    # The query wins over Accept.
    forced = await client.get(
        url, params={"format": "pdf"}, headers={**creator_headers, "Accept": "text/csv"}
    )
    assert forced.content.startswith(b"%PDF")

    # Last month: nothing moved yet, nothing to show.
    first = utcnow().replace(day=1)
    last_month = f"{first - timedelta(days=1):%Y-%m}"
    earlier = _csv(
        await client.get(f"/v1/payments/me/statements/{last_month}?format=csv", headers=creator_headers)
    )
    assert [(row["type"], row["balance"]) for row in earlier] == [
        ("opening_balance", "0.00"),
        ("closing_balance", "0.00"),
    ]


async def test_a_statement_shows_only_my_own_money(client: httpx.AsyncClient) -> None:
    _, creator_headers, client_headers = await _earned(client, 5000)
    _, stranger_headers = await signed_up(client, "creator")

    url = f"/v1/payments/me/statements/{_this_month()}?format=csv"
    mine = _csv(await client.get(url, headers=creator_headers))
    theirs = _csv(await client.get(url, headers=stranger_headers))
    assert len(mine) == 4  # opening, earning, fee, closing
    assert [(row["type"], row["balance"]) for row in theirs] == [
        ("opening_balance", "0.00"),
        ("closing_balance", "0.00"),
    ]
    # The client's money sits in escrow, which is not a balance of theirs to withdraw.
    client_rows = _csv(await client.get(url, headers=client_headers))
    assert [row["type"] for row in client_rows] == ["opening_balance", "closing_balance"]
    assert (await client.get(url)).status_code == 401


async def test_bad_and_future_months_are_refused(client: httpx.AsyncClient) -> None:
    _, headers = await signed_up(client, "creator")
    for month in ("2026-13", "2026-00", "2026-1", "26-01", "0000-01", "2026-01-01", "abcd-ef", "2026_01"):
        response = await client.get(f"/v1/payments/me/statements/{month}", headers=headers)
        assert response.status_code == 422, (month, response.text)
        assert response.json()["error"] == "validation_error", response.text
    bad_format = await client.get(f"/v1/payments/me/statements/{_this_month()}?format=xls", headers=headers)
    assert bad_format.status_code == 422
    next_month = (utcnow().replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    for month in (next_month, "9999-12"):
        response = await client.get(f"/v1/payments/me/statements/{month}", headers=headers)
        assert response.status_code == 404, response.text
        assert response.json()["error"] == "statement_not_found"


def test_months_parse_and_end_where_the_next_begins() -> None:
    assert (Month.parse("2025-12").start, Month.parse("2025-12").end) == (
        datetime(2025, 12, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert str(Month.parse("2026-02")) == "2026-02"
    for bad in ("2026-13", "0999-01", "2026-1"):
        try:
            Month.parse(bad)
        except ValueError:
            continue
        raise AssertionError(bad)

"""Monthly statements of a user's money on the platform, as PDF (fpdf2) and CSV.

A statement covers one calendar month in UTC, [first day 00:00, next month's first day 00:00),
per currency, of the user's *balance with the platform*: the available account plus the in-transit
account (withdrawals asked for but not paid out yet). Its lines are the user's ledger entries in
the month, one per transfer and entry kind, summed over those two accounts: a withdrawal moving
money from available to in transit nets to nothing and is left out, and the payout that follows
is a line. Every entry kind is shown by its name, so a kind added to the ledger shows up without
a change here.

The numbers come from the ledger alone: opening = the sum of the accounts' entries before the
month, closing = the sum before its end, so opening + lines = closing, and both are the accounts'
balances at that moment (each entry records the balance after it).
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from fpdf import FPDF
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import get_settings
from reelbyte.core.db import utcnow
from reelbyte.core.money import format_minor
from reelbyte.identity.models import User
from reelbyte.payments.errors import StatementNotFound
from reelbyte.payments.invoices import _text
from reelbyte.payments.models import AccountKind, LedgerAccount, LedgerEntry, LedgerTransfer

MONTH_PATTERN = r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"
STATEMENT_ACCOUNTS = (AccountKind.AVAILABLE, AccountKind.IN_TRANSIT)

# Names for the kinds known today; any other kind is shown by its own name.
KIND_LABELS = {
    "earning": "Earnings",
    "fee": "Platform fees",
    "refund": "Refunds",
    "payout": "Payouts",
    "payout_fee": "Payout fees",
    "reversal": "Failed payouts (returned)",
    "withdrawal": "Withdrawals",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        if not re.fullmatch(MONTH_PATTERN, text):
            raise ValueError(f"not a month (yyyy-mm): {text!r}")
        year, month = text.split("-")
        return cls(int(year), int(month))

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first moment of the next month (not part of this one)."""
        if self.month == 12:
            return datetime(self.year + 1, 1, 1, tzinfo=UTC)
        return datetime(self.year, self.month + 1, 1, tzinfo=UTC)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Line:
    at: datetime
    kind: str
    amount_minor: int
    reference_type: str
    reference_id: uuid.UUID
    description: str


@dataclass(frozen=True)
class Balances:
    available_minor: int
    in_transit_minor: int

    @property
    def total_minor(self) -> int:
        return self.available_minor + self.in_transit_minor


@dataclass(frozen=True)
class CurrencyStatement:
    currency: str
    opening: Balances
    closing: Balances
    lines: list[Line]

    def totals_by_kind(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for line in self.lines:
            totals[line.kind] += line.amount_minor
        return dict(totals)


@dataclass(frozen=True)
class Statement:
    user: User
    month: Month
    generated_at: datetime
    sections: list[CurrencyStatement] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return f"reelbyte-statement-{self.month}"


async def statement_for(
    session: AsyncSession, user: User, month: Month, *, now: datetime | None = None
) -> Statement:
    """The user's statement of `month`; a month that has not begun is 404 (`statement_not_found`).
    The current month's runs up to now."""
    now = now or utcnow()
    if month.start > now:
        raise StatementNotFound(details={"month": str(month)})
    accounts = list(
        await session.execute(
            select(LedgerAccount.id, LedgerAccount.kind, LedgerAccount.currency)
            .where(LedgerAccount.owner_id == user.id, LedgerAccount.kind.in_(STATEMENT_ACCOUNTS))
            .order_by(LedgerAccount.currency)
        )
    )
    statement = Statement(user=user, month=month, generated_at=now)
    currencies = sorted({currency for _, _, currency in accounts} | {get_settings().default_currency})
    for currency in currencies:
        ids = {account_id: kind for account_id, kind, cur in accounts if cur == currency}
        statement.sections.append(await _section(session, currency, ids, month.start, month.end))
    return statement


async def _section(
    session: AsyncSession, currency: str, accounts: dict[int, AccountKind], start: datetime, end: datetime
) -> CurrencyStatement:
    return CurrencyStatement(
        currency=currency,
        opening=await _balances_before(session, accounts, start),
        closing=await _balances_before(session, accounts, end),
        lines=await _lines(session, list(accounts), start, end),
    )


async def _balances_before(
    session: AsyncSession, accounts: dict[int, AccountKind], moment: datetime
) -> Balances:
    rows = await session.execute(
        select(LedgerEntry.account_id, func.sum(LedgerEntry.amount_minor))
        .where(LedgerEntry.account_id.in_(list(accounts)), LedgerEntry.created_at < moment)
        .group_by(LedgerEntry.account_id)
    )
    by_kind: dict[AccountKind, int] = defaultdict(int)
    for account_id, total in rows:
        by_kind[accounts[account_id]] += int(total)
    return Balances(by_kind[AccountKind.AVAILABLE], by_kind[AccountKind.IN_TRANSIT])


async def _lines(session: AsyncSession, account_ids: list[int], start: datetime, end: datetime) -> list[Line]:
    """One line per (transfer, entry kind), summed over the accounts; moves between them drop out.

    Money leaving the balance that lands partly under a kind of its own elsewhere (a payout of
    which the provider's fee goes to the payout fees account) is shown split: the payout, and
    the fee as a line of its kind."""
    rows = await session.execute(
        select(
            LedgerEntry.transfer_id,
            LedgerEntry.kind,
            func.sum(LedgerEntry.amount_minor),
            func.min(LedgerEntry.created_at),
            LedgerTransfer.reference_type,
            LedgerTransfer.reference_id,
            LedgerTransfer.description,
        )
        .join(LedgerTransfer, LedgerTransfer.id == LedgerEntry.transfer_id)
        .where(
            LedgerEntry.account_id.in_(account_ids),
            LedgerEntry.created_at >= start,
            LedgerEntry.created_at < end,
        )
        .group_by(LedgerEntry.transfer_id, LedgerEntry.kind, LedgerTransfer.id)
        .order_by(func.min(LedgerEntry.id), LedgerEntry.kind)
    )
    by_transfer: dict[int, list[Line]] = {}
    for transfer_id, kind, total, at, reference_type, reference_id, description in rows:
        line = Line(at, kind.value, int(total), reference_type, reference_id, description or "")
        by_transfer.setdefault(transfer_id, []).append(line)
    elsewhere = await _elsewhere(session, list(by_transfer), account_ids)
    lines = []
    for transfer_id, mine in by_transfer.items():
        split = _split_out(mine, elsewhere.get(transfer_id, []))
        lines += [_described(line) for line in split if line.amount_minor != 0]
    return lines


async def _elsewhere(
    session: AsyncSession, transfer_ids: list[int], account_ids: list[int]
) -> dict[int, list[tuple[str, int]]]:
    """The transfers' legs on other accounts than these: (kind, amount) per transfer."""
    rows = await session.execute(
        select(LedgerEntry.transfer_id, LedgerEntry.kind, func.sum(LedgerEntry.amount_minor))
        .where(LedgerEntry.transfer_id.in_(transfer_ids), LedgerEntry.account_id.not_in(account_ids))
        .group_by(LedgerEntry.transfer_id, LedgerEntry.kind)
        .order_by(LedgerEntry.transfer_id, LedgerEntry.kind)
    )
    found: dict[int, list[tuple[str, int]]] = {}
    for transfer_id, kind, total in rows:
        found.setdefault(transfer_id, []).append((kind.value, int(total)))
    return found


def _split_out(mine: list[Line], elsewhere: list[tuple[str, int]]) -> list[Line]:
    lines = list(mine)
    kinds = {line.kind for line in mine}
    for kind, amount in elsewhere:
        if kind in kinds or amount <= 0:
            continue  # the other side of one of my lines, or where the money came from
        index = min(range(len(lines)), key=lambda i: lines[i].amount_minor)
        carrier = lines[index]
        if carrier.amount_minor > -amount:
            continue  # no outflow of mine big enough to have carried it
        lines[index] = replace(carrier, amount_minor=carrier.amount_minor + amount)
        lines.append(replace(carrier, kind=kind, amount_minor=-amount))
    return lines


def _described(line: Line) -> Line:
    what = f"{kind_label(line.kind)} - {line.reference_type} {str(line.reference_id)[:8]}"
    return replace(line, description=f"{what}: {line.description}" if line.description else what)


# --- CSV ----------------------------------------------------------------------------------

CSV_COLUMNS = (
    "date",
    "currency",
    "type",
    "description",
    "reference_type",
    "reference_id",
    "amount",
    "balance",
)


def _cell(value: str) -> str:
    """Spreadsheets run a cell starting with = + - @ as a formula: such text is quoted with '."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(statement: Statement) -> bytes:
    """One table: per currency an opening_balance row, the lines with the running balance, and a
    closing_balance row. Amounts are plain decimals ("-12.50")."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for section in statement.sections:
        running = section.opening.total_minor
        writer.writerow(
            [statement.month.start.isoformat(), section.currency, "opening_balance", "Opening balance",
             "", "", "", format_minor(running)]
        )  # fmt: skip
        for line in section.lines:
            running += line.amount_minor
            writer.writerow(
                [line.at.isoformat(), section.currency, line.kind, _cell(line.description),
                 line.reference_type, str(line.reference_id), format_minor(line.amount_minor),
                 format_minor(running)]
            )  # fmt: skip
        closed_at = min(statement.month.end, statement.generated_at)
        writer.writerow(
            [closed_at.isoformat(), section.currency, "closing_balance", "Closing balance",
             "", "", "", format_minor(section.closing.total_minor)]
        )  # fmt: skip
    return out.getvalue().encode("utf-8")


# --- PDF ----------------------------------------------------------------------------------


def _money(currency: str, minor: int) -> str:
    return f"{currency} {format_minor(minor)}"


def to_pdf(statement: Statement) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(f"Statement {statement.month}")
    pdf.set_author("ReelByte")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(0, 12, "ReelByte", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    user = statement.user
    pdf.cell(0, 7, f"Statement {statement.month}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, _text(f"{user.full_name} (@{user.username})"), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, f"Generated {statement.generated_at:%Y-%m-%d %H:%M} UTC", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        0,
        5,
        "Balance = available to withdraw + in transit (withdrawals being paid out). Times are UTC.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for section in statement.sections:
        _pdf_section(pdf, section)
    return bytes(pdf.output())


def _pdf_section(pdf: FPDF, section: CurrencyStatement) -> None:
    currency = section.currency
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, currency, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for label, balances in (("Opening balance", section.opening), ("Closing balance", section.closing)):
        pdf.cell(60, 6, label)
        pdf.cell(
            0,
            6,
            f"{_money(currency, balances.total_minor)} (available {format_minor(balances.available_minor)}, "
            f"in transit {format_minor(balances.in_transit_minor)})",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(2)
    for kind, total in section.totals_by_kind().items():
        pdf.cell(60, 6, kind_label(kind))
        pdf.cell(40, 6, _money(currency, total), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 9)
    widths = (32, 34, 74, 25, 25)
    for width, title in zip(widths, ("Date", "Type", "Description", "Amount", "Balance"), strict=True):
        pdf.cell(width, 6, title, align="R" if title in ("Amount", "Balance") else "L")
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 8)
    running = section.opening.total_minor
    for line in section.lines:
        running += line.amount_minor
        cells = (
            f"{line.at:%Y-%m-%d %H:%M}",
            kind_label(line.kind),
            _text(line.description)[:48],
            format_minor(line.amount_minor),
            format_minor(running),
        )
        for index, (width, value) in enumerate(zip(widths, cells, strict=True)):
            pdf.cell(width, 5, value, align="R" if index >= 3 else "L")
        pdf.ln(5)

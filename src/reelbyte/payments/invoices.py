"""PDF invoices for paid orders (fpdf2, built-in Helvetica)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.money import format_minor
from reelbyte.identity.models import User
from reelbyte.orders import service as orders
from reelbyte.orders.models import Order
from reelbyte.payments.errors import NotPaid
from reelbyte.payments.models import Payment, PaymentStatus, Refund


@dataclass(frozen=True)
class InvoiceData:
    order: Order
    client: User
    creator: User
    payments: list[Payment]
    refunded_minor: int = 0  # refunds of these payments (refund requests, cancellations, disputes)

    @property
    def number(self) -> str:
        paid = self.order.paid_at or self.order.created_at
        return f"RB-{paid:%Y}-{self.order.id.hex[:10].upper()}"


async def invoice_for(session: AsyncSession, user: User, order_id: uuid.UUID) -> tuple[str, bytes]:
    """(file name, PDF) of a paid order, for its parties and admins (others get 404)."""
    order = await orders.get_order(session, user, order_id)
    if order.paid_at is None:
        raise NotPaid()
    payments = await session.scalars(
        select(Payment)
        .where(Payment.order_id == order.id, Payment.status.in_([PaymentStatus.PAID, PaymentStatus.REFUNDED]))
        .order_by(Payment.paid_at)
    )
    paid = list(payments)
    refunded = await session.scalar(
        select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(
            Refund.payment_id.in_([payment.id for payment in paid])
        )
    )
    data = InvoiceData(
        order=order,
        client=await session.get_one(User, order.client_id),
        creator=await session.get_one(User, order.creator_id),
        payments=paid,
        refunded_minor=int(refunded or 0),
    )
    return f"{data.number}.pdf", render(data)


_TYPOGRAPHY = str.maketrans(
    {
        "\u2014": "-",
        "\u2013": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
    }
)


def _text(value: str) -> str:
    """The built-in fonts are Latin-1: typographic marks become ASCII, anything else '?'."""
    return value.translate(_TYPOGRAPHY).encode("latin-1", "replace").decode("latin-1")


def _date(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "-"


def render(data: InvoiceData) -> bytes:
    order, currency = data.order, data.order.currency
    pdf = FPDF(format="A4")
    pdf.set_title(f"Invoice {data.number}")
    pdf.set_author("ReelByte")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(0, 12, "ReelByte", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 7, f"Invoice {data.number}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, f"Date: {_date(order.paid_at)}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    for label, person in (("Creator (seller)", data.creator), ("Client (buyer)", data.client)):
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 7, label, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        pdf.cell(0, 6, _text(f"{person.full_name} (@{person.username})"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    pdf.set_font("Helvetica", "B", 11)
    source = f"package: {order.package_tier}" if order.package_tier else "from an accepted proposal"
    pdf.multi_cell(0, 7, _text(f"{order.title} ({source})"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    rows = [
        ("Order", str(order.id)),
        ("Ordered", _date(order.created_at)),
        ("Paid", _date(order.paid_at)),
        ("Completed", _date(order.completed_at)),
        ("Status", order.status.value.replace("_", " ")),
    ]
    for label, value in rows:
        pdf.cell(45, 6, label)
        pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    paid = sum(payment.amount_minor for payment in data.payments)
    fee = sum(payment.processing_fee_minor for payment in data.payments)
    # The processing fee is the client's, on top of the order: not part of the creator's side.
    charged = [("Order amount", paid - fee), ("Processing fee", fee)] if fee else []
    refunded = [("Refunded", data.refunded_minor)] if data.refunded_minor else []
    money_rows = [
        *charged,
        ("Amount paid", paid),
        *refunded,
        (f"Platform fee ({order.fee_percentage}%)", order.platform_fee_minor),
        ("Creator earnings", order.creator_earnings_minor),
    ]
    for label, minor in money_rows:
        pdf.set_font("Helvetica", "B" if label == "Amount paid" else "", 11)
        pdf.cell(80, 7, label)
        pdf.cell(0, 7, f"{currency} {format_minor(minor)}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    pdf.set_font("Helvetica", "", 9)
    for payment in data.payments:
        pdf.cell(
            0,
            5,
            f"Payment {payment.provider_payment_id} via {payment.provider}: {currency} "
            f"{format_minor(payment.amount_minor)} on {_date(payment.paid_at)} ({payment.status.value})",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(2)
    pdf.multi_cell(
        0,
        5,
        "The client's payment is held in escrow by ReelByte and released to the creator when the work "
        "is approved, less the platform fee.",
    )
    return bytes(pdf.output())

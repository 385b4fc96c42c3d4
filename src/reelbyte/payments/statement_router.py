"""HTTP routes of one's own monthly statements and payout schedule (under /v1/payments/me)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Header, Path, Query
from fastapi.responses import Response

from reelbyte.core.config import get_settings
from reelbyte.core.db import utcnow
from reelbyte.core.errors import error_responses
from reelbyte.core.money import Money, to_minor
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.identity.deps import CurrentUser, VerifiedCreator
from reelbyte.payments import schedules, statements
from reelbyte.payments.errors import StatementNotFound
from reelbyte.payments.schedule_schemas import PayoutScheduleIn, PayoutScheduleOut

statements_router = APIRouter(prefix="/payments/me", tags=["payments"])

MonthPath = Annotated[str, Path(pattern=statements.MONTH_PATTERN, examples=["2026-11"])]


@statements_router.get(
    "/statements/{month}",
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {}, "text/csv": {}},
            "description": "The statement as a PDF, or as CSV",
        },
        **error_responses(StatementNotFound),
    },
)
async def my_statement(
    month: MonthPath,
    user: CurrentUser,
    session: SessionDep,
    format: Annotated[Literal["pdf", "csv"] | None, Query(description="pdf (default) or csv")] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """My statement of a calendar month (UTC, `yyyy-mm`): opening balance, every earning, fee,
    refund, payout and payout fee, and the closing balance, all from the ledger. The balance is
    available + in transit. PDF by default; CSV with `?format=csv` or `Accept: text/csv` (the
    query wins). The current month's runs up to now; a month not begun yet is 404."""
    wanted = format or ("csv" if accept and "text/csv" in accept.lower() else "pdf")
    statement = await statements.statement_for(session, user, statements.Month.parse(month))
    if wanted == "csv":
        body, media_type = statements.to_csv(statement), "text/csv; charset=utf-8"
    else:
        body, media_type = statements.to_pdf(statement), "application/pdf"
    disposition = f'attachment; filename="{statement.filename}.{wanted}"'
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})


def _schedule_out(schedule: schedules.Schedule) -> PayoutScheduleOut:
    settings = get_settings()
    minimum = Money.from_minor(to_minor(settings.minimum_payout), settings.default_currency)
    return PayoutScheduleOut.of(schedule, schedules.next_payday(schedule, utcnow().date()), minimum)


@statements_router.get("/payout-schedule", response_model=PayoutScheduleOut)
async def my_payout_schedule(user: VerifiedCreator, session: SessionDep) -> PayoutScheduleOut:
    """When my available balance is paid out by itself: `manual` (the default: I withdraw),
    `weekly` or `monthly`."""
    return _schedule_out(await schedules.get_schedule(session, user))


@statements_router.put("/payout-schedule", response_model=PayoutScheduleOut)
async def set_my_payout_schedule(
    data: PayoutScheduleIn, user: VerifiedCreator, session: SessionDep
) -> PayoutScheduleOut:
    """Pay out my whole available balance (when at least `minimum`) to my default verified payout
    method every week on `weekday` or every month on `day_of_month` (UTC), or stop (`manual`). A
    payout due while I have no verified method waits for one; I am told once per period."""
    return _schedule_out(await schedules.set_schedule(session, user, data.schedule()))

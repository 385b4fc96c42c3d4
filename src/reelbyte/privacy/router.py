"""HTTP routes of your data (under /v1/users/me): export it, list the exports, close or erase
the account."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, status

from reelbyte.core.errors import error_responses
from reelbyte.core.pagination import Page, PageParams, page_params
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.identity.deps import CurrentUser
from reelbyte.privacy import errors, schemas, service

privacy_router = APIRouter(prefix="/users", tags=["users"])


@privacy_router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(errors.OpenOrders, errors.BalanceNotEmpty),
)
async def close_me(
    user: CurrentUser,
    session: SessionDep,
    erase: Annotated[
        bool,
        Query(
            description="erase the account's personal data for good (GDPR): name, e-mail, messages' "
            "text, files; orders, payments and the ledger are kept for the legal record"
        ),
    ] = False,
) -> None:
    """Deactivate your account: sessions end, login is refused, the profile is hidden; data is
    kept. With `erase=true`, the account is also anonymised, which cannot be undone: refused
    (`open_orders`, listing them) while an order is not finished, and (`balance_not_empty`)
    while money is still yours to withdraw."""
    await service.close_account(session, user, erase=erase)


@privacy_router.post(
    "/me/export",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=schemas.DataExportOut,
    responses=error_responses(errors.ExportInProgress),
)
async def export_my_data(user: CurrentUser, session: SessionDep) -> schemas.DataExportOut:
    """Ask for a ZIP of your data (profile, gigs, projects, orders, messages, reviews,
    transactions, uploads as JSON). It is built in the background; a link valid for 24 hours is
    e-mailed when it is ready. One at a time: `export_in_progress` while one is being built."""
    return await service.request_export(session, user)


@privacy_router.get("/me/exports", response_model=Page[schemas.DataExportOut])
async def list_my_exports(
    user: CurrentUser, session: SessionDep, params: Annotated[PageParams, Depends(page_params)]
) -> Page[schemas.DataExportOut]:
    """Your data exports, newest first; a ready one not yet expired has a fresh, short-lived
    `download_url`."""
    return await service.list_exports(session, user, params)

"""What a data export holds (GDPR art. 20): one JSON file per section, read through each domain's
services as the API shows the data to its owner, and the ZIP they are written to.

The sections are read in one unit of work; the ZIP is written in a worker thread. Links in the
export (private uploads) are signed for as long as the export's own link works.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog import service as catalog
from reelbyte.core.pagination import MAX_PAGE_SIZE, PageParams
from reelbyte.identity import service as identity
from reelbyte.identity.models import User
from reelbyte.media import service as media
from reelbyte.messaging import service as messaging
from reelbyte.orders import comments
from reelbyte.orders import service as orders
from reelbyte.orders.models import Order, OrderStatus
from reelbyte.payments import payout_methods
from reelbyte.payments import service as payments
from reelbyte.payments.schemas import BalanceOut, TransactionOut
from reelbyte.projects import service as projects
from reelbyte.reviews import service as reviews
from reelbyte.studio import attachments as studio

# How long the e-mailed link (and the links inside the ZIP) work; the file is deleted after.
EXPORT_LIFETIME = timedelta(hours=24)

README = """Your ReelByte data, as the app shows it to you.

profile.json       your profile and settings, your portfolio, and your login sessions
gigs.json          the gigs you offer (or offered), with their packages
projects.json      the projects you posted and the proposals you sent
orders.json        your orders as client and as creator, with their history and deliveries
messages.json      the messages you sent
comments.json      the comments you wrote on deliveries (timecode, position, text)
reviews.json       the reviews you wrote ("given") and those about you ("received")
transactions.json  your balance and every entry of your accounts in the ledger
payout_methods.json  where your earnings are paid out to (deleted methods too)
uploads.json       the files you uploaded, with links to them
video_jobs.json    your trims and auto-hooks jobs, and where their clips were sent

Links to private files work for 24 hours from when this export was made; public files (avatar,
portfolio, gig gallery) keep their links. Times are UTC (ISO 8601), money is in the currency given.
"""


async def all_orders(session: AsyncSession, user: User, status: OrderStatus | None = None) -> list[Order]:
    """Every order of the user's, as client or creator (in `status` only, when given)."""
    found: list[Order] = []
    page = 1
    while True:
        params = PageParams(page=page, page_size=MAX_PAGE_SIZE)
        rows, total = await orders.list_orders(session, user, None, status, params)
        found += rows
        if not rows or len(found) >= total:
            return found
        page += 1


async def _profile(session: AsyncSession, user: User) -> Any:
    return await identity.personal_data(session, user.id)


async def _gigs(session: AsyncSession, user: User) -> Any:
    gig_ids = []
    page = 1
    while True:
        mine = await catalog.my_gigs(session, user, PageParams(page=page, page_size=MAX_PAGE_SIZE))
        gig_ids += [gig.id for gig in mine.items]
        if page >= mine.total_pages:
            break
        page += 1
    return [json.loads((await catalog.get_gig(session, str(gig_id), user)).body) for gig_id in gig_ids]


async def _projects(session: AsyncSession, user: User) -> Any:
    return await projects.personal_data(session, user.id)


async def _orders(session: AsyncSession, user: User) -> Any:
    return [
        (await orders.order_detail(session, user, order.id)).model_dump(mode="json")
        for order in await all_orders(session, user)
    ]


async def _messages(session: AsyncSession, user: User) -> Any:
    return await messaging.personal_data(session, user.id)


async def _comments(session: AsyncSession, user: User) -> Any:
    return await comments.personal_data(session, user.id)


async def _video_jobs(session: AsyncSession, user: User) -> Any:
    return await studio.personal_data(session, user.id)


async def _reviews(session: AsyncSession, user: User) -> Any:
    return await reviews.personal_data(session, user.id)


async def _transactions(session: AsyncSession, user: User) -> Any:
    entries: list[dict[str, Any]] = []
    cursor: int | None = None
    while True:
        rows, cursor = await payments.transactions(session, user, cursor, MAX_PAGE_SIZE)
        entries += [TransactionOut.of(row).model_dump(mode="json") for row in rows]
        if cursor is None:
            break
    balance = BalanceOut.of(await payments.balance(session, user))
    return {"balance": balance.model_dump(mode="json"), "entries": entries}


async def _payout_methods(session: AsyncSession, user: User) -> Any:
    return await payout_methods.personal_data(session, user.id)


async def _uploads(session: AsyncSession, user: User) -> Any:
    return await media.personal_data(session, user.id, link_seconds=int(EXPORT_LIFETIME.total_seconds()))


# The ZIP's files, in this order, each read by its function.
SECTIONS: dict[str, Callable[[AsyncSession, User], Awaitable[Any]]] = {
    "profile.json": _profile,
    "gigs.json": _gigs,
    "projects.json": _projects,
    "orders.json": _orders,
    "messages.json": _messages,
    "comments.json": _comments,
    "reviews.json": _reviews,
    "transactions.json": _transactions,
    "payout_methods.json": _payout_methods,
    "uploads.json": _uploads,
    "video_jobs.json": _video_jobs,
}


async def collect(session: AsyncSession, user: User) -> dict[str, Any]:
    """Every section of the user's export, by file name (JSON-ready)."""
    return {name: await read(session, user) for name, read in SECTIONS.items()}


def write_zip(sections: dict[str, Any], path: Path) -> None:
    """The README and one JSON file per section (blocking: run it in a thread)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        for name, data in sections.items():
            archive.writestr(name, json.dumps(data, indent=2, ensure_ascii=False))

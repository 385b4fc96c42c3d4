"""Your data (GDPR): export everything the account holds (art. 20), or erase the account
(art. 17) while keeping orders, reviews' ratings and the ledger for the legal record.

Privacy sits above every domain, as admin does: it reads and changes their data through their
services (`personal_data`, `erase_personal_data` and the like), and locks the user's row itself.

Exports. A request inserts a pending export and defers the job that builds it, in one unit of
work; a partial unique index allows one pending export per user, so two requests racing end
with one export and one job (the other gets 409 `export_in_progress`). The job (jobs.py) reads
the sections, writes the ZIP to private storage and marks the export ready, or failed (the user
may then ask again).

Download links. The e-mail carries a presigned GET URL of the ZIP that expires with the export,
24 hours on: it opens from any mail client, where an API route could not (the API authenticates
with bearer tokens, which a link in an e-mail does not carry). The list of exports hands out a
fresh link each time, short-lived (MEDIA_URL_EXPIRE_SECONDS) and never beyond the export's
expiry. A periodic job deletes the files of expired exports, so an old link finds nothing.

Erasure. Refused while the account has an order that is not finished (409 `open_orders`, with
the list) or holds money (409 `balance_not_empty`: available, pending or on its way out; money
must never be lost). Otherwise, in one unit of work: pending proposals withdrawn and open
projects cancelled, files deleted but for those handed in for an order, messages' text replaced
(and the notices that quoted them deleted), exports deleted, and the account deactivated and
anonymised (identity). Orders, deliveries, payments and ledger entries are untouched; reviews
the user wrote keep their ratings and text (about the work, not the person) and show the
anonymised name.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.config import get_settings
from reelbyte.core.db import lock_one, utcnow
from reelbyte.core.email import queue_email
from reelbyte.core.jobs import defer
from reelbyte.core.money import Money
from reelbyte.core.pagination import Page, PageParams
from reelbyte.identity import service as identity
from reelbyte.identity.models import User
from reelbyte.media import service as media
from reelbyte.media.service import DELETE_OBJECTS_TASK
from reelbyte.media.storage import get_storage
from reelbyte.messaging import service as messaging
from reelbyte.notifications import messages as message_notices
from reelbyte.orders.service import TRANSITIONS as ORDER_TRANSITIONS
from reelbyte.payments import payout_methods
from reelbyte.payments import service as payments
from reelbyte.privacy import export
from reelbyte.privacy.errors import BalanceNotEmpty, ExportInProgress, OpenOrders
from reelbyte.privacy.models import DataExport, ExportStatus
from reelbyte.privacy.schemas import DataExportOut
from reelbyte.projects import service as projects
from reelbyte.studio import service as studio

BUILD_EXPORT_TASK = "privacy.build_export"  # privacy/jobs.py
CLEANUP_BATCH = 100

# The order statuses that something can still follow: an order in one of them is not finished.
OPEN_ORDER_STATUSES = tuple(status for status, following in ORDER_TRANSITIONS.items() if following)


# --- exports: asking for one, and listing them --------------------------------------------


async def request_export(session: AsyncSession, user: User) -> DataExportOut:
    """A pending export, built by a job deferred in this unit of work; 409 while one is pending."""
    export_id = await session.scalar(
        pg_insert(DataExport)
        .values(id=uuid.uuid4(), user_id=user.id, status=ExportStatus.PENDING, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=[DataExport.user_id], index_where=text("status = 'pending'"))
        .returning(DataExport.id)
    )
    if export_id is None:
        raise ExportInProgress()
    await defer(session, BUILD_EXPORT_TASK, export_id=str(export_id))
    return shown(await session.get_one(DataExport, export_id))


async def list_exports(session: AsyncSession, user: User, params: PageParams) -> Page[DataExportOut]:
    """The user's exports, newest first, with a fresh download link for those ready to download."""
    mine = DataExport.user_id == user.id
    total = await session.scalar(select(func.count()).select_from(DataExport).where(mine))
    rows = await session.scalars(
        select(DataExport)
        .where(mine)
        .order_by(DataExport.created_at.desc(), DataExport.id)
        .offset(params.offset)
        .limit(params.page_size)
    )
    return Page[DataExportOut].of([shown(row) for row in rows], int(total or 0), params)


def shown(data_export: DataExport) -> DataExportOut:
    now = utcnow()
    ready = data_export.status is ExportStatus.READY
    left = _seconds_left(data_export)
    url = url_expires_at = None
    if ready and left > 0 and data_export.storage_key is not None:
        seconds = min(get_settings().media_url_expire_seconds, left)
        url = get_storage().signed_url(
            data_export.storage_key, seconds, download_name=_file_name(data_export)
        )
        url_expires_at = now + timedelta(seconds=seconds)
    return DataExportOut(
        id=data_export.id,
        status=data_export.status,
        created_at=data_export.created_at,
        completed_at=data_export.completed_at,
        size_bytes=data_export.size_bytes,
        expires_at=data_export.expires_at,
        expired=ready and url is None,
        download_url=url,
        download_url_expires_at=url_expires_at,
    )


def _seconds_left(data_export: DataExport) -> int:
    if data_export.expires_at is None:
        return 0
    return max(0, int((data_export.expires_at - utcnow()).total_seconds()))


def _file_name(data_export: DataExport) -> str:
    return f"reelbyte-data-{data_export.created_at:%Y-%m-%d}.zip"


def storage_key(user_id: uuid.UUID, export_id: uuid.UUID) -> str:
    """A private folder (no public layout): readable only through signed links."""
    return f"privacy/exports/{user_id}/{export_id}.zip"


# --- exports: the job's steps -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportWork:
    export_id: uuid.UUID
    key: str
    sections: dict[str, Any]


async def read_export(session: AsyncSession, export_id: uuid.UUID) -> ExportWork | None:
    """The sections of a pending export; None when it is no longer pending (done by an earlier
    run, or deleted with its erased account)."""
    data_export = await session.get(DataExport, export_id)
    if data_export is None or data_export.status is not ExportStatus.PENDING:
        return None
    user = await session.get_one(User, data_export.user_id)
    sections = await export.collect(session, user)
    return ExportWork(export_id, storage_key(user.id, export_id), sections)


async def finish_export(session: AsyncSession, work: ExportWork, size: int) -> None:
    """The ZIP is stored: the export is ready for EXPORT_LIFETIME, and its owner gets the link."""
    data_export = await lock_one(session, select(DataExport).where(DataExport.id == work.export_id))
    if data_export is None or data_export.status is not ExportStatus.PENDING:
        await defer(session, DELETE_OBJECTS_TASK, keys=[work.key], multipart=None)
        return
    now = utcnow()
    data_export.status = ExportStatus.READY
    data_export.storage_key = work.key
    data_export.size_bytes = size
    data_export.completed_at = now
    data_export.expires_at = now + export.EXPORT_LIFETIME
    lifetime = int(export.EXPORT_LIFETIME.total_seconds())
    user = await session.get_one(User, data_export.user_id)
    await queue_email(
        session,
        user.email,
        "data_export_ready",
        name=user.full_name,
        link=get_storage().signed_url(work.key, lifetime, download_name=_file_name(data_export)),
        valid_hours=lifetime // 3600,
    )


async def fail_export(session: AsyncSession, export_id: uuid.UUID) -> None:
    """The build failed: the export is marked so (the user may ask again) and whatever it may
    have stored is deleted."""
    data_export = await lock_one(session, select(DataExport).where(DataExport.id == export_id))
    if data_export is None or data_export.status is not ExportStatus.PENDING:
        return
    data_export.status = ExportStatus.FAILED
    data_export.completed_at = utcnow()
    keys = [storage_key(data_export.user_id, data_export.id)]
    await defer(session, DELETE_OBJECTS_TASK, keys=keys, multipart=None)


async def delete_expired_exports(session: AsyncSession) -> int:
    """Delete the files of up to CLEANUP_BATCH exports whose time is over (objects by the
    media job after commit); the rows stay, shown as expired. Returns how many."""
    expired = await session.scalars(
        select(DataExport)
        .where(
            DataExport.status == ExportStatus.READY,
            DataExport.storage_key.is_not(None),
            DataExport.expires_at <= utcnow(),
        )
        .order_by(DataExport.expires_at)
        .limit(CLEANUP_BATCH)
        .with_for_update(skip_locked=True)
    )
    keys = []
    for data_export in expired:
        assert data_export.storage_key is not None
        keys.append(data_export.storage_key)
        data_export.storage_key = None
    if keys:
        await defer(session, DELETE_OBJECTS_TASK, keys=keys, multipart=None)
    return len(keys)


# --- closing the account: deactivation, or erasure ----------------------------------------


async def close_account(session: AsyncSession, user: User, *, erase: bool) -> None:
    """Deactivate the account (data kept), or with `erase` erase it."""
    if erase:
        await erase_account(session, user)
    else:
        await identity.deactivate(session, user)


async def erase_account(session: AsyncSession, user: User) -> None:
    """Anonymise the account's personal data, keeping the legal record (see the module's
    docstring). The user's row is locked first, so that two erasures of one account take turns
    (the second finds it erased and does nothing)."""
    locked = await lock_one(session, select(User).where(User.id == user.id))
    assert locked is not None  # the caller was authenticated in this unit of work
    if locked.erased_at is not None:
        return
    await _refuse_open_orders(session, locked)
    await _refuse_money_held(session, locked)
    await projects.close_for_erasure(session, locked.id)
    await media.erase_files(session, locked.id)
    await studio.erase_jobs(session, locked.id)
    conversations = await messaging.erase_personal_data(session, locked.id)
    await message_notices.forget_messages_of(session, locked.id, conversations)
    await _delete_exports(session, locked.id)
    await payout_methods.erase_methods(session, locked.id)
    await identity.erase_personal_data(session, locked)


async def _refuse_open_orders(session: AsyncSession, user: User) -> None:
    open_orders = [
        {
            "id": str(order.id),
            "status": order.status.value,
            "role": "client" if order.client_id == user.id else "creator",
        }
        for status in OPEN_ORDER_STATUSES
        for order in await export.all_orders(session, user, status)
    ]
    if open_orders:
        raise OpenOrders(details={"orders": open_orders})


async def _refuse_money_held(session: AsyncSession, user: User) -> None:
    balance = await payments.balance(session, user)
    held = {
        "available": balance.available_minor,
        "pending": balance.pending_minor,
        "in_transit": balance.in_transit_minor,
    }
    if any(held.values()):
        raise BalanceNotEmpty(
            details={
                name: Money.from_minor(minor, balance.currency).model_dump(mode="json")
                for name, minor in held.items()
            }
        )


async def _delete_exports(session: AsyncSession, user_id: uuid.UUID) -> None:
    """The account's exports go with its data (a job still building one finds it gone)."""
    keys = await session.scalars(
        delete(DataExport).where(DataExport.user_id == user_id).returning(DataExport.storage_key)
    )
    stored = [key for key in keys if key is not None]
    if stored:
        await defer(session, DELETE_OBJECTS_TASK, keys=stored, multipart=None)

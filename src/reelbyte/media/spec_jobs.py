"""The spec check job: a deliverable video, once processed, is measured against its order's
package spec (media/spec.py), the report is kept on the upload and its creator is told.

The processing job defers it (by name) for every upload it finishes; only a ready video uploaded
as an order's deliverable is checked, the rest return at once. It runs while the file is still
the creator's own work in progress (deliverables are uploaded, processed and checked before the
creator delivers), so they hear of a failed check — in the app and by e-mail — in time to fix
it. The order's client sees the report with the file once it is delivered.

Like processing, the long part runs in a worker thread on a copy of the object in a temporary
folder, between two short units of work; a run repeated after a crash writes the same report.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import procrastinate
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog.video_spec import VideoSpec
from reelbyte.core.db import transaction, utcnow
from reelbyte.core.errors import AppError
from reelbyte.core.jobs import job_app
from reelbyte.identity.models import User
from reelbyte.media import spec
from reelbyte.media.models import Upload, UploadKind, UploadPurpose, UploadState
from reelbyte.media.processing import ProcessingError
from reelbyte.media.schemas import SpecReport, SpecStatus
from reelbyte.media.service import SPEC_CHECK_TASK
from reelbyte.media.storage import get_storage
from reelbyte.notifications.service import notify
from reelbyte.orders import service as orders

log = structlog.get_logger(__name__)

SPEC_FAILED = "delivery_spec_failed"  # e-mailed by default (notifications/service.py)
SPEC_CHECKED = "delivery_spec_checked"  # in the app only
RETRY = procrastinate.RetryStrategy(max_attempts=5, exponential_wait=2)


@dataclass(frozen=True, slots=True)
class Check:
    """What the job reads before it leaves the database alone for the measuring."""

    upload_id: uuid.UUID
    owner_id: uuid.UUID
    order_id: uuid.UUID
    order_title: str
    filename: str
    key: str
    spec: VideoSpec | None


@job_app.task(name=SPEC_CHECK_TASK, queue="media", retry=RETRY)
async def check_delivery_spec(upload_id: str) -> None:
    check = await transaction(lambda session: check_of(session, uuid.UUID(upload_id)))
    if check is None:
        return
    with tempfile.TemporaryDirectory(prefix="reelbyte-spec-") as folder:
        source = Path(folder) / f"source{PurePosixPath(check.key).suffix}"
        await get_storage().download(check.key, source)
        try:
            measured = await asyncio.to_thread(spec.measure, source)
        except ProcessingError as error:
            report = spec.unmeasurable(check.spec, error.reason)
        else:
            report = spec.compare(check.spec, measured)
    await transaction(lambda session: store(session, check, report))


async def check_of(session: AsyncSession, upload_id: uuid.UUID) -> Check | None:
    """The check to make of the upload: None unless it is a ready deliverable video of an
    order its owner (the creator) can still read."""
    upload = await session.get(Upload, upload_id)
    if (
        upload is None
        or upload.kind is not UploadKind.VIDEO
        or upload.purpose is not UploadPurpose.DELIVERABLE
        or upload.state is not UploadState.READY
        or upload.target_id is None
    ):
        return None
    owner = await session.get(User, upload.owner_id)
    if owner is None:
        return None
    try:
        order = await orders.get_order(session, owner, upload.target_id)
    except AppError:
        return None
    package_spec = VideoSpec.model_validate(order.video_spec) if order.video_spec else None
    return Check(
        upload.id, owner.id, order.id, order.title, upload.filename, upload.storage_key, package_spec
    )


async def store(session: AsyncSession, check: Check, report: SpecReport) -> None:
    """Keep the report on the upload and tell its creator, in one unit of work."""
    upload = await session.scalar(select(Upload).where(Upload.id == check.upload_id).with_for_update())
    if upload is None or upload.state is not UploadState.READY:
        return  # deleted while it was measured
    upload.spec_report = report.model_dump(mode="json")
    upload.spec_checked_at = utcnow()
    log.info("delivery_spec_checked", upload_id=str(upload.id), status=report.status.value)
    await _tell_creator(session, check, report)


async def _tell_creator(session: AsyncSession, check: Check, report: SpecReport) -> None:
    title, content = notice(check, report)
    await notify(
        session,
        check.owner_id,
        SPEC_FAILED if report.status is SpecStatus.FAILED else SPEC_CHECKED,
        title,
        content,
        link=f"/orders/{check.order_id}",
        reference=("upload", check.upload_id),
    )


def notice(check: Check, report: SpecReport) -> tuple[str, str]:
    """The notification's title and text: what failed (or warned), item by item."""
    about = f"“{check.filename}” for the order “{check.order_title}”"
    if report.error is not None:
        return "Your delivery could not be checked", f"{about}: {report.error}"
    failed = [item.message for item in report.items if item.status is SpecStatus.FAILED]
    warned = [item.message for item in report.items if item.status is SpecStatus.WARNED]
    if failed:
        lines = " ".join([*failed, *warned])
        return (
            "Your delivery does not meet the package's spec",
            f"{about} does not meet the package's spec yet; fix it before you deliver. {lines}",
        )
    if warned:
        return "Your delivery is close to the package's limits", f"{about}: {' '.join(warned)}"
    if report.status is SpecStatus.PASSED:
        return "Your delivery meets the package's spec", f"{about} meets every point of the package's spec."
    return "Your delivery was measured", f"{about} was measured; the package has no video spec to meet."

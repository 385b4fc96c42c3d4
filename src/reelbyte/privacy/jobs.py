"""The privacy jobs: build a data export, and delete the files of expired ones.

Building reads every section in one unit of work, writes the ZIP in a worker thread into a
temporary folder, stores it under the export's own key (a run again after a crash overwrites
it), then marks the export ready in a last unit of work.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from pathlib import Path

import structlog

from reelbyte.core.db import transaction
from reelbyte.core.jobs import job_app
from reelbyte.media.storage import get_storage
from reelbyte.privacy import export, service
from reelbyte.privacy.service import BUILD_EXPORT_TASK

log = structlog.get_logger(__name__)


@job_app.task(name=BUILD_EXPORT_TASK, queue="privacy")
async def build_export(export_id: str) -> None:
    wanted = uuid.UUID(export_id)
    try:
        built = await _build(wanted)
    # Whatever broke the build (a section that cannot be read, storage refusing the file), the
    # export must end as failed, so that its owner sees it and may ask again.
    except Exception:
        log.exception("data_export_failed", export_id=export_id)
        await transaction(lambda session: service.fail_export(session, wanted))
        return
    if built is None:
        return  # done already, or deleted with its erased account
    work, size = built
    await transaction(lambda session: service.finish_export(session, work, size))
    log.info("data_export_ready", export_id=export_id, size_bytes=size)


async def _build(export_id: uuid.UUID) -> tuple[service.ExportWork, int] | None:
    """The export's sections read and its ZIP stored: (what was built, the ZIP's size)."""
    work = await transaction(lambda session: service.read_export(session, export_id))
    if work is None:
        return None
    with tempfile.TemporaryDirectory(prefix="reelbyte-export-") as folder:
        path = Path(folder) / "export.zip"
        await asyncio.to_thread(export.write_zip, work.sections, path)
        await get_storage().put_file(work.key, path, "application/zip")
        return work, path.stat().st_size


@job_app.periodic(cron="*/15 * * * *", periodic_id="every-fifteen-minutes")
@job_app.task(
    name="privacy.delete_expired_exports", queue="privacy", queueing_lock="privacy.delete_expired_exports"
)
async def delete_expired_exports(timestamp: int) -> None:
    """Files of exports past their 24 hours go (in batches, until none is left)."""
    while await transaction(service.delete_expired_exports) == service.CLEANUP_BATCH:
        pass

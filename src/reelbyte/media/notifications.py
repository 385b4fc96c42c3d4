"""Cloudinary's upload notifications: `POST /v1/uploads/notifications/cloudinary`.

Each signed upload form names this URL, so Cloudinary calls it when a browser's upload arrives;
the upload is then completed exactly as by `POST /v1/uploads/{id}/complete` (a client that
completes too is harmless). The signature (`X-Cld-Signature` over the raw body and
`X-Cld-Timestamp`, with the API secret) is checked and a notification older than the storage's
limit is refused, so a captured one cannot be replayed. Only then is the body read. A file the
checks refuse is deleted and acknowledged with 200 (`refused`): a retry would not change it.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import structlog
from fastapi import Header, Request

from reelbyte.core.errors import AppError, error_responses
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.media import service
from reelbyte.media.errors import InvalidNotification, InvalidNotificationSignature, StorageNotificationsOff
from reelbyte.media.storage import get_storage
from reelbyte.media.storage.cloudinary import CloudinaryStorage
from reelbyte.media.storage.errors import StorageUnavailable

log = structlog.get_logger(__name__)

notifications_router = APIRouter(prefix="/uploads/notifications", tags=["uploads"])


@notifications_router.post(
    "/cloudinary",
    responses=error_responses(
        StorageNotificationsOff, InvalidNotificationSignature, InvalidNotification, StorageUnavailable
    ),
)
async def cloudinary_notification(
    request: Request,
    session: SessionDep,
    timestamp: Annotated[str | None, Header(alias="X-Cld-Timestamp", max_length=20)] = None,
    signature: Annotated[str | None, Header(alias="X-Cld-Signature", max_length=200)] = None,
) -> dict[str, str]:
    """Cloudinary's word that an upload arrived: `completed`, `refused` (deleted) or `ignored`."""
    notice = _verified(await request.body(), timestamp, signature)
    if notice.get("notification_type") != "upload":
        return {"status": "ignored"}
    public_id = notice.get("public_id")
    if not isinstance(public_id, str) or not public_id:
        raise InvalidNotification()
    try:
        completed = await service.complete_notified_upload(session, public_id)
    except StorageUnavailable:
        raise  # 503: Cloudinary sends it again
    except AppError as error:  # the stored file is not what was declared: it is deleted
        log.info("upload_notification_refused", public_id=public_id, error=error.code)
        return {"status": "refused"}
    return {"status": "ignored" if completed is None else "completed"}


def _verified(body: bytes, timestamp: str | None, signature: str | None) -> dict[str, Any]:
    storage = get_storage()
    if not isinstance(storage, CloudinaryStorage):
        raise StorageNotificationsOff()
    if not timestamp or not signature or not storage.verify_notification(body, timestamp, signature):
        raise InvalidNotificationSignature()
    try:
        notice = json.loads(body)
    except ValueError as error:
        raise InvalidNotification() from error
    if not isinstance(notice, dict):
        raise InvalidNotification()
    return notice

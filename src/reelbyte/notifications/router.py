"""HTTP routes of one's own notifications (under /v1)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, status

from reelbyte.core.errors import error_responses
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.identity.deps import CurrentUser
from reelbyte.notifications import errors, schemas, service

notifications_router = APIRouter(prefix="/notifications", tags=["notifications"])

NotificationId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@notifications_router.get("", response_model=schemas.NotificationPage)
async def list_notifications(
    user: CurrentUser,
    session: SessionDep,
    cursor: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="items per page (at most 100)")] = 20,
    unread_only: bool = False,
) -> schemas.NotificationPage:
    """My notifications, newest first; pass `next_cursor` on as `cursor` for older ones."""
    items, next_cursor = await service.list_notifications(
        session, user.id, cursor=cursor, limit=limit, unread_only=unread_only
    )
    return schemas.NotificationPage(items=items, next_cursor=next_cursor)


@notifications_router.get("/unread-count", response_model=schemas.UnreadNotifications)
async def unread_count(user: CurrentUser, session: SessionDep) -> schemas.UnreadNotifications:
    return schemas.UnreadNotifications(count=await service.unread_count(session, user.id))


@notifications_router.put("/read-all", response_model=schemas.ReadAllResult)
async def mark_all_read(user: CurrentUser, session: SessionDep) -> schemas.ReadAllResult:
    """Mark every notification of mine read."""
    return schemas.ReadAllResult(updated=await service.mark_all_read(session, user.id))


@notifications_router.put(
    "/{notification_id}/read",
    response_model=schemas.NotificationOut,
    responses=error_responses(errors.NotificationNotFound),
)
async def mark_read(
    notification_id: NotificationId, user: CurrentUser, session: SessionDep
) -> schemas.NotificationOut:
    return await service.mark_read(session, user.id, notification_id)


@notifications_router.delete(
    "/{notification_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(errors.NotificationNotFound),
)
async def delete_notification(
    notification_id: NotificationId, user: CurrentUser, session: SessionDep
) -> None:
    await service.delete_notification(session, user.id, notification_id)

"""Who may attach a file to a target, and who may see a file attached to one.

Each purpose names its target's domain: the gig's creator adds to its gallery, an order's creator
hands in its deliverables, a conversation's participants attach to it, a project's owner attaches
its brief, and creators attach files to their proposals for a project they can see. Who may
*see* a private file: its owner, admins, and the other side of what it is for (the order's
client, the conversation's participants, the project's owner for a proposal's files, whoever
sees the project for its attachments).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog import service as catalog
from reelbyte.core.errors import AppError
from reelbyte.identity.models import Role, User
from reelbyte.media.errors import UploadTargetNotFound
from reelbyte.media.models import Upload, UploadPurpose
from reelbyte.media.release import is_protected, released
from reelbyte.media.rules import PURPOSES
from reelbyte.messaging import service as messaging
from reelbyte.orders import service as orders
from reelbyte.projects import service as projects


async def check_may_attach(
    session: AsyncSession, user: User, purpose: UploadPurpose, target_id: uuid.UUID
) -> None:
    """404 `upload_target_not_found` unless `user` may add a file for `purpose` to the target."""
    try:
        allowed = await _may_attach(session, user, purpose, target_id)
    except AppError as error:  # the target's own 404/403: not one the user may add to
        raise UploadTargetNotFound() from error
    if not allowed:
        raise UploadTargetNotFound()


async def _may_attach(
    session: AsyncSession, user: User, purpose: UploadPurpose, target_id: uuid.UUID
) -> bool:
    match purpose:
        case UploadPurpose.GIG_GALLERY:
            await catalog.owned_gig(session, target_id, user)
            return True
        case UploadPurpose.DELIVERABLE:
            order = await orders.get_order(session, user, target_id)
            return order.creator_id == user.id
        case UploadPurpose.MESSAGE_ATTACHMENT:
            await messaging.require_participant(session, user.id, target_id)
            return True
        case UploadPurpose.PROPOSAL_ATTACHMENT:
            await projects.get_project(session, user, target_id)
            return user.role is Role.CREATOR
        case UploadPurpose.PROJECT_ATTACHMENT:
            project = await projects.get_project(session, user, target_id)
            return project.client_id == user.id
    return False


async def may_see(session: AsyncSession, viewer: User | None, upload: Upload) -> bool:
    if viewer is not None and (viewer.id == upload.owner_id or viewer.is_admin):
        return True
    if PURPOSES[upload.purpose].public:
        return True
    if upload.target_id is None:
        return False
    try:
        if viewer is None:  # of private files, only a public project's brief is for everyone
            if upload.purpose is not UploadPurpose.PROJECT_ATTACHMENT:
                return False
            await projects.get_project(session, None, upload.target_id)
            return True
        return await _sees_target(session, viewer, upload)
    except AppError:  # the target is not the viewer's to see
        return False


async def _sees_target(session: AsyncSession, viewer: User, upload: Upload) -> bool:
    assert upload.target_id is not None
    target_id = upload.target_id
    match upload.purpose:
        case UploadPurpose.DELIVERABLE:  # once delivered: a file still being worked on is the creator's
            await orders.get_order(session, viewer, target_id)
            return await orders.handed_over(session, upload.id)
        case UploadPurpose.MESSAGE_ATTACHMENT:
            await messaging.require_participant(session, viewer.id, target_id)
            return True
        case UploadPurpose.PROPOSAL_ATTACHMENT:
            project = await projects.get_project(session, viewer, target_id)
            return project.client_id == viewer.id
        case UploadPurpose.PROJECT_ATTACHMENT:
            await projects.get_project(session, viewer, target_id)
            return True
    return False


async def may_have_original(session: AsyncSession, viewer: User | None, upload: Upload) -> bool:
    """Whether `viewer`, who may see the upload, may also have its original file: always its
    owner and admins; for a delivered video anyone else (the order's client) only once released."""
    if viewer is not None and (viewer.id == upload.owner_id or viewer.is_admin):
        return True
    if not is_protected(upload):
        return True
    return upload.id in await released(session, [upload])

"""HTTP routes of the creator's video tools (under /v1): trims, auto-hooks, and my video jobs."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path, Query, Response, status

from reelbyte.billing.errors import PlanLimitReached
from reelbyte.catalog.errors import GalleryFull, GigNotFound
from reelbyte.core.errors import NotOwner, UnsupportedMediaType, error_responses
from reelbyte.core.pagination import PageParams, page_params
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.identity.api_keys import ApiScope
from reelbyte.identity.deps import CurrentUser, require_scope
from reelbyte.identity.errors import UserNotFound
from reelbyte.media.errors import (
    StorageQuotaExceeded,
    UploadKindMismatch,
    UploadKindNotAllowed,
    UploadNotFound,
    UploadNotReady,
    UploadTargetNotAllowed,
    UploadTargetNotFound,
    UploadTargetRequired,
    UploadTooLarge,
    UploadTypeNotAllowed,
)
from reelbyte.studio import attachments, errors, schemas, service
from reelbyte.studio.attachment_schemas import AttachmentOut, AttachRequest

# API keys with video_jobs:write may run the tools and fetch their results (docs/api.md).
video_jobs_router = APIRouter(
    prefix="/video-jobs",
    tags=["video-jobs"],
    dependencies=[Depends(require_scope(ApiScope.VIDEO_JOBS_WRITE))],
)

Pages = Annotated[PageParams, Depends(page_params)]
CREATE_ERRORS = (
    UploadNotFound,
    UploadNotReady,
    UploadKindMismatch,
    errors.SourceLengthUnknown,
    errors.SourceTooLong,
    PlanLimitReached,
    # Only in theory: the usage notice at 80 %/100 % (billing.usage) notifies the caller through
    # notifications.notify, which looks the account up and treats it missing as nobody to tell.
    UserNotFound,
)


@video_jobs_router.post(
    "/trim",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.VideoJobOut,
    responses=error_responses(*CREATE_ERRORS, errors.InvalidTrimRange),
)
async def create_trim(
    data: schemas.TrimRequest, user: CurrentUser, session: SessionDep
) -> schemas.VideoJobOut:
    """Cut [start_ms, end_ms) of one of my ready videos into a clip (H.264 + AAC MP4), optionally
    re-framed to 9:16, 1:1 or 4:5 with a centre crop. Counts one trim against my plan (402 at
    its limit, and for a source longer than it processes); Premium jobs run first. Follow it
    with `GET /v1/video-jobs/{id}`."""
    return await service.create_trim(session, user, data)


@video_jobs_router.post(
    "/auto-hooks",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.VideoJobOut,
    responses=error_responses(*CREATE_ERRORS, errors.InvalidHookLengths),
)
async def create_auto_hooks(
    data: schemas.AutoHooksRequest, user: CurrentUser, session: SessionDep
) -> schemas.VideoJobOut:
    """Find up to `count` hooks (the strongest moments, `min_seconds` to `max_seconds` long) of
    one of my ready videos from its loudness peaks, scene changes and motion, and render each
    as a vertical 9:16 clip, best first. Counts one auto-hook against my plan."""
    return await service.create_auto_hooks(session, user, data)


@video_jobs_router.get("", response_model=schemas.VideoJobPage)
async def list_video_jobs(user: CurrentUser, session: SessionDep, params: Pages) -> schemas.VideoJobPage:
    """My video jobs, newest first."""
    return await service.list_jobs(session, user, params)


@video_jobs_router.get(
    "/{job_id}", response_model=schemas.VideoJobOut, responses=error_responses(errors.VideoJobNotFound)
)
async def get_video_job(job_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> schemas.VideoJobOut:
    """A job of mine: its state, progress and (once succeeded) its results."""
    return await service.get_job(session, user, job_id)


@video_jobs_router.get(
    "/{job_id}/download",
    response_model=schemas.DownloadOut,
    responses=error_responses(
        errors.VideoJobNotFound, errors.VideoJobNotSucceeded, errors.VideoJobResultNotFound
    ),
)
async def download_video_job_result(
    job_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    result: Annotated[int, Query(ge=0, le=100, description="the result's `index` (0: the first)")] = 0,
) -> schemas.DownloadOut:
    """A signed, short-lived storage URL of one of my job's clips."""
    return await service.download(session, user, job_id, result)


@video_jobs_router.delete(
    "/{job_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(errors.VideoJobNotFound)
)
async def delete_video_job(job_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    """Cancel my queued or running job (one not started yet gives its use back); delete a
    finished one with its clips."""
    await service.delete_job(session, user, job_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@video_jobs_router.post(
    "/{job_id}/results/{index}/attach",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AttachmentOut,
    responses=error_responses(
        errors.VideoJobNotFound,
        errors.VideoJobNotSucceeded,
        errors.VideoJobResultNotFound,
        UploadTargetNotFound,
        StorageQuotaExceeded,
        GalleryFull,
        # Checked as for a browser's upload of the clip (media.service.start_copy); a clip is an
        # MP4 video, so only its size can be refused (over the largest video upload).
        UploadTooLarge,
        UploadTypeNotAllowed,
        UploadKindNotAllowed,
        UploadTargetRequired,
        UploadTargetNotAllowed,
        UnsupportedMediaType,
        GigNotFound,
        NotOwner,
    ),
)
async def attach_video_job_result(
    job_id: uuid.UUID,
    index: Annotated[int, Path(ge=0, le=1000)],
    data: AttachRequest,
    user: CurrentUser,
    session: SessionDep,
) -> AttachmentOut:
    """Attach one of my job's clips to my portfolio (a new item), my gig's gallery (its last
    file) or my order (a file of its next delivery), in one call. The clip is copied into an
    upload for that place and processed as one (a gallery or portfolio video gets its streaming
    ladder, a deliverable its protected preview and spec check), then placed: `state` goes from
    pending to attached, or to failed with the reason if the place refused it meanwhile (the
    copy then stays in my uploads). Asking again for the same clip and place answers the same
    attachment."""
    return await attachments.attach(session, user, job_id, index, data)


@video_jobs_router.get(
    "/{job_id}/attachments",
    response_model=list[AttachmentOut],
    responses=error_responses(errors.VideoJobNotFound),
)
async def list_video_job_attachments(
    job_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> list[AttachmentOut]:
    """Where my job's clips were sent, oldest first, with each attachment's state."""
    return await attachments.list_attachments(session, user, job_id)

"""HTTP routes of uploads and public media (under /v1)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path, Response, status
from fastapi.responses import RedirectResponse

from reelbyte.core.config import get_settings
from reelbyte.core.errors import RateLimited, UnsupportedMediaType, error_responses
from reelbyte.core.pagination import PageParams, page_params
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.identity.api_keys import ApiScope
from reelbyte.identity.deps import CurrentUser, OptionalUser, require_scope
from reelbyte.media import errors, schemas, service
from reelbyte.media.models import UploadKind
from reelbyte.media.storage.errors import StorageUnavailable, UploadPartsInvalid

# API keys with media:write may upload files and follow them (docs/api.md).
uploads_router = APIRouter(
    prefix="/uploads", tags=["uploads"], dependencies=[Depends(require_scope(ApiScope.MEDIA_WRITE))]
)
media_router = APIRouter(prefix="/media", tags=["uploads"])

Pages = Annotated[PageParams, Depends(page_params)]
START_ERRORS = error_responses(
    errors.UploadTypeNotAllowed,
    errors.UploadTooLarge,
    errors.UploadKindNotAllowed,
    errors.UploadTargetRequired,
    errors.UploadTargetNotAllowed,
    errors.UploadTargetNotFound,
    errors.UploadRateLimited,
    errors.StorageQuotaExceeded,
    StorageUnavailable,
    RateLimited,  # the API's own limit (one 429 response documents both)
    UnsupportedMediaType,  # a body that is not JSON (one 415 response documents both)
)


@uploads_router.post(
    "/video",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.UploadStarted,
    responses=START_ERRORS,
)
async def start_video_upload(
    data: schemas.VideoUploadRequest, user: CurrentUser, session: SessionDep
) -> schemas.UploadStarted:
    """Start uploading a video (MP4, MOV or AVI, up to 500 MB): returns where to send it.

    Files up to 64 MiB go in one presigned request (`single`); larger ones in parts
    (`multipart`): PUT each part to its URL (exactly `part_size` bytes, the last part the rest),
    keep each answer's ETag, then complete with all of them."""
    return await service.start_upload(session, user, UploadKind.VIDEO, data)


@uploads_router.post(
    "/image",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.UploadStarted,
    responses=START_ERRORS,
)
async def start_image_upload(
    data: schemas.ImageUploadRequest, user: CurrentUser, session: SessionDep
) -> schemas.UploadStarted:
    """Start uploading an image (JPEG, PNG, GIF or WebP, up to 10 MB)."""
    return await service.start_upload(session, user, UploadKind.IMAGE, data)


@uploads_router.post(
    "/document",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.UploadStarted,
    responses=START_ERRORS,
)
async def start_document_upload(
    data: schemas.DocumentUploadRequest, user: CurrentUser, session: SessionDep
) -> schemas.UploadStarted:
    """Start uploading a document (PDF, up to 5 MB)."""
    return await service.start_upload(session, user, UploadKind.DOCUMENT, data)


@uploads_router.post(
    "/{upload_id}/parts",
    response_model=schemas.PartUrls,
    responses=error_responses(
        errors.UploadNotFound, errors.UploadNotPending, errors.UploadNotMultipart, errors.UploadPartsRequired
    ),
)
async def get_part_urls(
    upload_id: uuid.UUID, data: schemas.PartNumbers, user: CurrentUser, session: SessionDep
) -> schemas.PartUrls:
    """Fresh URLs for parts of a multipart upload: the next parts, or one to send again."""
    return await service.part_urls(session, user, upload_id, data.part_numbers)


@uploads_router.post(
    "/{upload_id}/complete",
    response_model=schemas.UploadOut,
    responses=error_responses(
        errors.UploadNotFound,
        errors.UploadNotPending,
        errors.UploadPartsRequired,
        UploadPartsInvalid,
        errors.UploadObjectMissing,
        errors.UploadSizeMismatch,
        errors.UploadContentMismatch,
        UnsupportedMediaType,
        StorageUnavailable,
    ),
)
async def complete_upload(
    upload_id: uuid.UUID, data: schemas.UploadCompletion, user: CurrentUser, session: SessionDep
) -> schemas.UploadOut:
    """The file is in storage: the server checks its size and real type, then processes it
    (state `processing`, then `ready` or `failed`; the owner hears of it live)."""
    return await service.complete_upload(session, user, upload_id, data)


@uploads_router.get("", response_model=schemas.UploadPage)
async def list_uploads(user: CurrentUser, session: SessionDep, params: Pages) -> schemas.UploadPage:
    """My uploads, newest first, with my storage used and quota."""
    return await service.list_uploads(session, user, params)


@uploads_router.get(
    "/{upload_id}", response_model=schemas.UploadOut, responses=error_responses(errors.UploadNotFound)
)
async def get_upload(upload_id: uuid.UUID, viewer: OptionalUser, session: SessionDep) -> schemas.UploadOut:
    """An upload with its probe and file URLs: for its owner, and (once ready) for whoever may see
    what it is attached to. Private files' URLs are signed and expire (`expires_at`)."""
    return await service.get_upload(session, viewer, upload_id)


@uploads_router.get(
    "/{upload_id}/download",
    status_code=status.HTTP_307_TEMPORARY_REDIRECT,
    response_class=RedirectResponse,
    responses=error_responses(errors.UploadNotFound, errors.DeliveryNotReleased),
)
async def download_upload(
    upload_id: uuid.UUID, viewer: OptionalUser, session: SessionDep
) -> RedirectResponse:
    """Download the original file: a redirect to a short-lived signed URL (saved under its file
    name). A delivered video's client gets 403 `delivery_not_released` until the order (or the
    milestone it came with) is approved or completed; its creator and admins may always."""
    link = await service.original_download_link(session, viewer, upload_id)
    return RedirectResponse(
        link.url,
        status_code=status.HTTP_307_TEMPORARY_REDIRECT,
        headers={"Cache-Control": "private, no-store"},
    )


@uploads_router.get(
    "/{upload_id}/download-url",
    response_model=schemas.DownloadLink,
    responses=error_responses(errors.UploadNotFound, errors.DeliveryNotReleased),
)
async def download_link(
    upload_id: uuid.UUID, viewer: OptionalUser, session: SessionDep
) -> schemas.DownloadLink:
    """The same signed URL as `/download`, as JSON: for a browser app, which cannot send its
    token on a plain link, to hand the URL to the browser's own download."""
    return await service.original_download_link(session, viewer, upload_id)


PLAYLIST_NAME = r"^[A-Za-z0-9_-]{1,32}$"


@uploads_router.get(
    "/{upload_id}/hls/{name}.m3u8",
    response_class=Response,
    responses={
        200: {"content": {"application/vnd.apple.mpegurl": {}}, "description": "an HLS playlist"},
        **error_responses(errors.UploadNotFound, errors.PlaylistNotFound),
    },
)
async def hls_playlist(
    upload_id: uuid.UUID,
    viewer: OptionalUser,
    session: SessionDep,
    name: Annotated[str, Path(pattern=PLAYLIST_NAME, description="`master`, or a variant (360p, 720p, …)")],
) -> Response:
    """A video's HLS playlist (its `derived.hls` or `derived.protected_preview` URL is the
    master's), for whoever may see the video: variants point back here, segments at the store
    (signed URLs for private files). A delivered video's client gets its watermarked preview."""
    text = await service.hls_playlist(session, viewer, upload_id, name)
    return Response(
        text, media_type="application/vnd.apple.mpegurl", headers={"Cache-Control": "private, no-store"}
    )


@uploads_router.delete(
    "/{upload_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(errors.UploadNotFound, errors.UploadInUse),
)
async def delete_upload(upload_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    """Delete my file and its derived files (kept while an order under way or done needs it)."""
    await service.delete_upload(session, user, upload_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@media_router.get(
    "/{key:path}",
    status_code=status.HTTP_307_TEMPORARY_REDIRECT,
    response_class=RedirectResponse,
    responses=error_responses(errors.UploadNotFound),
)
async def public_media(key: str) -> RedirectResponse:
    """A public file (avatar, portfolio, gig gallery) by its storage key: a redirect to the store.

    The URL never changes, so pages may keep it; the redirect it answers is cached a while."""
    url = service.public_file_url(key)
    cache = f"public, max-age={get_settings().media_url_expire_seconds // 2}"
    return RedirectResponse(
        url, status_code=status.HTTP_307_TEMPORARY_REDIRECT, headers={"Cache-Control": cache}
    )

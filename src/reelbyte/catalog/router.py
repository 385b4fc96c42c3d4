"""HTTP routes of categories, tags, gigs and packages (under /v1)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path, Query, Response, status

from reelbyte.catalog import categories, errors, schemas, service
from reelbyte.catalog.listing import GigCursor, GigFilters, gig_filters
from reelbyte.core.errors import InvalidCursor, NotOwner, error_responses
from reelbyte.core.pagination import Page, PageParams, page_params
from reelbyte.core.routing import APIRouter, ReplicaSessionDep, SessionDep
from reelbyte.identity.api_keys import ApiScope
from reelbyte.identity.deps import CurrentAdmin, CurrentUser, OptionalUser, VerifiedCreator, require_scope
from reelbyte.media.errors import UploadKindMismatch, UploadNotFound, UploadNotReady, UploadPurposeMismatch

GigRef = Annotated[str, Path(min_length=1, max_length=160, description="the gig's id or slug")]
CategoryRef = Annotated[str, Path(min_length=1, max_length=100, description="the category's id or slug")]
CategoryId = Annotated[int, Path(ge=1, le=2**31 - 1)]

categories_router = APIRouter(prefix="/categories", tags=["categories"])
admin_categories_router = APIRouter(prefix="/admin/categories", tags=["admin"])
tags_router = APIRouter(prefix="/tags", tags=["tags"])
gigs_router = APIRouter(prefix="/gigs", tags=["gigs"])
my_gigs_router = APIRouter(prefix="/users/me/gigs", tags=["gigs"])

# API keys may read and write gigs with these scopes (docs/api.md).
GIGS_READ = Depends(require_scope(ApiScope.GIGS_READ))
GIGS_WRITE = Depends(require_scope(ApiScope.GIGS_WRITE))


# --- categories ---------------------------------------------------------------------------


@categories_router.get("", response_model=list[schemas.CategoryNode])
async def list_categories(session: SessionDep) -> list[schemas.CategoryNode]:
    """The active categories, each with its active subcategories, in display order."""
    return await categories.category_tree(session)


@categories_router.get(
    "/{category}", response_model=schemas.CategoryNode, responses=error_responses(errors.CategoryNotFound)
)
async def get_category(category: CategoryRef, session: SessionDep) -> schemas.CategoryNode:
    return await categories.get_category(session, category)


@categories_router.get(
    "/{category}/subcategories",
    response_model=list[schemas.CategoryOut],
    responses=error_responses(errors.CategoryNotFound),
)
async def list_subcategories(category: CategoryRef, session: SessionDep) -> list[schemas.CategoryOut]:
    return await categories.subcategories(session, category)


@admin_categories_router.get("", response_model=list[schemas.CategoryNode])
async def admin_list_categories(_: CurrentAdmin, session: SessionDep) -> list[schemas.CategoryNode]:
    """Every category, inactive ones included."""
    return await categories.admin_tree(session)


@admin_categories_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.CategoryOut,
    responses=error_responses(errors.InvalidParent, errors.CategoryExists, errors.SlugConflict),
)
async def create_category(
    data: schemas.CategoryCreate, admin: CurrentAdmin, session: SessionDep
) -> schemas.CategoryOut:
    """A top-level category, or a subcategory of a top-level one."""
    return schemas.CategoryOut.model_validate(await categories.create_category(session, admin, data))


@admin_categories_router.post(
    "/reorder",
    response_model=list[schemas.CategoryOut],
    responses=error_responses(errors.InvalidParent, errors.ReorderMismatch),
)
async def reorder_categories(
    data: schemas.CategoryReorder, admin: CurrentAdmin, session: SessionDep
) -> list[schemas.CategoryOut]:
    """Give every child of one parent (or every top-level category) its new position."""
    reordered = await categories.reorder_categories(session, admin, data)
    return [schemas.CategoryOut.model_validate(c) for c in reordered]


@admin_categories_router.put(
    "/{category_id}",
    response_model=schemas.CategoryOut,
    responses=error_responses(errors.CategoryNotFound, errors.InvalidParent, errors.CategoryExists),
)
async def update_category(
    category_id: CategoryId, changes: schemas.CategoryUpdate, admin: CurrentAdmin, session: SessionDep
) -> schemas.CategoryOut:
    """Rename, move, describe, reorder, deactivate or reactivate; only the fields sent change."""
    updated = await categories.update_category(session, admin, category_id, changes)
    return schemas.CategoryOut.model_validate(updated)


@admin_categories_router.delete(
    "/{category_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(errors.CategoryNotFound),
)
async def deactivate_category(category_id: CategoryId, admin: CurrentAdmin, session: SessionDep) -> None:
    """Deactivate (categories are never deleted: gigs and projects stay filed under them)."""
    await categories.deactivate_category(session, admin, category_id)


# --- tags ---------------------------------------------------------------------------------


@tags_router.get("", response_model=list[schemas.TagCount])
async def list_tags(
    session: SessionDep, limit: Annotated[int, Query(ge=1, le=service.TOP_TAGS_CACHED)] = 30
) -> list[schemas.TagCount]:
    """The most used tags over listed gigs, with how many gigs carry each."""
    return await service.top_tags(session, limit)


# --- gigs ---------------------------------------------------------------------------------


@gigs_router.get(
    "",
    response_model=Page[schemas.GigSummary],
    dependencies=[GIGS_READ],
    responses=error_responses(errors.PageTooDeep, InvalidCursor, errors.NoCursorForRelevance),
)
async def list_gigs(
    session: ReplicaSessionDep,
    filters: Annotated[GigFilters, Depends(gig_filters)],
    page: Annotated[PageParams, Depends(page_params)],
    cursor: GigCursor = None,
) -> Response:
    """Listed gigs (active, with a package), filtered and sorted; prices in major units.

    `total` counts up to 10,000 matches; beyond, it is 10,000 and `total_is_exact` is false.
    Page numbers reach that far; every page but the last has a `next_cursor` that pages on."""
    return _json(await service.list_gigs(session, filters, page, cursor))


@gigs_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.GigOut,
    dependencies=[GIGS_WRITE],
    responses=error_responses(
        errors.InvalidCategory, errors.InvalidSubcategory, errors.UnsupportedCurrency, errors.SlugConflict
    ),
)
async def create_gig(data: schemas.GigCreate, creator: VerifiedCreator, session: SessionDep) -> Response:
    """Creators (hybrids too) offer a gig, with up to three packages in the same request.

    Uploaded files (`gallery_upload_ids`, `video_preview_upload_id`) are added by updating the
    gig once it exists: they are uploaded for it, with its id as their `target_id`."""
    page = await service.create_gig(session, creator, data)
    return _json(page.body, status.HTTP_201_CREATED)


@gigs_router.get(
    "/{gig}",
    response_model=schemas.GigOut,
    dependencies=[GIGS_READ],
    responses=error_responses(errors.GigNotFound),
)
async def get_gig(gig: GigRef, viewer: OptionalUser, session: ReplicaSessionDep) -> Response:
    """A gig by id or slug. Inactive gigs are shown only to their creator and to admins."""
    return _json((await service.view_gig(session, gig, viewer)).body)


@gigs_router.put(
    "/{gig}",
    response_model=schemas.GigOut,
    dependencies=[GIGS_WRITE],
    responses=error_responses(
        errors.GigNotFound,
        errors.AdminOnly,
        NotOwner,
        errors.InvalidCategory,
        errors.InvalidSubcategory,
        errors.GalleryFull,
        errors.GigHiddenByModerators,
        UploadNotFound,
        UploadPurposeMismatch,
        UploadNotReady,
        UploadKindMismatch,
    ),
)
async def update_gig(
    gig: GigRef, changes: schemas.GigUpdate, user: CurrentUser, session: SessionDep
) -> Response:
    """The creator edits the gig; only the fields sent change. Admins set `is_featured`. A gig
    the moderators hid stays off: only an admin switches it back on (`is_active`).

    Files uploaded for the gig (purpose gig_gallery, `target_id` the gig's id) join its gallery
    (`gallery_upload_ids`: images and videos, after the links) or become its video preview
    (`video_preview_upload_id`: a video, shown as its 10-second preview clip)."""
    return _json((await service.update_gig(session, user, gig, changes)).body)


@gigs_router.delete(
    "/{gig}",
    response_model=schemas.GigDeleted,
    dependencies=[GIGS_WRITE],
    responses=error_responses(errors.GigNotFound, NotOwner),
)
async def delete_gig(gig: GigRef, user: CurrentUser, session: SessionDep) -> schemas.GigDeleted:
    """Delete your gig; one with orders is deactivated instead (see `outcome`)."""
    return await service.delete_gig(session, user, gig)


@gigs_router.get(
    "/{gig}/packages",
    response_model=list[schemas.PackageOut],
    dependencies=[GIGS_READ],
    responses=error_responses(errors.GigNotFound),
)
async def list_packages(
    gig: GigRef, viewer: OptionalUser, session: ReplicaSessionDep
) -> list[schemas.PackageOut]:
    return await service.list_packages(session, gig, viewer)


@gigs_router.post(
    "/{gig}/packages",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.PackageOut,
    dependencies=[GIGS_WRITE],
    responses=error_responses(
        errors.GigNotFound,
        NotOwner,
        errors.UnsupportedCurrency,
        errors.TooManyPackages,
        errors.DuplicatePackageTier,
    ),
)
async def add_package(
    gig: GigRef, data: schemas.PackageCreate, user: CurrentUser, session: SessionDep
) -> schemas.PackageOut:
    """Add a basic, standard or premium package (one of each at most); the tier may be sent as
    `tier` ("basic") or as `name` ("Basic")."""
    return await service.add_package(session, user, gig, data)


@gigs_router.put(
    "/{gig}/packages/{package_id}",
    response_model=schemas.PackageOut,
    dependencies=[GIGS_WRITE],
    responses=error_responses(
        errors.GigNotFound,
        NotOwner,
        errors.PackageNotFound,
        errors.DuplicatePackageTier,
        errors.UnsupportedCurrency,
    ),
)
async def update_package(
    gig: GigRef, package_id: uuid.UUID, changes: schemas.PackageUpdate, user: CurrentUser, session: SessionDep
) -> schemas.PackageOut:
    """Only the fields sent change."""
    return await service.update_package(session, user, gig, package_id, changes)


@gigs_router.delete(
    "/{gig}/packages/{package_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[GIGS_WRITE],
    responses=error_responses(errors.GigNotFound, NotOwner, errors.PackageNotFound),
)
async def delete_package(gig: GigRef, package_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    """Remove a package; a gig left without any leaves the lists until it has one again. A
    package that has orders is retired instead: it leaves the gig (its tier is free again) and
    its orders keep it."""
    await service.delete_package(session, user, gig, package_id)


@my_gigs_router.get("", response_model=Page[schemas.MyGig], dependencies=[GIGS_READ])
async def list_my_gigs(
    user: CurrentUser, session: SessionDep, page: Annotated[PageParams, Depends(page_params)]
) -> Page[schemas.MyGig]:
    """My gigs, newest first: paused ones and those without a package too, which no public
    list shows (`is_listed` tells which clients see)."""
    return await service.my_gigs(session, user, page)


def _json(body: str, status_code: int = status.HTTP_200_OK) -> Response:
    """A page the catalog wrote as JSON itself (catalog/reads.py), sent as it is."""
    return Response(content=body, status_code=status_code, media_type="application/json")


router = APIRouter()
# Gig pages and lists first: FastAPI tries routes in order, and they are most of the traffic.
for _router in (gigs_router, categories_router, tags_router, admin_categories_router, my_gigs_router):
    router.include_router(_router)

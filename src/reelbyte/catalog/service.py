"""Gigs, their packages and tags. The functions run inside the caller's unit of work
(`core.db.transaction`) and never commit; cache bumps and view counts are after-commit hooks.

Who sees and changes what:
- A gig is public while active. An inactive gig is seen only by its creator and by admins;
  to anybody else it does not exist (404).
- Only the creator changes a gig's content and packages, or deletes it; somebody who can see
  the gig but may not change it gets 403. Admins may change the flags of any gig (featured,
  active) and nothing else of it; only admins set `is_featured`.
- Lists show only *listed* gigs: active with at least one package (catalog/listing.py).

A gig's `price_from_minor`, `price_to_minor`, `min_delivery_days` and `currency` summarise
its live packages and are rewritten, under a lock on the gig, by every change to its packages.

A gig's gallery and video preview may be files uploaded for the gig (purpose gig_gallery,
`target_id` the gig's id), so they are given on update only, once the gig exists. What the page
shows of them (public, lasting URLs) is written on the gig's row when they are given, so the hot
gig page reads no uploads: the gallery's uploaded images as themselves and videos as their
preview clips, with a poster and thumbnail each (`gallery_uploads`), and the video preview as the
upload's preview clip.

Orders point at the gig and package they were bought from. So a gig or package with orders is
never deleted (that would break the orders): it is deactivated instead — the gig leaves lists
and search, the package (retired) leaves its gig and frees its tier. Whether orders exist is
asked of the orders domain (`events.still_needed`), which reads the orders themselves.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.catalog import events, reads
from reelbyte.catalog.cache import tag_cache
from reelbyte.catalog.categories import validate_category_pair
from reelbyte.catalog.errors import (
    AdminOnly,
    DuplicatePackageTier,
    GalleryFull,
    GigHiddenByModerators,
    GigNotFound,
    PackageNotFound,
    SlugConflict,
    TooManyPackages,
    UnsupportedCurrency,
)
from reelbyte.catalog.listing import GigFilters, listed
from reelbyte.catalog.models import GIG_SLUG_LENGTH, Gig, Package, PackageTier
from reelbyte.catalog.reads import GigPage
from reelbyte.catalog.schemas import (
    MAX_GALLERY,
    GalleryUpload,
    GigCreate,
    GigDeleted,
    GigUpdate,
    MyGig,
    PackageCreate,
    PackageOut,
    PackageUpdate,
    TagCount,
)
from reelbyte.catalog.slugs import is_slug_clash, unique_slug
from reelbyte.catalog.views import gig_views
from reelbyte.core import audit
from reelbyte.core.config import get_settings
from reelbyte.core.db import after_commit, constraint_error, lock_one
from reelbyte.core.errors import NotOwner
from reelbyte.core.money import Money
from reelbyte.core.pagination import Page, PageParams
from reelbyte.identity.models import User
from reelbyte.media.attach import all_attachable, attachable, public_url, stream_url
from reelbyte.media.models import Upload, UploadKind, UploadPurpose

MAX_PACKAGES = 3
SLUG_ATTEMPTS = 5
TOP_TAGS_CACHED = 100
TIER_ORDER = {PackageTier.BASIC: 0, PackageTier.STANDARD: 1, PackageTier.PREMIUM: 2}
ADMIN_FIELDS = {"is_featured", "is_active"}
# Set by their own rules (a gallery of two parts, a preview of either a link or an upload).
MEDIA_FIELDS = {"gallery_urls", "gallery_upload_ids", "video_preview_url", "video_preview_upload_id"}
GALLERY_KINDS = frozenset({UploadKind.IMAGE, UploadKind.VIDEO})

# Package changes of one gig take turns under the gig's lock; the index is the last word.
constraint_error("uq_packages_gig_id_tier", DuplicatePackageTier)


# --- finding gigs and checking who may do what --------------------------------------------


def _can_see(gig: Gig, user: User | None) -> bool:
    return gig.is_active or (user is not None and (user.id == gig.creator_id or user.is_admin))


async def _find(session: AsyncSession, ref: str, *, for_update: bool = False) -> Gig | None:
    """A gig by id or, failing that, by slug (locked for the change with `for_update`)."""
    if "\x00" in ref or len(ref) > GIG_SLUG_LENGTH:
        return None

    async def one(query: Select[Gig]) -> Gig | None:
        return await lock_one(session, query) if for_update else await session.scalar(query)

    try:
        gig_id = uuid.UUID(ref)
    except ValueError:
        pass
    else:
        gig = await one(select(Gig).where(Gig.id == gig_id))
        if gig is not None:
            return gig
    return await one(select(Gig).where(Gig.slug == ref))


async def _visible_gig(
    session: AsyncSession, ref: str, user: User | None, *, for_update: bool = False
) -> Gig:
    gig = await _find(session, ref, for_update=for_update)
    if gig is None or not _can_see(gig, user):
        raise GigNotFound(details={"gig": ref})
    return gig


async def _own_gig(session: AsyncSession, ref: str, user: User) -> Gig:
    """The caller's gig, locked for the change (404 if they cannot see it, 403 if not theirs)."""
    gig = await _visible_gig(session, ref, user, for_update=True)
    if gig.creator_id != user.id:
        raise NotOwner("Only the gig's creator can change it.")
    return gig


async def owned_gig(session: AsyncSession, gig_id: uuid.UUID, user: User) -> Gig:
    """The user's gig, for another domain attaching something to it (404 if they cannot see it,
    403 if it is not theirs)."""
    gig = await _visible_gig(session, str(gig_id), user)
    if gig.creator_id != user.id:
        raise NotOwner("Only the gig's creator can add to it.")
    return gig


# --- reading ------------------------------------------------------------------------------


async def _packages(session: AsyncSession, gig_id: uuid.UUID) -> list[Package]:
    """The gig's live packages, in tier order (retired ones are kept only for their orders)."""
    rows = await session.scalars(select(Package).where(Package.gig_id == gig_id, Package.is_active))
    return sorted(rows, key=lambda package: TIER_ORDER[package.tier])


async def get_gig(session: AsyncSession, ref: str, viewer: User | None) -> GigPage:
    """A gig's page by id or slug, as `viewer` may see it. A pure read: counts no view.

    Everybody is served the public page of an active gig (cached); only an inactive gig's
    creator and admins read it from the database."""
    page = await reads.public_gig_page(session, ref)
    if page is None and viewer is not None:
        page = await reads.read_gig_page(session, ref)
        if page is not None and not (viewer.id == page.creator_id or viewer.is_admin):
            page = None
    if page is None:
        raise GigNotFound(details={"gig": ref})
    return page


async def view_gig(session: AsyncSession, ref: str, viewer: User | None) -> GigPage:
    """`get_gig` for the gig's page, which counts a view (not the creator's own) of an active
    gig: a Redis increment once the request's unit of work has committed — never a database
    write (catalog/views.py), and never twice for one request."""
    page = await get_gig(session, ref, viewer)
    if page.is_active and (viewer is None or viewer.id != page.creator_id):

        async def count_view() -> None:
            gig_views.record_view(page.gig_id)

        after_commit(session, count_view)
    return page


async def list_gigs(
    session: AsyncSession, filters: GigFilters, params: PageParams, cursor: str | None
) -> str:
    """Listed gigs as the JSON of `Page[GigSummary]` (catalog/reads.py)."""
    return await reads.gig_list(session, filters, params, cursor=cursor)


async def my_gigs(session: AsyncSession, creator: User, params: PageParams) -> Page[MyGig]:
    """The creator's own gigs, paused and unpriced ones too, newest first."""
    items, total = await reads.creator_gigs(session, creator.id, params)
    return Page[MyGig].of([MyGig.model_validate(item) for item in items], total, params)


async def hide_gig(session: AsyncSession, gig_id: uuid.UUID) -> bool:
    """A moderator hides a gig: it leaves every list and is seen only by its creator and
    admins, and its creator cannot switch it back on. Hiding it again changes nothing; False
    when there is no such gig."""
    hidden = await session.scalar(
        update(Gig)
        .where(Gig.id == gig_id)
        .values(is_active=False, hidden_at=func.coalesce(Gig.hidden_at, func.now()))
        .returning(Gig.id)
        .execution_options(synchronize_session=False)
    )
    if hidden is not None:
        tag_cache.invalidate_after_commit(session)
    return hidden is not None


async def hide_creator_gigs(session: AsyncSession, creator_id: uuid.UUID) -> list[str]:
    """Take a creator's active gigs out of every list (a suspension); their ids, to list again."""
    hidden = await session.scalars(
        update(Gig)
        .where(Gig.creator_id == creator_id, Gig.is_active.is_(True))
        .values(is_active=False)
        .returning(Gig.id)
        .execution_options(synchronize_session=False)
    )
    return [str(gig_id) for gig_id in hidden]


async def relist_gigs(session: AsyncSession, creator_id: uuid.UUID, gig_ids: list[str]) -> None:
    """List again the gigs `hide_creator_gigs` took out (those still the creator's and not
    hidden by the moderators since)."""
    if gig_ids:
        await session.execute(
            update(Gig)
            .where(
                Gig.creator_id == creator_id,
                Gig.id.in_([uuid.UUID(gig_id) for gig_id in gig_ids]),
                Gig.hidden_at.is_(None),
            )
            .values(is_active=True)
            .execution_options(synchronize_session=False)
        )


async def _page_of(session: AsyncSession, gig: Gig) -> GigPage:
    """The page of a gig this unit of work has just written (flushed)."""
    await session.flush()
    page = await reads.read_gig_page(session, str(gig.id))
    assert page is not None  # written in this very transaction
    return page


async def list_packages(session: AsyncSession, ref: str, viewer: User | None) -> list[PackageOut]:
    gig = await _visible_gig(session, ref, viewer)
    return [PackageOut.of(package) for package in await _packages(session, gig.id)]


async def top_tags(session: AsyncSession, limit: int) -> list[TagCount]:
    """The most used tags over listed gigs, with the number of gigs carrying each."""

    async def compute() -> list[dict[str, Any]]:
        tag = func.unnest(Gig.tags).label("tag")
        tags = select(tag).where(listed()).subquery()
        count = func.count().label("count")
        rows = await session.execute(
            select(tags.c.tag, count)
            .group_by(tags.c.tag)
            .order_by(count.desc(), tags.c.tag)
            .limit(TOP_TAGS_CACHED)
        )
        return [{"name": name, "count": n} for name, n in rows]

    cached = await tag_cache.get_or_compute(compute)
    return [TagCount.model_validate(item) for item in cached[:limit]]


# --- gigs ---------------------------------------------------------------------------------


async def create_gig(session: AsyncSession, creator: User, data: GigCreate) -> GigPage:
    await validate_category_pair(session, data.category_id, data.subcategory_id)
    for package in data.packages:
        _check_currency(package.price)
    fields = data.model_dump(exclude={"packages"})
    for _ in range(SLUG_ATTEMPTS):
        gig = Gig(
            **fields,
            creator_id=creator.id,
            creator_level=creator.creator_level,
            currency=get_settings().default_currency,
            slug=await unique_slug(session, Gig.slug, data.title, GIG_SLUG_LENGTH),
        )
        try:
            async with session.begin_nested():
                session.add(gig)
        except IntegrityError as error:
            if not is_slug_clash(error, "uq_gigs_slug"):
                raise
            continue  # a concurrent create took the slug: pick again
        break
    else:
        raise SlugConflict("Could not find a free slug for that title; try again.")
    for package in data.packages:
        session.add(_new_package(gig, package))
    await _summarise_packages(session, gig)
    await session.flush()
    tag_cache.invalidate_after_commit(session)
    return await _page_of(session, gig)


async def update_gig(session: AsyncSession, user: User, ref: str, changes: GigUpdate) -> GigPage:
    gig = await _visible_gig(session, ref, user, for_update=True)
    fields = changes.model_dump(exclude_unset=True)
    if "is_featured" in fields and not user.is_admin:
        raise AdminOnly("Only admins can feature a gig.")
    if gig.creator_id != user.id:
        if not user.is_admin:
            raise NotOwner("Only the gig's creator can change it.")
        if set(fields) - ADMIN_FIELDS:
            raise NotOwner(
                "Admins can change only the flags of another creator's gig.",
                details={"allowed": sorted(ADMIN_FIELDS)},
            )
    if fields.get("is_active") is True and gig.hidden_at is not None:
        if not user.is_admin:
            raise GigHiddenByModerators()
        gig.hidden_at = None  # an admin switching it back on lifts the moderators' hiding
    if "category_id" in fields or "subcategory_id" in fields:
        await validate_category_pair(
            session,
            fields.get("category_id", gig.category_id),
            fields.get("subcategory_id", gig.subcategory_id),
        )
    if user.is_admin and ADMIN_FIELDS & set(fields):
        await _audit_flags(session, user, gig, {name: fields[name] for name in ADMIN_FIELDS & set(fields)})
    for name, value in fields.items():
        if name not in MEDIA_FIELDS:
            setattr(gig, name, value)
    await _change_gallery(session, user, gig, changes)
    await _change_video_preview(session, user, gig, changes)  # after thumbnail_url: it may fill it
    tag_cache.invalidate_after_commit(session)
    return await _page_of(session, gig)


async def _audit_flags(session: AsyncSession, admin: User, gig: Gig, flags: dict[str, bool]) -> None:
    """An admin featuring a gig or switching it off is an admin action: it goes to the audit log."""
    before = {name: getattr(gig, name) for name in flags}
    await audit.record(session, admin, "gig.flags", ("gig", gig.id), before=before, after=flags)


async def _change_gallery(session: AsyncSession, user: User, gig: Gig, changes: GigUpdate) -> None:
    """The gallery shows its links, then its uploaded files; each part sent replaces its own.

    A link that is an uploaded file's URL (a client sending `gallery_urls` back as shown) is
    that file, not a link, so it is not shown twice."""
    if changes.gallery_urls is None and changes.gallery_upload_ids is None:
        return
    before = uploaded = gig.gallery_uploads or []
    if changes.gallery_upload_ids is not None:
        uploads = await all_attachable(
            session,
            user,
            changes.gallery_upload_ids,
            UploadPurpose.GIG_GALLERY,
            target_id=gig.id,
            kinds=GALLERY_KINDS,
        )
        uploaded = [_gallery_entry(upload) for upload in uploads]
    files = {entry["url"] for entry in [*before, *uploaded]}
    shown = changes.gallery_urls if changes.gallery_urls is not None else gig.gallery_urls or []
    links = [url for url in shown if url not in files]
    uploaded_urls = [entry["url"] for entry in uploaded]
    if len(links) + len(uploaded) > MAX_GALLERY:
        raise GalleryFull(details={"max": MAX_GALLERY, "links": len(links), "uploaded_files": len(uploaded)})
    gig.gallery_urls, gig.gallery_uploads = [*links, *uploaded_urls], uploaded


def _gallery_entry(upload: Upload) -> dict[str, Any]:
    """How the page shows an uploaded gallery file: a video plays its preview clip (short,
    muted, browser-safe mp4, unlike an original that may be a 500 MB .mov)."""
    if upload.kind is UploadKind.VIDEO:
        url, poster = public_url(upload, "preview"), public_url(upload, "poster")
    else:
        url = poster = public_url(upload)
    entry = GalleryUpload(
        upload_id=upload.id,
        kind="video" if upload.kind is UploadKind.VIDEO else "image",
        url=url,
        poster_url=poster,
        thumbnail_url=public_url(upload, "thumbnail"),
        stream_url=stream_url(upload),
    )
    return entry.model_dump(mode="json")


async def _change_video_preview(session: AsyncSession, user: User, gig: Gig, changes: GigUpdate) -> None:
    """A link, or a video uploaded for the gig (shown as its preview clip, its thumbnail the
    gig's if it has none); either replaces the other, and null for either clears the preview."""
    sent = changes.model_fields_set
    if "video_preview_url" in sent:
        gig.video_preview_url, gig.video_preview_upload_id = changes.video_preview_url, None
    elif changes.video_preview_upload_id is not None:
        upload = await attachable(
            session,
            user,
            changes.video_preview_upload_id,
            UploadPurpose.GIG_GALLERY,
            target_id=gig.id,
            kinds={UploadKind.VIDEO},
        )
        gig.video_preview_url, gig.video_preview_upload_id = public_url(upload, "preview"), upload.id
        if gig.thumbnail_url is None:
            gig.thumbnail_url = public_url(upload, "thumbnail")
    elif "video_preview_upload_id" in sent:  # as null
        gig.video_preview_url, gig.video_preview_upload_id = None, None


async def delete_gig(session: AsyncSession, user: User, ref: str) -> GigDeleted:
    """Delete the gig, or deactivate it if it has orders (they keep pointing at it).

    The gig is locked FOR UPDATE first, which an order being placed for it (its foreign key
    takes a KEY SHARE lock on the gig) waits for or is waited for: the check sees every order."""
    gig = await _own_gig(session, ref, user)
    outcome: Literal["deleted", "deactivated"]
    if await events.still_needed.any(session, events.Listing(gig.id)):
        gig.is_active = False
        outcome = "deactivated"
    else:
        await session.delete(gig)
        outcome = "deleted"
    await session.flush()
    tag_cache.invalidate_after_commit(session)
    return GigDeleted(id=gig.id, outcome=outcome)


# --- packages -----------------------------------------------------------------------------


def _check_currency(price: Money) -> None:
    currency = get_settings().default_currency
    if price.currency != currency:
        raise UnsupportedCurrency(
            f"Prices are in {currency}.", details={"currency": price.currency, "expected": currency}
        )


def _new_package(gig: Gig, data: PackageCreate) -> Package:
    return Package(
        gig_id=gig.id,
        tier=data.tier,
        description=data.description,
        price_minor=data.price.minor,
        currency=data.price.currency,
        delivery_days=data.delivery_days,
        revisions=data.revisions,
        features=list(data.features),
        video_spec=data.video_spec.stored() if data.video_spec is not None else None,
    )


async def _summarise_packages(session: AsyncSession, gig: Gig) -> None:
    """Rewrite the gig's price range and fastest delivery from its packages (NULL without any)."""
    await session.flush()
    low, high, fastest = (
        await session.execute(
            select(
                func.min(Package.price_minor), func.max(Package.price_minor), func.min(Package.delivery_days)
            ).where(Package.gig_id == gig.id, Package.is_active)
        )
    ).one()
    gig.price_from_minor, gig.price_to_minor, gig.min_delivery_days = low, high, fastest
    gig.currency = get_settings().default_currency


def _tier_taken(tier: PackageTier) -> DuplicatePackageTier:
    return DuplicatePackageTier(f"This gig already has a {tier.value} package.", details={"tier": tier})


async def add_package(session: AsyncSession, user: User, ref: str, data: PackageCreate) -> PackageOut:
    gig = await _own_gig(session, ref, user)  # the lock serialises package changes of one gig
    _check_currency(data.price)
    packages = await _packages(session, gig.id)
    if len(packages) >= MAX_PACKAGES:
        raise TooManyPackages(f"A gig has at most {MAX_PACKAGES} packages.", details={"max": MAX_PACKAGES})
    if any(package.tier is data.tier for package in packages):
        raise _tier_taken(data.tier)
    package = _new_package(gig, data)
    session.add(package)
    await _summarise_packages(session, gig)
    tag_cache.invalidate_after_commit(session)
    return PackageOut.of(package)


async def _own_package(
    session: AsyncSession, user: User, ref: str, package_id: uuid.UUID
) -> tuple[Gig, Package]:
    """The caller's gig and one of its live packages, both locked for the change."""
    gig = await _own_gig(session, ref, user)
    package = await lock_one(
        session, select(Package).where(Package.id == package_id, Package.gig_id == gig.id, Package.is_active)
    )
    if package is None:
        raise PackageNotFound(details={"package_id": str(package_id)})
    return gig, package


async def update_package(
    session: AsyncSession, user: User, ref: str, package_id: uuid.UUID, changes: PackageUpdate
) -> PackageOut:
    gig, package = await _own_package(session, user, ref, package_id)
    fields = changes.model_dump(exclude_unset=True, exclude={"price", "video_spec"})
    if changes.tier is not None and changes.tier is not package.tier:
        taken = await session.scalar(
            select(Package.id).where(
                Package.gig_id == gig.id, Package.tier == changes.tier, Package.is_active
            )
        )
        if taken is not None:
            raise _tier_taken(changes.tier)
    if changes.price is not None:
        _check_currency(changes.price)
        package.price_minor, package.currency = changes.price.minor, changes.price.currency
    for name, value in fields.items():
        setattr(package, name, value)
    if "video_spec" in changes.model_fields_set:  # sent: replaced whole, or removed by null
        package.video_spec = changes.video_spec.stored() if changes.video_spec is not None else None
    await _summarise_packages(session, gig)
    await session.refresh(package)
    return PackageOut.of(package)


async def delete_package(session: AsyncSession, user: User, ref: str, package_id: uuid.UUID) -> None:
    """Remove a package; a gig left without any is no longer listed. A package that orders
    point at is retired instead (it leaves the gig and frees its tier; the orders keep it).

    The package is locked FOR UPDATE first, so an order being placed for it is seen."""
    gig, package = await _own_package(session, user, ref, package_id)
    if await events.still_needed.any(session, events.Listing(gig.id, package.id)):
        package.is_active = False
    else:
        await session.delete(package)
    await _summarise_packages(session, gig)
    tag_cache.invalidate_after_commit(session)

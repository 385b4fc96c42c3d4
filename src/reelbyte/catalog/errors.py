"""Errors of the catalog: categories, gigs, packages, and the gig list filters.

Changing somebody else's gig is `core.errors.NotOwner` (`not_owner`).
"""

from __future__ import annotations

from reelbyte.core.errors import BadRequest, Conflict, Forbidden, NotFound, ValidationFailed

# --- categories ---------------------------------------------------------------------------


class CategoryNotFound(NotFound):
    code = "category_not_found"
    message = "No such category."


class InvalidCategory(BadRequest):
    code = "invalid_category"
    message = "Choose an active top-level category."


class InvalidSubcategory(BadRequest):
    code = "invalid_subcategory"
    message = "The subcategory must be an active subcategory of the chosen category."


class InvalidParent(BadRequest):
    code = "invalid_parent"
    message = "The parent must be an existing top-level category."


class CategoryExists(Conflict):
    code = "category_exists"
    message = "A category with that name already exists there."


class ReorderMismatch(BadRequest):
    code = "reorder_mismatch"
    message = "List every category under that parent exactly once."


class SlugConflict(Conflict):
    code = "slug_conflict"
    message = "Could not find a free slug; try again."


# --- gigs and packages --------------------------------------------------------------------


class GigNotFound(NotFound):
    code = "gig_not_found"
    message = "No such gig."


class PackageNotFound(NotFound):
    code = "package_not_found"
    message = "No such package on this gig."


class AdminOnly(Forbidden):
    code = "admin_only"
    message = "Only admins can do this."


class UnsupportedCurrency(BadRequest):
    code = "unsupported_currency"
    message = "Prices are in the platform currency."


class DuplicatePackageTier(Conflict):
    code = "duplicate_package_tier"
    message = "This gig already has a package of that tier."


class TooManyPackages(Conflict):
    code = "too_many_packages"
    message = "A gig has at most three packages."


class GigHiddenByModerators(Conflict):
    code = "gig_hidden_by_moderators"
    message = "The moderators hid this gig after a report: it cannot be switched back on."


class GalleryFull(ValidationFailed):
    code = "gallery_full"
    message = "A gig's gallery holds at most 10 files, links and uploaded files together."


# --- gig list filters (GET /gigs, GET /search/gigs) ---------------------------------------


class InvalidPriceRange(BadRequest):
    code = "invalid_price_range"
    message = "min_price must not be above max_price."


class InvalidTag(BadRequest):
    code = "invalid_tag"
    message = "Each tag has 1 to 40 characters, one of them not a space, and no control characters."


class PageTooDeep(BadRequest):
    code = "page_too_deep"
    message = "Page numbers reach as far as a list counts (10,000 gigs, 1,000 for a text search); page on with `cursor` (each page's `next_cursor`)."


class NoCursorForRelevance(BadRequest):
    code = "no_cursor_for_relevance"
    message = "Results sorted by relevance to a query are paged by number only; sort otherwise to page on with a cursor."

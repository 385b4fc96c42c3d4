"""What may be uploaded: the kinds with their formats and limits, and the purposes with the kinds
they take, where their files are kept and whether everybody may see them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from reelbyte.media.models import UploadKind, UploadPurpose

MIB = 1024 * 1024
# Larger files go up in parts, so that a dropped connection costs one part, not the file.
MULTIPART_THRESHOLD = 64 * MIB
PART_SIZE = 16 * MIB  # S3 wants at least 5 MiB per part but the last, and at most 10,000 parts
PART_URLS_PER_REQUEST = 50


@dataclass(frozen=True, slots=True)
class KindRule:
    max_bytes: int
    # content type → the file name extensions it may have (the first names stored objects)
    formats: dict[str, tuple[str, ...]]


KINDS: dict[UploadKind, KindRule] = {
    UploadKind.VIDEO: KindRule(
        500 * 1000 * 1000,
        {"video/mp4": (".mp4", ".m4v"), "video/quicktime": (".mov",), "video/x-msvideo": (".avi",)},
    ),
    UploadKind.IMAGE: KindRule(
        10 * 1000 * 1000,
        {
            "image/jpeg": (".jpg", ".jpeg"),
            "image/png": (".png",),
            "image/gif": (".gif",),
            "image/webp": (".webp",),
        },
    ),
    UploadKind.DOCUMENT: KindRule(5 * 1000 * 1000, {"application/pdf": (".pdf",)}),
}

ALL_KINDS = frozenset(UploadKind)


@dataclass(frozen=True, slots=True)
class PurposeRule:
    kinds: frozenset[UploadKind]
    # the folder of its objects: {owner} and {target} are filled in
    folder: str
    public: bool
    needs_target: bool


PURPOSES: dict[UploadPurpose, PurposeRule] = {
    UploadPurpose.AVATAR: PurposeRule(frozenset({UploadKind.IMAGE}), "users/{owner}/avatar", True, False),
    UploadPurpose.PORTFOLIO: PurposeRule(
        frozenset({UploadKind.VIDEO, UploadKind.IMAGE}), "users/{owner}/portfolio", True, False
    ),
    UploadPurpose.GIG_GALLERY: PurposeRule(
        frozenset({UploadKind.VIDEO, UploadKind.IMAGE}), "gigs/{target}/gallery", True, True
    ),
    UploadPurpose.DELIVERABLE: PurposeRule(ALL_KINDS, "orders/{target}/deliverables", False, True),
    UploadPurpose.MESSAGE_ATTACHMENT: PurposeRule(ALL_KINDS, "messages/{target}", False, True),
    UploadPurpose.PROPOSAL_ATTACHMENT: PurposeRule(
        ALL_KINDS, "projects/{target}/proposals/{owner}", False, True
    ),
    UploadPurpose.PROJECT_ATTACHMENT: PurposeRule(ALL_KINDS, "projects/{target}/attachments", False, True),
}

# The public folders' layouts with their ids left out: {"users/{}/avatar", "gigs/{}/gallery", …}.
_PUBLIC_LAYOUTS = frozenset(
    rule.folder.format(owner="{}", target="{}") for rule in PURPOSES.values() if rule.public
)


def folder_for(purpose: UploadPurpose, owner_id: uuid.UUID, target_id: uuid.UUID | None) -> str:
    return PURPOSES[purpose].folder.format(owner=owner_id, target=target_id)


def is_public_key(key: str) -> bool:
    """Whether a key lies in a public folder (users/{id}/avatar/…, users/{id}/portfolio/…,
    gigs/{id}/gallery/…), judged from the key's layout alone."""
    parts = key.split("/")
    if len(parts) < 4 or any(part in ("", ".", "..") for part in parts):
        return False
    return f"{parts[0]}/{{}}/{parts[2]}" in _PUBLIC_LAYOUTS


def kind_of(content_type: str) -> UploadKind | None:
    for kind, rule in KINDS.items():
        if content_type in rule.formats:
            return kind
    return None

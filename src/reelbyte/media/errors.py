"""Errors of uploads. Storage being unreachable is `media.storage.errors.StorageUnavailable`."""

from __future__ import annotations

from reelbyte.core.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    UnsupportedMediaType,
    ValidationFailed,
)


class UploadNotFound(NotFound):
    code = "upload_not_found"
    message = "No such upload."


class UploadTooLarge(PayloadTooLarge):
    code = "upload_too_large"
    message = "The file is larger than files of this kind may be."


class StorageQuotaExceeded(PayloadTooLarge):
    code = "storage_quota_exceeded"
    message = "This file would take you over your storage quota: delete files you no longer need."


class UploadTypeNotAllowed(UnsupportedMediaType):
    code = "upload_type_not_allowed"
    message = "Files of this kind must have one of the listed types and file name extensions."


class UploadContentMismatch(UnsupportedMediaType):
    code = "upload_content_mismatch"
    message = "The file's contents are not of the type it was declared as; it was deleted."


class UploadKindNotAllowed(ValidationFailed):
    code = "upload_kind_not_allowed"
    message = "Files for this purpose cannot be of this kind."


class UploadTargetRequired(ValidationFailed):
    code = "upload_target_required"
    message = "Files for this purpose name what they are for (`target_id`)."


class UploadTargetNotAllowed(ValidationFailed):
    code = "upload_target_not_allowed"
    message = "Files for this purpose belong to you, not to a `target_id`."


class UploadTargetNotFound(NotFound):
    code = "upload_target_not_found"
    message = "The gig, order, conversation or project this file is for does not exist or is not yours."


class UploadRateLimited(RateLimited):
    code = "upload_rate_limited"
    message = "Too many uploads started: wait a while (RATE_LIMIT_UPLOADS)."


class UploadNotPending(Conflict):
    code = "upload_not_pending"
    message = "This upload is no longer waiting for its file."


class UploadNotMultipart(Conflict):
    code = "upload_not_multipart"
    message = "This upload takes the file in one request, not in parts."


class UploadPartsRequired(ValidationFailed):
    code = "upload_parts_required"
    message = "A multipart upload is completed with the list of its parts and their ETags."


class UploadObjectMissing(Conflict):
    code = "upload_object_missing"
    message = "The file has not reached storage yet: upload it, then complete the upload."


class UploadSizeMismatch(ValidationFailed):
    code = "upload_size_mismatch"
    message = "The stored file's size differs from the declared size; it was deleted."


class UploadInUse(Conflict):
    code = "upload_in_use"
    message = "This file is a deliverable of an order under way or done, and is kept for it."


class UploadNotReady(Conflict):
    code = "upload_not_ready"
    message = "This file is not ready yet (still uploading or processing, or it failed)."


class UploadPurposeMismatch(ValidationFailed):
    code = "upload_purpose_mismatch"
    message = "This file was uploaded for something else: upload it again for this purpose."


class UploadKindMismatch(ValidationFailed):
    code = "upload_kind_mismatch"
    message = "This file is not of a kind this place takes (an image where a video is needed, say)."


class StorageNotificationsOff(NotFound):
    code = "storage_notifications_off"
    message = "Upload notifications are taken only when the storage is Cloudinary (STORAGE_BACKEND)."


class InvalidNotificationSignature(BadRequest):
    code = "invalid_notification_signature"
    message = "The X-Cld-Signature is missing, does not match the body, or is too old."


class InvalidNotification(BadRequest):
    code = "invalid_notification"
    message = "The notification is not a JSON object with a public_id."


class DeliveryNotReleased(Forbidden):
    code = "delivery_not_released"
    message = (
        "The original of a delivered video is released once the order (or its milestone) is "
        "approved or completed; until then, watch its protected preview."
    )


class PlaylistNotFound(NotFound):
    code = "playlist_not_found"
    message = "This file has no such streaming playlist."

"""Errors of the storage layer, raised by every backend alike."""

from __future__ import annotations

from reelbyte.core.errors import ServiceUnavailable, ValidationFailed


class StorageUnavailable(ServiceUnavailable):
    code = "storage_unavailable"
    message = "File storage does not answer right now; try again in a moment."


class UploadPartsInvalid(ValidationFailed):
    code = "upload_parts_invalid"
    message = "The parts listed do not match the parts uploaded (part numbers and ETags, in order)."

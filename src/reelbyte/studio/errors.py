"""Errors of the creator's video tools. A source that is not the caller's own upload is
`media.errors.UploadNotFound`; one not processed yet `UploadNotReady`; not a video
`UploadKindMismatch`; a used-up plan `billing.errors.PlanLimitReached`."""

from __future__ import annotations

from reelbyte.core.errors import Conflict, NotFound, PaymentRequired, ValidationFailed


class VideoJobNotFound(NotFound):
    code = "video_job_not_found"
    message = "No such video job."


class VideoJobResultNotFound(NotFound):
    code = "video_job_result_not_found"
    message = "The job has no result with this number (results are numbered from 0)."


class VideoJobNotSucceeded(Conflict):
    code = "video_job_not_succeeded"
    message = "The job has not succeeded (yet): there is nothing to download."


class SourceTooLong(PaymentRequired):
    """`details`: the source's length, the plan's limit (seconds) and where to upgrade."""

    code = "source_too_long"
    message = "The video is longer than your plan processes: upgrade, or trim it shorter first."


class SourceLengthUnknown(Conflict):
    code = "source_length_unknown"
    message = "The video's length could not be told when it was processed, so it cannot be cut."


class InvalidTrimRange(ValidationFailed):
    """`details`: what was asked and the source's length, in milliseconds."""

    code = "invalid_trim_range"
    message = "The trim must start before it ends, and end within the video."


class InvalidHookLengths(ValidationFailed):
    """`details`: what was asked and the source's length, in seconds."""

    code = "invalid_hook_lengths"
    message = "Hooks need min_seconds <= max_seconds, and the video must be longer than min_seconds."

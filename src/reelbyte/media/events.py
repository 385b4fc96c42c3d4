"""What the media domain announces to the domains that use it."""

from __future__ import annotations

from reelbyte.core.events import Signal
from reelbyte.media.models import Upload

# An upload was processed and is ready to use (emitted once, in the processing job's transaction).
upload_ready: Signal[Upload] = Signal("upload_ready")
# An upload could not be made ready (processing refused it, or its file never arrived): its
# `failure_reason` says why (emitted once, in the transaction that fails it).
upload_failed: Signal[Upload] = Signal("upload_failed")

"""What other domains may hook into when a message is sent, without messaging importing them.

Emitted in the sender's transaction, after the message is flushed: a handler's writes (the
recipient's notification, their digest schedule) commit or roll back with the message.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from reelbyte.core.events import Signal
from reelbyte.messaging.models import Message


@dataclass(frozen=True)
class MessageSent:
    message: Message
    recipient_id: uuid.UUID


message_sent: Signal[MessageSent] = Signal("message_sent")

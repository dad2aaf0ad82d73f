from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Notice:
    """What a notifier needs, read once from the Notification row."""

    id: int
    kind: str
    text: str
    created_at: datetime
    ticket_number: str | None
    recipient_username: str
    recipient_name: str
    recipient_phone: str


class Notifier(Protocol):
    name: str

    def send(self, notice: Notice) -> None:
        """Deliver or raise; called again on a retry, so the far side may see it twice."""


class NotifierMisconfigured(Exception):
    """A setting the notifier needs is missing: retrying will not help."""

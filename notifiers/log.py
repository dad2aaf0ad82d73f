from __future__ import annotations

import logging

from notifiers.base import Notice

logger = logging.getLogger("notifiers.log")


class LogNotifier:
    """One log line per notice (for a log shipper or a pager that reads logs)."""

    name = "log"

    def send(self, notice: Notice) -> None:
        logger.info("notice %s to %s [%s] %s", notice.id, notice.recipient_username, notice.kind,
                    notice.text)

from __future__ import annotations

import json
import time
import urllib.request

from django.conf import settings

from notifiers.base import Notice, NotifierMisconfigured
from tickets.core.signing import signature_header


class WebhookNotifier:
    """POSTs each notice as JSON to NOTIFY_WEBHOOK_URL, signed like our status callbacks
    (X-Signature: t=<unix>,v1=<HMAC-SHA256 of "t.body">) when NOTIFY_WEBHOOK_SECRET is set."""

    name = "webhook"

    def send(self, notice: Notice) -> None:
        if not settings.NOTIFY_WEBHOOK_URL:
            raise NotifierMisconfigured("NOTIFY_WEBHOOK_URL is not set")
        body = json.dumps({
            "id": notice.id, "kind": notice.kind, "text": notice.text,
            "ticket_number": notice.ticket_number, "recipient": notice.recipient_username,
            "recipient_name": notice.recipient_name, "created_at": notice.created_at.isoformat(),
        }, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if settings.NOTIFY_WEBHOOK_SECRET:
            headers["X-Signature"] = signature_header(
                secret=settings.NOTIFY_WEBHOOK_SECRET, timestamp=int(time.time()), body=body)
        request = urllib.request.Request(settings.NOTIFY_WEBHOOK_URL, data=body,
                                         headers=headers, method="POST")
        # urlopen raises HTTPError for any status >= 400: the task retries.
        with urllib.request.urlopen(request, timeout=settings.NOTIFY_TIMEOUT_SECONDS):
            pass

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from notifiers.base import Notice, NotifierMisconfigured

logger = logging.getLogger(__name__)


class SmsGateway(Protocol):
    def send_sms(self, *, phone: str, text: str) -> None:
        """Hand one message to the operator's gateway or raise."""


class HttpSmsGateway:
    """The simplest gateway contract: POST {"phone", "text"} as JSON to NOTIFY_SMS_URL. A
    provider's SDK fits behind the same method (NOTIFY_SMS_GATEWAY names the class)."""

    def send_sms(self, *, phone: str, text: str) -> None:
        if not settings.NOTIFY_SMS_URL:
            raise NotifierMisconfigured("NOTIFY_SMS_URL is not set")
        body = json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(
            settings.NOTIFY_SMS_URL, data=body, method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=settings.NOTIFY_TIMEOUT_SECONDS):
            pass


class SmsNotifier:
    """Text messages for the kinds in NOTIFY_SMS_KINDS, to people with a phone number."""

    name = "sms"

    def __init__(self) -> None:
        self.gateway: SmsGateway = import_string(settings.NOTIFY_SMS_GATEWAY)()

    def send(self, notice: Notice) -> None:
        if notice.kind not in settings.NOTIFY_SMS_KINDS:
            return
        if not notice.recipient_phone:
            logger.warning("notice %s: %s has no phone number, no SMS sent", notice.id,
                           notice.recipient_username)
            return
        self.gateway.send_sms(phone=notice.recipient_phone, text=f"【民意速办】{notice.text}")

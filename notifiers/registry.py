"""Names usable in settings.NOTIFIERS, each the dotted path of its class."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from notifiers.base import Notifier

NOTIFIER_CLASSES = {
    "log": "notifiers.log.LogNotifier",
    "webhook": "notifiers.webhook.WebhookNotifier",
    "sms": "notifiers.sms.SmsNotifier",
}


def notifier_get(name: str) -> Notifier:
    try:
        path = NOTIFIER_CLASSES[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"unknown notifier {name!r} in NOTIFIERS (known: {', '.join(NOTIFIER_CLASSES)})"
        ) from None
    notifier_class: type[Notifier] = import_string(path)
    return notifier_class()


def notifiers_configured() -> list[Notifier]:
    return [notifier_get(name) for name in settings.NOTIFIERS]

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from notifiers.registry import NOTIFIER_CLASSES

NEEDS = {"webhook": "NOTIFY_WEBHOOK_URL", "sms": "NOTIFY_SMS_URL"}


@register()
def notifiers_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    for name in settings.NOTIFIERS:
        if name not in NOTIFIER_CLASSES:
            errors.append(Error(f"NOTIFIERS names an unknown notifier {name!r}",
                                hint=f"known: {', '.join(NOTIFIER_CLASSES)}", id="notifiers.E001"))
        elif (name in NEEDS and not getattr(settings, NEEDS[name])
              and not (name == "sms" and settings.NOTIFY_SMS_GATEWAY
                       != "notifiers.sms.HttpSmsGateway")):
            errors.append(Error(f"the {name} notifier needs {NEEDS[name]}", id="notifiers.E002"))
    return errors

"""The bell on every console page (console/partials/bell.html): the signed-in person's unread
count, or None for someone without a Staff row (a superuser), who has no notices at all."""

from __future__ import annotations

from typing import Any

from django import template

from org.roles import staff_of
from tickets.selectors.inbox import notification_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_unread(context: dict[str, Any]) -> int | None:
    request = context.get("request")
    staff = staff_of(getattr(request, "user", None))
    return None if staff is None else notification_unread_count(staff=staff)

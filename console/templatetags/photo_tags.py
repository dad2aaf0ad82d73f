"""The ticket page's 现场照片 section (console/partials/photos.html): ``{% photo_section ticket %}``
lists the photos and offers the upload to those who may add one; ``errors`` are a refused
upload's reasons (console.views.photos)."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.contrib.auth.models import User

from tickets.models import Ticket
from tickets.selectors.attachments import ticket_photo_list
from tickets.services.attachments import ticket_photo_may_add

register = template.Library()


@register.inclusion_tag("console/partials/photos.html", takes_context=True)
def photo_section(context: template.Context, ticket: Ticket,
                  errors: list[str] | None = None) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "ticket": ticket, "photos": ticket_photo_list(ticket=ticket),
        "may_add": isinstance(user, User) and ticket_photo_may_add(ticket=ticket, actor=user),
        "photo_errors": errors or [], "max_mb": settings.ATTACHMENT_MAX_BYTES / (1024 * 1024),
        # An inclusion tag renders in a context of its own: the form's token comes along.
        "csrf_token": context.get("csrf_token"), "request": request,
    }

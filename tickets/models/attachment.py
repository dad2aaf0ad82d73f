"""Photos taken on site (现场照片), attached to a ticket while it is worked.

The files live on the default storage (MEDIA_ROOT) under ``tickets/<ticket number>/`` with a
random name: what the uploader called the file is kept only as text for display, never in a
path. They are never served as static files; the console streams them after checking that the
person may see the ticket (console.views.photos). tickets.services.attachments writes them.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models.ticket import Ticket, TicketState


def photo_path(instance: Any, filename: str) -> str:
    """``tickets/<number>/<random>-<kind>.jpg``; ``filename`` is the service's own ("photo.jpg"
    or "thumb.jpg"), which only names the kind."""
    kind = "thumb" if filename.startswith("thumb") else "photo"
    return f"tickets/{instance.ticket.number}/{secrets.token_hex(16)}-{kind}.jpg"


class TicketAttachment(models.Model):
    """One photo: the re-encoded image (metadata stripped), its thumbnail, and when, by whom and
    at which stage of the ticket it was added."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("工单"), on_delete=models.PROTECT,
                               related_name="photos")
    image = models.FileField(_("照片"), upload_to=photo_path, max_length=200)
    thumbnail = models.FileField(_("缩略图"), upload_to=photo_path, max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    width = models.PositiveIntegerField(_("宽度"))
    height = models.PositiveIntegerField(_("高度"))
    # The ticket's state when the photo was added (at the meeting: met; with the reply: resolved).
    stage = models.CharField(_("办理阶段"), max_length=16, choices=TicketState.choices)
    uploaded_by_label = models.CharField(_("上传人"), max_length=120)
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.original_name or self.pk}"

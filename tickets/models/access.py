"""Who looked at raw personal data outside a ticket's trail: an append-only log."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models.event import AppendOnlyError
from tickets.models.intake import IntakeRecord
from tickets.models.ticket import Ticket


class AccessKind(models.TextChoices):
    INTAKE_BODY = "intake_body", _("查看受理原始请求体")


class AccessLogQuerySet(models.QuerySet["AccessLog"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("访问记录只能追加，不能修改")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("访问记录只能追加，不能删除")


class AccessLog(models.Model):
    """One row per look at a raw intake body (and its headers). A reveal of a ticket's citizen
    is a ``reveal_pii`` TicketEvent instead; a record may have no ticket (an invalid one), so
    these views get a table of their own. Append-only like the trail (and a trigger on
    PostgreSQL)."""

    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("查看人"), on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("查看人名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=20, choices=AccessKind.choices)
    intake_record = models.ForeignKey(
        IntakeRecord, verbose_name=_("受理原始记录"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("工单"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("个人信息访问记录")
        verbose_name_plural = _("个人信息访问记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.kind} {self.at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("访问记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("访问记录只能追加，不能删除")

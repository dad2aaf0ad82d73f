"""Supervision orders (督办): a district supervisor's instructions to the unit holding a ticket,
with their own reply deadline; issued by hand or by the escalation ladder after a breach."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SupervisionLevel(models.TextChoices):
    DISTRICT = "district", _("督办")
    LISTED = "listed", _("挂牌督办")


class SupervisionState(models.TextChoices):
    OPEN = "open", _("待回复")
    ANSWERED = "answered", _("已回复")


class Supervision(models.Model):
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("工单"), on_delete=models.CASCADE,
                               related_name="supervisions")
    unit = models.ForeignKey("dispatch.Unit", verbose_name=_("被督办单位"),
                             on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("督办级别"), max_length=10, choices=SupervisionLevel.choices)
    instructions = models.TextField(_("督办意见"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("督办人"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    issued_by_label = models.CharField(_("督办人名称"), max_length=120)
    issued_at = models.DateTimeField(_("督办时间"))
    reply_due_at = models.DateTimeField(_("回复时限"))
    state = models.CharField(_("状态"), max_length=10, choices=SupervisionState.choices,
                             default=SupervisionState.OPEN)
    answer = models.TextField(_("单位回复"), blank=True)
    answered_by_label = models.CharField(_("回复人"), max_length=120, blank=True)
    answered_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    # The supervisor has been told the reply is late (once).
    overdue_notified_at = models.DateTimeField(_("逾期已提醒"), null=True, blank=True)

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-issued_at"]
        indexes = [
            # The sweeper: open supervisions whose reply is late and not yet reported.
            models.Index(fields=["reply_due_at"], name="supervision_reply_overdue",
                         condition=Q(state="open", overdue_notified_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.get_level_display()}"

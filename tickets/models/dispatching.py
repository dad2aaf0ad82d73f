"""What automatic dispatch reads and leaves behind: urgent signals and corrections."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.ticket import Ticket


class UrgentSignal(models.Model):
    """A phrase that makes a request urgent (燃气味, 电梯困人, …), editable in the admin."""

    phrase = models.CharField(_("关键词"), max_length=40, unique=True)
    note = models.CharField(_("说明"), max_length=120, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("紧急信号词")
        verbose_name_plural = _("紧急信号词")
        ordering = ["phrase"]

    def __str__(self) -> str:
        return self.phrase


class DispatchCorrection(models.Model):
    """A person overrode the router: (predicted, chosen, reason), for the routing-accuracy
    report and as a training signal."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("工单"), on_delete=models.CASCADE,
                               related_name="corrections")
    at = models.DateTimeField(_("时间"))
    actor_label = models.CharField(_("操作人"), max_length=120)
    kind = models.CharField(_("方式"), max_length=16)  # dispatch | transfer | ruling
    predicted_unit = models.CharField(_("模型建议单位"), max_length=40, blank=True)
    chosen_unit = models.CharField(_("最终选择单位"), max_length=40)
    reason = models.TextField(_("原因"), blank=True)

    class Meta:
        verbose_name = _("分拨纠正")
        verbose_name_plural = _("分拨纠正")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.predicted_unit or '—'} → {self.chosen_unit}"

"""What a unit asks of its lead about the clocks: extensions (延期) and suspensions (暂停计时)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("已驳回")


class Extension(models.Model):
    """延期: the assignee asks for a later resolve deadline; the unit lead approves or refuses."""

    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("工单"), on_delete=models.CASCADE,
                               related_name="extensions")
    reason = models.TextField(_("理由"))
    new_due_at = models.DateTimeField(_("申请的办结时限"))
    old_due_at = models.DateTimeField(_("原办结时限"))
    state = models.CharField(_("状态"), max_length=10, choices=ExtensionState.choices,
                             default=ExtensionState.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"),
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True,
                                   blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["ticket"], condition=Q(state="pending"),
                                    name="extension_one_pending_per_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} 延期至 {self.new_due_at:%m-%d %H:%M}"


class SuspensionState(models.TextChoices):
    PENDING = "pending", _("待审批")
    ACTIVE = "active", _("暂停中")
    REFUSED = "refused", _("已驳回")
    ENDED = "ended", _("已恢复计时")


class Suspension(models.Model):
    """暂停计时 (e.g. the citizen cannot be reached), only with the lead's approval. Approved
    rows are the paused intervals [started_at, ended_at): they are excluded from every clock
    running meanwhile, whatever policy the ticket has."""

    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("工单"), on_delete=models.CASCADE,
                               related_name="suspensions")
    reason = models.TextField(_("理由"))
    state = models.CharField(_("状态"), max_length=10, choices=SuspensionState.choices,
                             default=SuspensionState.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"),
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    started_at = models.DateTimeField(_("暂停开始"), null=True, blank=True)
    ended_at = models.DateTimeField(_("暂停结束"), null=True, blank=True)
    ended_by_label = models.CharField(_("恢复操作人"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("暂停计时申请")
        verbose_name_plural = _("暂停计时申请")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["ticket"],
                                    condition=Q(state__in=["pending", "active"]),
                                    name="suspension_one_open_per_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} 暂停计时（{self.get_state_display()}）"

"""The append-only trail of every ticket (一单到底)."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models.ticket import Ticket


class EventAction(models.TextChoices):
    CREATE = "create", _("受理")
    TRIAGE = "triage", _("转人工分拨")
    ASSIGN = "assign", _("派单")
    RECORD_CONTACT = "record_contact", _("联系诉求人")
    RECORD_MEETING = "record_meeting", _("约见")
    RESOLVE = "resolve", _("办结")
    FOLLOW_UP = "follow_up", _("回访")
    CLOSE = "close", _("归档")
    REOPEN = "reopen", _("重办")
    RETURN = "return_to_triage", _("退单")
    TRANSFER = "transfer", _("改派")
    MERGE = "merge", _("合并重复件")
    REJECT = "reject", _("作废")
    REASSIGN = "reassign", _("更换责任人")
    EDIT = "edit", _("修改分拨信息")
    PREDICT = "predict", _("模型分拨建议")
    RETURN_REQUEST = "return_request", _("申请退单")
    RETURN_REFUSE = "return_refuse", _("驳回退单申请")
    RULING_REQUEST = "ruling_request", _("提请审定")
    RULING = "ruling", _("审定")
    ASSIST_ADD = "assist_add", _("增加协办单位")
    ASSIST_REPLY = "assist_reply", _("协办回复")
    ASSIST_WARNING = "assist_warning", _("协办预警")
    ASSIST_BREACH = "assist_breach", _("协办超时")
    CLOSE_UNREASONABLE = "close_unreasonable", _("诉求不合理，审定归档")
    SLA_WARNING = "sla_warning", _("时限预警")
    SLA_BREACH = "sla_breach", _("超时")
    EXTENSION_REQUEST = "extension_request", _("申请延期")
    EXTENSION_APPROVE = "extension_approve", _("批准延期")
    EXTENSION_REFUSE = "extension_refuse", _("驳回延期")
    SLA_ESCALATE = "sla_escalate", _("超时升级")
    SUPERVISE = "supervise", _("督办")
    SUPERVISION_ANSWER = "supervision_answer", _("督办回复")
    SUSPENSION_REQUEST = "suspension_request", _("申请暂停计时")
    SUSPENSION_APPROVE = "suspension_approve", _("批准暂停计时")
    SUSPENSION_REFUSE = "suspension_refuse", _("驳回暂停计时")
    SUSPENSION_END = "suspension_end", _("恢复计时")
    REVEAL_PII = "reveal_pii", _("查看完整个人信息")
    ANONYMISE = "anonymise", _("个人信息匿名化")
    FOLLOW_UP_ATTEMPT = "follow_up_attempt", _("回访未接通")
    ATTACHMENT_ADD = "attachment_add", _("上传照片")
    DUPLICATE_DISMISS = "duplicate_dismiss", _("排除疑似重复")


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit event."""


class TicketEventQuerySet(models.QuerySet["TicketEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("工单事件只能追加，不能修改")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("工单事件只能追加，不能删除")


class TicketEvent(models.Model):
    """One row per transition or routed-field edit: the ticket's 一单到底 trail."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("工单"), on_delete=models.PROTECT, related_name="events",
        db_index=False,  # ticketevent_ticket_at (ticket, at) serves it
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    # A snapshot, so the trail still reads right after a rename; "系统" when no person acted.
    actor_label = models.CharField(_("操作人名称"), max_length=120)
    action = models.CharField(_("动作"), max_length=20, choices=EventAction.choices)
    from_state = models.CharField(_("原状态"), max_length=16, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, blank=True)
    reason = models.TextField(_("原因/说明"), blank=True)
    payload = models.JSONField(_("详情"), default=dict, blank=True)
    # The chain (tickets.core.trail): this event's hash covers its content and the previous
    # event's hash of the same ticket, so an edited, removed or inserted event shows.
    prev_hash = models.CharField(_("前一事件哈希"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("哈希"), max_length=64, blank=True, editable=False)

    objects = TicketEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("工单事件")
        verbose_name_plural = _("工单事件")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["ticket", "at"], name="ticketevent_ticket_at"),
            # /metrics' routing outcome (dispatch.ops.metrics.collector.routing_outcome_counts):
            # COUNT per action of each ticket's first routing decision, out of "received".
            models.Index(fields=["action"], name="ticketevent_first_routing",
                         condition=models.Q(from_state="received",
                                            action__in=["assign", "triage"])),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action} {self.at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("工单事件只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("工单事件只能追加，不能删除")

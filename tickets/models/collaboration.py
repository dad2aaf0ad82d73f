"""Work between units on one ticket: returns and their approval, supervisor rulings on
bounced tickets, assisting units' tasks (协办), and the follow-up call (回访)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.models.ticket import Ticket


class ReturnReason(models.TextChoices):
    NOT_OUR_DUTY = "not_our_duty", _("非本单位职责")
    WRONG_PLACE = "wrong_place", _("不属本辖区")
    OVERLAPPING = "overlapping", _("职责交叉，应由他单位牵头")
    INCOMPLETE = "incomplete", _("诉求信息不全，无法办理")
    OTHER = "other", _("其他")


class RequestState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("已驳回")


class ReturnRequest(models.Model):
    """退单申请: a unit asks to give a ticket back; its lead approves or refuses."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("工单"), on_delete=models.CASCADE,
                               related_name="return_requests")
    unit = models.ForeignKey("dispatch.Unit", verbose_name=_("退单单位"),
                             on_delete=models.PROTECT, related_name="+")
    reason_code = models.CharField(_("退单理由"), max_length=20, choices=ReturnReason.choices)
    text = models.TextField(_("说明"))
    state = models.CharField(_("状态"), max_length=10, choices=RequestState.choices,
                             default=RequestState.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"),
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("退单申请")
        verbose_name_plural = _("退单申请")
        ordering = ["-requested_at"]
        constraints = [
            # One open request per ticket: a second would race the first's approval.
            models.UniqueConstraint(fields=["ticket"], condition=Q(state="pending"),
                                    name="returnrequest_one_pending_per_ticket"),
        ]
        indexes = [
            # A lead's approvals waiting: pending requests of one unit.
            models.Index(fields=["unit", "requested_at"], name="returnrequest_pending",
                         condition=Q(state="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.get_reason_code_display()}"

    @property
    def label(self) -> str:
        return f"【{self.get_reason_code_display()}】{self.text}"


class RulingState(models.TextChoices):
    PENDING = "pending", _("待审定")
    DECIDED = "decided", _("已审定")


class Ruling(models.Model):
    """审定: a ticket returned twice goes to a district supervisor, whose choice of unit is
    final (that unit can no longer return it) and becomes a training label."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("工单"), on_delete=models.CASCADE,
                               related_name="rulings")
    returned_by = models.JSONField(_("退单单位"), default=list)  # unit codes, in order
    state = models.CharField(_("状态"), max_length=10, choices=RulingState.choices,
                             default=RulingState.PENDING)
    requested_at = models.DateTimeField(_("提请时间"))
    unit = models.ForeignKey("dispatch.Unit", verbose_name=_("审定承办单位"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("审定意见"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审定人"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("审定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("审定")
        verbose_name_plural = _("审定")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["ticket"], condition=Q(state="pending"),
                                    name="ruling_one_pending_per_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.get_state_display()}"


class AssistState(models.TextChoices):
    OPEN = "open", _("办理中")
    REPLIED = "replied", _("已回复")
    CLOSED = "closed", _("主办单位已办结")


class AssistTask(models.Model):
    """协办: an assisting unit's own task on a ticket led by another unit."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("工单"), on_delete=models.CASCADE,
                               related_name="assist_tasks")
    unit = models.ForeignKey("dispatch.Unit", verbose_name=_("协办单位"),
                             on_delete=models.PROTECT, related_name="assist_tasks")
    task = models.TextField(_("协办事项"))
    assignee = models.ForeignKey("dispatch.Staff", verbose_name=_("协办责任人"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=10, choices=AssistState.choices,
                             default=AssistState.OPEN)
    reply = models.TextField(_("协办回复"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    # The reply deadline (ASSIST_REPLY_HOURS, sla.clocks.assist_reply_deadline) and its warning
    # point; empty on tasks created before deadlines existed, which are never chased.
    reply_due_at = models.DateTimeField(_("回复时限"), null=True, blank=True)
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    # Claimed once each by the sweeper's guarded UPDATEs (sla.timers.assist_task_check).
    warned_at = models.DateTimeField(_("已预警"), null=True, blank=True)
    breached_at = models.DateTimeField(_("已超时"), null=True, blank=True)

    class Meta:
        verbose_name = _("协办任务")
        verbose_name_plural = _("协办任务")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "unit"], condition=Q(state="open"),
                                    name="assisttask_one_open_per_unit"),
        ]
        indexes = [
            # sla.timers.assist_tasks_sweep: open tasks past their warning point, not warned.
            models.Index(fields=["warn_at"], name="assisttask_warn_due",
                         condition=Q(state="open", warned_at__isnull=True,
                                     warn_at__isnull=False)),
            # sla.timers.assist_tasks_sweep: open tasks past their reply deadline, not breached.
            models.Index(fields=["reply_due_at"], name="assisttask_reply_overdue",
                         condition=Q(state="open", breached_at__isnull=True,
                                     reply_due_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.number} · {self.unit}"

    @property
    def late(self) -> bool:
        """Breached, or answered after the deadline (a late reply is still accepted)."""
        if self.breached_at is not None:
            return True
        return (self.reply_due_at is not None and self.replied_at is not None
                and self.replied_at > self.reply_due_at)


class FollowUpState(models.TextChoices):
    OPEN = "open", _("待回访")
    DONE = "done", _("已回访")


class FollowUpTask(models.Model):
    """回访 after resolution, for the dispatch centre (or a channel reporting the rating)."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("工单"), on_delete=models.CASCADE,
                               related_name="follow_ups")
    created_at = models.DateTimeField(_("创建时间"))
    due_at = models.DateTimeField(_("回访时限"))
    state = models.CharField(_("状态"), max_length=10, choices=FollowUpState.choices,
                             default=FollowUpState.OPEN)
    satisfaction = models.CharField(_("满意度"), max_length=24, blank=True)
    note = models.TextField(_("回访记录"), blank=True)
    done_by_label = models.CharField(_("回访人"), max_length=120, blank=True)
    done_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    # Calls that reached nobody (未接通): the task stays open, due time unchanged, so the centre
    # calls again. db_default too: a writer naming its columns (a COPY by a process started
    # before this field existed) still gets 0.
    attempts = models.PositiveIntegerField(_("未接通次数"), default=0, db_default=0)
    last_attempt_at = models.DateTimeField(_("最近未接通时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("回访任务")
        verbose_name_plural = _("回访任务")
        ordering = ["due_at"]
        indexes = [
            # The centre's follow-up queue: open tasks, nearest deadline first.
            models.Index(fields=["due_at"], name="followup_open_by_due",
                         condition=Q(state="open")),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.number} 回访"

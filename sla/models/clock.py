"""Clocks (one row per ticket and milestone) and the breaches they record."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sla.models.policy import CalendarKind, Milestone


class ClockState(models.TextChoices):
    RUNNING = "running", _("计时中")
    MET = "met", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class SlaClock(models.Model):
    """One milestone's clock on one ticket. ``next_check_at`` is the next moment something is
    due (the warning, then the deadline); the sweeper and the timers claim rows by it."""

    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("工单"), on_delete=models.CASCADE,
                               related_name="clocks")
    policy = models.ForeignKey("sla.SlaPolicy", verbose_name=_("时限规则"),
                               on_delete=models.PROTECT, related_name="+")
    milestone = models.CharField(_("节点"), max_length=12, choices=Milestone.choices)
    calendar = models.CharField(_("日历"), max_length=8, choices=CalendarKind.choices)
    minutes = models.PositiveIntegerField(_("时限（分钟）"))
    unit = models.ForeignKey("dispatch.Unit", verbose_name=_("责任单位"), null=True,
                             on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("开始"))
    warn_at = models.DateTimeField(_("预警时间"))
    due_at = models.DateTimeField(_("截止时间"))
    # The city platform's own deadline for this milestone came before the policy's, so due_at
    # is that one (上级平台时限); the console and the reports say so.
    bound_by_upstream = models.BooleanField(_("上级平台时限"), default=False)
    state = models.CharField(_("状态"), max_length=10, choices=ClockState.choices,
                             default=ClockState.RUNNING)
    stopped_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    late_minutes = models.PositiveIntegerField(_("超时分钟"), null=True, blank=True)
    warned_at = models.DateTimeField(_("已预警"), null=True, blank=True)
    breached_at = models.DateTimeField(_("已超时处理"), null=True, blank=True)
    next_check_at = models.DateTimeField(_("下次检查"), null=True, blank=True)
    # Steps of the policy's escalation ladder already taken (the breach takes none by itself).
    escalation_level = models.PositiveSmallIntegerField(_("已升级层级"), default=0)
    # Set while an approved suspension holds the clock (no checks meanwhile).
    paused_at = models.DateTimeField(_("暂停于"), null=True, blank=True)
    # The latest moment an ETA timer was queued for; the sweeper arms the next one.
    timer_at = models.DateTimeField(_("已排定时器"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("时限计时")
        verbose_name_plural = _("时限计时")
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "milestone"], condition=Q(state="running"),
                                    name="slaclock_one_running_per_milestone"),
        ]
        indexes = [
            # The sweeper: running clocks whose warning or deadline has passed, oldest first.
            models.Index(fields=["next_check_at"], name="slaclock_due_checks",
                         condition=Q(state="running", next_check_at__isnull=False)),
            # A ticket's clocks (the ticket page, the transitions).
            models.Index(fields=["ticket", "milestone"], name="slaclock_by_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.get_milestone_display()} → {self.due_at:%m-%d %H:%M}"

    @property
    def late(self) -> bool:
        return bool(self.late_minutes)


class Breach(models.Model):
    """A deadline that passed with its milestone unmet: who held the ticket then, and how late
    (filled in when the milestone is finally recorded)."""

    clock = models.OneToOneField(SlaClock, verbose_name=_("计时"), on_delete=models.CASCADE,
                                 related_name="breach")
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("工单"), on_delete=models.CASCADE,
                               related_name="breaches")
    milestone = models.CharField(_("节点"), max_length=12, choices=Milestone.choices)
    due_at = models.DateTimeField(_("截止时间"))
    detected_at = models.DateTimeField(_("发现时间"))
    met_at = models.DateTimeField(_("最终完成时间"), null=True, blank=True)
    late_minutes = models.PositiveIntegerField(_("超时分钟"), null=True, blank=True)
    unit = models.ForeignKey("dispatch.Unit", verbose_name=_("责任单位"), null=True,
                             on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey("dispatch.Staff", verbose_name=_("责任人"), null=True,
                                 on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("超时记录")
        verbose_name_plural = _("超时记录")
        ordering = ["-due_at"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.get_milestone_display()} 超时"



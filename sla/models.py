"""SLA policies (versioned data) and clocks (one row per ticket and milestone)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Milestone(models.TextChoices):
    CONTACT = "contact", _("联系诉求人")
    MEET = "meet", _("约见/到场")
    RESOLVE = "resolve", _("办结")
    FOLLOW_UP = "follow_up", _("回访")


class CalendarKind(models.TextChoices):
    ROUND_THE_CLOCK = "24x7", _("全天候（24×7）")
    WORKING = "working", _("工作时间")


class SlaPolicy(models.Model):
    """Which milestones apply, their limits and calendars, for an urgency (optionally narrowed
    by category or channel). Rows are never edited once used: a change is a new version, and a
    ticket keeps the version its clocks started with."""

    name = models.CharField(_("名称"), max_length=60)
    urgency = models.CharField(_("紧急程度"), max_length=10)
    category_l1 = models.CharField(_("一级分类"), max_length=40, blank=True,
                                   help_text=_("留空表示所有分类"))
    channel_code = models.CharField(_("渠道"), max_length=40, blank=True,
                                    help_text=_("留空表示所有渠道"))
    # [{"milestone": "contact", "minutes": 10, "calendar": "24x7"}, ...]
    milestones = models.JSONField(_("节点时限"))
    warn_ratio = models.FloatField(_("预警点"), default=0.8,
                                   help_text=_("时限过去这一比例时预警"))
    restart_on_transfer = models.BooleanField(_("改派后重新计时"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("时限规则")
        verbose_name_plural = _("时限规则")
        ordering = ["urgency", "name", "-version"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def limits(self) -> list[tuple[str, int, str]]:
        return [(m["milestone"], int(m["minutes"]), m.get("calendar", CalendarKind.ROUND_THE_CLOCK))
                for m in self.milestones]


class ClockState(models.TextChoices):
    RUNNING = "running", _("计时中")
    MET = "met", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class SlaClock(models.Model):
    """One milestone's clock on one ticket. ``next_check_at`` is the next moment something is
    due (the warning, then the deadline); the sweeper and the timers claim rows by it."""

    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("工单"), on_delete=models.CASCADE,
                               related_name="clocks")
    policy = models.ForeignKey(SlaPolicy, verbose_name=_("时限规则"), on_delete=models.PROTECT,
                               related_name="+")
    milestone = models.CharField(_("节点"), max_length=12, choices=Milestone.choices)
    calendar = models.CharField(_("日历"), max_length=8, choices=CalendarKind.choices)
    minutes = models.PositiveIntegerField(_("时限（分钟）"))
    unit = models.ForeignKey("dispatch.Unit", verbose_name=_("责任单位"), null=True,
                             on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("开始"))
    warn_at = models.DateTimeField(_("预警时间"))
    due_at = models.DateTimeField(_("截止时间"))
    state = models.CharField(_("状态"), max_length=10, choices=ClockState.choices,
                             default=ClockState.RUNNING)
    stopped_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    late_minutes = models.PositiveIntegerField(_("超时分钟"), null=True, blank=True)
    warned_at = models.DateTimeField(_("已预警"), null=True, blank=True)
    breached_at = models.DateTimeField(_("已超时处理"), null=True, blank=True)
    next_check_at = models.DateTimeField(_("下次检查"), null=True, blank=True)

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

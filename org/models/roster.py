"""Who is on duty when: weekly shifts, one-off shifts, leave and holidays (值班表).

A person is on duty at a moment if their "在岗" switch is on, they are not on leave, and a weekly
shift (not suspended by a holiday) or a one-off shift covers the moment. A shift whose end is
not after its start runs past midnight into the next day (night shifts).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from org.models.org import Staff


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("周一")
    TUESDAY = 1, _("周二")
    WEDNESDAY = 2, _("周三")
    THURSDAY = 3, _("周四")
    FRIDAY = 4, _("周五")
    SATURDAY = 5, _("周六")
    SUNDAY = 6, _("周日")


class WeeklyShift(models.Model):
    staff = models.ForeignKey(Staff, verbose_name=_("人员"), on_delete=models.CASCADE,
                              related_name="weekly_shifts")
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    starts = models.TimeField(_("开始"))
    ends = models.TimeField(_("结束"), help_text=_("不晚于开始时间表示跨夜到次日"))
    on_holidays = models.BooleanField(
        _("节假日照常"), default=False, help_text=_("不勾选时，法定节假日当天不排此班"))

    class Meta:
        verbose_name = _("每周班次")
        verbose_name_plural = _("每周班次")
        ordering = ["staff", "weekday", "starts"]

    def __str__(self) -> str:
        return f"{self.staff} {self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"

    @property
    def overnight(self) -> bool:
        return self.ends <= self.starts


class ExtraShift(models.Model):
    """A one-off shift (holiday duty, cover for a colleague)."""

    staff = models.ForeignKey(Staff, verbose_name=_("人员"), on_delete=models.CASCADE,
                              related_name="extra_shifts")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    note = models.CharField(_("说明"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("临时班次")
        verbose_name_plural = _("临时班次")
        ordering = ["-starts_at"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                              name="extrashift_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.staff} {self.starts_at:%m-%d %H:%M}–{self.ends_at:%m-%d %H:%M}"


class Leave(models.Model):
    staff = models.ForeignKey(Staff, verbose_name=_("人员"), on_delete=models.CASCADE,
                              related_name="leaves")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    reason = models.CharField(_("事由"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("请假")
        verbose_name_plural = _("请假")
        ordering = ["-starts_at"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                              name="leave_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.staff} {self.starts_at:%m-%d}–{self.ends_at:%m-%d} {self.reason}"


class Holiday(models.Model):
    """A day whose kind the calendar must not guess: a public holiday (weekly shifts not marked
    "节假日照常" do not run on it; no working time for the SLA clocks), or a make-up working day
    (调休上班, ``is_workday``). Rows here override the chinesecalendar package, and are the only
    source for a year it does not know."""

    date = models.DateField(_("日期"), primary_key=True)
    name = models.CharField(_("名称"), max_length=40)
    is_workday = models.BooleanField(_("调休上班"), default=False,
                                     help_text=_("勾选表示这一天是调休工作日，而不是假日"))

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}{'（调休上班）' if self.is_workday else ''}"

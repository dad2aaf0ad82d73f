"""Scheduled reports (日报 / 周报 / 月报), kept as the XLSX files beat wrote."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    DAY = "day", _("日报")
    WEEK = "week", _("周报")
    MONTH = "month", _("月报")


class ReportFile(models.Model):
    """One scheduled report of the whole district (leads read their unit's row in it). The
    file is in the database, so every web process can serve it without shared storage; a
    month's workbook is tens of kilobytes."""

    kind = models.CharField(_("类型"), max_length=8, choices=ReportKind.choices)
    period_first = models.DateField(_("开始日期"))
    period_last = models.DateField(_("结束日期"))
    created_at = models.DateTimeField(_("生成时间"))
    filename = models.CharField(_("文件名"), max_length=120)
    content = models.BinaryField(_("文件"))
    size = models.PositiveIntegerField(_("大小（字节）"))
    # The headline figures, for the list page (no need to open the file).
    summary = models.JSONField(_("主要指标"), default=dict)

    class Meta:
        verbose_name = _("定期报表")
        verbose_name_plural = _("定期报表")
        ordering = ["-period_first", "kind"]
        constraints = [
            # A retried or re-run beat task replaces nothing and adds nothing.
            models.UniqueConstraint(fields=["kind", "period_first"],
                                    name="reportfile_one_per_period"),
        ]

    def __str__(self) -> str:
        return self.filename


class SettledDay(models.Model):
    """A day whose tickets are all settled (reports.settled): their figures change only with
    a new event in their trail, so its sums are kept (SettledDayUnit) and reports read them
    instead of the tickets."""

    day = models.DateField(_("受理日期"), primary_key=True)
    settled_at = models.DateTimeField(_("汇总时间"))
    # The trail's last event the sums include: a later event on one of the day's tickets (an
    # order answered late, an edit) makes the day count live again until it is summed anew.
    events_upto = models.BigIntegerField(_("已含事件"))

    class Meta:
        verbose_name = _("已结日汇总")
        verbose_name_plural = _("已结日汇总")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}"


class SettledDayUnit(models.Model):
    """One unit's sums for a settled day (unit None: tickets never handed to a unit), exactly
    what reports.figures counts for that day and unit."""

    day = models.ForeignKey(SettledDay, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey("dispatch.Unit", null=True, on_delete=models.PROTECT,
                             related_name="+")
    counts = models.JSONField(_("汇总"))
    # The resolved tickets' handling seconds (float64) and working minutes (int64), packed:
    # medians do not sum, and packed arrays read a year's half-million values in milliseconds.
    handling_seconds = models.BinaryField(_("办理秒数"), default=bytes)
    handling_working = models.BinaryField(_("办理工作分钟"), default=bytes)

    class Meta:
        verbose_name = _("已结日单位汇总")
        verbose_name_plural = _("已结日单位汇总")
        constraints = [
            models.UniqueConstraint(fields=["day", "unit"], name="settleddayunit_one_per_unit"),
            models.UniqueConstraint(fields=["day"], condition=models.Q(unit__isnull=True),
                                    name="settleddayunit_one_without_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.day_id} {self.unit_id}"

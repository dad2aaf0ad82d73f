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

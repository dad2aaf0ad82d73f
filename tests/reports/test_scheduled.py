"""日报 / 周报 / 月报 written by beat: one file per period, kept, announced to supervisors."""

from __future__ import annotations

import io
from datetime import date

import time_machine
from django.conf import settings
from openpyxl import load_workbook

from reports.models import ReportFile
from reports.scheduled import (
    report_file_get,
    report_file_list,
    report_files_prune,
    report_scheduled_write,
)
from tests.reports.conftest import at
from tickets.models import Notification


def test_the_monthly_report_covers_the_month_just_ended_once(district, org):
    with time_machine.travel(at(2027, 1, 1, 6, 20), tick=False):
        first = report_scheduled_write(kind="month")
        again = report_scheduled_write(kind="month")
    assert first.created and not again.created and again.file.pk == first.file.pk
    row = ReportFile.objects.get()
    assert (row.period_first, row.period_last) == (date(2026, 12, 1), date(2026, 12, 31))
    assert row.filename == "月报_2026-12-01_2026-12-31.xlsx" and row.size == len(row.content)
    book = load_workbook(io.BytesIO(bytes(row.content)))
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["受理量"] == 7
    assert book.sheetnames[-1] == "趋势（按日）"
    notices = Notification.objects.filter(kind="report")
    assert [n.recipient for n in notices] == [org.centre_supervisor]
    assert "月报（2026-12-01 至 2026-12-31）已生成：受理 7 件" in notices[0].text


def test_the_daily_report_covers_yesterday_in_shanghai(district):
    with time_machine.travel(at(2026, 12, 3, 6, 0), tick=False):
        outcome = report_scheduled_write(kind="day")
    assert (outcome.file.period_first, outcome.file.period_last) == (
        date(2026, 12, 2), date(2026, 12, 2))
    assert outcome.file.summary["tickets"] == 1  # T1 only


def test_the_weekly_report_covers_monday_to_sunday(district):
    with time_machine.travel(at(2026, 12, 7, 6, 10), tick=False):  # a Monday
        outcome = report_scheduled_write(kind="week")
    assert (outcome.file.period_first, outcome.file.period_last) == (
        date(2026, 11, 30), date(2026, 12, 6))
    # T0 (Mon 11-30 23:59:59), T6, T1, T2, T3 and T9; T8 (12-08) is the next week.
    assert outcome.file.summary["tickets"] == 6


def test_only_district_supervisors_list_and_download_the_files(district, org):
    with time_machine.travel(at(2026, 12, 3, 6, 0), tick=False):
        row = report_scheduled_write(kind="day").file
    assert [f.pk for f in report_file_list(user=org.centre_supervisor.user)] == [row.pk]
    assert report_file_list(user=org.lead.user) == []
    assert report_file_get(user=org.lead.user, pk=row.pk) is None
    assert report_file_get(user=org.centre_supervisor.user, pk=row.pk) == row


def test_old_files_are_pruned_after_the_retention(district, settings):
    settings.REPORT_FILE_RETENTION_DAYS = 30
    with time_machine.travel(at(2026, 12, 3, 6, 0), tick=False):
        report_scheduled_write(kind="day")
    assert report_files_prune(today=date(2027, 1, 1)) == 0  # 12-02 is 30 days back
    assert report_files_prune(today=date(2027, 1, 2)) == 1


def test_beat_runs_the_three_reports(db):
    entries = {name: entry for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
               if entry["task"] == "reports.tasks.report_scheduled_task"}
    assert sorted(e["kwargs"]["granularity"] for e in entries.values()) == [
        "day", "month", "week"]
    from dispatch.celery import app

    assert "reports.tasks.report_scheduled_task" in app.tasks

"""Thin tasks: the settled days' sums (report-settle) and the scheduled reports (report-daily,
-weekly, -monthly)."""

from __future__ import annotations

from celery import shared_task

from reports.scheduled import report_files_prune, report_scheduled_write
from reports.settled import report_days_settle


@shared_task(name="reports.tasks.report_scheduled_task", acks_late=True, ignore_result=True)
def report_scheduled_task(granularity: str) -> None:
    report_scheduled_write(kind=granularity)
    report_files_prune()


@shared_task(name="reports.tasks.report_days_settle_task", acks_late=True, ignore_result=True)
def report_days_settle_task() -> None:
    report_days_settle()

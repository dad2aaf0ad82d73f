"""日报 / 周报 / 月报: beat writes the district's report for the day, week or month just ended
as an XLSX kept in the database, and tells the district supervisors it is there.

Scheduled files cover the whole district and are listed for district supervisors (and
superusers); a unit lead exports their own unit's report from the report page instead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from org.selectors import district_supervisors
from reports.exports import report_filename, report_xlsx
from reports.figures import report_dashboard
from reports.models import ReportFile, ReportKind
from reports.periods import Granularity, period_previous
from reports.scope import ReportFilters, Viewer, report_may_view_all
from reports.tables import headline
from tickets.outbox.notifications import notification_send

# The trend inside each file: a daily report's one day needs none; a week or month by day.
TREND_OF = {ReportKind.DAY: None, ReportKind.WEEK: Granularity.DAY,
            ReportKind.MONTH: Granularity.DAY}


@dataclass(frozen=True)
class ScheduledOutcome:
    file: ReportFile
    created: bool  # False: this period's file was already there (a retry, a second beat)


def report_scheduled_write(*, kind: str, today: date | None = None) -> ScheduledOutcome:
    """Write the report of the period before ``today`` (default: today in Asia/Shanghai).
    Idempotent: one file per kind and period, however often it runs."""
    report_kind = ReportKind(kind)
    today = today or timezone.localdate()
    period = period_previous(granularity=Granularity(report_kind.value), today=today)
    existing = ReportFile.objects.filter(kind=report_kind, period_first=period.first).first()
    if existing is not None:
        return ScheduledOutcome(existing, created=False)
    filters = ReportFilters()
    report, trend = report_dashboard(period=period, filters=filters,
                                     granularity=TREND_OF[report_kind])
    content = report_xlsx(report=report, trend=trend)
    figures = headline(report)
    try:
        with transaction.atomic():
            row = ReportFile.objects.create(
                kind=report_kind, period_first=period.first, period_last=period.last,
                created_at=timezone.now(), content=content, size=len(content),
                filename=report_filename(report=report, extension="xlsx",
                                         kind=str(report_kind.label)),
                summary=figures)
            notification_send(recipients=district_supervisors(), ticket=None,
                              kind="report", text=_announcement(row, report.summary.received,
                                                                figures))
    except IntegrityError:  # another worker wrote it meanwhile
        return ScheduledOutcome(ReportFile.objects.get(kind=report_kind,
                                                       period_first=period.first), False)
    return ScheduledOutcome(row, created=True)


def _announcement(row: ReportFile, received: int, figures: dict[str, float | None]) -> str:
    def pct(value: float | None) -> str:
        return f"{value:.1%}" if value is not None else "—"

    return (f"{row.get_kind_display()}（{row.period_first:%Y-%m-%d}"
            + (f" 至 {row.period_last:%Y-%m-%d}" if row.period_last != row.period_first else "")
            + f"）已生成：受理 {received} 件，按时联系率 {pct(figures['on_time_contact'])}，"
              f"按时办结率 {pct(figures['on_time_resolve'])}。请在考核报表 › 定期报表中下载。")


def report_file_list(*, user: Viewer, limit: int = 200) -> list[ReportFile]:
    """The scheduled files a person may download, newest first (without their content)."""
    if not report_may_view_all(user=user):
        return []
    return list(ReportFile.objects.defer("content").order_by("-created_at")[:limit])


def report_file_get(*, user: Viewer, pk: int) -> ReportFile | None:
    if not report_may_view_all(user=user):
        return None
    return ReportFile.objects.filter(pk=pk).first()


def report_files_prune(*, today: date | None = None) -> int:
    """Delete files older than REPORT_FILE_RETENTION_DAYS (0 keeps them forever)."""
    days = settings.REPORT_FILE_RETENTION_DAYS
    if not days:
        return 0
    cutoff = (today or timezone.localdate()) - timedelta(days=days)
    deleted, _ = ReportFile.objects.filter(period_last__lt=cutoff).delete()
    return deleted

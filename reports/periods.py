"""Report periods: whole days in the district's time zone (Asia/Shanghai), and the buckets a
trend is drawn in (day, ISO week from Monday, month)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from django.db.models import Q
from django.utils import timezone


class Granularity(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


GRANULARITY_LABELS = {Granularity.DAY: "日", Granularity.WEEK: "周", Granularity.MONTH: "月"}
# A report over more days than this is refused (a mistyped year, e.g. 0026-01-01).
MAX_DAYS = 3 * 366


class PeriodError(ValueError):
    """A period a report cannot cover; the message is for the person who asked."""


@dataclass(frozen=True)
class Period:
    """From ``first`` to ``last``, both days included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise PeriodError("结束日期不能早于开始日期")
        if (self.last - self.first).days >= MAX_DAYS:
            raise PeriodError(f"统计期间最长 {MAX_DAYS} 天")

    @property
    def start(self) -> datetime:
        """Midnight at the start of ``first``, in the district's time zone."""
        return datetime.combine(self.first, time(), timezone.get_current_timezone())

    @property
    def end(self) -> datetime:
        """Midnight after ``last`` (exclusive)."""
        return datetime.combine(self.last + timedelta(days=1), time(),
                                timezone.get_current_timezone())

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def __str__(self) -> str:
        return f"{self.first:%Y-%m-%d} 至 {self.last:%Y-%m-%d}"

    def received_q(self, prefix: str = "") -> Q:
        """Rows (through ``prefix``) whose ticket was received in the period."""
        return Q(**{f"{prefix}received_at__gte": self.start, f"{prefix}received_at__lt": self.end})


@dataclass(frozen=True)
class Spans:
    """Some days of a period, as contiguous runs (the days a report computes live)."""

    parts: tuple[Period, ...]

    def received_q(self, prefix: str = "") -> Q:
        q = Q(pk__in=[])  # no part: no row
        for part in self.parts:
            q |= part.received_q(prefix)
        return q


def spans_of(days: list[date]) -> Spans:
    """Sorted days as runs of consecutive days."""
    runs: list[Period] = []
    for day in sorted(days):
        if runs and runs[-1].last + timedelta(days=1) == day:
            runs[-1] = Period(runs[-1].first, day)
        else:
            runs.append(Period(day, day))
    return Spans(tuple(runs))


def period_parse(*, first: str, last: str) -> Period:
    """``YYYY-MM-DD`` twice; a PeriodError in Chinese for anything else."""
    if not first.strip() or not last.strip():
        raise PeriodError("请填写开始日期和结束日期（YYYY-MM-DD）")
    try:
        a, b = date.fromisoformat(first.strip()), date.fromisoformat(last.strip())
    except ValueError:
        raise PeriodError("日期格式应为 YYYY-MM-DD") from None
    return Period(a, b)


def period_of(*, granularity: Granularity, day: date) -> Period:
    """The day, week (Monday to Sunday) or month that holds ``day``."""
    if granularity == Granularity.DAY:
        return Period(day, day)
    if granularity == Granularity.WEEK:
        monday = day - timedelta(days=day.weekday())
        return Period(monday, monday + timedelta(days=6))
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following - timedelta(days=1))


def period_previous(*, granularity: Granularity, today: date) -> Period:
    """The last whole day, week or month before ``today`` (what a scheduled report covers)."""
    if granularity == Granularity.DAY:
        return period_of(granularity=granularity, day=today - timedelta(days=1))
    if granularity == Granularity.WEEK:
        return period_of(granularity=granularity, day=today - timedelta(days=7))
    return period_of(granularity=granularity, day=today.replace(day=1) - timedelta(days=1))


def bucket_label(*, granularity: Granularity, start: date) -> str:
    if granularity == Granularity.DAY:
        return f"{start:%m-%d}"
    if granularity == Granularity.WEEK:
        year, week, _ = start.isocalendar()
        return f"{year}年第{week}周"
    return f"{start:%Y-%m}"

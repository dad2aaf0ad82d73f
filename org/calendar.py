"""The one working-time calendar, for the SLA clocks and the duty roster: which days are working
days in China (statutory holidays and make-up working days, 调休), which are public holidays (a
roster suspends the shifts not marked for holidays), and the working hours of a day (e.g.
09:00–12:00, 14:00–18:00), exact to the minute.

A day's kind comes from, in order: the Holiday table (admin rows override everything), the
chinesecalendar package (which only knows the years it was released for), and, for a year nobody
has loaded, plain weekends, with a warning logged once per year (the system check
sla.W001 warns ahead of time). All arithmetic is in the district's local time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise

import chinese_calendar
from django.conf import settings
from django.utils import timezone

from org.models import Holiday

logger = logging.getLogger(__name__)
_warned_years: set[int] = set()
MAX_DAYS = 3 * 366  # a deadline search never walks further than this


def package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def day_is_workday(day: date, overrides: Mapping[date, bool]) -> bool:
    if day in overrides:
        return overrides[day]
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning("no holiday schedule for %s: counting plain weekends only (load the "
                           "year's schedule into the Holiday table)", day.year)
        return day.weekday() < 5


def day_is_public_holiday(day: date, overrides: Mapping[date, bool]) -> bool:
    """A statutory holiday (weekend days inside its period included), or a day the Holiday
    table declares off. An ordinary weekend is not one: weekly shifts name their weekdays."""
    if day in overrides:
        return not overrides[day]
    try:
        off, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return False  # an unknown year: only the Holiday table's rows (day_is_workday warns)
    return bool(off and name)


def public_holidays_among(days: Iterable[date]) -> set[date]:
    """Which of these days are public holidays (one query, for the days asked only: the roster
    asks for today and yesterday at every dispatch)."""
    wanted = list(days)
    overrides = dict(Holiday.objects.filter(date__in=wanted).values_list("date", "is_workday"))
    return {day for day in wanted if day_is_public_holiday(day, overrides)}


def working_hours_parse(text: str) -> tuple[tuple[time, time], ...]:
    """"09:00-12:00,14:00-18:00" → ((09:00, 12:00), (14:00, 18:00)); ordered, not overlapping."""
    periods = []
    for part in text.split(","):
        start, _, end = part.strip().partition("-")
        periods.append((time.fromisoformat(start.strip()), time.fromisoformat(end.strip())))
    for (s1, e1), (s2, _) in pairwise(periods):
        if not s1 < e1 <= s2:
            raise ValueError(f"working hours must be ordered and not overlap: {text!r}")
    if not periods or periods[-1][0] >= periods[-1][1]:
        raise ValueError(f"bad working hours: {text!r}")
    return tuple(periods)


@dataclass
class WorkingCalendar:
    periods: Sequence[tuple[time, time]]
    overrides: Mapping[date, bool] = field(default_factory=dict)

    def _windows(self, day: date) -> list[tuple[datetime, datetime]]:
        if not day_is_workday(day, self.overrides):
            return []
        tz = timezone.get_current_timezone()
        return [(datetime.combine(day, s, tz), datetime.combine(day, e, tz))
                for s, e in self.periods]

    def add(self, start: datetime, minutes: int) -> datetime:
        """The moment ``minutes`` of working time after ``start``."""
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        local = timezone.localtime(start).replace(second=0, microsecond=0) + (
            timedelta(minutes=1) if start.second or start.microsecond else timedelta())
        left = timedelta(minutes=minutes)
        day = local.date()
        for _ in range(MAX_DAYS):
            for begin, end in self._windows(day):
                begin = max(begin, local)
                if begin >= end:
                    continue
                if begin + left <= end:
                    return begin + left
                left -= end - begin
            day += timedelta(days=1)
        raise ValueError("no working time found within three years")

    def minutes_between(self, start: datetime, end: datetime) -> int:
        """Working minutes in [start, end) (whole minutes, the start rounded up like add)."""
        if end <= start:
            return 0
        a = timezone.localtime(start)
        b = timezone.localtime(end)
        total = timedelta()
        day = a.date()
        while day <= b.date():
            for begin, finish in self._windows(day):
                lo, hi = max(begin, a), min(finish, b)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return int(total.total_seconds() // 60)


def working_calendar_get() -> WorkingCalendar:
    """The calendar with SLA_WORKING_HOURS and every Holiday row (a few hundred at most)."""

    overrides = dict(Holiday.objects.values_list("date", "is_workday"))
    return WorkingCalendar(working_hours_parse(settings.SLA_WORKING_HOURS), overrides)

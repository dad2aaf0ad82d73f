from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from hypothesis import given, settings
from hypothesis import strategies as st

from org.calendar import WorkingCalendar, working_calendar_get, working_hours_parse
from org.models import Holiday

SH = ZoneInfo("Asia/Shanghai")
HOURS = working_hours_parse("09:00-12:00,14:00-18:00")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar(HOURS, {})


def test_the_lunch_break_is_not_working_time(cal):
    # Wednesday 2026-12-02, 11:30 + 60 working minutes: 30 before lunch, 30 after.
    assert cal.add(at(2026, 12, 2, 11, 30), 60) == at(2026, 12, 2, 14, 30)
    assert cal.minutes_between(at(2026, 12, 2, 11, 30), at(2026, 12, 2, 14, 30)) == 60


def test_after_hours_the_clock_waits_for_the_next_morning_and_skips_the_weekend(cal):
    # Friday 2026-12-04 17:50 + 30 minutes → Monday 09:20.
    assert cal.add(at(2026, 12, 4, 17, 50), 30) == at(2026, 12, 7, 9, 20)


def test_five_working_days_of_seven_hours_from_a_friday_afternoon(cal):
    assert cal.add(at(2026, 12, 4, 15, 0), 5 * 7 * 60) == at(2026, 12, 11, 15, 0)


def test_national_day_is_skipped_and_the_make_up_saturday_counts(cal):
    # 2026-10-01..07 are holidays; Saturday 2026-10-10 is a make-up working day.
    assert cal.add(at(2026, 9, 30, 17, 0), 120) == at(2026, 10, 8, 10, 0)
    assert cal.add(at(2026, 10, 9, 17, 0), 120) == at(2026, 10, 10, 10, 0)
    assert cal.add(at(2026, 10, 17, 9, 0), 60) == at(2026, 10, 19, 10, 0)  # plain Saturday


def test_seconds_round_up_to_the_next_minute(cal):
    assert cal.add(at(2026, 12, 2, 9, 0) + timedelta(seconds=1), 1) == at(2026, 12, 2, 9, 2)


def test_a_database_row_overrides_the_package(cal):
    moved = WorkingCalendar(HOURS, {date(2026, 12, 2): False, date(2026, 12, 5): True})
    assert moved.add(at(2026, 12, 1, 17, 0), 120) == at(2026, 12, 3, 10, 0)
    assert moved.add(at(2026, 12, 4, 17, 0), 120) == at(2026, 12, 5, 10, 0)


def test_a_year_nobody_loaded_falls_back_to_weekends_with_a_warning(caplog, monkeypatch):
    import org.calendar

    monkeypatch.setattr(org.calendar, "_warned_years", set())  # warned once per process
    cal = WorkingCalendar(HOURS, {})
    with caplog.at_level(logging.WARNING, logger="org.calendar"):
        # Friday 2027-01-01 is New Year's Day in reality; unknown here, so a working day.
        assert cal.add(at(2027, 1, 1, 9, 0), 60) == at(2027, 1, 1, 10, 0)
        assert cal.add(at(2027, 1, 1, 17, 30), 60) == at(2027, 1, 4, 9, 30)
    assert "2027" in caplog.text


@settings(max_examples=60, deadline=None)
@given(start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 20)),
       minutes=st.integers(min_value=0, max_value=4000))
def test_adding_then_measuring_gives_the_minutes_back(start, minutes):
    cal = WorkingCalendar(HOURS, {})
    begin = start.replace(tzinfo=SH, second=0, microsecond=0)
    assert cal.minutes_between(begin, cal.add(begin, minutes)) == minutes


@pytest.mark.parametrize("text", ["09:00-12:00,11:00-18:00", "18:00-09:00", ""])
def test_bad_working_hours_are_refused(text):
    with pytest.raises(ValueError):
        working_hours_parse(text)


@pytest.mark.django_db
def test_the_calendar_reads_holiday_rows_and_the_check_warns_for_a_missing_next_year(settings):
    import time_machine

    Holiday.objects.create(date=date(2026, 12, 2), name="临时放假")
    assert working_calendar_get().add(at(2026, 12, 1, 17, 0), 120) == at(2026, 12, 3, 10, 0)
    with time_machine.travel(at(2026, 12, 1, 12, 0), tick=False):
        with pytest.raises(SystemCheckError, match="2027"):
            call_command("check", "--database", "default", "--fail-level", "WARNING")
        Holiday.objects.create(date=date(2027, 1, 1), name="元旦")
        call_command("check", "--database", "default", "--fail-level", "WARNING")


@pytest.mark.django_db
def test_a_make_up_working_day_row_is_not_a_holiday_for_the_roster(org):
    from org.models import WeeklyShift
    from org.selectors import staff_on_duty

    WeeklyShift.objects.create(staff=org.assignee, weekday=5, starts=time(9), ends=time(18))
    Holiday.objects.create(date=date(2026, 12, 5), name="调休", is_workday=True)
    assert staff_on_duty(unit=org.unit, at=at(2026, 12, 5, 10, 0)) == [org.assignee]

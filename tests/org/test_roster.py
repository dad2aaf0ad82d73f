from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.checks import run_checks

from org.models import ExtraShift, Holiday, Leave, WeeklyShift
from org.selectors import roster_gaps, staff_on_duty

SH = ZoneInfo("Asia/Shanghai")
# 2026-12-02 is a Wednesday (weekday 2).
WED_10 = datetime(2026, 12, 2, 10, 0, tzinfo=SH)


def _shift(staff, weekday, starts, ends, **kw):
    return WeeklyShift.objects.create(staff=staff, weekday=weekday, starts=time(*starts),
                                      ends=time(*ends), **kw)


def _names(people):
    return [p.user.username for p in people]


def test_a_day_shift_covers_its_hours_and_nothing_else(org):
    _shift(org.assignee, 2, (9, 0), (18, 0))
    assert _names(staff_on_duty(unit=org.unit, at=WED_10)) == ["lianhua.cw1"]
    assert staff_on_duty(unit=org.unit, at=WED_10.replace(hour=18)) == []
    assert staff_on_duty(unit=org.unit, at=WED_10 + timedelta(days=1)) == []  # Thursday


def test_a_night_shift_runs_past_midnight_into_the_next_day(org):
    _shift(org.coworker, 2, (20, 0), (8, 0))  # Wednesday 20:00 → Thursday 08:00
    thursday_3am = datetime(2026, 12, 3, 3, 0, tzinfo=SH)
    assert _names(staff_on_duty(unit=org.unit, at=thursday_3am)) == ["lianhua.cw2"]
    assert staff_on_duty(unit=org.unit, at=thursday_3am.replace(hour=8)) == []
    assert staff_on_duty(unit=org.unit, at=WED_10.replace(hour=3)) == []  # Wednesday 03:00


def test_leave_and_the_switch_take_a_person_off_duty(org):
    _shift(org.assignee, 2, (9, 0), (18, 0))
    _shift(org.coworker, 2, (9, 0), (18, 0))
    Leave.objects.create(staff=org.assignee, starts_at=WED_10 - timedelta(hours=1),
                         ends_at=WED_10 + timedelta(hours=1), reason="病假")
    org.coworker.on_duty = False
    org.coworker.save()
    assert staff_on_duty(unit=org.unit, at=WED_10) == []
    assert _names(staff_on_duty(unit=org.unit, at=WED_10 + timedelta(hours=2))) == ["lianhua.cw1"]


def test_a_holiday_suspends_ordinary_shifts_but_not_holiday_duty(org):
    Holiday.objects.create(date=date(2026, 12, 2), name="测试假日")
    _shift(org.assignee, 2, (9, 0), (18, 0))
    _shift(org.coworker, 2, (9, 0), (18, 0), on_holidays=True)
    assert _names(staff_on_duty(unit=org.unit, at=WED_10)) == ["lianhua.cw2"]


# The roster and the SLA clocks read one calendar (org.calendar): the package's statutory
# holidays count without a Holiday row, and the table still overrides them.
NATIONAL_DAY_10 = datetime(2026, 10, 1, 10, 0, tzinfo=SH)  # a Thursday (weekday 3)


def test_a_statutory_holiday_known_to_the_calendar_suspends_ordinary_shifts(org):
    _shift(org.assignee, 3, (9, 0), (18, 0))
    _shift(org.coworker, 3, (9, 0), (18, 0), on_holidays=True)
    assert _names(staff_on_duty(unit=org.unit, at=NATIONAL_DAY_10)) == ["lianhua.cw2"]


def test_the_holiday_table_overrides_the_statutory_calendar(org):
    Holiday.objects.create(date=date(2026, 10, 1), name="本区照常上班", is_workday=True)
    _shift(org.assignee, 3, (9, 0), (18, 0))
    assert _names(staff_on_duty(unit=org.unit, at=NATIONAL_DAY_10)) == ["lianhua.cw1"]


def test_an_ordinary_weekend_or_a_make_up_working_day_is_no_holiday_for_the_roster(org):
    _shift(org.assignee, 5, (9, 0), (18, 0))  # Saturdays
    make_up_saturday = datetime(2026, 10, 10, 10, 0, tzinfo=SH)
    ordinary_saturday = datetime(2026, 12, 5, 10, 0, tzinfo=SH)
    assert _names(staff_on_duty(unit=org.unit, at=make_up_saturday)) == ["lianhua.cw1"]
    assert _names(staff_on_duty(unit=org.unit, at=ordinary_saturday)) == ["lianhua.cw1"]


def test_a_one_off_shift_puts_someone_on_duty(org):
    ExtraShift.objects.create(staff=org.assignee, starts_at=WED_10 - timedelta(hours=2),
                              ends_at=WED_10 + timedelta(minutes=5), note="顶班")
    assert _names(staff_on_duty(unit=org.unit, at=WED_10)) == ["lianhua.cw1"]
    assert staff_on_duty(unit=org.unit, at=WED_10 + timedelta(minutes=5)) == []


def test_leads_and_other_roles_are_not_caseworkers_on_duty(org):
    _shift(org.lead, 2, (0, 0), (0, 0))
    assert staff_on_duty(unit=org.unit, at=WED_10) == []


def test_a_round_the_clock_unit_without_night_shifts_has_gaps_and_the_check_warns(org):
    org.unit.always_on = True
    org.unit.save()
    for weekday in range(7):
        _shift(org.assignee, weekday, (8, 0), (20, 0))
    gaps = roster_gaps(unit=org.unit)
    assert (0, 7) in gaps and (0, 20) in gaps and (0, 8) not in gaps and len(gaps) == 7 * 12
    warned = [m for m in run_checks(databases=["default"]) if m.id == "dispatch.W001"]
    assert len(warned) == 1 and "7×24" in warned[0].msg
    assert "84 个小时无人（最早：周一 00时）" in warned[0].msg
    for weekday in range(7):
        _shift(org.coworker, weekday, (20, 0), (8, 0))
    assert roster_gaps(unit=org.unit) == []
    assert not [m for m in run_checks(databases=["default"]) if m.id == "dispatch.W001"]


def test_a_night_shift_that_starts_on_a_holiday_does_not_run_into_the_next_morning(org):
    Holiday.objects.create(date=date(2026, 12, 2), name="测试假日")
    _shift(org.assignee, 2, (20, 0), (8, 0))
    _shift(org.coworker, 2, (20, 0), (8, 0), on_holidays=True)
    thursday_3am = datetime(2026, 12, 3, 3, 0, tzinfo=SH)
    assert _names(staff_on_duty(unit=org.unit, at=thursday_3am)) == ["lianhua.cw2"]

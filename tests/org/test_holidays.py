from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from org.calendar import working_calendar_get
from org.models import Holiday

SH = ZoneInfo("Asia/Shanghai")
# A made-up 2027 week: Monday–Wednesday off, the Sunday before worked instead.
SCHEDULE = """date,name,is_workday
2027-02-07,春节调休,1
2027-02-08,春节,0
2027-02-09,春节,0
2027-02-10,春节,0
"""


def test_a_years_schedule_is_loaded_and_the_working_time_follows_it(db, tmp_path, capsys):
    Holiday.objects.create(date=date(2027, 5, 1), name="旧记录")
    Holiday.objects.create(date=date(2026, 10, 1), name="国庆节")
    path = tmp_path / "2027.csv"
    path.write_text(SCHEDULE, encoding="utf-8")
    call_command("holidays_load", str(path))
    assert "2027 年：载入 4 天" in capsys.readouterr().out
    assert sorted(Holiday.objects.filter(date__year=2027).values_list("date", flat=True)) == [
        date(2027, 2, 7), date(2027, 2, 8), date(2027, 2, 9), date(2027, 2, 10)]
    assert Holiday.objects.filter(date=date(2026, 10, 1)).exists()  # other years untouched
    calendar = working_calendar_get()
    # Friday 17:00 + 2 working hours: Friday 17–18, then the make-up Sunday 09–10.
    assert calendar.add(datetime(2027, 2, 5, 17, 0, tzinfo=SH), 120) == datetime(
        2027, 2, 7, 10, 0, tzinfo=SH)
    # Sunday 18:00 + 1 hour: Mon–Wed are off, Thursday 09–10.
    assert calendar.add(datetime(2027, 2, 7, 18, 0, tzinfo=SH), 60) == datetime(
        2027, 2, 11, 10, 0, tzinfo=SH)


@pytest.mark.parametrize(("text", "message"), [
    ("date,name,is_workday\n2027-13-01,春节,0\n", "第 2 行"),
    ("date,name,is_workday\n2027-02-08,,0\n", "需要名称"),
    ("date,name,is_workday\n2027-02-08,春节,yes\n", "0 或 1"),
    ("date,name,is_workday\n2027-02-08,春节,0\n2027-02-08,春节,0\n", "重复"),
    ("date,name,is_workday\n", "没有任何日期"),
])
def test_a_bad_schedule_is_refused_and_nothing_is_loaded(db, tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("holidays_load", str(path))
    assert not Holiday.objects.exists()

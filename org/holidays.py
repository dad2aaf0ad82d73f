"""Loading a year's official holiday schedule (放假安排) into the Holiday table, which is how a
year the chinesecalendar package does not know yet (2027 at the time of writing) is shipped."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction

from org.models import Holiday


@dataclass(frozen=True)
class HolidayRow:
    day: date
    name: str
    is_workday: bool


class ScheduleError(ValueError):
    pass


def holiday_schedule_read(*, path: Path) -> list[HolidayRow]:
    """CSV with a header: date,name,is_workday (YYYY-MM-DD, e.g. 春节, 0 or 1)."""
    rows, seen = [], set()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for line, record in enumerate(csv.DictReader(handle), start=2):
            try:
                day = date.fromisoformat((record.get("date") or "").strip())
            except ValueError:
                raise ScheduleError(f"第 {line} 行：日期应为 YYYY-MM-DD") from None
            name = (record.get("name") or "").strip()
            flag = (record.get("is_workday") or "").strip()
            if not name or flag not in ("0", "1"):
                raise ScheduleError(f"第 {line} 行：需要名称，is_workday 只能是 0 或 1")
            if day in seen:
                raise ScheduleError(f"第 {line} 行：{day} 重复")
            seen.add(day)
            rows.append(HolidayRow(day, name, flag == "1"))
    if not rows:
        raise ScheduleError("文件中没有任何日期")
    return rows


def holiday_schedule_load(*, rows: list[HolidayRow]) -> dict[int, int]:
    """Replace each year's rows with the schedule's (one transaction); returns rows per year."""
    years = sorted({r.day.year for r in rows})
    with transaction.atomic():
        Holiday.objects.filter(date__year__in=years).delete()
        Holiday.objects.bulk_create([Holiday(date=r.day, name=r.name, is_workday=r.is_workday)
                                     for r in rows])
    return {y: sum(r.day.year == y for r in rows) for y in years}

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from org.holidays import ScheduleError, holiday_schedule_load, holiday_schedule_read


class Command(BaseCommand):
    help = ("载入国务院公布的放假安排（CSV：date,name,is_workday），替换该年已有的节假日记录；"
            "用于 chinesecalendar 尚不认识的年份")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            loaded = holiday_schedule_load(rows=holiday_schedule_read(path=path))
        except ScheduleError as exc:
            raise CommandError(str(exc)) from None
        for year, count in loaded.items():
            self.stdout.write(f"{year} 年：载入 {count} 天")

"""manage.py report_settle: keep the sums of the settled days now (beat does it nightly)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from reports.models import SettledDay
from reports.settled import report_days_settle


class Command(BaseCommand):
    help = ("汇总所有已结日（当天受理的工单均已办结归档、作废或合并）的报表数据，"
            "报表从汇总读取（每晚定时运行）")

    def handle(self, *args: Any, **options: Any) -> None:
        began = time.perf_counter()
        written = report_days_settle()
        self.stdout.write(f"新汇总 {written} 天，共 {SettledDay.objects.count()} 天已汇总，"
                          f"用时 {time.perf_counter() - began:.1f} 秒")

"""manage.py sla_report --from D --to D [--unit CODE] --format xlsx|csv --out FILE."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.exports import report_csv, report_xlsx
from reports.figures import report_dashboard
from reports.periods import Granularity, PeriodError, period_parse
from reports.scope import ReportFilterError, report_filters_parse
from reports.tables import headline, summary_table, trend_table, unit_table


def _fraction(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


class Command(BaseCommand):
    help = ("按受理时间统计期间导出考核报表（XLSX：汇总、单位考核排名、趋势各一页；CSV：一张表）。"
            "最后一行是机器可读的主要指标。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--to", dest="last", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--unit", default="", help="单位编码（默认全区）")
        parser.add_argument("--channel", default="", help="渠道编码")
        parser.add_argument("--category", default="", help="一级分类")
        parser.add_argument("--urgency", default="", help="urgent 或 normal")
        parser.add_argument("--street", default="", help="街道（单位编码）")
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        parser.add_argument("--table", choices=["summary", "units", "trend"], default="units",
                            help="CSV 导出哪张表（默认 units）")
        parser.add_argument("--trend", choices=[g.value for g in Granularity], default="month",
                            help="趋势按日、周或月（默认 month）")
        parser.add_argument("--out", required=True, help="输出文件")

    def handle(self, *args: Any, **options: Any) -> None:
        began = time.perf_counter()
        try:
            period = period_parse(first=options["first"], last=options["last"])
            filters = report_filters_parse(params={
                key: options[key] for key in ("unit", "channel", "category", "urgency",
                                              "street")})
        except (PeriodError, ReportFilterError) as exc:
            raise CommandError(str(exc)) from None
        report, trend = report_dashboard(period=period, filters=filters,
                                         granularity=Granularity(options["trend"]))
        assert trend is not None  # a granularity was given
        out = Path(options["out"])
        if options["format"] == "xlsx":
            out.write_bytes(report_xlsx(report=report, trend=trend))
        else:
            table = {"summary": summary_table, "units": unit_table}.get(options["table"])
            chosen = table(report) if table is not None else trend_table(trend)
            out.write_text(report_csv(table=chosen), encoding="utf-8")
        figures = headline(report)
        avg = figures["avg_handling_days"]
        self.stdout.write(f"{report.period}（{filters.describe()}）→ {out}")
        self.stdout.write(
            f"tickets={figures['tickets']} "
            f"on_time_contact={_fraction(figures['on_time_contact'])} "
            f"on_time_meet={_fraction(figures['on_time_meet'])} "
            f"on_time_resolve={_fraction(figures['on_time_resolve'])} "
            f"avg_handling_days={'' if avg is None else f'{avg:.2f}'} "
            f"seconds={time.perf_counter() - began:.2f}")

"""The XLSX, the CSV and `manage.py sla_report` say the same numbers as the report (and as
the hand count of tests/reports/conftest.py)."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from reports.exports import report_csv, report_xlsx
from reports.figures import report_build, report_trend
from reports.periods import Granularity
from reports.scope import ReportFilters
from reports.tables import unit_table
from tests.reports.conftest import DECEMBER, NOW


def summary_of(book) -> dict[str, object]:
    return {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=2, values_only=True)}


def test_the_workbook_has_a_sheet_per_table_with_the_hand_counted_numbers(district, org):
    report = report_build(period=DECEMBER, filters=ReportFilters(), now=NOW)
    trend = report_trend(period=DECEMBER, filters=ReportFilters(),
                         granularity=Granularity.WEEK, now=NOW)
    book = load_workbook(io.BytesIO(report_xlsx(report=report, trend=trend)))
    assert book.sheetnames == ["汇总", "单位考核排名", "趋势（按周）"]
    summary = summary_of(book)
    assert summary["统计期间（按受理时间）"] == "2026-12-01 至 2026-12-31"
    assert (summary["受理量"], summary["办结量"], summary["当前超时"]) == (7, 3, 1)
    assert summary["按时联系率（响应率）"] == pytest.approx(4 / 6)
    assert summary["按时办结率"] == pytest.approx(4 / 5)
    assert summary["满意率"] == pytest.approx(0.75)
    assert summary["平均办理天数"] == pytest.approx(3.07)
    ranking = list(book["单位考核排名"].iter_rows(values_only=True))
    assert ranking[0][:4] == ("排名", "单位编码", "单位", "考核得分")
    assert [(r[0], r[1]) for r in ranking[1:3]] == [(1, org.other_unit.code), (2, org.unit.code)]
    assert ranking[1][4] == 1  # B received one ticket
    weeks = list(book["趋势（按周）"].iter_rows(values_only=True))
    assert len(weeks) == 1 + 5 and weeks[1][2] == 5  # five weeks touch December


def test_rates_are_shown_as_percentages_in_the_workbook(district):
    report = report_build(period=DECEMBER, filters=ReportFilters(), now=NOW)
    sheet = load_workbook(io.BytesIO(report_xlsx(report=report)))["单位考核排名"]
    header = [c.value for c in sheet[1]]
    rate = sheet.cell(row=2, column=header.index("按时联系率（响应率）") + 1)
    assert rate.number_format == "0.0%" and rate.value == pytest.approx(1.0)


def test_the_csv_starts_with_a_bom_and_holds_the_unit_table(district, org):
    report = report_build(period=DECEMBER, filters=ReportFilters(), now=NOW)
    text = report_csv(table=unit_table(report))
    assert text.startswith("\ufeff排名,单位编码,单位,考核得分,受理量")
    lines = text.strip().splitlines()
    assert len(lines) == 1 + 3  # B, A and the tickets never dispatched
    assert lines[1].startswith(f"1,{org.other_unit.code},")


def test_the_command_writes_the_workbook_and_ends_with_the_figures(district, tmp_path):
    out = io.StringIO()
    target = tmp_path / "december.xlsx"
    with time_machine.travel(NOW, tick=False):
        call_command("sla_report", "--from", "2026-12-01", "--to", "2026-12-31",
                     "--format", "xlsx", "--out", str(target), stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    assert last.startswith("tickets=7 on_time_contact=0.6667 on_time_meet=0.6000 "
                           "on_time_resolve=0.8000 avg_handling_days=3.07 seconds=")
    summary = summary_of(load_workbook(target))
    assert summary["按时约见率"] == pytest.approx(0.6)


def test_the_command_narrows_to_a_unit_and_writes_csv(district, org, tmp_path):
    out = io.StringIO()
    target = tmp_path / "a.csv"
    with time_machine.travel(NOW, tick=False):
        call_command("sla_report", "--from", "2026-12-01", "--to", "2026-12-31",
                     "--unit", org.unit.code, "--format", "csv", "--out", str(target),
                     stdout=out)
    assert out.getvalue().strip().splitlines()[-1].startswith(
        "tickets=3 on_time_contact=0.5000 on_time_meet=0.3333 on_time_resolve=0.6667 ")
    assert target.read_text(encoding="utf-8").count("\n") == 2  # header and unit A


def test_the_command_refuses_a_bad_period_in_chinese(db, tmp_path):
    with pytest.raises(CommandError, match="结束日期不能早于开始日期"):
        call_command("sla_report", "--from", "2026-12-31", "--to", "2026-12-01",
                     "--out", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="没有编码为 nope 的单位"):
        call_command("sla_report", "--from", "2026-12-01", "--to", "2026-12-31",
                     "--unit", "nope", "--out", str(tmp_path / "x.xlsx"))

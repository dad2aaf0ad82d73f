"""The report's tables as rows of cells with Chinese headers: what the console shows, the XLSX
sheets and the CSV files hold, so all three say the same numbers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reports.figures import Comparison, Figures, Rate, Report, Trend

Cell = str | int | float | None


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Figures], Cell]
    kind: str = "int"  # int, rate (0–1), days
    figure: str = ""  # the TICKET_FIGURES name whose tickets this number counts ("" none)


def _rate(name: str) -> Callable[[Figures], Cell]:
    def value(f: Figures) -> Cell:
        rate = getattr(f, name)
        return rate.value if isinstance(rate, Rate) else rate
    return value


def _days(name: str) -> Callable[[Figures], Cell]:
    def value(f: Figures) -> Cell:
        days = getattr(f, name)
        return round(days, 2) if days is not None else None
    return value


def _count(name: str) -> Callable[[Figures], Cell]:
    return lambda f: int(getattr(f, name))


# The columns of every per-group table (units, trend), in order.
COLUMNS: tuple[Column, ...] = (
    Column("受理量", _count("received"), figure="received"),
    Column("办结量", _count("resolved"), figure="resolved"),
    Column("在办", _count("open"), figure="open"),
    Column("当前超时", _count("overdue_now"), figure="overdue_now"),
    Column("按时联系率（响应率）", _rate("contact"), "rate", "contact_late"),
    Column("按时约见率", _rate("meet"), "rate", "meet_late"),
    Column("按时办结率", _rate("resolve"), "rate", "resolve_late"),
    Column("解决率", _rate("resolution_rate"), "rate", "resolved"),
    Column("满意率", _rate("satisfaction_rate"), "rate", "unsatisfied"),
    Column("平均办理天数", _days("handling_days_avg"), "days", "resolved"),
    Column("办理天数中位数", _days("handling_days_median"), "days", "resolved"),
    Column("平均办理工作日", _days("working_days_avg"), "days", "resolved"),
    Column("延期", _count("extensions"), figure="extended"),
    Column("暂停计时", _count("suspensions"), figure="suspended"),
    Column("退单", _count("returns"), figure="returned"),
    Column("改派", _count("transfers"), figure="transferred"),
    Column("重办", _count("reopenings"), figure="reopened"),
    Column("督办", _count("supervisions"), figure="supervised"),
    Column("督办按时回复率", _rate("supervision_on_time_rate"), "rate", "supervision_late"),
    Column("不合理诉求（不计入）", _count("unreasonable"), figure="unreasonable"),
    Column("自动派单占比", _rate("auto_share"), "rate", "auto_dispatched"),
    Column("首派单位办理占比", _rate("stayed_share"), "rate", "left_first_unit"),
    Column("协办超时", _count("assist_late"), figure="assist_late"),
)


@dataclass(frozen=True)
class Table:
    title: str  # also the sheet's name (at most 31 characters)
    headers: list[str]
    rows: list[list[Cell]]
    kinds: list[str]  # per column: text, int, rate, days


def summary_items(figures: Figures) -> list[tuple[str, Cell, str]]:
    """(label, value, kind) for the summary: the headline figures, then the detail."""
    return [
        ("受理量", figures.received, "int"),
        ("合并的重复件（不另计）", figures.merged, "int"),
        ("作废", figures.rejected, "int"),
        *((c.header, c.value(figures), c.kind) for c in COLUMNS[1:]),
        ("按时联系（次/应计次）", f"{figures.contact.hits}/{figures.contact.total}", "text"),
        ("按时约见（次/应计次）", f"{figures.meet.hits}/{figures.meet.total}", "text"),
        ("按时办结（次/应计次）", f"{figures.resolve.hits}/{figures.resolve.total}", "text"),
        ("督办（一般督办）", figures.supervisions_district, "int"),
        ("挂牌督办", figures.supervisions_listed, "int"),
        ("督办已回复", figures.supervisions_answered, "int"),
        ("督办按时回复", figures.supervisions_answered_on_time, "int"),
        ("督办逾期未回复", figures.supervisions_overdue_open, "int"),
        ("满意", figures.satisfied, "int"),
        ("基本满意", figures.basically_satisfied, "int"),
        ("不满意", figures.unsatisfied, "int"),
        ("派单量", figures.dispatched, "int"),
        ("自动派单", figures.auto_dispatched, "int"),
        ("协办任务", figures.assist_tasks, "int"),
    ]


def summary_table(report: Report) -> Table:
    items = summary_items(report.summary)
    rows: list[list[Cell]] = [["统计期间（按受理时间）", str(report.period)],
                              ["筛选条件", report.filters.describe()]]
    rows += [[label, value] for label, value, _kind in items]
    return Table("汇总", ["指标", "数值"], rows,
                 ["text", "text", *(kind for _l, _v, kind in items)])


def unit_table(report: Report) -> Table:
    rows: list[list[Cell]] = [
        [row.rank, row.code, row.name, row.score, *(c.value(row.figures) for c in COLUMNS)]
        for row in sorted(report.units, key=lambda r: (r.rank is None, r.rank or 0, r.code))]
    return Table("单位考核排名", ["排名", "单位编码", "单位", "考核得分",
                                 *(c.header for c in COLUMNS)], rows,
                 ["int", "text", "text", "days", *(c.kind for c in COLUMNS)])


def trend_table(trend: Trend) -> Table:
    label = {"day": "日", "week": "周", "month": "月"}[trend.granularity.value]
    rows: list[list[Cell]] = [
        [row.label, str(row.period), *(c.value(row.figures) for c in COLUMNS)]
        for row in trend.rows]
    return Table(f"趋势（按{label}）", [label, "期间", *(c.header for c in COLUMNS)], rows,
                 ["text", "text", *(c.kind for c in COLUMNS)])


def comparison_table(comparison: Comparison) -> Table:
    """Before and after, one figure per row (counts, days and rates mixed: plain numbers)."""
    rows: list[list[Cell]] = [
        [c.label, _rounded(c.before), _rounded(c.after), _rounded(c.delta), _rounded(c.relative)]
        for c in comparison.changes]
    return Table("前后对比", ["指标", f"前：{comparison.before.period}",
                             f"后：{comparison.after.period}", "变化", "变化幅度"], rows,
                 ["text", "number", "number", "number", "rate"])


def _rounded(value: float | None) -> Cell:
    return round(value, 4) if value is not None else None


def headline(report: Report) -> dict[str, Any]:
    """The figures of the command's last line and the API's summary (rates as 0–1)."""
    s = report.summary
    return {"tickets": s.received, "on_time_contact": s.contact.value,
            "on_time_meet": s.meet.value, "on_time_resolve": s.resolve.value,
            "avg_handling_days": s.handling_days_avg}

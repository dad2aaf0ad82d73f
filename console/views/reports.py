"""考核报表: the supervisors' (and unit leads') report pages. Every figure comes from the reports
selectors and every table from reports.tables, so the page says the same numbers as the XLSX,
the CSV and the API; this module only reads the query, formats and links.

Scope: district supervisors and superusers see every unit; a unit lead their own unit only
(another unit's report, ticket list or export is a 404); any other role gets the console's 403.
Each number whose column names a figure links to the tickets behind it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from console.views.common import console_page, person_of
from org.models import Unit, UnitKind
from org.selectors import unit_ticket_handlers
from reports.exports import MIME_CSV, MIME_XLSX, report_csv, report_filename, report_xlsx
from reports.figures import (
    TICKET_FIGURES,
    Comparison,
    Report,
    Trend,
    report_compare,
    report_dashboard,
    report_tickets,
)
from reports.models import ReportFile
from reports.periods import GRANULARITY_LABELS, Granularity, Period, PeriodError, period_parse
from reports.scheduled import report_file_get, report_file_list
from reports.scope import (
    ReportFilterError,
    ReportFilters,
    ReportForbidden,
    report_filters_for,
    report_filters_parse,
    report_may_view_all,
    report_own_unit,
)
from reports.tables import (
    COLUMNS,
    Cell,
    Table,
    comparison_table,
    summary_items,
    summary_table,
    trend_table,
    unit_table,
)
from tickets.models import Urgency
from tickets.selectors.queues import channel_choice_list

PAGE_SIZE = 50
FILTER_KEYS = ("unit", "channel", "category", "urgency", "street")
PAGE = "console:reports"

# The summary's lines that count tickets, beyond the COLUMNS headers they share.
SUMMARY_FIGURES = {"受理量": "received", "合并的重复件（不另计）": "merged", "作废": "rejected",
                   "不满意": "unsatisfied", "自动派单": "auto_dispatched",
                   **{c.header: c.figure for c in COLUMNS if c.figure}}
# The headline cards, in order (labels of summary_items).
HEADLINE = ("受理量", "办结量", "在办", "当前超时", "按时联系率（响应率）", "按时约见率",
            "按时办结率", "解决率", "满意率", "平均办理天数", "办理天数中位数", "平均办理工作日")
# What a comparison's figures link to (reports.figures.COMPARED names).
COMPARED_FIGURES = {"received": "received", "handling_days_avg": "resolved",
                    "handling_days_median": "resolved", "working_days_avg": "resolved",
                    "over_limit_share": "resolve_late", "response_rate": "contact_late",
                    "resolution_rate": "resolved", "satisfaction_rate": "unsatisfied",
                    "auto_share": "auto_dispatched"}
CSV_TABLES = {"summary": "汇总", "units": "单位排名", "trend": "趋势"}


# --- formatting -------------------------------------------------------------------------------


def cell_text(value: Cell, kind: str) -> str:
    """A cell as the page shows it: rates as percentages to 0.1, days to 0.01, "—" for none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        return value
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "days" and isinstance(value, float):
        return f"{value:.2f}"
    if kind == "number" and isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass(frozen=True)
class Shown:
    """One cell of a table on the page."""

    text: str
    kind: str = "text"
    href: str = ""
    title: str = ""

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass(frozen=True)
class ShownTable:
    title: str
    headers: list[str]
    rows: list[list[Shown]]
    numeric: list[bool] = field(default_factory=list)


# --- the query ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportQuery:
    period: Period
    filters: ReportFilters
    granularity: Granularity

    def tickets_url(self, figure: str, *, period: Period | None = None,
                    unit: Unit | None = None) -> str:
        """The list of the tickets behind one number (of this period, or one bucket of it)."""
        shown = period or self.period
        params = {"figure": figure, "from": shown.first.isoformat(),
                  "to": shown.last.isoformat(), **self.filters.as_params()}
        if unit is not None:
            params["unit"] = unit.code
        return f"{reverse('console:report_tickets')}?{urlencode(params)}"

    def params(self, **overrides: str) -> dict[str, str]:
        values = {"from": self.period.first.isoformat(), "to": self.period.last.isoformat(),
                  **self.filters.as_params(), "granularity": self.granularity.value}
        values.update(overrides)
        return {k: v for k, v in values.items() if v}


class QueryError(Exception):
    """Input the page cannot report on: messages per field, in Chinese."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = errors


def this_month(today: date) -> Period:
    return Period(today.replace(day=1), today)


def last_month(today: date) -> Period:
    last = today.replace(day=1) - timedelta(days=1)
    return Period(last.replace(day=1), last)


def _text(request: HttpRequest, key: str) -> str:
    return request.GET.get(key, "").strip()


def _filters(request: HttpRequest) -> ReportFilters:
    """The filters asked for, narrowed to the person's scope; another unit's: 404."""
    params = {key: _text(request, key) for key in FILTER_KEYS}
    try:
        filters = report_filters_parse(params=params)
    except ReportFilterError as error:
        raise QueryError(dict(error.errors)) from None
    try:
        return report_filters_for(user=person_of(request), filters=filters)
    except ReportForbidden:
        raise Http404 from None


def _period(request: HttpRequest, first: str, last: str, default: Period, *,
            field_name: str = "period") -> Period:
    a, b = _text(request, first), _text(request, last)
    if not a and not b:
        return default
    try:
        return period_parse(first=a or default.first.isoformat(),
                            last=b or default.last.isoformat())
    except PeriodError as error:
        raise QueryError({field_name: str(error)}) from None


def _granularity(request: HttpRequest, period: Period) -> Granularity:
    asked = _text(request, "granularity")
    if not asked:
        if period.days <= 62:
            return Granularity.DAY
        return Granularity.WEEK if period.days <= 190 else Granularity.MONTH
    try:
        return Granularity(asked)
    except ValueError:
        raise QueryError({"granularity": "趋势粒度只能是日、周或月"}) from None


def _query(request: HttpRequest) -> ReportQuery:
    """Filters first: asking for another unit's report is a 404 whatever else is wrong."""
    errors: dict[str, str] = {}
    filters = ReportFilters()
    try:
        filters = _filters(request)
    except QueryError as error:
        errors.update(error.errors)
    period = this_month(timezone.localdate())
    try:
        period = _period(request, "from", "to", period)
    except QueryError as error:
        errors.update(error.errors)
    try:
        granularity = _granularity(request, period)
    except QueryError as error:
        errors.update(error.errors)
        granularity = Granularity.DAY
    if errors:
        raise QueryError(errors)
    return ReportQuery(period, filters, granularity)


# --- the tables with their links ----------------------------------------------------------------


def _figure_title(figure: str) -> str:
    return f"查看工单：{TICKET_FIGURES[figure][0]}"


def _linked(value: Cell, kind: str, figure: str, href: str) -> Shown:
    text = cell_text(value, kind)
    if not figure or value is None or isinstance(value, str):
        return Shown(text, kind)
    return Shown(text, kind, href, _figure_title(figure))


def _shown_table(table: Table, rows: list[list[Shown]]) -> ShownTable:
    return ShownTable(table.title, table.headers, rows, [k != "text" for k in table.kinds])


def ranking_table(query: ReportQuery, report: Report) -> ShownTable:
    """unit_table with each counted number linked to that unit's tickets."""
    table = unit_table(report)
    units = {row.code: row.unit for row in report.units}
    lead = len(table.headers) - len(COLUMNS)
    rows: list[list[Shown]] = []
    for cells in table.rows:
        unit = units.get(str(cells[1]))
        shown = [Shown(cell_text(v, k), k) for v, k in zip(cells[:lead], table.kinds[:lead],
                                                            strict=True)]
        for column, value in zip(COLUMNS, cells[lead:], strict=True):
            # "未派单" has no unit code to filter by: its numbers stay plain.
            href = query.tickets_url(column.figure, unit=unit) if unit and column.figure else ""
            shown.append(_linked(value, column.kind, column.figure if href else "", href))
        rows.append(shown)
    return _shown_table(table, rows)


def trend_rows_table(query: ReportQuery, trend: Trend) -> ShownTable:
    """trend_table with each number linked to the tickets of its bucket."""
    table = trend_table(trend)
    rows: list[list[Shown]] = []
    for bucket, cells in zip(trend.rows, table.rows, strict=True):
        shown = [Shown(cell_text(cells[0], "text")), Shown(cell_text(cells[1], "text"))]
        for column, value in zip(COLUMNS, cells[2:], strict=True):
            href = query.tickets_url(column.figure, period=bucket.period) if column.figure \
                else ""
            shown.append(_linked(value, column.kind, column.figure, href))
        rows.append(shown)
    return _shown_table(table, rows)


@dataclass(frozen=True)
class SummaryItem:
    label: str
    cell: Shown


def summary_list(query: ReportQuery, report: Report) -> list[SummaryItem]:
    items = [SummaryItem(label, _linked(value, kind, SUMMARY_FIGURES.get(label, ""),
                                        query.tickets_url(SUMMARY_FIGURES[label])
                                        if label in SUMMARY_FIGURES else ""))
             for label, value, kind in summary_items(report.summary)]
    median = report.summary.working_days_median
    items.append(SummaryItem("工作日中位数", _linked(
        round(median, 2) if median is not None else None, "days", "resolved",
        query.tickets_url("resolved"))))
    return items


# --- the pages ----------------------------------------------------------------------------------


def _choices(request: HttpRequest) -> dict[str, Any]:
    user = person_of(request)
    may_choose_unit = report_may_view_all(user=user)
    own = report_own_unit(user=user)
    units = list(unit_ticket_handlers())
    return {
        "may_choose_unit": may_choose_unit,
        "own_unit_label": own.name if own is not None and not may_choose_unit else "",
        "unit_choices": units if may_choose_unit else [],
        "street_choices": [u for u in units if u.kind == UnitKind.STREET_OFFICE],
        "channel_choices": channel_choice_list(),
        "urgency_choices": Urgency.choices,
        "granularity_choices": [(g.value, GRANULARITY_LABELS[g]) for g in Granularity],
        "form": {key: _text(request, key) for key in (*FILTER_KEYS, "from", "to", "granularity",
                                                       "before_from", "before_to",
                                                       "after_from", "after_to")},
    }


def _quick_links(request: HttpRequest) -> list[tuple[str, str]]:
    """本月 / 上月 / 本年 / 近30天, keeping the filters."""
    today = timezone.localdate()
    periods = (("本月", this_month(today)), ("上月", last_month(today)),
               ("本年", Period(today.replace(month=1, day=1), today)),
               ("近30天", Period(today - timedelta(days=29), today)))
    kept = {key: _text(request, key) for key in (*FILTER_KEYS, "granularity")}
    links = []
    for label, period in periods:
        params = {**kept, "from": period.first.isoformat(), "to": period.last.isoformat()}
        links.append((label, f"?{urlencode({k: v for k, v in params.items() if v})}"))
    return links


def _error_page(request: HttpRequest, template: str, error: QueryError,
                **context: Any) -> HttpResponse:
    return render(request, template, {**context, **_choices(request),
                                      "errors": error.errors,
                                      "error_messages": list(error.errors.values())},
                  status=400)


@console_page(PAGE)
def report_page(request: HttpRequest) -> HttpResponse:
    base = {"title": _("考核报表"), "quick_links": _quick_links(request)}
    try:
        query = _query(request)
    except QueryError as error:
        return _error_page(request, "console/reports/report.html", error, **base)
    report, trend = report_dashboard(period=query.period, filters=query.filters,
                                     granularity=query.granularity)
    assert trend is not None  # a granularity was given
    summary = summary_list(query, report)
    by_label = {item.label: item for item in summary}
    exports = [(label, f"{reverse('console:report_export')}?"
                       f"{urlencode({**query.params(), **extra})}")
               for label, extra in (("导出 Excel", {"format": "xlsx"}),
                                    ("导出 CSV（单位排名）", {"format": "csv", "table": "units"}),
                                    ("导出 CSV（汇总）", {"format": "csv", "table": "summary"}),
                                    ("导出 CSV（趋势）", {"format": "csv", "table": "trend"}))]
    choices = _choices(request)
    choices["form"].update({"from": query.period.first.isoformat(),
                            "to": query.period.last.isoformat()})
    return render(request, "console/reports/report.html", {
        **base, **choices, "query": query, "report": report, "trend": trend,
        "headline": [by_label[label] for label in HEADLINE],
        "summary": [item for item in summary if item.label not in HEADLINE],
        "ranking": ranking_table(query, report), "trend_table": trend_rows_table(query, trend),
        "granularity_label": GRANULARITY_LABELS[query.granularity],
        "exports": exports, "seconds": f"{report.seconds:.2f}",
        "unit_name": query.filters.unit.name if query.filters.unit is not None else ""})


@console_page(PAGE)
def report_tickets_page(request: HttpRequest) -> HttpResponse:
    figure = _text(request, "figure")
    if figure not in TICKET_FIGURES:
        raise Http404
    try:
        query = _query(request)
    except QueryError as error:
        return render(request, "console/error.html", {
            "title": _("无法列出工单"), "heading": _("无法列出工单"),
            "message": "；".join(error.errors.values()),
            "back_url": reverse(PAGE), "back_label": "返回考核报表"}, status=400)
    tickets = (report_tickets(period=query.period, filters=query.filters, figure=figure)
               .select_related("channel", "unit", "assignee__user", "assignee__unit")
               .prefetch_related("clocks"))
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    kept = {k: _text(request, k) for k in request.GET if k not in ("page", "partial")}
    context = {
        "title": f"{TICKET_FIGURES[figure][0]} · {query.period}",
        "figure_label": TICKET_FIGURES[figure][0], "query": urlencode(kept),
        "report_query": query, "describe": query.filters.describe(), "page": page,
        "now": timezone.now(),
        "back": f"{reverse(PAGE)}?{urlencode(query.params())}",
        "page_links": _page_links(kept, page.number, page.paginator.num_pages),
    }
    if request.headers.get("HX-Request") and request.GET.get("partial"):
        return render(request, "console/partials/ticket_rows.html", context)
    return render(request, "console/reports/tickets.html", context)


def _page_links(kept: Mapping[str, str], number: int, pages: int) -> dict[str, str]:
    links = {}
    if number > 1:
        links["previous"] = f"?{urlencode({**kept, 'page': str(number - 1)})}"
    if number < pages:
        links["next"] = f"?{urlencode({**kept, 'page': str(number + 1)})}"
    return links


def comparison_rows(comparison: Comparison, before: ReportQuery,
                    after: ReportQuery) -> ShownTable:
    """comparison_table with rates as percentages (their change in percentage points) and the
    before and after numbers linked to their tickets."""
    table = comparison_table(comparison)
    rows: list[list[Shown]] = []
    for change, cells in zip(comparison.changes, table.rows, strict=True):
        is_rate = change.name.endswith(("_rate", "_share"))
        kind = "rate" if is_rate else ("days" if "days" in change.name else "number")
        figure = COMPARED_FIGURES.get(change.name, "")
        delta = cells[3]
        if is_rate and isinstance(delta, float):
            delta_text = f"{delta * 100:+.1f} 个百分点"
        elif isinstance(delta, int | float):
            delta_text = f"{delta:+.2f}" if kind == "days" else f"{delta:+g}"
        else:
            delta_text = "—"
        relative = cells[4]
        rows.append([
            Shown(str(cells[0])),
            _linked(cells[1], kind, figure, before.tickets_url(figure) if figure else ""),
            _linked(cells[2], kind, figure, after.tickets_url(figure) if figure else ""),
            Shown(delta_text, "number"),
            Shown(f"{relative * 100:+.1f}%" if isinstance(relative, int | float) else "—",
                  "rate"),
        ])
    return _shown_table(table, rows)


def _compare_query(request: HttpRequest) -> tuple[ReportFilters, Period, Period]:
    errors: dict[str, str] = {}
    filters = ReportFilters()
    try:
        filters = _filters(request)
    except QueryError as error:
        errors.update(error.errors)
    today = timezone.localdate()
    before, after = last_month(today), this_month(today)
    try:
        before = _period(request, "before_from", "before_to", before, field_name="before")
    except QueryError as error:
        errors.update({"before": f"对比前期间：{error.errors['before']}"})
    try:
        after = _period(request, "after_from", "after_to", after, field_name="after")
    except QueryError as error:
        errors.update({"after": f"对比后期间：{error.errors['after']}"})
    if errors:
        raise QueryError(errors)
    return filters, before, after


@console_page(PAGE)
def report_compare_page(request: HttpRequest) -> HttpResponse:
    base = {"title": _("前后对比")}
    try:
        filters, before, after = _compare_query(request)
    except QueryError as error:
        return _error_page(request, "console/reports/compare.html", error, **base)
    comparison = report_compare(before=before, after=after, filters=filters)
    table = comparison_rows(comparison, ReportQuery(before, filters, Granularity.DAY),
                            ReportQuery(after, filters, Granularity.DAY))
    form = _choices(request)
    form["form"].update({"before_from": before.first.isoformat(),
                         "before_to": before.last.isoformat(),
                         "after_from": after.first.isoformat(),
                         "after_to": after.last.isoformat()})
    return render(request, "console/reports/compare.html", {
        **base, **form, "comparison": comparison, "table": table, "before": before,
        "after": after, "describe": filters.describe(),
        "seconds": f"{comparison.before.seconds + comparison.after.seconds:.2f}"})


def attachment(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    """A download named in Chinese (RFC 5987/6266), with a plain ASCII name for old clients."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}")
    response["Content-Length"] = str(len(content))
    return response


@console_page(PAGE)
def report_export(request: HttpRequest) -> HttpResponse:
    kind = _text(request, "format") or "xlsx"
    table_name = _text(request, "table") or "units"
    try:
        query = _query(request)
        if kind not in ("xlsx", "csv"):
            raise QueryError({"format": "导出格式只能是 xlsx 或 csv"})
        if kind == "csv" and table_name not in CSV_TABLES:
            raise QueryError({"table": "CSV 只能导出 summary、units 或 trend 表"})
    except QueryError as error:
        return render(request, "console/error.html", {
            "title": _("无法导出"), "heading": _("无法导出"),
            "message": "；".join(error.errors.values()),
            "back_url": reverse(PAGE), "back_label": "返回考核报表"}, status=400)
    report, trend = report_dashboard(period=query.period, filters=query.filters,
                                     granularity=query.granularity)
    assert trend is not None  # a granularity was given
    if kind == "xlsx":
        return attachment(report_xlsx(report=report, trend=trend), content_type=MIME_XLSX,
                          filename=report_filename(report=report, extension="xlsx"))
    if table_name == "trend":
        table = trend_table(trend)
    else:
        table = summary_table(report) if table_name == "summary" else unit_table(report)
    return attachment(report_csv(table=table).encode("utf-8"), content_type=MIME_CSV,
                      filename=report_filename(report=report, extension="csv",
                                               kind=f"考核报表_{CSV_TABLES[table_name]}"))


@console_page(PAGE)
def report_files_page(request: HttpRequest) -> HttpResponse:
    user = person_of(request)
    files = [ListedFile(row, _percent(row.summary.get("tickets"), "int"),
                        _percent(row.summary.get("on_time_contact"), "rate"),
                        _percent(row.summary.get("on_time_resolve"), "rate"))
             for row in report_file_list(user=user)]
    return render(request, "console/reports/files.html", {
        "title": _("定期报表"), "files": files, "may_view_all": report_may_view_all(user=user)})


@dataclass(frozen=True)
class ListedFile:
    file: ReportFile
    received: str
    contact: str
    resolve: str


def _percent(value: object, kind: str) -> str:
    return cell_text(value if isinstance(value, int | float) else None, kind)


@console_page(PAGE)
def report_file_download(request: HttpRequest, pk: int) -> HttpResponse:
    row = report_file_get(user=person_of(request), pk=pk)
    if row is None:
        raise Http404
    return attachment(bytes(row.content), content_type=MIME_XLSX, filename=row.filename)

"""The report as files: XLSX (one sheet per table, Chinese headers, the summary first) and
CSV (one table per file, UTF-8 with a BOM so that Excel opens the Chinese right)."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reports.figures import Comparison, Report, Trend
from reports.tables import Cell, Table, comparison_table, summary_table, trend_table, unit_table

NUMBER_FORMATS = {"rate": "0.0%", "days": "0.00", "int": "0", "number": "General"}
MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME_CSV = "text/csv; charset=utf-8"


def report_tables(*, report: Report, trend: Trend | None = None,
                  comparison: Comparison | None = None) -> list[Table]:
    """The tables a full export holds, in sheet order."""
    tables = [summary_table(report), unit_table(report)]
    if trend is not None:
        tables.append(trend_table(trend))
    if comparison is not None:
        tables.append(comparison_table(comparison))
    return tables


def report_xlsx(*, report: Report, trend: Trend | None = None,
                comparison: Comparison | None = None) -> bytes:
    """A workbook: 汇总 (period, filters, every summary figure), 单位考核排名, and the trend
    and comparison when given. Rates are stored as fractions shown as percentages, so the
    cells hold the same numbers as the API."""
    book = Workbook()
    first = True
    for table in report_tables(report=report, trend=trend, comparison=comparison):
        sheet = book.active if first else book.create_sheet()
        first = False
        assert sheet is not None  # a new workbook has its active sheet
        sheet.title = table.title[:31]
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in table.rows:
            sheet.append(list(row))
        _format(sheet, table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _format(sheet: object, table: Table) -> None:
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(sheet, Worksheet)
    sheet.freeze_panes = "A2"
    summary = table.title == "汇总"
    for index, header in enumerate(table.headers, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(10, min(28, len(header) * 2 + 2))
        if summary:
            continue
        kind = table.kinds[index - 1]
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            if kind in NUMBER_FORMATS and isinstance(cell.value, int | float):
                cell.number_format = NUMBER_FORMATS[kind]
    if summary:
        # One kind per row here (of the value column): rates as percentages, days to 0.01.
        for index, kind in enumerate(table.kinds):
            cell = sheet.cell(row=index + 2, column=2)
            if kind in NUMBER_FORMATS and isinstance(cell.value, int | float):
                cell.number_format = NUMBER_FORMATS[kind]


def report_csv(*, table: Table) -> str:
    """One table as CSV (headers first; rates as fractions 0–1, empty where undefined)."""
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads a BOM-less UTF-8 CSV as the local code page
    writer = csv.writer(out)
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return out.getvalue()


def _csv_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float):
        return f"{cell:.6g}"
    return str(cell)


def report_filename(*, report: Report, extension: str, kind: str = "考核报表") -> str:
    return f"{kind}_{report.period.first:%Y-%m-%d}_{report.period.last:%Y-%m-%d}.{extension}"

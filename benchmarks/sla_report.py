"""The SLA report at district scale (issue 16): the console dashboard's queries over a whole
year and the XLSX export, against a PostgreSQL database filled by ``generate_history``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dispatch_hist_bench \\
        .venv/bin/python benchmarks/sla_report.py [--runs 3] [--explain 3]

(After ``manage.py report_settle`` the reports read the settled days' kept sums; without it
they count every ticket live.)

1. The dashboard a supervisor opens for the whole year: ``report_dashboard`` (summary, unit
   table, ranking and the trend by month in one pass), timed --runs times (best and median);
   the same for
   one unit (a unit lead's dashboard) and with a trend by day.
2. The export: the workbook with the summary, the ranking and the trend by day.
3. The slowest queries of one dashboard, with their plans (EXPLAIN ANALYZE, BUFFERS).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--explain", type=int, default=3, help="plans of the N slowest queries")
    args = parser.parse_args()
    if not 1 <= args.runs <= 20:
        parser.error("--runs must be between 1 and 20")
    url = os.environ.get("DATABASE_URL", "")
    if "127.0.0.1" not in url or not url.startswith("postgres"):
        parser.error("set DATABASE_URL to a PostgreSQL database on 127.0.0.1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dispatch.settings.base")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.db.models import Count, Max, Min
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from org.models import Unit
    from reports.exports import report_xlsx
    from reports.figures import report_dashboard
    from reports.periods import Granularity, Period
    from reports.scope import ReportFilters
    from tickets.models import Ticket

    span = Ticket.objects.aggregate(first=Min("received_at"), last=Max("received_at"))
    if span["first"] is None:
        parser.error("the database holds no tickets: run generate_history first")
    period = Period(timezone.localtime(span["first"]).date(),
                    timezone.localtime(span["last"]).date())
    tickets = Ticket.objects.count()
    busiest = (Ticket.objects.filter(unit__isnull=False).values("unit_id")
               .annotate(n=Count("pk")).order_by("-n").values_list("unit_id", flat=True).first())
    unit = Unit.objects.get(pk=busiest)
    print(f"database: {connection.settings_dict['NAME']}, {tickets:,} tickets, "
          f"period {period} ({period.days} days)")

    def dashboard(filters: ReportFilters, granularity: Granularity) -> None:
        report_dashboard(period=period, filters=filters, granularity=granularity)

    def timed(label: str, work: object) -> None:
        seconds = []
        for _ in range(args.runs):
            began = time.perf_counter()
            work()  # type: ignore[operator]
            seconds.append(time.perf_counter() - began)
        print(f"| {label} | {min(seconds):.2f} s | {statistics.median(seconds):.2f} s |")

    print("\n| what | best | median |\n|---|---:|---:|")
    timed("whole district, trend by month (the dashboard)",
          lambda: dashboard(ReportFilters(), Granularity.MONTH))
    timed("whole district, trend by day",
          lambda: dashboard(ReportFilters(), Granularity.DAY))
    timed(f"one unit ({unit.code}), trend by month",
          lambda: dashboard(ReportFilters(unit=unit), Granularity.MONTH))
    channel = Ticket.objects.values_list("channel__code", flat=True).first() or ""
    timed(f"one channel ({channel}; counted live, no kept sums), trend by month",
          lambda: dashboard(ReportFilters(channel=channel), Granularity.MONTH))

    def export() -> None:
        report, trend = report_dashboard(period=period, filters=ReportFilters(),
                                         granularity=Granularity.DAY)
        report_xlsx(report=report, trend=trend)
    timed("XLSX export (summary, ranking, trend by day), figures included", export)
    computed = report_dashboard(period=period, filters=ReportFilters(),
                                granularity=Granularity.DAY)
    timed("XLSX writing alone (figures already computed)",
          lambda: report_xlsx(report=computed[0], trend=computed[1]))

    with CaptureQueriesContext(connection) as captured:
        dashboard(ReportFilters(), Granularity.MONTH)
    queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
    print(f"\n{len(queries)} queries in one dashboard:")
    for query in queries:
        print(f"   {float(query['time']):.3f} s  {query['sql'][:90]}")
    print("\nthe slowest, with their plans:")
    for query in queries[:args.explain]:
        print(f"\n-- {float(query['time']):.3f} s\n{query['sql'][:600]}")
        with transaction.atomic(), connection.cursor() as cursor:
            # As the report runs them (reports.figures._analytic_session).
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = %s", [settings.REPORT_WORK_MEM])
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
            for (line,) in cursor.fetchall():
                print(f"   {line}")


if __name__ == "__main__":
    main()

"""Console page render times at a year's scale (issue 17): the queues, the history and the
search, the ticket page and its print record, the inbox, the 回访 worklist and the suspected
duplicates, rendered through Django's test Client as the people who open them, against a
PostgreSQL database filled by ``generate_history`` (530,000 tickets).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dispatch_hist_bench \\
    SECRET_KEY=bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz \\
        .venv/bin/python benchmarks/console_pages.py [--runs 7] [--explain 300]

Each page is requested --runs times after one warm-up request: best and median wall time of
the whole request (view, queries, template), and the SQL queries it ran. --explain N prints
the plan (EXPLAIN ANALYZE, BUFFERS) of the slowest query of every page slower than N ms.

Read-only: everything runs in one transaction rolled back at the end (signing in writes a
session and the last-login time), and only a database on 127.0.0.1 is accepted. The people
are picked from the data: the caseworker and the unit with the most tickets, a centre
dispatcher, a supervisor; the search terms from real tickets (a number, a phone) and from the
generated texts. Runs with DEBUG on (static files unhashed, no HTTPS redirect).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass
class Page:
    label: str
    who: str
    url: str


def _refuse_remote(parser: argparse.ArgumentParser) -> None:
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if not url.startswith(("postgres://", "postgresql://")) or parts.hostname != "127.0.0.1":
        parser.error("set DATABASE_URL to a PostgreSQL database on 127.0.0.1")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--explain", type=float, default=None, metavar="MS",
                        help="plans of the slowest query of each page slower than MS")
    parser.add_argument("--only", default="", help="only pages whose label contains this")
    args = parser.parse_args()
    if not 1 <= args.runs <= 50:
        parser.error("--runs must be between 1 and 50")
    _refuse_remote(parser)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dispatch.settings.base")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Count, Q
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from org.models import Staff, StaffRole
    from tickets.models import Ticket, TicketState
    from tickets.models.ticket import OPEN_STATES

    setup_test_environment()  # the test Client's host, and no real e-mail
    tickets = Ticket.objects.count()
    if not tickets:
        parser.error("the database holds no tickets: run generate_history first")
    states = dict(Ticket.objects.values_list("state").annotate(n=Count("pk")))
    open_count = sum(states.get(s.value, 0) for s in OPEN_STATES)
    print(f"database: {connection.settings_dict['NAME']}, {tickets:,} tickets; open "
          f"{open_count:,} (triage {states.get(TicketState.TRIAGE.value, 0):,}), resolved "
          f"{states.get(TicketState.RESOLVED.value, 0):,}, closed "
          f"{states.get(TicketState.CLOSED.value, 0):,}")

    finished = Q(tickets__state__in=[TicketState.RESOLVED, TicketState.CLOSED])
    caseworker = (Staff.objects.filter(role=StaffRole.CASEWORKER, unit__is_district_wide=False)
                  .annotate(n=Count("tickets", filter=finished)).order_by("-n").first())
    busiest_unit = (Ticket.objects.filter(unit__isnull=False).values("unit_id")
                    .annotate(n=Count("pk")).order_by("-n").values_list("unit_id", flat=True)
                    .first())
    lead = Staff.objects.filter(unit_id=busiest_unit, role=StaffRole.UNIT_LEAD).first()
    dispatcher = Staff.objects.filter(role=StaffRole.DISPATCHER,
                                      unit__is_district_wide=True).first()
    supervisor = Staff.objects.filter(role=StaffRole.SUPERVISOR,
                                      unit__is_district_wide=True).first()
    people = {"caseworker": caseworker, "unit lead": lead, "centre dispatcher": dispatcher,
              "supervisor": supervisor}
    for role, person in people.items():
        if person is None:
            parser.error(f"no {role} in the database")
    assert caseworker is not None and lead is not None
    unit_tickets = Ticket.objects.filter(unit=lead.unit).count()
    print(f"people: caseworker {caseworker.user.username} "
          f"({caseworker.n:,} finished tickets, {caseworker.unit.name}), unit lead "
          f"{lead.user.username} ({lead.unit.name}, {unit_tickets:,} tickets), centre dispatcher "
          f"{people['centre dispatcher'].user.username}, "
          f"supervisor {people['supervisor'].user.username}")

    middle = Ticket.objects.order_by("received_at")[tickets // 2]
    phoned = (Ticket.objects.exclude(citizen_phone="").filter(anonymised_at__isnull=True)
              .order_by("-received_at")[tickets // 3])

    # The ticket page and its print record at their heaviest: the ticket moved around most.
    busy = Ticket.objects.order_by("-reopen_count", "-transfer_count", "-return_count").first()
    assert busy is not None
    busy_events = busy.events.count()

    def search(**params: str) -> str:
        return "/console/search/?" + urlencode(params)

    pages = [
        Page("my queue", "caseworker", "/console/mine/"),
        Page("unit queue", "unit lead", "/console/unit/"),
        Page("triage", "centre dispatcher", "/console/triage/"),
        Page("all open", "centre dispatcher", "/console/open/"),
        Page("all open", "supervisor", "/console/open/"),
        Page("history", "caseworker", "/console/history/"),
        Page("history, page 3", "caseworker", "/console/history/?page=3"),
        Page("history", "unit lead", "/console/history/"),
        Page("history, 1 month, closed", "unit lead",
             "/console/history/?first=2026-10-01&last=2026-10-31&state=closed"),
        Page("history, last page", "unit lead", "/console/history/?page=9999"),
        Page(f"ticket page ({busy_events} events)", "supervisor",
             f"/console/tickets/{busy.number}/"),
        Page(f"print record ({busy_events} events)", "supervisor",
             f"/console/tickets/{busy.number}/print/"),
        Page("inbox", "caseworker", "/console/inbox/"),
        Page("inbox", "unit lead", "/console/inbox/"),
        Page("follow-ups (回访)", "centre dispatcher", "/console/follow-ups/"),
        Page("duplicates", "centre dispatcher", "/console/duplicates/"),
        Page("search: empty form", "centre dispatcher", "/console/search/"),
        Page("search: number", "centre dispatcher", search(q=middle.number)),
        Page("search: phone", "centre dispatcher", search(q=phoned.citizen_phone)),
        Page("search: text, 3 chars (油烟直)", "centre dispatcher", search(q="油烟直")),
        Page("search: text, 3 chars, rare (氧气机)", "centre dispatcher", search(q="氧气机")),
        Page("search: text, 4 chars, title+content (施工噪音)", "supervisor",
             search(q="施工噪音", kind="text")),
        Page("search: place (红树林)", "centre dispatcher", search(q="红树林", kind="place")),
        Page("search: place, street (沙头街道)", "supervisor", search(q="沙头街道", kind="place")),
        Page("search: text, 2 chars (路灯: last 31 days)", "centre dispatcher", search(q="路灯")),
        Page("search: text, 2 chars, none (无此: last 31 days)", "centre dispatcher",
             search(q="无此")),
        Page("search: text, page 5 (小区的)", "supervisor", search(q="小区的", page="5")),
    ]
    pages = [p for p in pages if args.only in p.label]

    print(f"\n{args.runs} runs per page after one warm-up; wall time of the whole request\n")
    print("| page | as | best | median | SQL queries | SQL time (median run) | status |")
    print("|---|---|---:|---:|---:|---:|---|")
    slow: list[tuple[Page, list[dict[str, Any]]]] = []
    with transaction.atomic():
        clients: dict[str, Client] = {}
        for role, person in people.items():
            client = Client()
            client.force_login(person.user)
            clients[role] = client
        for page in pages:
            client = clients[page.who]
            get: Callable[[], Any] = lambda c=client, u=page.url: c.get(u)  # noqa: E731
            get()
            seconds, status = [], 0
            with CaptureQueriesContext(connection) as queries:
                for _ in range(args.runs):
                    began = time.perf_counter()
                    response = get()
                    seconds.append(time.perf_counter() - began)
                    status = response.status_code
            count = len(queries.captured_queries) // args.runs
            per_run = [sum(float(q["time"]) for q in queries.captured_queries[i:i + count])
                       for i in range(0, count * args.runs, count)]
            best, median = min(seconds) * 1000, statistics.median(seconds) * 1000
            print(f"| {page.label} | {page.who} | {best:.0f} ms | {median:.0f} ms | {count} | "
                  f"{statistics.median(per_run) * 1000:.0f} ms | {status} |")
            if args.explain is not None and median > args.explain:
                slow.append((page, queries.captured_queries[:count]))
        for page, captured in slow:
            worst = max(captured, key=lambda q: float(q["time"]))
            print(f"\n## {page.label} ({page.who}): slowest query {float(worst['time']) * 1000:.0f}"
                  f" ms\n{worst['sql'][:600]}\n")
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {worst['sql']}")
                print("\n".join(row[0] for row in cursor.fetchall()))
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()

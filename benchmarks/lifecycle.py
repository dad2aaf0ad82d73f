"""Benchmark: ticket creation and the full lifecycle through the services on PostgreSQL.

Creates a scratch database (dispatch_bench) on 127.0.0.1:5432, migrates it, loads the org
directory, then pushes N tickets through create -> assign -> contact -> meet -> resolve ->
follow-up (close), one after another, and then runs the same contact transition from T threads.
Reports per-service latency (p50/p99) and tickets per second. Bounded by --tickets.

    .venv/bin/python benchmarks/lifecycle.py --tickets 300 --threads 4
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "dispatch_bench"
T = TypeVar("T")


def _prepare_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        c.execute(f"CREATE DATABASE {BENCH_DB}")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if not 1 <= args.tickets <= 5000 or not 1 <= args.threads <= 16:
        parser.error("--tickets 1..5000, --threads 1..16")

    _prepare_database()
    os.environ.update(DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}",
                      DJANGO_SETTINGS_MODULE="dispatch.settings.base", SECRET_KEY="bench",
                      CELERY_BROKER_URL="memory://", LOG_LEVEL="WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from demo.staff import demo_staff_load
    from org.models import Staff, Unit
    from tickets.intake.channels import directory_load
    from tickets.models import Channel, Ticket
    from tickets.services import lifecycle as services

    call_command("migrate", verbosity=0)
    directory_load()
    demo_staff_load()  # the people tickets are assigned to
    channel = Channel.objects.get(code="hotline-12345")
    unit = Unit.objects.get(code="street-lianhua")
    person = Staff.objects.get(user__username="street-lianhua.cw1")
    timings: dict[str, list[float]] = defaultdict(list)

    def timed(name: str, call: Callable[[], T]) -> T:
        start = time.perf_counter()
        result = call()
        timings[name].append((time.perf_counter() - start) * 1000)
        return result

    started = time.perf_counter()
    for i in range(args.tickets):
        t = timed("create", lambda i=i: services.ticket_create(
            channel=channel, external_id=f"bench-{i}", title="路灯不亮",
            content="小区门口路灯连续三晚不亮，请尽快维修。")).ticket
        t = timed("assign", lambda t=t: services.ticket_assign(
            ticket=t, actor=None, unit=unit, assignee=person))
        t = timed("record_contact", lambda t=t: services.ticket_record_contact(
            ticket=t, actor=person.user))
        t = timed("record_meeting", lambda t=t: services.ticket_record_meeting(
            ticket=t, actor=person.user))
        t = timed("resolve", lambda t=t: services.ticket_resolve(
            ticket=t, actor=person.user, reply="已修复"))
        timed("follow_up_close", lambda t=t: services.ticket_follow_up(
            ticket=t, actor=None, satisfaction="satisfied"))
    serial_s = time.perf_counter() - started

    # Parallel: T threads record contact on their own tickets (distinct rows, no conflicts).
    fresh = []
    for i in range(args.tickets):
        t = services.ticket_create(channel=channel, external_id=f"par-{i}", title="t",
                                   content="c").ticket
        fresh.append(services.ticket_assign(ticket=t, actor=None, unit=unit, assignee=person))
    chunks = [fresh[k::args.threads] for k in range(args.threads)]
    errors: list[Exception] = []

    def work(chunk: list[Ticket]) -> None:
        try:
            for t in chunk:
                services.ticket_record_contact(ticket=t, actor=person.user)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(c,)) for c in chunks]
    par_start = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    parallel_s = time.perf_counter() - par_start

    python = sys.version.split()[0]
    print(f"PostgreSQL {connection.pg_version}, {args.tickets} tickets, Python {python}")
    print(f"{'service':<18}{'p50 ms':>9}{'p99 ms':>9}{'mean ms':>9}")
    for name, values in timings.items():
        print(f"{name:<18}{_pct(values, 0.5):>9.2f}{_pct(values, 0.99):>9.2f}"
              f"{statistics.fmean(values):>9.2f}")
    print(f"full lifecycle, serial: {args.tickets / serial_s:.1f} tickets/s "
          f"({6 * args.tickets / serial_s:.0f} state changes/s)")
    print(f"record_contact from {args.threads} threads: {args.tickets / parallel_s:.1f} /s, "
          f"errors {len(errors)}")


if __name__ == "__main__":
    main()

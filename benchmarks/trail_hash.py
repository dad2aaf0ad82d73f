"""What the tamper-evident trail costs (issue 15): hashing one event, appending through the chain,
and verifying, against PostgreSQL on 127.0.0.1.

    .venv/bin/python benchmarks/trail_hash.py [--events 20000] [--tickets 2000]

1. CPU: ``event_hash`` over --events realistic events (Chinese reason, a payload), best of 5.
2. Appends on PostgreSQL (scratch database dispatch_bench_trail, dropped first): the same number
   of events written with ``ticket_event_record`` (chain: guarded UPDATE of the ticket's head +
   INSERT) against a plain INSERT of the same rows without a chain, in one run.
3. ``trail_verify`` over every ticket: events verified per second.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = "dispatch_bench_trail"


def _prepare() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {DB}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--tickets", type=int, default=2_000)
    args = parser.parse_args()
    if not (1_000 <= args.events <= 200_000 and 10 <= args.tickets <= args.events):
        parser.error("--events 1000..200000, --tickets 10..events")
    _prepare()
    os.environ.update(DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB}",
                      DJANGO_SETTINGS_MODULE="dispatch.settings.base", SECRET_KEY="bench",
                      CELERY_BROKER_URL="memory://", LOG_LEVEL="WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from tickets.core.trail import event_hash, ticket_event_record, trail_verify
    from tickets.intake.channels import directory_load
    from tickets.models import Channel, Ticket, TicketEvent

    call_command("migrate", verbosity=0)
    directory_load()
    at = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    sample = [TicketEvent(ticket_id=1, actor_id=None, actor_label="系统", action="sla_warning",
                          at=at, from_state="assigned", to_state="assigned",
                          reason=f"「联系诉求人」时限将到（第 {i} 次）",
                          payload={"milestone": "contact", "due_at": at.isoformat(), "n": i},
                          prev_hash="0" * 64) for i in range(args.events)]
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for event in sample:
            event_hash(event=event, number="FT20261130000001")
        best = min(best, time.perf_counter() - t0)
    print(f"# event_hash: {best / args.events * 1e6:.1f} µs per event "
          f"(best of 5 over {args.events} events)")

    channel = Channel.objects.order_by("code").first()
    assert channel is not None
    tickets = Ticket.objects.bulk_create([
        Ticket(number=f"BT{i:010d}", channel=channel, external_id=f"b-{i}", title="压测",
               content="压测") for i in range(args.tickets)])
    per_ticket = args.events // args.tickets
    half = len(tickets) // 2  # plain rows on the first half, the chain on the second

    def chained() -> float:
        t0 = time.perf_counter()
        for ticket in tickets[half:]:
            with transaction.atomic():
                for i in range(per_ticket):
                    ticket_event_record(ticket=ticket, actor=None, action="sla_warning",
                                        reason=f"链 {i}", payload={"n": i})
        return time.perf_counter() - t0

    def plain() -> float:
        t0 = time.perf_counter()
        for ticket in tickets[:half]:
            with transaction.atomic():
                for i in range(per_ticket):
                    TicketEvent.objects.create(ticket=ticket, actor_label="系统",
                                               action="sla_warning", at=at, reason=f"无链 {i}",
                                               payload={"n": i})
        return time.perf_counter() - t0

    plain_s, chained_s = plain(), chained()
    n = per_ticket * half
    print(f"# appends on PostgreSQL, {n} events each way, {per_ticket} per ticket, one "
          f"transaction per ticket: plain INSERT {plain_s / n * 1000:.3f} ms/event, chained "
          f"{chained_s / n * 1000:.3f} ms/event (+{(chained_s - plain_s) / n * 1000:.3f} ms)")
    t0 = time.perf_counter()
    broken = trail_verify(tickets=Ticket.objects.filter(pk__in=[t.pk for t in tickets[half:]]))
    verify_s = time.perf_counter() - t0
    print(f"# trail_verify: {n / verify_s:,.0f} events/s over {len(tickets) - half} tickets, "
          f"{len(broken)} broken")
    connection.close()


if __name__ == "__main__":
    main()

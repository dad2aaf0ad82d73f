"""Benchmark (issue 5): webhook accepted → ticket assigned to a named person, and parallel
dispatch correctness, against PostgreSQL, Redis and a real Celery worker on 127.0.0.1.

    .venv/bin/python benchmarks/dispatch_latency.py --rate 50 --seconds 300

1. Creates the scratch database dispatch_bench (dropped first), loads the org directory and
   its demo duty roster (one caseworker on duty per unit at any hour), raises caseworkers'
   capacity (nobody resolves tickets during the run), trains and promotes the starting
   router model.
2. Starts gunicorn and a Celery worker (Redis db 14 as broker) as processes, offers --rate new
   signed webhook requests per second for --seconds, waits (bounded) until every accepted
   ticket has left "received", and reads from the database, per ticket, the time from its
   creation (the webhook's commit) to its "assign" event: p50/p95/p99 over the tickets
   assigned to a named person, and where the rest went (triage, unit queue).
3. Checks the whole run: nobody holds more open tickets than their capacity, no ticket has
   two assign events.
4. Burst: --burst tickets in triage dispatched at once by 8 parallel worker processes (each
   ticket by two of them) to one unit whose three people have five free places each (then
   its duty lead, then the unit queue): checks that nobody exceeds capacity and no ticket is
   assigned twice.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from intake import ENV, PORT, _port_is_free, _prepare, _wait_for  # noqa: E402

BURST_WORKERS = 8
BURST_UNIT = "urban-mgmt"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _burst_worker(numbers_file: str, unit_code: str) -> None:
    """One of the parallel dispatchers: dispatch every ticket listed, report outcomes."""
    import django

    django.setup()
    from org.models import Staff, Unit
    from tickets.core.errors import TicketError
    from tickets.dispatching.services import ticket_dispatch
    from tickets.models import Ticket

    dispatcher = Staff.objects.filter(role="dispatcher", unit__is_district_wide=True).first()
    unit = Unit.objects.get(code=unit_code)
    ok = refused = 0
    for number in Path(numbers_file).read_text().split():
        try:
            ticket_dispatch(ticket=Ticket.objects.get(number=number), actor=dispatcher.user,
                            unit=unit, reason="并发压测")
            ok += 1
        except TicketError:
            refused += 1
    print(f"{ok} {refused}")


def _invariants() -> dict[str, int]:
    from django.db.models import Count

    from org.models import Staff
    from tickets.models import WORKING_STATES, Ticket, TicketEvent

    loads = dict(Ticket.objects.filter(state__in=WORKING_STATES, assignee__isnull=False)
                 .values_list("assignee").annotate(n=Count("pk")))
    capacity = dict(Staff.objects.values_list("pk", "capacity"))
    over = sum(1 for staff_id, n in loads.items() if n > capacity[staff_id])
    twice = (TicketEvent.objects.filter(action="assign").values("ticket_id")
             .annotate(n=Count("pk")).filter(n__gt=1).count())
    return {"people over capacity": over, "tickets assigned twice": twice}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--train", type=int, default=10_000)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--burst-worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.burst_worker:
        os.environ.update(ENV)
        _burst_worker(*args.burst_worker)
        return
    if not (1 <= args.rate <= 200 and 1 <= args.seconds <= 600 and 1 <= args.burst <= 2000):
        parser.error("--rate 1..200, --seconds 1..600, --burst 1..2000")
    if not _port_is_free(PORT):
        raise SystemExit(f"127.0.0.1:{PORT} is in use (a server left from an earlier run?)")
    _prepare()
    os.environ.update(ENV)
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from demo.staff import demo_staff_load
    from demo.starter import router_starter_train
    from demo.traffic import SimChannel, traffic_plan, traffic_send
    from org.models import ExtraShift, Staff
    from tickets.intake.channels import directory_load
    from tickets.models import Channel, Ticket, TicketEvent

    call_command("migrate", verbosity=0)
    directory_load()
    demo_staff_load()  # the people tickets are assigned to
    Channel.objects.update(rate_limit_per_minute=10_000_000)  # measure dispatch, not limits
    # Nobody resolves anything during the run: with the demo capacities (20) the people on
    # duty would be full within minutes and the run would measure unit queues, not people.
    Staff.objects.filter(role="caseworker").update(capacity=30_000)
    started = time.perf_counter()
    model = router_starter_train(count=args.train)
    print(f"# starting model {model.version}: {args.train} generated requests, "
          f"held-out accuracy {model.metrics['accuracy']:.3f}, "
          f"trained in {time.perf_counter() - started:.0f} s")
    channels = [SimChannel(c.code, c.family, c.signing_secrets[0])
                for c in Channel.objects.order_by("code")]
    subprocess.run(["redis-cli", "-n", "14", "FLUSHDB"], check=False, capture_output=True)

    env = {**os.environ}
    processes = [
        subprocess.Popen([sys.executable, "-m", "gunicorn", "dispatch.wsgi:application",
                          "--bind", f"127.0.0.1:{PORT}", "--workers", str(args.web_workers),
                          "--log-level", "warning"], cwd=ROOT, env=env, start_new_session=True),
        subprocess.Popen([sys.executable, "-m", "celery", "-A", "dispatch", "worker",
                          "--loglevel", "WARNING", "--concurrency",
                          str(args.worker_concurrency), "--without-gossip", "--without-mingle",
                          "--hostname", "bench-worker@%h"],
                         cwd=ROOT, env=env, start_new_session=True),
    ]
    base = f"http://127.0.0.1:{PORT}"
    run_id = int(time.time()) * 1_000_000
    try:
        _wait_for(f"{base}/healthz/", 60)
        warmup = traffic_plan(channels=channels, count=50, seed=11, now=timezone.now(),
                              mix={"new": 1.0}, first_seq=run_id)
        traffic_send(base_url=base, requests=warmup, rate=10, concurrency=4, max_seconds=60)
        time.sleep(5)  # let the worker load the model before the measured run
        since = timezone.now()
        plan = traffic_plan(channels=channels, count=int(args.rate * args.seconds), seed=12,
                            now=timezone.now(), mix={"new": 1.0}, first_seq=run_id + 1_000)
        t0 = time.perf_counter()
        outcomes = traffic_send(base_url=base, requests=plan, rate=args.rate, concurrency=16,
                                max_seconds=args.seconds + 60)
        sent_for = time.perf_counter() - t0
        accepted = sum(1 for o in outcomes if o.status in (200, 201))
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and Ticket.objects.filter(
                created_at__gte=since, state="received").exists():
            time.sleep(1)
        tickets = list(Ticket.objects.filter(created_at__gte=since)
                       .values_list("pk", "created_at", "state", "assignee_id"))
        first_assign = dict(TicketEvent.objects.filter(
            ticket_id__in=[t[0] for t in tickets], action="assign", actor__isnull=True)
            .order_by("ticket_id", "pk").values_list("ticket_id", "at").distinct())
        latencies = [(first_assign[pk] - created).total_seconds() * 1000
                     for pk, created, _, person in tickets if pk in first_assign and person]
        states: dict[str, int] = {}
        for _, _, state, person in tickets:
            key = "assigned to a person" if person else state
            states[key] = states.get(key, 0) + 1
        print(f"# offered {args.rate:g} webhooks/s for {args.seconds:g} s: {len(plan)} sent in "
              f"{sent_for:.0f} s, {accepted} accepted, {len(tickets)} tickets")
        print(f"  where they went: {states}")
        if latencies:
            print(f"  accepted → assigned to a named person ({len(latencies)} tickets): "
                  f"p50 {_percentile(latencies, 0.5):.0f} ms, "
                  f"p95 {_percentile(latencies, 0.95):.0f} ms, "
                  f"p99 {_percentile(latencies, 0.99):.0f} ms, "
                  f"max {max(latencies):.0f} ms, mean {statistics.fmean(latencies):.0f} ms")
        print(f"  invariants after the run: {_invariants()}")
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)

    # --- burst: 8 parallel dispatchers, one unit of limited capacity ---------------------------
    from django.db.models import Count

    from tickets.models import WORKING_STATES
    from tickets.services.lifecycle import ticket_create, ticket_triage

    people = list(Staff.objects.filter(unit__code=BURST_UNIT, role="caseworker"))
    before = dict(Ticket.objects.filter(assignee__in=people, state__in=WORKING_STATES)
                  .values_list("assignee").annotate(n=Count("pk")))
    now = timezone.now()
    for person in people:
        # Five free places each, whatever the latency run left them with.
        person.capacity, person.on_duty = before.get(person.pk, 0) + 5, True
        person.save(update_fields=["capacity", "on_duty"])
        ExtraShift.objects.create(staff=person, starts_at=now - timezone.timedelta(hours=1),
                                  ends_at=now + timezone.timedelta(hours=2), note="压测")
    free = 5 * len(people)
    channel = Channel.objects.get(code="hotline-12345")
    numbers = []
    for i in range(args.burst):
        created = ticket_create(channel=channel, external_id=f"burst-{run_id}-{i}",
                                title="并发压测", content=f"第 {i} 件")
        numbers.append(ticket_triage(ticket=created.ticket, actor=None).number)
    import random
    import tempfile

    rng = random.Random(5)
    files = []
    for k in range(BURST_WORKERS):
        mine = [n for i, n in enumerate(numbers) if i % BURST_WORKERS in (k, (k + 1)
                                                                           % BURST_WORKERS)]
        rng.shuffle(mine)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
            handle.write("\n".join(mine))
        files.append(handle.name)
    t0 = time.perf_counter()
    workers = [subprocess.Popen([sys.executable, __file__, "--burst-worker", f, BURST_UNIT],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
               for f in files]
    results = [w.communicate(timeout=600)[0].split() for w in workers]
    took = time.perf_counter() - t0
    for f in files:
        os.unlink(f)
    ok = sum(int(r[0]) for r in results)
    to_people = Ticket.objects.filter(number__in=numbers, assignee__in=people).count()
    queued = Ticket.objects.filter(number__in=numbers, state="assigned",
                                   assignee__isnull=True).count()
    print(f"# burst: {args.burst} tickets in triage, {BURST_WORKERS} parallel dispatchers "
          f"(each ticket tried by two), unit {BURST_UNIT} with {len(people)} people, 5 free "
          f"places each ({free}), then its duty lead — {took:.1f} s")
    print(f"  successful dispatches {ok} (expected {args.burst}), to a person {to_people} "
          f"(expected {min(free, args.burst)}), unit queue {queued}")
    print(f"  invariants: {_invariants()}")


if __name__ == "__main__":
    main()

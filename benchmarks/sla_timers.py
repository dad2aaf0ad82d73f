"""Benchmark (issue 6): how late the SLA clocks act, with 100,000 open tickets in PostgreSQL.

    .venv/bin/python benchmarks/sla_timers.py --tickets 100000 --checks 3000 --window 300

1. Creates the scratch database dispatch_bench (dropped first), loads the org directory, and
   bulk-inserts --tickets open tickets, each assigned to a caseworker and holding running
   contact, meet and resolve clocks (3 × tickets rows) whose next checks lie hours to days
   ahead, as in a district with that many tickets in work.
2. Starts a Celery worker (--worker-concurrency processes) and beat as separate processes, on
   Redis (127.0.0.1:6379, db 13, flushed first), configured as in production (sweeper every
   30 s, ETA timers for checks inside SLA_TIMER_MAX_SECONDS).
3. Moves --checks contact clocks so that their warning falls at a random moment of the next
   --window seconds (from 40 s on) and their deadline two minutes after it: 2 × --checks
   warnings and breaches to act on, each breach also taking the ladder's first step.
4. Waits (bounded) until all were acted on, then reads lateness = acted-on time − due time
   from the rows, p50/p99/max, separately for warnings and breaches; samples the worker's
   resident memory (main process and pool children, from /proc) every second throughout.
5. Times the sweeper in this process at that size: an idle sweep (nothing due, nothing to
   arm) and a sweep over a backlog of --backlog passed deadlines (a lost broker's worth).

--no-timers measures the fallback alone (ETA timers disabled: only the sweeper acts).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from intake import ENV, _prepare  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/13"
WARN_TO_DUE = timedelta(minutes=2)
LEAD_IN_S = 40


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def _tree(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        kids = [int(p) for p in children.read_text().split()]
    except FileNotFoundError:
        return []
    return [pid] + [d for k in kids for d in _tree(k)]


def _populate(count: int) -> None:
    """Open tickets with their clocks, in bulk (the services would take an hour for this)."""
    from django.utils import timezone

    from org.models import Staff
    from sla.clocks import sla_policy_for
    from sla.models import SlaClock
    from tickets.models import Channel, Ticket

    now = timezone.now()
    rng = random.Random(6)
    channel = Channel.objects.order_by("code").first()
    people = list(Staff.objects.filter(role="caseworker").values_list("pk", "unit_id"))
    policy = sla_policy_for(urgency="normal", category_l1="", channel_code=channel.code)
    batch = 5000
    for start in range(0, count, batch):
        rows = []
        for i in range(start, min(count, start + batch)):
            staff_id, unit_id = people[i % len(people)]
            rows.append(Ticket(
                number=f"BS{i:08d}", channel=channel, external_id=f"bench-{i}",
                received_at=now - timedelta(hours=rng.uniform(1, 72)), title="压测工单",
                content="用于时限压测的在办工单", state="assigned", unit_id=unit_id,
                assignee_id=staff_id, assigned_at=now, sla_policy=policy))
        Ticket.objects.bulk_create(rows)
        ids = list(Ticket.objects.filter(number__in=[t.number for t in rows])
                   .values_list("pk", "unit_id"))
        clocks = []
        for ticket_id, unit_id in ids:
            for milestone, ahead_h in (("contact", rng.uniform(2, 48)),
                                       ("meet", rng.uniform(2, 48)),
                                       ("resolve", rng.uniform(24, 120))):
                due = now + timedelta(hours=ahead_h)
                warn = due - timedelta(hours=1)
                clocks.append(SlaClock(
                    ticket_id=ticket_id, policy=policy, milestone=milestone, calendar="24x7",
                    minutes=600, unit_id=unit_id, started_at=now, warn_at=warn, due_at=due,
                    next_check_at=warn))
        SlaClock.objects.bulk_create(clocks)
        print(f"  {min(count, start + batch)} tickets", end="\r", flush=True)
    print()


def _start(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "dispatch", *argv],
                            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--checks", type=int, default=3000)
    parser.add_argument("--window", type=int, default=300)
    parser.add_argument("--backlog", type=int, default=2000)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--no-timers", action="store_true")
    args = parser.parse_args()
    if not (1 <= args.tickets <= 200_000 and 1 <= args.checks <= min(args.tickets, 20_000)
            and 200 <= args.window <= 1800 and 1 <= args.backlog <= 20_000):
        parser.error("--tickets 1..200000, --checks 1..min(tickets, 20000), --window 200..1800,"
                     " --backlog 1..20000")
    _prepare()
    env = {**os.environ, **ENV, "REDIS_URL": REDIS_URL, "CELERY_BROKER_URL": "",
           "DISPATCH_VAR_DIR": str(ROOT / "var" / "bench-sla")}
    if args.no_timers:
        env["SLA_TIMER_MAX_SECONDS"] = "0"
    os.environ.update(env)
    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from demo.staff import demo_staff_load
    from org.models import ServiceHeartbeat
    from sla.models import SlaClock
    from sla.timers import sla_sweep
    from tickets.intake.channels import directory_load

    redis.Redis.from_url(REDIS_URL).flushdb()
    call_command("migrate", verbosity=0)
    directory_load()
    demo_staff_load()  # the people tickets are assigned to
    t = time.perf_counter()
    _populate(args.tickets)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"populated {args.tickets} tickets, {SlaClock.objects.count()} clocks in "
          f"{time.perf_counter() - t:.0f} s")

    var = Path(env["DISPATCH_VAR_DIR"])
    var.mkdir(parents=True, exist_ok=True)
    worker = _start(["worker", "--concurrency", str(args.worker_concurrency),
                     "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
                    env, var / "worker.log")
    beat = _start(["beat", "--loglevel", "WARNING", "--schedule", str(var / "beat-schedule")],
                  env, var / "beat.log")
    peak: dict[str, int] = {"total": 0, "main": 0}
    try:
        deadline = time.monotonic() + 120
        while not ServiceHeartbeat.objects.filter(name="beat").exists():
            if time.monotonic() > deadline:
                raise SystemExit("the worker or beat did not come up (see var/bench-sla/*.log)")
            time.sleep(0.5)
        start = timezone.now()
        rng = random.Random(66)
        chosen = list(SlaClock.objects.filter(milestone="contact").order_by("?")
                      .values_list("pk", flat=True)[:args.checks])
        span = args.window - LEAD_IN_S - WARN_TO_DUE.total_seconds()
        for pk in chosen:
            warn = start + timedelta(seconds=LEAD_IN_S + rng.uniform(0, span))
            SlaClock.objects.filter(pk=pk).update(warn_at=warn, due_at=warn + WARN_TO_DUE,
                                                  next_check_at=warn, timer_at=None)
        print(f"{len(chosen)} clocks: warnings from +{LEAD_IN_S} s, deadlines until "
              f"+{args.window} s (set in {(timezone.now() - start).total_seconds():.1f} s)")
        watched = SlaClock.objects.filter(pk__in=chosen)
        limit = time.monotonic() + args.window + 180
        while time.monotonic() < limit:
            pids = _tree(worker.pid)
            total = sum(_rss_kib(p) for p in pids)
            peak["total"] = max(peak["total"], total)
            peak["main"] = max(peak["main"], _rss_kib(worker.pid))
            if (timezone.now() - start).total_seconds() > args.window and \
                    watched.filter(breached_at__isnull=True).count() == 0:
                break
            time.sleep(1)
        processes = len(_tree(worker.pid))
    finally:
        for proc in (worker, beat):
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in (worker, beat):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    rows = list(watched.values_list("warn_at", "warned_at", "due_at", "breached_at"))
    warn_late = [(w2 - w1).total_seconds() for w1, w2, _d, _b in rows if w2]
    breach_late = [(b - d).total_seconds() for _w, _w2, d, b in rows if b]
    missed = sum(1 for r in rows if r[1] is None or r[3] is None)
    mode = "sweeper only (no ETA timers)" if args.no_timers else "ETA timers + sweeper"
    print(f"\n## Timer lateness, {mode}: {args.tickets} open tickets, "
          f"{SlaClock.objects.filter(state='running').count()} running clocks")
    for name, values in (("warnings", warn_late), ("breaches", breach_late)):
        print(f"{name}: {len(values)} acted on, lateness p50 {_percentile(values, .5):.3f} s, "
              f"p99 {_percentile(values, .99):.3f} s, max {max(values):.3f} s")
    print(f"not acted on: {missed}")
    print(f"worker memory (RSS): peak {peak['total'] / 1024:.0f} MiB over {processes} processes "
          f"(main process peak {peak['main'] / 1024:.0f} MiB)")

    # The sweeper at this size, in this process (worker and beat stopped).
    idle = []
    for _ in range(20):
        t = time.perf_counter()
        sla_sweep()
        idle.append(time.perf_counter() - t)
    print(f"\n## Sweeper at {args.tickets} tickets: idle sweep p50 "
          f"{_percentile(idle, .5) * 1000:.1f} ms, max {max(idle) * 1000:.1f} ms (20 runs)")
    now = timezone.now()
    backlog = list(SlaClock.objects.filter(state="running", warned_at__isnull=True,
                                           milestone="meet").values_list("pk", flat=True)
                   [:args.backlog])
    SlaClock.objects.filter(pk__in=backlog).update(
        warn_at=now - timedelta(minutes=5), due_at=now - timedelta(minutes=1),
        next_check_at=now - timedelta(minutes=5))
    t = time.perf_counter()
    acted = sla_sweep(now=now)
    took = time.perf_counter() - t
    print(f"backlog sweep: {acted} passed deadlines acted on in {took:.1f} s "
          f"({took / max(acted, 1) * 1000:.1f} ms each)")
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN SELECT id FROM sla_slaclock WHERE state = 'running' AND "
                       "next_check_at <= now() ORDER BY next_check_at LIMIT 500")
        print("plan of the sweeper's query:", " / ".join(r[0].strip() for r in cursor.fetchall()))


if __name__ == "__main__":
    main()

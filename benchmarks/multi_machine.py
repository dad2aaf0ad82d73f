"""The multi-machine layout as plain processes (issue 13), with a worker killed mid-run.

    .venv/bin/python benchmarks/multi_machine.py [--requests 3000] [--rate 40] [--train 3000]

Two "machines", A and B, are two sets of processes with different DISPATCH_VAR_DIR (nothing on
disk is shared), one PostgreSQL database and one Redis, on 127.0.0.1 only:
    A: web (gunicorn), worker (default queue), retrain worker (queue "retrain"), beat
    B: web (gunicorn), worker (default queue)
1. A fresh database (dispatch_multi, dropped first): `migrate` with checks, `load_org`,
   `load_demo_staff`; on A, two router models are trained (`train_synthetic_router N`):
   the first promoted, the second left a candidate.
2. Every process starts; both webs must answer /readyz/ with 200 (migrated, broker, worker and
   beat heartbeats, model loadable).
3. --requests signed webhooks (90 % new, 10 % retries of one already sent) at --rate per second,
   alternately through both webs. A nightly retrain is sent to its own queue at the start. A
   third of the way through, A's worker is killed with SIGKILL (its whole process group: the
   machine dies) and, from A, the second model is promoted; only B's worker routes from then on.
4. Afterwards (bounded waits: the intake sweeper re-queues what the dead worker held): every
   accepted request has exactly one ticket, none is stuck in "received", and tickets routed
   after the promotion carry the model promoted on A. The last line is JSON.

Exit code 0 only if nothing was lost, duplicated or stuck and B served A's model.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = "dispatch_multi"
REDIS_DB = 13
PLAIN_HTTP = {"SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0",
              "CSRF_COOKIE_SECURE": "0", "SECURE_HSTS_SECONDS": "0"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine_env(*, var_dir: Path, db_name: str, fast: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(PLAIN_HTTP)
    env.update(
        DJANGO_SETTINGS_MODULE="dispatch.settings.base", DISPATCH_VAR_DIR=str(var_dir),
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{db_name}",
        DATABASE_CONN_MAX_AGE="60", REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
        SECRET_KEY="multi-machine-run-only", ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING", LOG_FORMAT="plain", PYTHONUNBUFFERED="1",
        DISPATCH_HEARTBEAT_SECONDS="5", ROUTER_RELOAD_SECONDS="5",
        # A short run waits less for the sweeper to re-queue what the dead worker held.
        INTAKE_SWEEP_SECONDS="5" if fast else "30", ROUTE_STALE_SECONDS="15" if fast else "60",
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _status(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")
    except (urllib.error.URLError, OSError, ValueError):
        return 0, {}


def _wait(check: Any, limit_s: float, step: float = 0.5) -> bool:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return False


class Machine:
    def __init__(self, name: str, env: dict[str, str], logs: Path) -> None:
        self.name, self.env, self.logs = name, env, logs
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.port = 0

    def start(self, role: str, argv: list[str]) -> None:
        log = (self.logs / f"{self.name}-{role}.log").open("wb")
        self.processes[role] = subprocess.Popen(
            [sys.executable, "-m", *argv], cwd=ROOT, env=self.env, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)

    def start_web(self, workers: int) -> None:
        self.port = _free_port()
        self.start("web", ["gunicorn", "dispatch.wsgi:application", "--bind",
                           f"127.0.0.1:{self.port}", "--workers", str(workers),
                           "--log-level", "warning"])

    def start_worker(self, role: str, queues: str, concurrency: int) -> None:
        self.start(role, ["celery", "-A", "dispatch", "worker", "--loglevel", "INFO",
                          "--queues", queues, "--concurrency", str(concurrency),
                          "--without-gossip", "--without-mingle",
                          "--hostname", f"{role}-{self.name}@%h"])

    def kill(self, role: str) -> None:
        os.killpg(self.processes[role].pid, signal.SIGKILL)
        self.processes[role].wait()

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _recreate_database(db_name: str) -> None:
    import psycopg
    import redis

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {db_name}")
    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()


def _drop_database(db_name: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="multi-machine-"))
    fast = args.requests <= 1000
    a = Machine("a", machine_env(var_dir=work / "machine-a", db_name=args.db, fast=fast), work)
    b = Machine("b", machine_env(var_dir=work / "machine-b", db_name=args.db, fast=fast), work)
    _recreate_database(args.db)
    t0 = time.perf_counter()
    manage(a.env, "migrate")  # with the system checks, as an operator runs it
    manage(a.env, "load_org")
    manage(a.env, "load_demo_staff", "--allow-production")
    # This process is A's admin shell from here on.
    os.environ.update(a.env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count, F
    from django.utils import timezone

    from demo.traffic import SimChannel, traffic_plan, traffic_send
    from org.models import ServiceHeartbeat, Staff
    from routing_model.models import ModelVersion, RetrainRun
    from tickets.models import Channel, Ticket, TicketEvent

    Channel.objects.update(rate_limit_per_minute=10_000_000)  # measure the layout, not limits
    Staff.objects.filter(role="caseworker").update(capacity=30_000)
    manage(a.env, "train_synthetic_router", str(args.train), "--promote")
    manage(a.env, "train_synthetic_router", str(args.train), "--seed", "7")
    first, second = (ModelVersion.objects.order_by("created_at")
                     .values_list("version", flat=True))
    prepared_s = time.perf_counter() - t0

    a.start_web(args.web_workers)
    b.start_web(args.web_workers)
    a.start_worker("worker", "celery", args.worker_concurrency)
    b.start_worker("worker", "celery", args.worker_concurrency)
    a.start_worker("retrain", "retrain", 1)
    a.start("beat", ["celery", "-A", "dispatch", "beat", "--loglevel", "INFO"])
    result: dict[str, Any] = {"requests": args.requests, "rate": args.rate}
    try:
        webs = [f"http://127.0.0.1:{m.port}" for m in (a, b)]
        ready = _wait(lambda: all(_status(f"{w}/readyz/")[0] == 200 for w in webs), 180)
        result["ready_before_traffic"] = ready
        if not ready:
            result["readyz"] = [_status(f"{w}/readyz/") for w in webs]
            return result
        channels = [SimChannel(c.code, c.family, c.signing_secrets[0])
                    for c in Channel.objects.order_by("code")]
        plan = traffic_plan(channels=channels, count=args.requests, seed=13,
                            now=timezone.now(), mix={"new": 0.9, "retry": 0.1},
                            first_seq=int(time.time()) * 1_000_000)
        manage(a.env, "shell", "-c", "from routing_model.tasks import router_retrain_task; "
               "router_retrain_task.delay()")
        seconds = args.requests / args.rate
        events: dict[str, float] = {}

        def fault() -> None:
            time.sleep(seconds * 0.3)
            a.kill("worker")
            events["killed_at"] = time.perf_counter() - started
            # In this process (A's admin shell): a new manage.py process takes about 5 s to
            # start here, 17 s under this load, and its promotion then landed after the last
            # request, leaving no ticket to show which model B's worker served.
            call_command("promote_model", second)
            events["promoted_at"] = time.perf_counter() - started
            events["promoted_wall"] = time.time()

        outcomes: list[Any] = []
        lock = threading.Lock()

        def send(base: str, share: list[Any]) -> None:
            got = traffic_send(base_url=base, requests=share, rate=args.rate / 2,
                               concurrency=8, max_seconds=min(900, seconds + 120))
            with lock:
                outcomes.extend(got)

        started = time.perf_counter()
        threads = [threading.Thread(target=fault)] + [
            threading.Thread(target=send, args=(webs[i], plan[i::2])) for i in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        sent_s = time.perf_counter() - started
        numbers = {o.ticket_number for o in outcomes if o.ticket_number}
        drained = _wait(lambda: not Ticket.objects.filter(
            number__in=numbers, state="received").exists(), 300, 1.0)
        result["drained_after_s"] = round(time.perf_counter() - started - sent_s, 1)

        accepted: dict[tuple[str, str], set[str]] = {}
        for o in outcomes:
            if o.status in (200, 201):
                accepted.setdefault((o.request.channel.code, o.request.external_id),
                                    set()).add(o.ticket_number)
        per_id = Counter()
        for code, external_id in Ticket.objects.filter(number__in=numbers).values_list(
                "channel__code", "external_id"):
            per_id[(code, external_id)] += 1
        promoted_wall = events.get("promoted_wall", time.time())
        after = datetime.fromtimestamp(
            promoted_wall + int(a.env["ROUTER_RELOAD_SECONDS"]) + 1, tz=UTC)
        routed_after = Ticket.objects.filter(number__in=numbers, created_at__gte=after)
        by_model = Counter(routed_after.values_list("prediction_explanation__model_version",
                                                    flat=True))
        twice = (TicketEvent.objects.filter(ticket__number__in=numbers, action="create")
                 .values("ticket_id").annotate(n=Count("pk")).filter(n__gt=1).count())
        states = Counter(Ticket.objects.filter(number__in=numbers)
                         .values_list("state", flat=True))
        # The sweeper moves route_requested_at when it queues a ticket again.
        requeued = Ticket.objects.filter(
            number__in=numbers,
            route_requested_at__gt=F("created_at") + timedelta(seconds=1)).count()
        retrain = RetrainRun.objects.order_by("-started_at").first()
        retrain_log = (work / "a-retrain.log").read_text(errors="replace")
        result.update({
            "sent": len(outcomes),
            "sent_seconds": round(sent_s, 1),
            "status": dict(Counter(str(o.status or "error") for o in outcomes)),
            "accepted_requests": sum(1 for o in outcomes if o.status in (200, 201)),
            "accepted_external_ids": len(accepted),
            "tickets": len(numbers),
            "answered_two_numbers": sum(len(n) > 1 for n in accepted.values()),
            "lost": sum(1 for key in accepted if per_id[key] == 0),
            "duplicates": sum(1 for key in accepted if per_id[key] > 1) + twice,
            "stuck_in_received": states.get("received", 0),
            "requeued_by_sweeper": requeued,
            "drained": drained,
            "states": dict(states),
            "worker_killed_at_s": round(events.get("killed_at", -1), 1),
            "model_promoted_on_a_at_s": round(events.get("promoted_at", -1), 1),
            "models": {"first": first, "second": second},
            "routed_after_promotion_by_model": dict(by_model),
            "b_served_a_model": by_model.get(second, 0) > 0 and by_model.get(first, 0) == 0,
            "retrain": retrain.status if retrain else None,
            "retrain_ran_on_retrain_queue": "router_retrain_task" in retrain_log,
            "heartbeats": sorted(ServiceHeartbeat.objects.values_list("name", flat=True)),
            "readyz_after": [_status(f"{w}/readyz/")[0] for w in webs],
            "prepare_seconds": round(prepared_s, 1),
        })
        return result
    finally:
        a.stop()
        b.stop()
        if not args.keep:
            from django.db import connections

            connections.close_all()
            _drop_database(args.db)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=40)
    parser.add_argument("--train", type=int, default=3000)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--db", default=DB_NAME)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if not (50 <= args.requests <= 20_000 and 1 <= args.rate <= 200
            and 500 <= args.train <= 20_000):
        parser.error("--requests 50..20000, --rate 1..200, --train 500..20000")
    if args.requests / args.rate < 30:
        parser.error("the run must last at least 30 s (--requests / --rate): the promotion "
                     "needs time to be seen by the surviving worker")
    result = run(args)
    ok = (result.get("ready_before_traffic") and result.get("lost") == 0
          and result.get("duplicates") == 0 and result.get("stuck_in_received") == 0
          and result.get("answered_two_numbers") == 0 and result.get("b_served_a_model")
          and result.get("retrain_ran_on_retrain_queue"))
    for key, value in result.items():
        print(f"{key}: {value}")
    print(json.dumps({**result, "ok": bool(ok)}, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

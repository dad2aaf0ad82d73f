"""Benchmark: the intake webhook under gunicorn against PostgreSQL, load from loopback.

Creates the scratch database dispatch_bench on 127.0.0.1:5432 (dropped first), loads the org
directory, starts gunicorn on 127.0.0.1 with the production settings (PostgreSQL, Redis broker
db 14 for the after-commit routing tasks), then:
  1. offered load: --rate requests/s for --seconds, the simulator's realistic mix
     (new requests, retries, near-duplicates, invalid payloads), latency from when each was due;
  2. saturation: as fast as --concurrency connections allow, for --seconds;
and checks against the database that no accepted request was lost or duplicated.

    .venv/bin/python benchmarks/intake.py --rate 300 --seconds 30 --workers 4 --threads 4
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "dispatch_bench"
PORT = 8791
ENV = {
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}",
    "DATABASE_CONN_MAX_AGE": "60",
    "REDIS_URL": "redis://127.0.0.1:6379/14",
    "DJANGO_SETTINGS_MODULE": "dispatch.settings.base",
    "SECRET_KEY": "bench-only",
    "LOG_LEVEL": "ERROR",
    "DEBUG": "0",
    # plain http on the loopback address
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
}


def _prepare() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {BENCH_DB}")


def _wait_for(url: str, limit_s: float) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url}")


def _print_report(title: str, report, verify: dict[str, int]) -> None:  # noqa: ANN001
    print(f"\n## {title}")
    print(f"requests {report.sent} in {report.seconds:.1f} s = {report.per_second:.1f} req/s")
    print(f"latency ms: p50 {report.p50_ms:.1f}  p95 {report.p95_ms:.1f}  "
          f"p99 {report.p99_ms:.1f}  max {report.max_ms:.1f}")
    print(f"by kind {dict(report.by_kind)}  by status {dict(report.by_status)}")
    print(f"unexpected statuses: {len(report.unexpected)} {report.unexpected[:5]}")
    print(f"database check: {json.dumps(verify)}")


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(1)  # so that `finally` stops gunicorn


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=300)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1,
                        help="1: sync workers; more: gthread workers with that many threads")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not (1 <= args.rate <= 2000 and 1 <= args.seconds <= 120):
        parser.error("--rate 1..2000, --seconds 1..120")

    if not _port_is_free(PORT):
        raise SystemExit(f"127.0.0.1:{PORT} is in use (a gunicorn left from an earlier run?)")
    _prepare()
    os.environ.update(ENV)
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from demo.traffic import (
        SimChannel,
        traffic_plan,
        traffic_report,
        traffic_send,
        traffic_verify,
    )
    from tickets.intake.channels import directory_load
    from tickets.models import Channel

    call_command("migrate", verbosity=0)
    directory_load()
    # The benchmark measures the server, not the per-channel limit.
    Channel.objects.update(rate_limit_per_minute=10_000_000)
    channels = [SimChannel(c.code, c.family, c.signing_secrets[0])
                for c in Channel.objects.order_by("code")]
    subprocess.run(["redis-cli", "-n", "14", "FLUSHDB"], check=False, capture_output=True)

    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "dispatch.wsgi:application",
         "--bind", f"127.0.0.1:{PORT}", "--workers", str(args.workers),
         "--worker-class", "gthread" if args.threads > 1 else "sync",
         "--threads", str(args.threads),
         "--log-level", "warning", "--backlog", "2048"],
        cwd=ROOT, env={**os.environ}, start_new_session=True,
    )
    base = f"http://127.0.0.1:{PORT}"
    run_id = int(time.time()) * 1_000_000
    try:
        _wait_for(f"{base}/healthz/", 60)
        cpu = os.cpu_count()
        kind = f"gthread × {args.threads} threads" if args.threads > 1 else "sync"
        print(f"# intake benchmark: {cpu} cores, gunicorn {args.workers} workers ({kind}), "
              f"PostgreSQL + Redis on 127.0.0.1, "
              f"load generator in this process ({args.concurrency} connections)")
        warmup = traffic_plan(channels=channels, count=300, seed=args.seed + 1,
                              now=timezone.now(), first_seq=run_id)
        traffic_send(base_url=base, requests=warmup, rate=None, concurrency=8, max_seconds=60)

        count = int(args.rate * args.seconds)
        plan = traffic_plan(channels=channels, count=count, seed=args.seed, now=timezone.now(),
                            first_seq=run_id + 1_000)
        started = time.perf_counter()
        outcomes = traffic_send(base_url=base, requests=plan, rate=args.rate,
                                concurrency=args.concurrency, max_seconds=args.seconds + 30)
        report = traffic_report(outcomes, time.perf_counter() - started - 0.2)
        _print_report(f"offered load {args.rate:g} req/s for {args.seconds:g} s", report,
                      traffic_verify(outcomes))

        plan = traffic_plan(channels=channels, count=int(2000 * args.seconds),
                            seed=args.seed + 2, now=timezone.now(),
                            first_seq=run_id + 500_000)
        started = time.perf_counter()
        outcomes = traffic_send(base_url=base, requests=plan, rate=None,
                                concurrency=args.concurrency, max_seconds=args.seconds)
        report = traffic_report(outcomes, time.perf_counter() - started - 0.2)
        _print_report(f"saturation, {args.concurrency} connections, {args.seconds:g} s", report,
                      traffic_verify(outcomes))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

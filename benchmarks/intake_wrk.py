"""The intake benchmark with wrk (C) as the load generator instead of Python threads, so that
nearly all CPU goes to the server: shows how much of the Python generator's share was hiding.

Needs Debian's wrk (`apt-get install wrk`). Same server set-up as benchmarks/intake.py; requests
are signed in advance (valid for 5 minutes), all new, from all 33 channels.

    .venv/bin/python benchmarks/intake_wrk.py --seconds 20 --connections 32 --workers 5

``--ceilings`` adds two runs that write nothing (a 401 and /healthz/), to compare in one run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import intake as base  # noqa: E402  (the sibling benchmark: database, server, environment)


def main() -> None:
    signal.signal(signal.SIGTERM, base._stop_on_sigterm)
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--requests", type=int, default=12_000)
    parser.add_argument("--ceilings", action="store_true",
                        help="also measure, on the same server in the same run, two requests "
                             "that write nothing: GET /healthz/ and an intake POST refused "
                             "with 401 (bad signature)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    if not (1 <= args.seconds <= 120 and 1 <= args.connections <= 256
            and 1 <= args.requests <= 100_000):
        parser.error("--seconds 1..120, --connections 1..256, --requests 1..100000")
    if not base._port_is_free(base.PORT):
        raise SystemExit(f"127.0.0.1:{base.PORT} is in use")
    base._prepare()
    os.environ.update(base.ENV)
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from demo.traffic import SimChannel, traffic_plan
    from tickets.core.signing import signature_header
    from tickets.intake.channels import directory_load
    from tickets.models import Channel, IntakeRecord, Ticket

    call_command("migrate", verbosity=0)
    directory_load()
    Channel.objects.update(rate_limit_per_minute=10_000_000)
    channels = [SimChannel(c.code, c.family, c.signing_secrets[0])
                for c in Channel.objects.order_by("code")]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "dispatch.wsgi:application",
         "--bind", f"127.0.0.1:{base.PORT}", "--workers", str(args.workers),
         "--log-level", "error", "--backlog", "2048"],
        cwd=HERE.parent, env={**os.environ}, start_new_session=True,
    )
    threads = 2
    try:
        base._wait_for(f"http://127.0.0.1:{base.PORT}/healthz/", 60)
        plan = traffic_plan(channels=channels, count=args.requests, seed=11, now=timezone.now(),
                            mix={"new": 1.0}, first_seq=int(time.time()) * 1_000_000)
        now = int(time.time())
        with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as fh:
            for r in plan:
                body = r.body.decode()
                sig = signature_header(secret=r.channel.secret, timestamp=now, body=r.body)
                fh.write(f"/api/intake/{r.channel.code}/\t{sig}\t{body}\n")
            requests_file = fh.name
        def wrk(*extra: str) -> str:
            return subprocess.run(
                ["wrk", "-t", str(threads), "-c", str(args.connections), "-d",
                 f"{args.seconds}s", "--latency", *extra],
                capture_output=True, text=True, timeout=args.seconds + 60,
            ).stdout

        out_stdout = wrk("-s", str(HERE / "intake_wrk.lua"), f"http://127.0.0.1:{base.PORT}",
                         "--", requests_file, str(threads))
        print(f"# intake with wrk: {os.cpu_count()} cores, gunicorn {args.workers} sync workers, "
              f"{args.connections} connections, {args.seconds} s, all-new signed requests")
        print(out_stdout)
        ids = [r.external_id for r in plan]
        tickets = Ticket.objects.filter(external_id__in=ids).count()
        records = IntakeRecord.objects.count()
        print(f"database check: tickets for this run's ids {tickets} (each id at most once by the "
              f"unique index), intake records {records}")
        os.unlink(requests_file)
        if args.ceilings:
            with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as fh:
                for r in plan[:500]:
                    fh.write(f"/api/intake/{r.channel.code}/\tt={now},v1=00\t{r.body.decode()}\n")
                refused_file = fh.name
            print("# ceiling 1: intake POST refused with 401 (channel, HMAC; no write)")
            print(wrk("-s", str(HERE / "intake_wrk.lua"), f"http://127.0.0.1:{base.PORT}",
                      "--", refused_file, str(threads)))
            os.unlink(refused_file)
            print("# ceiling 2: GET /healthz/ (one small query)")
            print(wrk(f"http://127.0.0.1:{base.PORT}/healthz/"))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

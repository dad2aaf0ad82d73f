"""The container's entry point: one image, a role per container.

    python -m dispatch.container web | worker | retrain-worker | beat | migrate
    python -m dispatch.container health        (the image's HEALTHCHECK)

Standard library only and no Django import: it replaces itself (exec) with the real program,
so signals reach gunicorn or Celery directly. Tuning comes from the environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROLE_FILE = Path("/tmp/dispatch-role")  # per container; the health check reads it
HEARTBEAT_MAX_AGE_SECONDS = 120


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def role_command(role: str) -> list[list[str]]:
    """The commands a role runs, in order; the last one replaces this process."""
    python = sys.executable
    if role == "web":
        return [[python, "-m", "gunicorn", "dispatch.wsgi:application",
                 "--bind", f"0.0.0.0:{_env('PORT', '8000')}",
                 "--workers", _env("WEB_CONCURRENCY", "3"),
                 "--timeout", _env("WEB_TIMEOUT", "30"),
                 # the proxy in front sets X-Forwarded-*; gunicorn trusts it only from here
                 "--forwarded-allow-ips", _env("FORWARDED_ALLOW_IPS", "127.0.0.1"),
                 "--access-logfile", "-"]]
    if role == "worker":
        return [[python, "-m", "celery", "-A", "dispatch", "worker", "--loglevel", "INFO",
                 "--queues", _env("CELERY_QUEUES", "celery"),
                 "--concurrency", _env("WORKER_CONCURRENCY", "2"),
                 "--without-gossip", "--without-mingle"]]
    if role == "retrain-worker":
        # One retrain at a time, on its own queue, so routing never waits behind it; in a
        # child process (the parent keeps its heartbeat) that exits after each run and hands
        # its memory back.
        return [[python, "-m", "celery", "-A", "dispatch", "worker", "--loglevel", "INFO",
                 "--queues", "retrain", "--concurrency", "1", "--max-tasks-per-child", "1",
                 "--without-gossip", "--without-mingle", "--hostname", "retrain@%h"]]
    if role == "beat":
        return [[python, "-m", "celery", "-A", "dispatch", "beat", "--loglevel", "INFO"]]
    if role == "migrate":
        return [[python, "manage.py", "migrate", "--noinput"],
                [python, "manage.py", "load_org"]]
    raise SystemExit(f"unknown role {role!r}: web, worker, retrain-worker, beat, migrate, health")


def run(role: str) -> None:
    ROLE_FILE.write_text(role)
    *first, last = role_command(role)
    for argv in first:
        subprocess.run(argv, check=True)
    os.execv(last[0], last)


def health() -> int:
    """0 when this container's role is alive: web answers /healthz/; a worker or beat wrote
    its heartbeat file lately (the database may be away: that is /readyz/'s business)."""
    role = ROLE_FILE.read_text().strip() if ROLE_FILE.exists() else "web"
    if role == "web":
        url = f"http://127.0.0.1:{_env('PORT', '8000')}/healthz/"
        try:
            with urllib.request.urlopen(url, timeout=4) as response:
                return 0 if response.status == 200 else 1
        except (urllib.error.URLError, OSError):
            return 1
    if role in {"worker", "retrain-worker", "beat"}:
        name = "beat" if role == "beat" else "worker"
        var_dir = Path(_env("DISPATCH_VAR_DIR", "/var/lib/dispatch"))
        path = var_dir / "heartbeats" / name
        if not path.exists():
            return 1
        return 0 if time.time() - path.stat().st_mtime < HEARTBEAT_MAX_AGE_SECONDS else 1
    return 0  # migrate: runs once and exits


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    if argv[0] == "health":
        return health()
    run(argv[0])
    return 0  # not reached: exec replaced this process


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

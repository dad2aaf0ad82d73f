"""Faults against the real programs (issue 15): gunicorn, a Celery worker with beat, a private
redis-server (broker and cache) and the test database on PostgreSQL, under webhook traffic.

1. Redis is stopped during an intake burst: webhooks still answer 201 (the hand-off to the
   router is lost with the broker, the intake sweeper queues it once Redis is back).
2. The worker is killed with SIGKILL while routing: a new worker routes what the dead one held
   within the sweeper's period, not after the broker's visibility timeout (two hours).
3. The web's database connections are terminated mid-request (pg_terminate_backend): callers
   get a 503 they retry, nothing is half-written.
Afterwards every accepted request has exactly one ticket, no ticket or raw record is left
unfinished, and every deadline that passed during the faults has exactly one breach.

    .venv/bin/pytest tests/dispatch/test_faults.py -s    (prints the figures in BENCHMARKS.md)
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from org.models import ServiceHeartbeat
from sla.models import Breach, SlaClock, SlaPolicy
from tests.factories import ChannelFactory
from tests.processes import RedisServer, free_port, wait_until
from tickets.core.signing import signature_header
from tickets.models import IntakeRecord, Ticket
from tickets.services import lifecycle as services

pytestmark = [pytest.mark.postgres, pytest.mark.service, pytest.mark.faults,
              pytest.mark.django_db(transaction=True)]
STALE_S, SWEEP_S = 3, 1  # the sweeper's period here (defaults: 60 s and 30 s)
PER_PHASE = 30
DEADLINES = 20


class Stack:
    """gunicorn and a Celery worker with beat, configured like production but for the sweeps."""

    def __init__(self, tmp: Path, redis_port: int) -> None:
        db = connection.settings_dict
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL"}},
            "DJANGO_SETTINGS_MODULE": "dispatch.settings.base",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", "SECRET_KEY": "faults",
            "ALLOWED_HOSTS": "127.0.0.1", "DISPATCH_VAR_DIR": str(tmp / "var"),
            "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0", "SECURE_HSTS_SECONDS": "0", "LOG_FORMAT": "plain",
            "LOG_LEVEL": "WARNING", "INTAKE_SWEEP_SECONDS": str(SWEEP_S),
            "ROUTE_STALE_SECONDS": str(STALE_S), "INTAKE_RECORD_STALE_SECONDS": str(STALE_S),
            "SLA_SWEEP_SECONDS": "1", "DISPATCH_HEARTBEAT_SECONDS": "1",
            "DATABASE_CONN_MAX_AGE": "60"}
        self.port = free_port()
        self.logs = tmp
        self.web = self._start("web", ["gunicorn", "dispatch.wsgi:application", "--bind",
                                        f"127.0.0.1:{self.port}", "--workers", "2"])
        self.worker = self.start_worker("worker-1")

    def _start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        return subprocess.Popen([sys.executable, "-m", *argv], cwd=settings.BASE_DIR,
                                env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        return self._start(name, ["celery", "-A", "dispatch", "worker", "--beat",
                                  "--concurrency", "2", "--without-gossip", "--without-mingle",
                                  "--hostname", f"{name}@%h", "--schedule",
                                  str(self.logs / f"{name}-beat")])

    def stop(self) -> None:
        for proc in (self.web, self.worker):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in (self.web, self.worker):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _post(port: int, channel_code: str, secret: str, body: bytes) -> int | None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", f"/api/intake/{channel_code}/", body=body, headers={
            "Content-Type": "application/json",
            "X-Signature": signature_header(secret=secret, timestamp=int(time.time()),
                                            body=body)})
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


class Channel:
    """A channel's client: retries a 503 or a dropped connection with the same body (the same
    external id), as the intake contract asks of channels; counts what it saw."""

    def __init__(self, port: int, code: str, secret: str) -> None:
        self.port, self.code, self.secret = port, code, secret
        self.accepted: set[str] = set()
        self.statuses: Counter[str] = Counter()
        self.lock = threading.Lock()

    def send(self, external_id: str) -> None:
        body = json.dumps({"submission_id": external_id, "title": "故障演练",
                           "content": f"第 {external_id} 件诉求"}, ensure_ascii=False).encode()
        for attempt in range(8):
            status = _post(self.port, self.code, self.secret, body)
            with self.lock:
                self.statuses[str(status)] += 1
            if status in (200, 201):
                with self.lock:
                    self.accepted.add(external_id)
                return
            if status not in (None, 503):
                return  # a refusal is final: counted, never retried
            time.sleep(0.2 * (attempt + 1))  # the channel's backoff before its retry


def _unfinished(ids: set[str]) -> int:
    return Ticket.objects.filter(external_id__in=ids, state="received").count()


def test_faults_lose_nothing_and_repeat_nothing(org, tmp_path):
    redis_server = RedisServer(free_port())
    redis_server.start()
    web_channel = ChannelFactory(code="fault-web", family="web_form",
                                 rate_limit_per_minute=1_000_000)
    SlaPolicy.objects.get_or_create(name="紧急件 10-30-24", urgency="urgent", version=1, defaults={
        "milestones": [{"milestone": "contact", "minutes": 10, "calendar": "24x7"}]})
    held = [services.ticket_assign(ticket=org.ticket("triage", urgency="urgent"),
                                   actor=org.centre_dispatcher.user, unit=org.unit,
                                   assignee=org.assignee) for _ in range(DEADLINES)]
    stack = Stack(tmp_path, redis_server.port)
    client = Channel(stack.port, web_channel.code, web_channel.signing_secrets[0])
    figures: dict[str, object] = {}
    try:
        assert wait_until(lambda: ServiceHeartbeat.objects.filter(name="beat").exists(), 90), (
            (tmp_path / "worker-1.log").read_text()[-3000:])
        assert wait_until(lambda: _post(stack.port, "none", "x", b"{}") == 404, 60)
        # Contact deadlines that fall due while the faults happen (the rows are the timers).
        start = timezone.now() + timedelta(seconds=3)
        for i, ticket in enumerate(held):
            due = start + timedelta(milliseconds=500 * i)
            SlaClock.objects.filter(ticket=ticket, milestone="contact").update(
                warn_at=due - timedelta(seconds=1), due_at=due,
                next_check_at=due - timedelta(seconds=1), timer_at=None)

        # 1. Redis stopped in the middle of a burst, started again (empty) after it.
        phase1 = [f"redis-{i}" for i in range(PER_PHASE)]
        for external_id in phase1[:10]:
            client.send(external_id)
        redis_server.kill()
        down_before = client.statuses["201"]
        for external_id in phase1[10:20]:
            client.send(external_id)
        figures["answered 201 while Redis was down"] = client.statuses["201"] - down_before
        redis_server.start()
        for external_id in phase1[20:]:
            client.send(external_id)
        assert client.accepted >= set(phase1), client.statuses
        assert wait_until(lambda: _unfinished(set(phase1)) == 0, 60), "routing not swept up"

        # 2. The worker killed while routing a burst; a new one takes over.
        phase2 = [f"worker-{i}" for i in range(PER_PHASE)]
        sender = threading.Thread(target=lambda: [client.send(i) for i in phase2])
        sender.start()
        assert wait_until(lambda: Ticket.objects.filter(external_id__in=phase2).count() >= 10,
                          60)
        os.killpg(stack.worker.pid, signal.SIGKILL)
        stack.worker.wait()
        killed_at = time.monotonic()
        stack.worker = stack.start_worker("worker-2")
        sender.join(timeout=120)
        assert wait_until(lambda: _unfinished(set(phase2)) == 0, 90), "not rerouted"
        figures["worker killed → all routed (s)"] = round(time.monotonic() - killed_at, 1)

        # 3. The web's database connections terminated while requests run.
        phase3 = [f"db-{i}" for i in range(PER_PHASE)]
        sender = threading.Thread(target=lambda: [client.send(i) for i in phase3])
        sender.start()
        db = connection.settings_dict
        url = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        terminated = 0
        with psycopg.connect(url, autocommit=True) as admin:
            own = connection.cursor().connection.info.backend_pid
            for _ in range(5):
                time.sleep(0.4)  # paces the fault, not an outcome: spread over the burst
                rows = admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                    "%s AND pid <> pg_backend_pid() AND pid <> %s", [db["NAME"], own]).fetchall()
                terminated += len(rows)
        sender.join(timeout=120)
        figures["database connections terminated"] = terminated

        every = set(phase1) | set(phase2) | set(phase3)
        assert client.accepted == every, (every - client.accepted, client.statuses)
        assert wait_until(lambda: _unfinished(every) == 0, 60)
        assert wait_until(lambda: not IntakeRecord.objects.filter(outcome="received").exists(),
                          60), "a raw record left unfinished"
        tickets = Counter(Ticket.objects.filter(channel=web_channel)
                          .values_list("external_id", flat=True))
        assert set(tickets) == every and set(tickets.values()) == {1}
        # Every deadline that passed during the faults: exactly one breach, none repeated.
        passed = SlaClock.objects.filter(ticket__in=held, milestone="contact",
                                         due_at__lt=timezone.now())
        assert passed.count() == DEADLINES
        assert wait_until(lambda: Breach.objects.filter(ticket__in=held).count() == DEADLINES,
                          60)
        assert Counter(Breach.objects.filter(ticket__in=held)
                       .values_list("clock_id", flat=True)) == Counter(
            {pk: 1 for pk in passed.values_list("pk", flat=True)})
        figures.update({"requests accepted": len(client.accepted),
                        "tickets": sum(tickets.values()), "lost": len(every - set(tickets)),
                        "duplicated": sum(n - 1 for n in tickets.values()),
                        "responses": dict(client.statuses),
                        "breaches": DEADLINES})
        assert "500" not in client.statuses
        print("\nfault figures:", json.dumps(figures, ensure_ascii=False))
    finally:
        stack.stop()
        if redis_server.running():
            redis_server.kill()

"""Clocks on a real Celery worker (with beat) and a real Redis broker, through faults.

A private redis-server on a free 127.0.0.1 port (so restarting it disturbs nobody) is the
broker; the worker runs against the test database on PostgreSQL. While a hundred contact
deadlines fall due over several seconds, the worker is killed with SIGKILL in the middle of
acting on them and Redis is killed and started again empty (it keeps nothing on disk, so
every queued ETA timer is gone). A second worker comes up; afterwards every passed deadline
has exactly one breach and no ticket was warned, breached or escalated twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from org.models import ServiceHeartbeat
from sla.models import Breach, SlaClock, SlaPolicy
from tests.processes import RedisServer, free_port, wait_until
from tickets.models import Notification, TicketEvent
from tickets.services import lifecycle as services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
TICKETS = 100
LIMIT_S = 90


@pytest.fixture
def broker() -> Iterator[RedisServer]:
    server = RedisServer(free_port())
    server.start()
    yield server
    if server.running():
        server.kill()


def _worker(port: int, var: Path) -> subprocess.Popen:
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dispatch.settings.base",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "CELERY_BROKER_URL": f"redis://127.0.0.1:{port}/0", "REDIS_URL": "",
           "SECRET_KEY": "test", "DISPATCH_VAR_DIR": str(var), "SLA_SWEEP_SECONDS": "1",
           "DISPATCH_HEARTBEAT_SECONDS": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "dispatch", "worker", "--beat",
         "--concurrency", "2", "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)


def _kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)  # the worker, its pool processes and beat: no goodbye
    proc.wait()


def test_a_killed_worker_and_a_restarted_redis_lose_no_deadline_and_repeat_no_action(
        org, broker, tmp_path):
    # A transactional test runs after others have flushed the tables, migration data included.
    SlaPolicy.objects.get_or_create(name="紧急件 10-30-24", urgency="urgent", version=1, defaults={
        "milestones": [{"milestone": "contact", "minutes": 10, "calendar": "24x7"},
                       {"milestone": "meet", "minutes": 30, "calendar": "24x7"}]})
    tickets = [services.ticket_assign(ticket=org.ticket("triage", urgency="urgent"),
                                      actor=org.centre_dispatcher.user, unit=org.unit,
                                      assignee=org.assignee) for _ in range(TICKETS)]
    first = _worker(broker.port, tmp_path / "var1")
    try:
        assert wait_until(lambda: ServiceHeartbeat.objects.filter(name="beat").exists(), 60)
        # The rows are the timers: move the contact deadlines to the next few seconds, one
        # every 80 ms, warnings two seconds before each.
        start = timezone.now() + timedelta(seconds=2)
        for i, ticket in enumerate(tickets):
            warn = start + timedelta(milliseconds=80 * i)
            SlaClock.objects.filter(ticket=ticket, milestone="contact").update(
                warn_at=warn, due_at=warn + timedelta(seconds=2), next_check_at=warn,
                timer_at=None)
        assert wait_until(lambda: Breach.objects.count() >= 10, LIMIT_S)
    finally:
        _kill(first)
    broker.kill()
    done_before_the_faults = Breach.objects.count()
    assert done_before_the_faults < TICKETS  # the faults hit in the middle of the run
    broker.start()  # empty: every queued timer is gone
    second = _worker(broker.port, tmp_path / "var2")
    try:
        assert wait_until(lambda: Breach.objects.count() >= TICKETS, LIMIT_S)
        # Sweeps go on acting: give them the chance to act twice (they must not).
        seen = ServiceHeartbeat.objects.get(name="beat").seen_at
        assert wait_until(lambda: ServiceHeartbeat.objects.get(name="beat").seen_at
                           > seen + timedelta(seconds=2), 30)
    finally:
        _kill(second)

    contact = SlaClock.objects.filter(milestone="contact")
    assert contact.filter(breached_at__isnull=False).count() == TICKETS
    assert Counter(Breach.objects.values_list("clock_id", flat=True)) == Counter(
        {pk: 1 for pk in contact.values_list("pk", flat=True)})
    assert not Breach.objects.filter(milestone="meet").exists()  # not due for half an hour
    for action in ("sla_warning", "sla_breach", "sla_escalate"):
        per_ticket = Counter(TicketEvent.objects.filter(action=action)
                             .values_list("ticket_id", flat=True))
        assert max(per_ticket.values(), default=0) <= 1, action
    assert len(set(TicketEvent.objects.filter(action="sla_breach")
                   .values_list("ticket_id", flat=True))) == TICKETS
    breach_notices = Counter(Notification.objects.filter(kind="sla_breach")
                             .values_list("ticket_id", flat=True))
    assert len(breach_notices) == TICKETS and set(breach_notices.values()) == {1}

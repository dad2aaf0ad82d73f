"""The production profile: a real Celery worker on Redis (127.0.0.1:6379) and PostgreSQL.

The test starts `celery -A dispatch worker` as a process with DATABASE_URL pointing at the test
database and REDIS_URL at the local Redis, sends it a task, and sees the row it writes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.db import connection

from org.models import ServiceHeartbeat

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_worker():
    redis.Redis.from_url(REDIS_URL).ping()
    db = connection.settings_dict
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dispatch.settings.base",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "REDIS_URL": REDIS_URL, "CELERY_BROKER_URL": "", "SECRET_KEY": "test"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "dispatch", "worker", "-Q", queue,
         "--concurrency", "1", "--pool", "solo", "--without-gossip", "--without-mingle",
         "--loglevel", "INFO", "--hostname", f"{queue}@%h"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue, env
    _stop(proc)


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM (a warm shutdown), then SIGKILL if it does not end within 30 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_a_real_worker_on_redis_runs_a_task_against_postgresql(redis_worker):
    queue, env = redis_worker
    name = f"probe-{uuid.uuid4().hex[:8]}"
    # Sent from another process configured like a production web process: broker = REDIS_URL.
    sent = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from dispatch.tasks import heartbeat_record_task as t; "
         f"t.apply_async(kwargs={{'name': {name!r}}}, queue={queue!r})"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
    )
    assert sent.returncode == 0, sent.stderr
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # bounded wait for another process's write
        if ServiceHeartbeat.objects.filter(name=name).exists():
            break
        time.sleep(0.2)
    assert ServiceHeartbeat.objects.filter(name=name).exists()


def _wait_for(check, limit_s: float = 60) -> bool:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:  # bounded wait for other processes' writes
        if check():
            return True
        time.sleep(0.2)
    return False


def test_a_real_worker_and_beat_keep_their_own_heartbeats_and_make_the_service_ready(
        tmp_path, client):
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dispatch.settings.base",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "REDIS_URL": REDIS_URL, "CELERY_BROKER_URL": "", "SECRET_KEY": "test",
           "DISPATCH_VAR_DIR": str(tmp_path / "var"), "DISPATCH_HEARTBEAT_SECONDS": "1"}
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "dispatch", "worker", "-Q", queue,
         "--concurrency", "1", "--without-gossip", "--without-mingle", "--loglevel", "WARNING",
         "--hostname", f"{queue}@%h"], cwd=settings.BASE_DIR, env=env)
    beat = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "dispatch", "beat", "--loglevel", "WARNING",
         "--schedule", str(tmp_path / "schedule")], cwd=settings.BASE_DIR, env=env)
    worker_row = f"worker:{queue}@{socket.gethostname()}"
    try:
        assert _wait_for(lambda: {"beat", worker_row} <= set(
            ServiceHeartbeat.objects.values_list("name", flat=True)))
        assert (tmp_path / "var/heartbeats/worker").is_file()
        assert (tmp_path / "var/heartbeats/beat").is_file()
        assert client.get("/readyz/").json() == {"status": "ready", "failing": []}
        # beat stopping shows as beat, not as the worker
        _stop(beat)
        beat_last = ServiceHeartbeat.objects.get(name="beat").seen_at
        assert _wait_for(lambda: ServiceHeartbeat.objects.get(name=worker_row).seen_at
                         > beat_last + timedelta(seconds=2))
        assert ServiceHeartbeat.objects.get(name="beat").seen_at == beat_last
    finally:
        _stop(worker)
        _stop(beat)
    # a worker stopped on purpose removes its row
    assert not ServiceHeartbeat.objects.filter(name=worker_row).exists()

"""Liveness (/healthz/) and readiness (/readyz/)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery import current_app
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from dispatch.ops import readiness
from dispatch.ops.heartbeat import heartbeat_record
from org.models import ServiceHeartbeat
from routing_model.models import ModelArtifact, ModelStatus, ModelVersion
from routing_model.registry import _verified

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _fresh_process_state():
    readiness._schema_current = False
    _verified.clear()
    yield
    readiness._schema_current = False
    _verified.clear()


@pytest.fixture
def alive(db):
    """A worker and beat that reported a minute ago."""
    with time_machine.travel(NOW - timedelta(minutes=1), tick=False):
        heartbeat_record(name="beat")
        heartbeat_record(name="worker:celery@web-1")


def _ready(client, **extra):
    with time_machine.travel(NOW, tick=False):
        return client.get("/readyz/", **extra)


def test_healthz_answers_without_touching_the_database(client):
    # no database fixture: pytest-django fails any query this request would make
    response = client.get("/healthz/")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_healthz_only_answers_get(client, db):
    assert client.post("/healthz/").status_code == 405


def test_readyz_is_ready_with_a_migrated_database_a_broker_a_worker_and_beat(client, alive):
    response = _ready(client)
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "failing": []}


def test_readyz_names_what_is_missing_without_details_for_anonymous_callers(client, db):
    response = _ready(client)
    assert response.status_code == 503
    assert response.json() == {"status": "not_ready", "failing": ["worker", "beat"]}


def test_readyz_gives_staff_the_details(client, db, org):
    with time_machine.travel(NOW - timedelta(minutes=1), tick=False):
        heartbeat_record(name="worker:celery@web-1")
    client.force_login(org.lead.user)
    org.lead.user.is_staff = True
    org.lead.user.save(update_fields=["is_staff"])
    body = _ready(client).json()
    assert body["failing"] == ["beat"]
    assert body["details"]["beat"] == {"ok": False, "detail": "120 秒内没有 celery beat 的心跳"}
    assert body["details"]["worker"] == {"ok": True, "detail": "worker:celery@web-1"}
    assert body["details"]["router_model"]["detail"] == "尚无在用模型（新工单全部转人工分拨）"


def test_heartbeats_older_than_two_minutes_do_not_count(client, db):
    with time_machine.travel(NOW - timedelta(seconds=121), tick=False):
        heartbeat_record(name="beat")
        heartbeat_record(name="worker:celery@web-1")
    assert _ready(client).json()["failing"] == ["worker", "beat"]


def test_an_unapplied_migration_makes_the_database_not_ready(client, alive):
    recorder = MigrationRecorder(connection)
    row = recorder.migration_qs.get(app="routing_model", name="0002_model_artifacts_in_storage")
    row.delete()
    try:
        response = _ready(client)
    finally:
        recorder.record_applied("routing_model", "0002_model_artifacts_in_storage")
    assert response.status_code == 503 and response.json()["failing"] == ["database"]


def test_an_unreachable_broker_is_not_ready(client, alive, settings):
    settings.READY_BROKER_TIMEOUT_SECONDS = 1
    previous = current_app.conf.broker_url, current_app.conf.broker_write_url
    # nothing listens on port 1
    current_app.conf.broker_url = current_app.conf.broker_write_url = "redis://127.0.0.1:1/0"
    try:
        response = _ready(client)
    finally:
        current_app.conf.broker_url, current_app.conf.broker_write_url = previous
    assert response.status_code == 503 and response.json()["failing"] == ["broker"]


def test_an_active_model_whose_artifact_is_damaged_is_not_ready(client, alive):
    ModelArtifact.objects.create(name="router-x.skops", content=b"not a model", size=11)
    ModelVersion.objects.create(version="x", artifact="router-x.skops", sha256="0" * 64,
                                status=ModelStatus.ACTIVE)
    response = _ready(client)
    assert response.status_code == 503 and response.json()["failing"] == ["router_model"]


def test_probes_answer_whatever_host_the_prober_uses(client, alive, settings):
    settings.ALLOWED_HOSTS = ["minyi.example.gov.cn"]
    assert client.get("/healthz/", HTTP_HOST="10.0.0.7:8000").status_code == 200
    assert _ready(client, HTTP_HOST="10.0.0.7:8000").json() == {"status": "ready",
                                                                "failing": []}
    # everything else still refuses an unknown host
    assert client.get("/console/login/", HTTP_HOST="10.0.0.7:8000").status_code == 400


def test_probes_are_not_redirected_to_https(client, alive, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz/").status_code == 200
    assert client.get("/console/login/").status_code == 301


def test_a_worker_that_stops_takes_its_heartbeat_row_with_it(db):
    from dispatch.ops.celery_liveness import WorkerHeartbeat

    class FakeWorker:  # the two attributes the step reads
        hostname = "celery@host-7"
        timer = None

    step = WorkerHeartbeat.__new__(WorkerHeartbeat)
    step.tref = None
    heartbeat_record(name="worker:celery@host-7")
    step.stop(FakeWorker())
    assert not ServiceHeartbeat.objects.filter(name="worker:celery@host-7").exists()

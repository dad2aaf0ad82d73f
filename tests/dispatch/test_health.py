from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from dispatch.tasks import heartbeat_record_task


def test_healthz_reports_the_database_and_the_last_heartbeats(client, db):
    with time_machine.travel(datetime(2026, 11, 28, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
                             tick=False):
        heartbeat_record_task.apply(kwargs={"name": "beat"})
    with time_machine.travel(datetime(2026, 11, 28, 9, 1, tzinfo=ZoneInfo("Asia/Shanghai")),
                             tick=False):
        response = client.get("/healthz/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert [(h["name"], h["age_seconds"]) for h in body["heartbeats"]] == [("beat", 60.0)]


def test_healthz_only_answers_get(client, db):
    assert client.post("/healthz/").status_code == 405

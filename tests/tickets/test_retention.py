"""Retention: raw intake bodies purged (hash kept) and finished tickets' citizen data
anonymised after their settings' days, daily by beat, idempotent and in batches."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from sla.models import Extension, Supervision
from tests.tickets.conftest import MOBILE, shows_no_raw_number
from tickets.core.trail import trail_verify
from tickets.intake.services import intake_replay
from tickets.models import (
    FollowUpTask,
    IntakeRecord,
    Notification,
    ReturnRequest,
    Ticket,
    TicketEvent,
)
from tickets.services.retention import (
    RetentionOutcome,
    intake_body_purge_due,
    retention_run,
    ticket_anonymise_due,
)

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2029, 6, 1, 3, 30, tzinfo=SH)
BODY = json.dumps({"caller_number": "13812345678", "title": "路灯不亮"}).encode()


def _record(channel, *, days_ago: float, ticket=None, outcome="accepted") -> IntakeRecord:
    return IntakeRecord.objects.create(
        channel=channel, received_at=NOW - timedelta(days=days_ago), body=BODY,
        headers={"user-agent": "hotline/1.0"}, outcome=outcome, ticket=ticket,
        error_detail={"fields": {"phone": [{"message": "电话 “13812345678” 不对"}]}})


def _finish(ticket: Ticket, *, state: str = "closed", days_ago: float) -> Ticket:
    at = NOW - timedelta(days=days_ago)
    Ticket.objects.filter(pk=ticket.pk).update(
        state=state, closed_at=at if state == "closed" else None, updated_at=at)
    return Ticket.objects.get(pk=ticket.pk)


# --- raw intake bodies --------------------------------------------------------------------------


def test_bodies_past_retention_are_emptied_and_their_hash_kept(org):
    channel = org.ticket("received").channel
    old, recent = _record(channel, days_ago=181), _record(channel, days_ago=179)
    assert intake_body_purge_due(now=NOW) == 1
    old.refresh_from_db()
    assert (bytes(old.body), old.headers, old.body_purged_at) == (b"", {}, NOW)
    assert old.body_sha256 == hashlib.sha256(BODY).hexdigest()
    assert "13812345678" not in json.dumps(old.error_detail, ensure_ascii=False)
    recent.refresh_from_db()
    assert bytes(recent.body) == BODY and recent.body_purged_at is None


def test_purging_twice_changes_nothing_more(org):
    record = _record(org.ticket("received").channel, days_ago=400)
    assert intake_body_purge_due(now=NOW) == 1
    purged_at = IntakeRecord.objects.get(pk=record.pk).body_purged_at
    assert intake_body_purge_due(now=NOW + timedelta(days=1)) == 0
    assert IntakeRecord.objects.get(pk=record.pk).body_purged_at == purged_at


def test_bodies_are_purged_in_batches_until_none_is_left(org):
    channel = org.ticket("received").channel
    for days in (200, 300, 400):
        _record(channel, days_ago=days)
    assert intake_body_purge_due(now=NOW, batch_size=1) == 3
    assert not IntakeRecord.objects.filter(body_purged_at__isnull=True).exists()


def test_zero_days_keeps_bodies_forever(org, settings):
    settings.INTAKE_BODY_RETENTION_DAYS = 0
    _record(org.ticket("received").channel, days_ago=5000)
    assert intake_body_purge_due(now=NOW) == 0
    assert IntakeRecord.objects.get().body_purged_at is None


def test_a_purged_record_is_not_replayed(org):
    record = _record(org.ticket("received").channel, days_ago=400, outcome="invalid")
    intake_body_purge_due(now=NOW)
    outcomes = intake_replay(records=[IntakeRecord.objects.get(pk=record.pk)])
    assert outcomes["purged"] == 1 and outcomes["invalid"] == 0
    record.refresh_from_db()
    assert record.replay_count == 0 and record.outcome == "invalid"


# --- finished tickets ---------------------------------------------------------------------------


def test_a_ticket_closed_past_retention_is_anonymised_with_the_rows_around_it(org, numbered):
    ticket = _finish(numbered.ticket, days_ago=731)
    FollowUpTask.objects.create(ticket=ticket, created_at=NOW, due_at=NOW,
                                note=f"回访 {MOBILE}")
    Notification.objects.create(recipient=org.lead, ticket=ticket, kind="new_ticket",
                                text=f"新工单：请回电 {MOBILE}")
    record = _record(ticket.channel, days_ago=1, ticket=ticket)  # a body not yet due itself
    version = ticket.version

    assert ticket_anonymise_due(now=NOW) == 1

    ticket.refresh_from_db()
    assert (ticket.citizen_name, ticket.citizen_phone, ticket.citizen_id_number) == (
        "张**", "138****5678", "440304********1234")
    assert ticket.title == "请回电 139****5678" and ticket.reply == "已答复 139****5678"
    assert ticket.follow_up_note == "回访 075*****1234"
    assert ticket.source_details == {"reporter": "网格员 139****5678"}
    assert shows_no_raw_number(ticket.content)
    assert (ticket.anonymised_at, ticket.version) == (NOW, version + 1)
    assert Supervision.objects.get(ticket=ticket).instructions == "请联系 139****5678"
    assert Extension.objects.get(ticket=ticket).reason == "等待 075*****1234 回复"
    assert ReturnRequest.objects.get(ticket=ticket).text == "报事人 139****5678 不在辖区"
    assert FollowUpTask.objects.get(ticket=ticket).note == "回访 139****5678"
    assert Notification.objects.get(ticket=ticket).text == "新工单：请回电 139****5678"
    record.refresh_from_db()
    assert bytes(record.body) == b"" and record.body_sha256 == hashlib.sha256(BODY).hexdigest()
    event = TicketEvent.objects.get(ticket=ticket, action="anonymise")
    assert event.actor is None and event.at == NOW and "13812345678" not in str(event.payload)


def test_anonymising_keeps_the_trail_and_its_chain_intact(org, numbered):
    ticket = _finish(numbered.ticket, days_ago=800)
    ticket_anonymise_due(now=NOW)
    # Events are append-only: what was written stays, and the chain still verifies.
    contact = TicketEvent.objects.get(ticket=ticket, action="record_contact")
    assert MOBILE in contact.reason
    assert trail_verify(tickets=Ticket.objects.filter(pk=ticket.pk)) == []


def test_after_anonymisation_the_trail_is_masked_even_for_the_permitted(org, numbered, as_staff,
                                                                        grant_pii):
    ticket = _finish(numbered.ticket, days_ago=800)
    ticket_anonymise_due(now=NOW)
    grant_pii(org.lead.user)
    events = as_staff(org.lead).get(f"/api/tickets/{ticket.number}/events/")
    assert shows_no_raw_number(json.dumps(events.json(), ensure_ascii=False))
    c = Client()
    c.force_login(org.lead.user)
    page = c.get(f"/console/tickets/{ticket.number}/").content.decode()
    assert shows_no_raw_number(page) and "显示完整信息" not in page
    assert as_staff(org.lead).post(f"/api/tickets/{ticket.number}/reveal-pii/").status_code == 409


def test_tickets_still_within_retention_or_open_are_left_alone(org):
    recent = _finish(org.ticket("assigned"), days_ago=729)
    open_old = org.ticket("assigned", received_at=NOW - timedelta(days=3000))
    resolved_old = _finish(org.ticket("assigned"), state="resolved", days_ago=3000)
    assert ticket_anonymise_due(now=NOW) == 0
    for ticket in (recent, open_old, resolved_old):
        ticket.refresh_from_db()
        assert ticket.citizen_phone == "13812345678" and ticket.anonymised_at is None
    assert not TicketEvent.objects.filter(action="anonymise").exists()


@pytest.mark.parametrize("state", ["merged", "rejected"])
def test_merged_and_rejected_tickets_count_from_their_last_change(org, state):
    finished = _finish(org.ticket("triage"), state=state, days_ago=731)
    assert ticket_anonymise_due(now=NOW) == 1
    finished.refresh_from_db()
    assert finished.citizen_phone == "138****5678"


def test_anonymising_twice_changes_nothing_more(org):
    ticket = _finish(org.ticket("assigned"), days_ago=731)
    assert ticket_anonymise_due(now=NOW) == 1
    version = Ticket.objects.get(pk=ticket.pk).version
    assert ticket_anonymise_due(now=NOW + timedelta(days=1)) == 0
    assert Ticket.objects.get(pk=ticket.pk).version == version
    assert TicketEvent.objects.filter(action="anonymise").count() == 1


def test_tickets_are_anonymised_in_batches_until_none_is_left(org):
    for _ in range(3):
        _finish(org.ticket("assigned"), days_ago=1000)
    assert ticket_anonymise_due(now=NOW, batch_size=2) == 3
    assert not Ticket.objects.filter(anonymised_at__isnull=True).exists()


def test_zero_days_keeps_citizen_data_forever(org, settings):
    settings.CITIZEN_DATA_RETENTION_DAYS = 0
    _finish(org.ticket("assigned"), days_ago=5000)
    assert ticket_anonymise_due(now=NOW) == 0


# --- the daily run ------------------------------------------------------------------------------


def test_the_daily_run_goes_by_the_clock(org):
    ticket = _finish(org.ticket("assigned"), days_ago=0)
    record = _record(ticket.channel, days_ago=0)
    with time_machine.travel(NOW + timedelta(days=179), tick=False):
        assert retention_run() == RetentionOutcome(bodies_purged=0, tickets_anonymised=0)
    with time_machine.travel(NOW + timedelta(days=181), tick=False):
        assert retention_run() == RetentionOutcome(bodies_purged=1, tickets_anonymised=0)
    assert IntakeRecord.objects.get(pk=record.pk).body_purged_at is not None
    with time_machine.travel(NOW + timedelta(days=731), tick=False):
        assert retention_run() == RetentionOutcome(bodies_purged=0, tickets_anonymised=1)
    assert Ticket.objects.get(pk=ticket.pk).anonymised_at is not None


def test_beat_runs_the_retention_task_daily_and_the_task_runs_the_service(org):
    from dispatch.celery import app
    from tickets.tasks import privacy_retention_task

    entry = settings.CELERY_BEAT_SCHEDULE["privacy-retention"]
    assert entry["task"] in app.tasks
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {30}
    ticket = _finish(org.ticket("assigned"), days_ago=731)
    with time_machine.travel(NOW, tick=False):
        privacy_retention_task()
    assert Ticket.objects.get(pk=ticket.pk).anonymised_at is not None


def test_the_command_runs_it_by_hand_and_says_what_it_did(org):
    _finish(org.ticket("assigned"), days_ago=731)
    _record(org.ticket("received").channel, days_ago=181)
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("privacy_retention", stdout=out)
    assert "清除原始请求体 1 条" in out.getvalue() and "匿名化工单 1 张" in out.getvalue()

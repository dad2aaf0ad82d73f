"""Raw records a request left unparsed (the process or the database went away between the
record's commit and the ticket's) are finished by the intake sweeper."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from tickets.intake.sweeper import intake_record_sweep
from tickets.models import IntakeRecord, Ticket
from tickets.services import lifecycle as services

T0 = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _left_behind(channel, body: bytes) -> IntakeRecord:
    return IntakeRecord.objects.create(channel=channel, body=body, headers={}, received_at=T0)


def _form(submission_id: str) -> bytes:
    return json.dumps({"submission_id": submission_id, "title": "路灯不亮",
                       "content": "小区门口的路灯坏了三天"}, ensure_ascii=False).encode()


def test_a_record_left_received_becomes_its_ticket_once_it_is_stale(channel_of, settings):
    settings.INTAKE_RECORD_STALE_SECONDS = 60
    channel = channel_of("web_form")
    record = _left_behind(channel, _form("S-1"))
    with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
        assert intake_record_sweep() == 0  # the request may still be running
    with time_machine.travel(T0 + timedelta(seconds=61), tick=False):
        assert intake_record_sweep() == 1
    record.refresh_from_db()
    assert record.outcome == "accepted"
    assert Ticket.objects.get(pk=record.ticket_id).external_id == "S-1"


def test_a_record_whose_retry_already_made_the_ticket_is_marked_a_duplicate(channel_of):
    channel = channel_of("web_form")
    made = services.ticket_create(channel=channel, external_id="S-2", title="t",
                                  content="c").ticket
    record = _left_behind(channel, _form("S-2"))
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        intake_record_sweep()
    record.refresh_from_db()
    assert (record.outcome, record.ticket_id) == ("duplicate", made.pk)
    assert Ticket.objects.filter(channel=channel, external_id="S-2").count() == 1


def test_a_record_that_cannot_be_parsed_is_marked_invalid_and_the_next_one_still_runs(
        channel_of):
    channel = channel_of("web_form")
    broken = _left_behind(channel, b"\xff not json")
    good = _left_behind(channel, _form("S-3"))
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        assert intake_record_sweep() == 2
    broken.refresh_from_db()
    good.refresh_from_db()
    assert (broken.outcome, good.outcome) == ("invalid", "accepted")
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        assert intake_record_sweep() == 0  # nothing left in received


def test_a_record_that_crashes_the_processing_is_set_aside_as_invalid_not_retried_forever(
        channel_of, monkeypatch):
    channel = channel_of("web_form")
    record = _left_behind(channel, _form("S-4"))

    def crash(**kwargs):
        raise RuntimeError("a bug in an adapter")

    monkeypatch.setattr("tickets.intake.sweeper.intake_process", crash)
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        assert intake_record_sweep() == 1
        assert intake_record_sweep() == 0
    record.refresh_from_db()
    assert (record.outcome, record.error_detail["error"]) == ("invalid", "processing_failed")

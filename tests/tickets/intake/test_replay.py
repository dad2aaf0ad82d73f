"""An invalid payload is kept; after an adapter fix, replay_intake turns it into a ticket."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tickets.intake.adapters import hotline
from tickets.models import IntakeRecord, Ticket

LEGACY = {"call_id": "legacy-1", "call_time": "2026-11-28T09:00:00+08:00",
          "summary": "旧版话务系统把记录放在 summary 字段里：小区门口积水严重。"}




def test_replay_turns_a_stored_invalid_record_into_a_ticket(post, channel_of, monkeypatch):
    channel = channel_of("hotline")
    assert post(channel, LEGACY).status_code == 400
    record = IntakeRecord.objects.get()
    assert record.outcome == "invalid" and not Ticket.objects.exists()

    original = hotline.HotlineAdapter.read

    def fixed(self, reader):
        reader.data.setdefault("agent_summary", reader.data.get("summary"))
        return original(self, reader)

    monkeypatch.setattr(hotline.HotlineAdapter, "read", fixed)
    out = StringIO()
    call_command("replay_intake", "--channel", channel.code, stdout=out)
    assert "生成工单 1" in out.getvalue()
    record.refresh_from_db()
    assert record.outcome == "accepted" and record.replay_count == 1
    assert record.ticket.external_id == "legacy-1" and record.error_detail == {}


def test_replaying_twice_never_makes_a_second_ticket(post, channel_of):
    channel = channel_of("hotline")
    post(channel, {**LEGACY, "agent_summary": "有内容"})
    out = StringIO()
    call_command("replay_intake", "--include-accepted", stdout=out)
    call_command("replay_intake", "--include-accepted", stdout=out)
    assert Ticket.objects.count() == 1
    assert "重复 1" in out.getvalue()
    assert IntakeRecord.objects.get().replay_count == 2


def test_a_record_that_is_still_invalid_stays_invalid(post, channel_of):
    post(channel_of("hotline"), LEGACY)
    out = StringIO()
    call_command("replay_intake", stdout=out)
    assert "仍无效 1" in out.getvalue()
    assert IntakeRecord.objects.get().outcome == "invalid"


def test_asking_for_an_unknown_record_is_an_error(db):
    with pytest.raises(Exception, match="找不到"):
        call_command("replay_intake", "--id", "999", stdout=StringIO())

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import ChannelFactory
from tickets.services import lifecycle as services

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_new_ticket_starts_received_with_a_readable_number(db):
    with time_machine.travel(datetime(2026, 11, 28, 9, 30, tzinfo=SHANGHAI), tick=False):
        first = services.ticket_create(channel=ChannelFactory(), external_id="a", title="t",
                                       content="c").ticket
        second = services.ticket_create(channel=ChannelFactory(), external_id="b", title="t",
                                        content="c").ticket
    assert (first.number, second.number) == ("FT20261128-000001", "FT20261128-000002")
    assert first.state == "received" and first.events.get().action == "create"


def test_the_number_follows_the_local_date_not_utc(db):
    # 00:30 in Shanghai is still the previous day in UTC.
    with time_machine.travel(datetime(2026, 11, 29, 0, 30, tzinfo=SHANGHAI), tick=False):
        ticket = services.ticket_create(channel=ChannelFactory(), external_id="a", title="t",
                                        content="c").ticket
    assert ticket.number == "FT20261129-000001"


def test_the_sequence_starts_again_each_day(db):
    channel = ChannelFactory()
    with time_machine.travel(datetime(2026, 11, 28, 23, 59, tzinfo=SHANGHAI), tick=False):
        services.ticket_create(channel=channel, external_id="a", title="t", content="c")
    with time_machine.travel(datetime(2026, 11, 29, 0, 1, tzinfo=SHANGHAI), tick=False):
        ticket = services.ticket_create(channel=channel, external_id="b", title="t",
                                        content="c").ticket
    assert ticket.number == "FT20261129-000001"


def test_a_retry_with_the_same_external_id_returns_the_same_ticket(db):
    channel = ChannelFactory()
    first = services.ticket_create(channel=channel, external_id="call-42", title="噪音",
                                   content="夜间施工")
    retry = services.ticket_create(channel=channel, external_id=" call-42 ", title="噪音",
                                   content="夜间施工")
    assert first.created and not retry.created
    assert retry.ticket.pk == first.ticket.pk
    assert retry.ticket.events.count() == 1


def test_the_same_external_id_on_another_channel_is_another_ticket(db):
    a = services.ticket_create(channel=ChannelFactory(), external_id="1", title="t", content="c")
    b = services.ticket_create(channel=ChannelFactory(), external_id="1", title="t", content="c")
    assert a.created and b.created and a.ticket.pk != b.ticket.pk


def test_category_levels_and_place_are_stored(org):
    ticket = services.ticket_create(
        channel=ChannelFactory(), external_id="x", title="井盖缺失", content="路口井盖缺失",
        urgency="urgent", category=["城乡建设", "市政设施"], street=org.unit, community="彩田社区",
        address="莲花路与彩田路交叉口").ticket
    levels = (ticket.category_l1, ticket.category_l2, ticket.category_l3)
    assert levels == ("城乡建设", "市政设施", "")
    assert ticket.street == org.unit and ticket.urgency == "urgent"


def _raw_record(channel):
    from django.utils import timezone

    from tickets.models import IntakeRecord

    return IntakeRecord.objects.create(channel=channel, body=b"{}", headers={},
                                       received_at=timezone.now())


def test_the_raw_record_is_linked_as_accepted_to_the_new_ticket(db):
    channel = ChannelFactory()
    record = _raw_record(channel)
    ticket = services.ticket_create(channel=channel, external_id="r-1", title="t", content="c",
                                    intake_record=record).ticket
    record.refresh_from_db()
    assert (record.outcome, record.ticket_id, record.external_id) == ("accepted", ticket.pk, "r-1")
    assert record.processed_at is not None


def test_a_retry_links_its_raw_record_to_the_first_ticket_as_duplicate(db):
    channel = ChannelFactory()
    first = services.ticket_create(channel=channel, external_id="r-2", title="t", content="c")
    record = _raw_record(channel)
    again = services.ticket_create(channel=channel, external_id="r-2", title="t", content="c",
                                   intake_record=record)
    record.refresh_from_db()
    assert again.created is False and again.ticket.pk == first.ticket.pk
    assert (record.outcome, record.ticket_id) == ("duplicate", first.ticket.pk)


def test_the_raw_record_is_not_marked_accepted_when_the_ticket_is_rolled_back(db, monkeypatch):
    channel = ChannelFactory()
    record = _raw_record(channel)

    def failing_event(**kwargs):
        raise RuntimeError("event insert failed")

    monkeypatch.setattr(services, "event_record", failing_event)
    with pytest.raises(RuntimeError):
        services.ticket_create(channel=channel, external_id="r-3", title="t", content="c",
                               intake_record=record)
    record.refresh_from_db()
    assert (record.outcome, record.ticket_id) == ("received", None)
    assert not channel.tickets.exists()

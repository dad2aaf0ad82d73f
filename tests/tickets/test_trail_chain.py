"""The tamper-evident trail: every event chained by hash to the one before it on its ticket."""

from __future__ import annotations

import hashlib
import itertools
import threading
from datetime import UTC
from io import StringIO

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from tests.factories import ChannelFactory
from tickets.core.trail import ticket_event_record, trail_verify
from tickets.models import Ticket, TicketEvent
from tickets.services import lifecycle as services


def _worked(org) -> Ticket:
    """A ticket with a few events of every kind: creation, transitions, a plain record."""
    created = services.ticket_create(channel=ChannelFactory(),
                                     external_id="chain-1", title="路灯不亮",
                                     content="小区门口路灯坏了，电话 13812345678").ticket
    ticket = services.ticket_assign(ticket=created, actor=org.centre_dispatcher.user,
                                    unit=org.unit, assignee=org.assignee)
    ticket_event_record(ticket=ticket, actor=None, action="sla_warning", reason="时限将到",
                        payload={"milestone": "contact", "n": (1, 2)})
    ticket.refresh_from_db()
    return services.ticket_record_contact(ticket=ticket, actor=org.assignee.user, note="已联系")


def _tamper(sql: str, params: list[object]) -> None:
    """What someone with database access could do: switch the triggers off, change rows."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET LOCAL session_replication_role = origin")


def test_every_event_chains_to_the_one_before_and_the_ticket_holds_the_last(org):
    ticket = _worked(org)
    events = list(ticket.events.order_by("pk"))
    assert len(events) >= 4
    assert events[0].prev_hash == ""
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash and len(after.hash) == 64
    ticket.refresh_from_db()
    assert ticket.trail_head == events[-1].hash
    assert trail_verify() == []


def test_the_hash_covers_the_content_independently_of_the_code_that_wrote_it(org):
    ticket = _worked(org)
    first = ticket.events.order_by("pk").first()
    at = first.at.astimezone(UTC)
    content = (f'["v1","{ticket.number}","{at:%Y-%m-%dT%H:%M:%S.%f}Z",null,"系统","create","",'
               f'"received","",{{"channel":"{ticket.channel.code}","external_id":"chain-1"}},""]')
    assert first.hash == hashlib.sha256(content.encode()).hexdigest()


@pytest.mark.postgres
def test_an_edited_event_is_named_as_the_first_broken_link(org):
    ticket = _worked(org)
    second = ticket.events.order_by("pk")[1]
    _tamper("UPDATE tickets_ticketevent SET reason = %s WHERE id = %s", ["改过", second.pk])
    [broken] = trail_verify()
    assert (broken.ticket, broken.event_id) == (ticket.number, second.pk)
    assert "内容与哈希不符" in broken.problem


@pytest.mark.postgres
def test_a_removed_event_in_the_middle_breaks_the_next_link(org):
    ticket = _worked(org)
    events = list(ticket.events.order_by("pk"))
    _tamper("DELETE FROM tickets_ticketevent WHERE id = %s", [events[1].pk])
    [broken] = trail_verify()
    assert broken.event_id == events[2].pk and "前一事件哈希不符" in broken.problem


@pytest.mark.postgres
def test_a_removed_last_event_shows_at_the_head(org):
    ticket = _worked(org)
    last = ticket.events.order_by("pk").last()
    _tamper("DELETE FROM tickets_ticketevent WHERE id = %s", [last.pk])
    [broken] = trail_verify()
    assert broken.event_id is None and "末端哈希" in broken.problem


@pytest.mark.postgres
def test_verify_trail_exits_1_naming_the_first_broken_link_and_0_when_whole(org):
    ticket = _worked(org)
    other = services.ticket_create(channel=ticket.channel, external_id="chain-2", title="t",
                                   content="c").ticket
    out = StringIO()
    call_command("verify_trail", stdout=out)
    assert "事件链完整：2 张工单" in out.getvalue()
    second = ticket.events.order_by("pk")[1]
    _tamper("UPDATE tickets_ticketevent SET payload = %s WHERE id = %s", ['{"x": 1}', second.pk])
    err = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("verify_trail", stderr=err)
    assert refused.value.returncode == 1
    assert f"工单 {ticket.number} 的事件 #{second.pk}：内容与哈希不符" in err.getvalue()
    call_command("verify_trail", "--ticket", other.number, stdout=out)  # the other is whole


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_truncate_of_the_trail(org):
    _worked(org)
    db = connection.settings_dict
    url = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    with psycopg.connect(url, autocommit=True) as raw:  # a session without the test's option
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="TRUNCATE refused"):
            raw.execute("TRUNCATE tickets_ticketevent CASCADE")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="UPDATE refused"):
            raw.execute("UPDATE tickets_ticketevent SET reason = 'x'")
    assert TicketEvent.objects.count() >= 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_to_one_ticket_keep_one_chain(org):
    ticket = _worked(org)
    stale = [Ticket.objects.get(pk=ticket.pk) for _ in range(4)]  # each thread's own copy
    errors: list[BaseException] = []

    def append(copy: Ticket, n: int) -> None:
        try:
            for i in range(5):
                ticket_event_record(ticket=copy, actor=None, action="sla_warning",
                                    reason=f"线程 {n} 第 {i} 条")
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(copy, n)) for n, copy in enumerate(stale)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert ticket.events.filter(action="sla_warning").count() == 1 + 4 * 5
    assert trail_verify() == []

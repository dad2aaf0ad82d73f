"""Two people acting on the same ticket at once, on the real PostgreSQL: exactly one wins."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from tickets.core.errors import IllegalTransition, TicketConflict
from tickets.models import Ticket, TicketEvent
from tickets.services import lifecycle as services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(calls: list[Callable[[], object]]) -> list[object]:
    """Start the calls on separate threads (separate connections) at the same moment."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[i] = calls[i]()
        except Exception as exc:  # collected and asserted by the test
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_the_database_is_postgresql():
    assert connection.vendor == "postgresql"


def test_two_people_recording_contact_at_once_one_wins_one_gets_a_conflict(org):
    ticket = org.ticket("assigned")
    seen_by_assignee = Ticket.objects.get(pk=ticket.pk)
    seen_by_lead = Ticket.objects.get(pk=ticket.pk)

    outcomes = _race([
        lambda: services.ticket_record_contact(ticket=seen_by_assignee, actor=org.assignee.user),
        lambda: services.ticket_record_contact(ticket=seen_by_lead, actor=org.lead.user),
    ])

    winners = [o for o in outcomes if isinstance(o, Ticket)]
    losers = [o for o in outcomes if isinstance(o, TicketConflict)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert "已被他人更新" in losers[0].message
    assert TicketEvent.objects.filter(ticket=ticket, action="record_contact").count() == 1
    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version + 1


def test_a_return_racing_a_contact_leaves_exactly_one_of_them(org):
    ticket = org.ticket("assigned")
    copies = [Ticket.objects.get(pk=ticket.pk) for _ in range(2)]

    outcomes = _race([
        lambda: services.ticket_record_contact(ticket=copies[0], actor=org.assignee.user),
        lambda: services.ticket_return(ticket=copies[1], actor=org.lead.user, reason="非本单位"),
    ])

    assert sum(isinstance(o, Ticket) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, TicketConflict) for o in outcomes) == 1, outcomes
    assert TicketEvent.objects.filter(ticket=ticket).count() == 1
    assert Ticket.objects.get(pk=ticket.pk).state in {"contacted", "triage"}


def test_callers_without_a_stale_copy_are_serialised_and_the_second_sees_the_new_state(org):
    ticket = org.ticket("assigned")

    def fresh_contact() -> Ticket:
        return services.ticket_record_contact(ticket=Ticket.objects.get(pk=ticket.pk),
                                              actor=org.assignee.user)

    outcomes = _race([fresh_contact, fresh_contact, fresh_contact])

    assert sum(isinstance(o, Ticket) for o in outcomes) == 1, outcomes
    assert all(isinstance(o, (Ticket, TicketConflict, IllegalTransition)) for o in outcomes)
    assert TicketEvent.objects.filter(ticket=ticket, action="record_contact").count() == 1


def test_simultaneous_intake_of_the_same_external_id_creates_one_ticket(org):
    channel = org.ticket("received").channel

    def deliver() -> services.TicketCreateResult:
        return services.ticket_create(channel=channel, external_id="dup-1", title="噪音扰民",
                                      content="夜间施工噪音")

    outcomes = _race([deliver for _ in range(6)])

    assert all(isinstance(o, services.TicketCreateResult) for o in outcomes), outcomes
    assert sum(o.created for o in outcomes) == 1
    assert len({o.ticket.pk for o in outcomes}) == 1
    assert Ticket.objects.filter(channel=channel, external_id="dup-1").count() == 1
    assert TicketEvent.objects.filter(ticket__external_id="dup-1", action="create").count() == 1


def test_simultaneous_intake_hands_out_distinct_consecutive_numbers(org):
    channel = org.ticket("received").channel
    calls = [
        (lambda i=i: services.ticket_create(channel=channel, external_id=f"n-{i}", title="t",
                                            content="c"))
        for i in range(8)
    ]
    outcomes = _race(calls)
    numbers = sorted(o.ticket.number for o in outcomes)
    suffixes = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert len(set(numbers)) == 8
    assert suffixes == list(range(suffixes[0], suffixes[0] + 8))

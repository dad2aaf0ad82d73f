"""Parallel dispatches on the real PostgreSQL: capacity holds and no ticket is assigned twice."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import time

import pytest
from django.db import connection

from org.models import WeeklyShift
from tests.factories import StaffFactory, UserFactory
from tickets.core.errors import TicketError
from tickets.dispatching.assignment import assignee_choose
from tickets.dispatching.services import ticket_dispatch
from tickets.models import Ticket, TicketEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_threads(jobs, workers: int) -> list[object]:
    """Run the jobs on ``workers`` threads (one connection each), all starting together."""
    barrier = threading.Barrier(workers)
    outcomes: list[object] = [None] * len(jobs)
    lock = threading.Lock()
    queue = list(enumerate(jobs))

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            while True:
                with lock:
                    if not queue:
                        return
                    i, job = queue.pop()
                try:
                    outcomes[i] = job()
                except Exception as exc:  # collected and asserted by the test
                    outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_choosing_outside_a_transaction_is_refused(org):
    with pytest.raises(RuntimeError):
        assignee_choose(unit=org.unit, at=None)


@pytest.mark.parametrize(("workers", "count"), [(8, 10), (8, 40)])
def test_parallel_dispatches_never_exceed_capacity_or_assign_a_ticket_twice(org, workers, count):
    people = [org.assignee, org.coworker,
              StaffFactory(unit=org.unit, role="caseworker", user=UserFactory(username="cw3"))]
    for person in people:
        person.capacity = 2
        person.save()
        for weekday in range(7):
            WeeklyShift.objects.create(staff=person, weekday=weekday, starts=time(0),
                                       ends=time(0))
    org.lead.capacity = 2
    org.lead.save()
    org.unit.duty_lead = org.lead  # the overflow: two to the lead, then the unit queue
    org.unit.save()
    tickets = [org.ticket("triage") for _ in range(count)]
    dispatcher = org.centre_dispatcher.user
    # Every ticket is dispatched twice, by different threads, to provoke double assignment.
    jobs = [lambda t=t: ticket_dispatch(ticket=t, actor=dispatcher, unit=org.unit)
            for t in tickets for _ in range(2)]

    outcomes = _in_threads(jobs, workers)

    unexpected = [o for o in outcomes if isinstance(o, Exception)
                  and not isinstance(o, TicketError)]
    assert not unexpected, unexpected
    assert sum(isinstance(o, Ticket) for o in outcomes) == count  # one success per ticket
    for ticket in tickets:
        assert TicketEvent.objects.filter(ticket=ticket, action="assign").count() == 1
    loads = Counter(Ticket.objects.filter(pk__in=[t.pk for t in tickets])
                    .values_list("assignee_id", flat=True))
    assert all(loads[p.pk] == 2 for p in people), loads  # six slots, all used, none exceeded
    # The lead takes tickets only once the people on duty are full, up to their capacity.
    assert loads[org.lead.pk] == min(2, count - 6)
    assert loads[None] == count - 6 - loads[org.lead.pk]  # the rest wait in the unit queue


def test_a_deadlock_victim_runs_again_and_other_errors_do_not(org):
    import psycopg
    from django.db import OperationalError

    from tickets.dispatching.services import _retrying

    calls = []

    def deadlocks_once() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("deadlock detected") from psycopg.errors.DeadlockDetected()
        return "done"

    assert _retrying(deadlocks_once) == "done" and len(calls) == 2

    def always_broken() -> str:
        raise OperationalError("connection lost") from psycopg.errors.AdminShutdown()

    with pytest.raises(OperationalError):
        _retrying(always_broken)

"""A ticket that waits in received is queued again by the sweeper; a routed one is left alone."""

from __future__ import annotations

from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from tickets.dispatching import handoff as routing_handoff
from tickets.models import Ticket


def test_the_sweeper_requeues_tickets_waiting_over_a_minute(org, monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr("tickets.tasks.ticket_route_task.delay", sent.append)
    now = timezone.now()
    stale = org.ticket("received", route_requested_at=now - timedelta(seconds=61))
    fresh = org.ticket("received", route_requested_at=now - timedelta(seconds=30))
    routed = org.ticket("triage", route_requested_at=now - timedelta(minutes=5))

    from django.db import transaction
    with transaction.atomic():
        count = routing_handoff.ticket_route_requeue_stale(now=now)
        assert sent == []  # nothing leaves before commit
    assert count == 1
    stale.refresh_from_db()
    assert stale.route_requested_at >= now
    assert Ticket.objects.get(pk=fresh.pk).route_requested_at == fresh.route_requested_at
    assert Ticket.objects.get(pk=routed.pk).route_requested_at == routed.route_requested_at


def test_a_requeued_ticket_is_not_requeued_again_within_the_minute(org, monkeypatch):
    monkeypatch.setattr("tickets.tasks.ticket_route_task.delay", lambda tid: None)
    now = timezone.now()
    org.ticket("received", route_requested_at=now - timedelta(minutes=3))
    assert routing_handoff.ticket_route_requeue_stale(now=now) == 1
    assert routing_handoff.ticket_route_requeue_stale(now=now + timedelta(seconds=30)) == 0
    assert routing_handoff.ticket_route_requeue_stale(now=now + timedelta(seconds=61)) == 1


@override_settings(TICKET_ROUTER="")
def test_routing_waits_without_a_router_and_ignores_tickets_already_routed(org):
    assert routing_handoff.ticket_route(ticket_id=org.ticket("received").pk) is False
    assert routing_handoff.ticket_route(ticket_id=org.ticket("assigned").pk) is False


calls: list[str] = []


def record_router(*, ticket: Ticket) -> None:
    calls.append(ticket.number)


@override_settings(TICKET_ROUTER="tests.tickets.intake.test_routing_handoff.record_router")
def test_a_configured_router_receives_the_ticket(org):
    ticket = org.ticket("received")
    assert routing_handoff.ticket_route(ticket_id=ticket.pk) is True
    assert calls[-1] == ticket.number


def test_the_received_task_checks_duplicates_then_routes(org, monkeypatch):
    from tickets.tasks import ticket_received_task

    order: list[str] = []
    monkeypatch.setattr("tickets.tasks.duplicate_check", lambda ticket_id: order.append("dup"))
    monkeypatch.setattr("tickets.tasks.ticket_route", lambda ticket_id: order.append("route"))
    ticket_received_task.apply(args=(org.ticket("received").pk,))
    assert order == ["dup", "route"]


def test_the_default_router_sends_a_new_ticket_on_to_the_dispatchers(org):
    ticket = org.ticket("received")
    assert routing_handoff.ticket_route(ticket_id=ticket.pk) is True
    ticket.refresh_from_db()
    assert ticket.state == "triage"
    assert [e.action for e in ticket.events.order_by("pk")][-2:] == ["predict", "triage"]

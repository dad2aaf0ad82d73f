"""Status callbacks against a real receiver on 127.0.0.1 that fails on purpose."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.receiver import Receiver
from tickets.core.signing import signature_verify
from tickets.models import CallbackDelivery
from tickets.outbox.callbacks import (
    backoff_seconds,
    callback_deliver,
    callback_resend,
    callback_sweep,
)
from tickets.services import lifecycle as services
from tickets.tasks import callback_deliver_task


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def queued(monkeypatch):
    """Deliveries handed to Celery, captured instead of sent to a broker."""
    sent: list[tuple[int, float]] = []
    monkeypatch.setattr("tickets.outbox.callbacks._send_later",
                        lambda delivery_id, countdown: sent.append((delivery_id, countdown)))
    return sent


@pytest.fixture
def ticket(org, receiver, settings):
    settings.CALLBACK_MAX_ATTEMPTS = 3
    ticket = org.ticket("received")
    ticket.channel.callback_url = receiver.url
    ticket.channel.save()
    return ticket


def _deliveries(ticket):
    return list(CallbackDelivery.objects.filter(ticket=ticket).order_by("event_id"))


def test_every_state_change_queues_one_delivery_in_order(org, ticket, queued):
    t = services.ticket_assign(ticket=ticket, actor=None, unit=org.unit, assignee=org.assignee)
    services.ticket_record_contact(ticket=t, actor=org.assignee.user)
    states = [d.payload["state"] for d in _deliveries(ticket)]
    assert states == ["assigned", "contacted"]


def test_no_delivery_for_a_channel_without_a_callback_url(org):
    services.ticket_triage(ticket=org.ticket("received"), actor=None)
    assert not CallbackDelivery.objects.exists()


def test_an_edit_that_changes_no_state_sends_nothing(org, ticket):
    services.ticket_update_routing(ticket=ticket, actor=None, urgency="urgent")
    assert not CallbackDelivery.objects.exists()


def test_a_delivery_is_a_signed_post_with_an_idempotency_key(org, ticket, receiver, queued):
    services.ticket_triage(ticket=ticket, actor=None)
    delivery = _deliveries(ticket)[0]
    assert callback_deliver(delivery_id=delivery.pk) == "sent"
    request = receiver.received[0]
    signature_verify(header=request.headers["x-signature"], body=request.body,
                     secrets=ticket.channel.signing_secrets, now=int(time.time()))
    assert request.headers["idempotency-key"] == str(delivery.idempotency_key)
    body = json.loads(request.body)
    assert body["ticket_number"] == ticket.number and body["external_id"] == ticket.external_id
    assert (body["state"], body["previous_state"]) == ("triage", "received")
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 1


def test_the_resolve_callback_carries_the_public_reply(org, ticket, receiver, queued):
    t = ticket
    t = services.ticket_assign(ticket=t, actor=None, unit=org.unit, assignee=org.assignee)
    t = services.ticket_record_contact(ticket=t, actor=org.assignee.user)
    t = services.ticket_record_meeting(ticket=t, actor=org.assignee.user)
    services.ticket_resolve(ticket=t, actor=org.assignee.user, reply="路灯已修复")
    assert _deliveries(ticket)[-1].payload["public_reply"] == "路灯已修复"
    assert _deliveries(ticket)[0].payload["public_reply"] == ""


def test_failures_back_off_exponentially_with_the_same_idempotency_key(
        org, ticket, receiver, queued, django_capture_on_commit_callbacks):
    receiver.plan = [500, 503]
    services.ticket_triage(ticket=ticket, actor=None)
    delivery = _deliveries(ticket)[0]
    start = timezone.now()
    with time_machine.travel(start, tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        assert callback_deliver(delivery_id=delivery.pk) == "retry"
        delivery.refresh_from_db()
        assert delivery.next_attempt_at == start + timedelta(seconds=5)
        assert callback_deliver(delivery_id=delivery.pk) == "skipped"  # not due yet
    with time_machine.travel(start + timedelta(seconds=6), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        assert callback_deliver(delivery_id=delivery.pk) == "retry"
        delivery.refresh_from_db()
        assert delivery.next_attempt_at == start + timedelta(seconds=16)  # 6 + 10
        assert delivery.last_status_code == 503
    with time_machine.travel(start + timedelta(seconds=17), tick=False):
        assert callback_deliver(delivery_id=delivery.pk) == "sent"
    keys = {r.headers["idempotency-key"] for r in receiver.received}
    assert len(receiver.received) == 3 and keys == {str(delivery.idempotency_key)}
    assert [d for _, d in queued[-2:]] == [5, 10]  # retries handed to Celery with countdowns


def test_backoff_doubles_and_is_capped(settings):
    settings.CALLBACK_BACKOFF_MAX_SECONDS = 60
    assert [backoff_seconds(n) for n in range(1, 6)] == [5, 10, 20, 40, 60]


def test_a_later_state_never_overtakes_an_earlier_one(org, ticket, receiver, queued,
                                                     django_capture_on_commit_callbacks):
    receiver.plan = [500]
    t = services.ticket_assign(ticket=ticket, actor=None, unit=org.unit, assignee=org.assignee)
    services.ticket_record_contact(ticket=t, actor=org.assignee.user)
    first, second = _deliveries(ticket)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert callback_deliver(delivery_id=first.pk) == "retry"
        assert callback_deliver(delivery_id=second.pk) == "skipped"  # waits for "assigned"
        assert callback_sweep() == 0
    with time_machine.travel(start + timedelta(seconds=6), tick=False):
        queued.clear()
        assert callback_sweep() == 1 and queued == [(first.pk, 0)]
        with django_capture_on_commit_callbacks(execute=True):
            assert callback_deliver(delivery_id=first.pk) == "sent"
        assert queued[-1] == (second.pk, 0)  # the next one is queued once the first is through
        assert callback_deliver(delivery_id=second.pk) == "sent"
    assert [json.loads(r.body)["state"] for r in receiver.received] == [
        "assigned", "assigned", "contacted"]


def test_after_n_failures_a_delivery_is_parked_and_an_admin_can_resend_it(org, ticket, receiver,
                                                                          queued):
    receiver.default = 500
    t = services.ticket_assign(ticket=ticket, actor=None, unit=org.unit, assignee=org.assignee)
    services.ticket_record_contact(ticket=t, actor=org.assignee.user)
    first, second = _deliveries(ticket)
    moment = timezone.now()
    for _ in range(3):
        with time_machine.travel(moment, tick=False):
            outcome = callback_deliver(delivery_id=first.pk)
        moment += timedelta(hours=2)
    assert outcome == "dead"
    first.refresh_from_db()
    assert (first.status, first.attempts) == ("dead", 3)
    with time_machine.travel(moment, tick=False):
        assert callback_deliver(delivery_id=second.pk) == "skipped"  # still behind the dead one
        receiver.default = 200
        callback_resend(delivery=first)
        assert callback_deliver(delivery_id=first.pk) == "sent"
        assert callback_deliver(delivery_id=second.pk) == "sent"


def test_a_claim_left_by_a_dead_worker_is_released_by_the_sweeper(org, ticket, queued):
    services.ticket_triage(ticket=ticket, actor=None)
    delivery = _deliveries(ticket)[0]
    CallbackDelivery.objects.filter(pk=delivery.pk).update(
        status="sending", claimed_at=timezone.now() - timedelta(minutes=5))
    assert callback_sweep() == 1
    delivery.refresh_from_db()
    assert delivery.status == "pending"


def test_an_unreachable_receiver_counts_as_a_failure(org, ticket, queued):
    ticket.channel.callback_url = "http://127.0.0.1:9/nothing-listens-here"
    ticket.channel.save()
    services.ticket_triage(ticket=ticket, actor=None)
    delivery = _deliveries(ticket)[0]
    assert callback_deliver(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.last_status_code is None and delivery.last_error


def test_the_celery_task_delivers(org, ticket, receiver, queued):
    services.ticket_triage(ticket=ticket, actor=None)
    callback_deliver_task.apply(args=(_deliveries(ticket)[0].pk,))
    assert len(receiver.received) == 1

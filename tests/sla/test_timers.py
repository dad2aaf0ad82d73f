from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from sla.models import Breach, SlaClock
from sla.timers import sla_clock_check, sla_sweep
from tickets.models import Notification, Ticket
from tickets.services import lifecycle as services

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 2, 10, 0, tzinfo=SH)


def _assigned(org, **kwargs):
    with time_machine.travel(T0, tick=False):
        return services.ticket_assign(ticket=org.ticket("triage", urgency="urgent", **kwargs),
                                      actor=org.centre_dispatcher.user, unit=org.unit,
                                      assignee=org.assignee)


def test_nothing_happens_before_the_warning_point(org):
    ticket = _assigned(org)
    assert sla_sweep(now=T0 + timedelta(minutes=7, seconds=59)) == 0
    assert not Notification.objects.filter(kind="sla_warning").exists()
    assert ticket.clocks.count() == 3


def test_the_warning_goes_to_the_assignee_and_the_lead_once(org):
    ticket = _assigned(org)
    assert sla_sweep(now=T0 + timedelta(minutes=8)) == 1  # contact's 80 % point
    assert sla_sweep(now=T0 + timedelta(minutes=9)) == 0  # already warned
    told = sorted(Notification.objects.filter(kind="sla_warning")
                  .values_list("recipient__user__username", flat=True))
    assert told == ["lianhua.cw1", "lianhua.lead"]
    assert ticket.events.filter(action="sla_warning").count() == 1


def test_a_missed_deadline_is_one_breach_with_who_held_it_and_flags_the_ticket(org):
    ticket = _assigned(org)
    sla_sweep(now=T0 + timedelta(minutes=10))  # contact due: warned and breached together
    sla_sweep(now=T0 + timedelta(minutes=11))
    breach = Breach.objects.get(ticket=ticket)
    assert (breach.milestone, breach.unit, breach.assignee) == ("contact", org.unit, org.assignee)
    assert Ticket.objects.get(pk=ticket.pk).is_overdue
    # The assignee hears of the breach; the ladder's first step tells the lead, once.
    assert Notification.objects.filter(kind="sla_breach", recipient=org.assignee).count() == 1
    assert Notification.objects.filter(kind="sla_escalate", recipient=org.lead).count() == 1
    assert ticket.events.filter(action="sla_escalate").count() == 1
    with time_machine.travel(T0 + timedelta(minutes=14, seconds=30), tick=False):
        services.ticket_record_contact(ticket=Ticket.objects.get(pk=ticket.pk),
                                       actor=org.assignee.user)
    breach.refresh_from_db()
    assert breach.late_minutes == 5 and breach.met_at is not None


def test_a_milestone_met_in_time_never_breaches(org):
    ticket = _assigned(org)
    with time_machine.travel(T0 + timedelta(minutes=9), tick=False):
        services.ticket_record_contact(ticket=ticket, actor=org.assignee.user)
    sla_sweep(now=T0 + timedelta(minutes=20))
    assert not Breach.objects.filter(milestone="contact").exists()


def test_short_clocks_get_eta_timers_and_long_ones_are_left_to_the_sweeper(
        org, django_capture_on_commit_callbacks, monkeypatch):
    from sla import tasks

    sent = []
    monkeypatch.setattr(tasks.sla_clock_check_task, "apply_async",
                        lambda args, eta: sent.append((args[0], eta)))
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _assigned(org)
    by_clock = {c.pk: c for c in ticket.clocks.all()}
    etas = sorted((by_clock[pk].milestone, eta) for pk, eta in sent)
    # contact (10 min) and meet (30 min): warning and deadline each; resolve (24 h): none.
    assert etas == sorted([("contact", T0 + timedelta(minutes=8)),
                           ("contact", T0 + timedelta(minutes=10)),
                           ("meet", T0 + timedelta(minutes=24)),
                           ("meet", T0 + timedelta(minutes=30))])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_timer_and_the_sweeper_racing_act_once(org):
    from sla.models import SlaPolicy

    # A transactional test runs after others have flushed the tables, migration data included.
    SlaPolicy.objects.get_or_create(name="紧急件 10-30-24", urgency="urgent", version=1, defaults={
        "milestones": [{"milestone": "contact", "minutes": 10, "calendar": "24x7"}]})
    ticket = _assigned(org)
    clock = SlaClock.objects.get(ticket=ticket, milestone="contact")
    barrier = threading.Barrier(4)
    results = []

    def race(kind: str) -> None:
        try:
            barrier.wait(timeout=10)
            now = T0 + timedelta(minutes=10)
            results.append(sla_clock_check(clock_id=clock.pk, now=now) if kind == "timer"
                           else sla_sweep(now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(k,)) for k in
               ("timer", "timer", "sweep", "sweep")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert Breach.objects.filter(clock=clock).count() == 1
    assert Notification.objects.filter(kind="sla_breach").count() == 1
    assert ticket.events.filter(action="sla_breach").count() == 1


def _normal_assigned(org):
    with time_machine.travel(T0, tick=False):
        return services.ticket_assign(ticket=org.ticket("triage"),
                                      actor=org.centre_dispatcher.user, unit=org.unit,
                                      assignee=org.assignee)


def test_a_long_clock_is_armed_by_the_sweeper_once_its_warning_is_inside_the_horizon(
        org, settings, django_capture_on_commit_callbacks, monkeypatch):
    from sla import tasks

    settings.SLA_TIMER_MAX_SECONDS = 3600
    sent = []
    monkeypatch.setattr(tasks.sla_clock_check_task, "apply_async",
                        lambda args, eta: sent.append((args[0], eta)))
    ticket = _normal_assigned(org)
    resolve = SlaClock.objects.get(ticket=ticket, milestone="resolve")
    assert resolve.timer_at is None
    before = resolve.warn_at - timedelta(hours=1, seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep(now=before)
    assert [s for s in sent if s[0] == resolve.pk] == []
    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep(now=before + timedelta(seconds=30))
        sla_sweep(now=before + timedelta(seconds=60))  # already armed: not queued again
    assert [s for s in sent if s[0] == resolve.pk] == [(resolve.pk, resolve.warn_at)]
    # The warning acts; the deadline (five working days on) is far outside the horizon.
    assert sla_clock_check(clock_id=resolve.pk, now=resolve.warn_at) == "warned"
    resolve.refresh_from_db()
    assert resolve.next_check_at == resolve.due_at and resolve.timer_at == resolve.warn_at


def test_a_restarted_worker_forgets_its_timers_and_the_next_sweep_queues_them_again(
        org, django_capture_on_commit_callbacks, monkeypatch):
    from sla import tasks
    from sla.timers import sla_timers_forget

    sent = []
    monkeypatch.setattr(tasks.sla_clock_check_task, "apply_async",
                        lambda args, eta: sent.append((args[0], eta)))
    ticket = _assigned(org)
    contact = SlaClock.objects.get(ticket=ticket, milestone="contact")
    assert contact.timer_at == T0 + timedelta(minutes=10)
    assert sla_timers_forget(now=T0 + timedelta(minutes=1)) == 2  # contact and meet
    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep(now=T0 + timedelta(minutes=1))
    assert (contact.pk, T0 + timedelta(minutes=8)) in sent


def test_the_follow_up_call_has_its_own_clock_when_the_policy_names_one(org):
    from sla.models import SlaPolicy

    SlaPolicy.objects.filter(urgency="urgent").update(active=False)
    SlaPolicy.objects.create(name="紧急件含回访", urgency="urgent", version=2, milestones=[
        {"milestone": "contact", "minutes": 10, "calendar": "24x7"},
        {"milestone": "follow_up", "minutes": 120, "calendar": "24x7"}])
    ticket = _assigned(org)
    assert set(ticket.clocks.values_list("milestone", flat=True)) == {"contact"}
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        ticket = services.ticket_record_contact(ticket=ticket, actor=org.assignee.user)
        ticket = services.ticket_record_meeting(ticket=ticket, actor=org.assignee.user)
        ticket = services.ticket_resolve(ticket=ticket, actor=org.assignee.user, reply="已处理")
    follow_up = SlaClock.objects.get(ticket=ticket, milestone="follow_up")
    assert (follow_up.state, follow_up.due_at) == ("running", T0 + timedelta(hours=2, minutes=5))
    sla_sweep(now=T0 + timedelta(hours=3))
    with time_machine.travel(T0 + timedelta(hours=3, minutes=1), tick=False):
        services.ticket_follow_up(ticket=Ticket.objects.get(pk=ticket.pk),
                                  actor=org.centre_dispatcher.user, satisfaction="satisfied")
    follow_up.refresh_from_db()
    assert (follow_up.state, follow_up.late_minutes) == ("met", 56)
    assert Breach.objects.get(ticket=ticket).milestone == "follow_up"

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sla.models import SlaClock, SlaPolicy, Suspension
from sla.recompute import sla_breaches_verify
from sla.suspensions import sla_suspension_decide, sla_suspension_end, sla_suspension_request
from sla.timers import sla_sweep
from tickets.core.errors import TicketInputError, TransitionForbidden
from tickets.models import Ticket
from tickets.services import lifecycle as services

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 2, 10, 0, tzinfo=SH)  # a Wednesday


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def _assigned(org, urgency="urgent", when=T0):
    with time_machine.travel(when, tick=False):
        return services.ticket_assign(ticket=org.ticket("triage", urgency=urgency),
                                      actor=org.centre_dispatcher.user, unit=org.unit,
                                      assignee=org.assignee)


def _suspend(org, ticket, *, asked, approved):
    with time_machine.travel(asked, tick=False):
        s = sla_suspension_request(ticket=ticket, actor=org.assignee.user,
                                   reason="诉求人电话关机，联系不上")
    with time_machine.travel(approved, tick=False):
        return sla_suspension_decide(suspension=s, actor=org.lead.user, approve=True)


def _resume(org, suspension, when):
    with time_machine.travel(when, tick=False):
        return sla_suspension_end(suspension=suspension, actor=org.assignee.user, note="已接通")


def _due(ticket, milestone):
    return SlaClock.objects.get(ticket=ticket, milestone=milestone, state="running").due_at


def test_an_approved_suspension_pauses_every_clock_and_resuming_leaves_the_pause_out(org):
    ticket = _assigned(org)
    s = _suspend(org, ticket, asked=T0 + timedelta(minutes=5), approved=T0 + timedelta(minutes=6))
    assert sla_sweep(now=T0 + timedelta(hours=1)) == 0  # contact was due at 10:10: paused
    _resume(org, s, T0 + timedelta(hours=2, minutes=6))
    assert _due(ticket, "contact") == at(2026, 12, 2, 12, 10)
    assert _due(ticket, "meet") == at(2026, 12, 2, 12, 30)
    assert _due(ticket, "resolve") == at(2026, 12, 3, 12, 0)
    contact = SlaClock.objects.get(ticket=ticket, milestone="contact")
    assert contact.warn_at == at(2026, 12, 2, 12, 8) and contact.next_check_at == contact.warn_at
    s.refresh_from_db()
    assert (s.state, s.started_at, s.ended_at) == ("ended", T0 + timedelta(minutes=6),
                                                   T0 + timedelta(hours=2, minutes=6))
    assert list(ticket.events.filter(action__startswith="suspension").order_by("at")
                .values_list("action", flat=True)) == ["suspension_request",
                                                       "suspension_approve", "suspension_end"]


def test_a_working_time_clock_moves_by_the_working_time_paused_not_the_night(org):
    ticket = _assigned(org, urgency="normal")
    assert _due(ticket, "resolve") == at(2026, 12, 9, 10, 0)  # five 7-hour days
    s = _suspend(org, ticket, asked=at(2026, 12, 2, 16, 50), approved=at(2026, 12, 2, 17, 0))
    _resume(org, s, at(2026, 12, 3, 10, 0))
    # Paused: 17:00–18:00 and 09:00–10:00 of working time, so two working hours later.
    assert _due(ticket, "resolve") == at(2026, 12, 9, 12, 0)


def test_a_milestone_recorded_during_a_suspension_counts_from_the_pause(org):
    ticket = _assigned(org)
    _suspend(org, ticket, asked=T0 + timedelta(minutes=9), approved=T0 + timedelta(minutes=12))
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        services.ticket_record_contact(ticket=Ticket.objects.get(pk=ticket.pk),
                                       actor=org.assignee.user)
    contact = SlaClock.objects.get(ticket=ticket, milestone="contact")
    assert contact.late_minutes == 2
    breach = ticket.breaches.get(milestone="contact")
    assert (breach.met_at, breach.late_minutes) == (T0 + timedelta(minutes=12), 2)


def test_only_approval_pauses_and_a_refusal_needs_a_reason(org):
    ticket = _assigned(org)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        s = sla_suspension_request(ticket=ticket, actor=org.assignee.user, reason="联系不上")
    assert sla_sweep(now=T0 + timedelta(minutes=10)) == 1  # pending: the contact clock runs
    with pytest.raises(TicketInputError) as caught:
        sla_suspension_decide(suspension=s, actor=org.lead.user, approve=False)
    assert caught.value.field_errors == {"note": ["驳回请写明理由"]}
    sla_suspension_decide(suspension=s, actor=org.lead.user, approve=False, note="请继续联系")
    assert not SlaClock.objects.filter(ticket=ticket, paused_at__isnull=False).exists()


def test_who_may_ask_decide_and_resume(org):
    ticket = _assigned(org)
    with pytest.raises(TransitionForbidden):
        sla_suspension_request(ticket=ticket, actor=org.coworker.user, reason="x")
    with pytest.raises(TicketInputError):
        sla_suspension_request(ticket=ticket, actor=org.assignee.user, reason=" ")
    s = sla_suspension_request(ticket=ticket, actor=org.assignee.user, reason="联系不上")
    with pytest.raises(TicketInputError):  # one open suspension at a time
        sla_suspension_request(ticket=ticket, actor=org.lead.user, reason="再申请")
    for who in (org.assignee, org.other_lead, org.centre_dispatcher):
        with pytest.raises(TransitionForbidden):
            sla_suspension_decide(suspension=s, actor=who.user, approve=True)
    with pytest.raises(TicketInputError):  # not active yet
        sla_suspension_end(suspension=s, actor=org.assignee.user)
    sla_suspension_decide(suspension=s, actor=org.lead.user, approve=True)
    with pytest.raises(TransitionForbidden):
        sla_suspension_end(suspension=s, actor=org.other_caseworker.user)


def test_a_transfer_ends_the_suspension_and_the_new_unit_starts_afresh(org):
    ticket = _assigned(org)
    s = _suspend(org, ticket, asked=T0 + timedelta(minutes=1), approved=T0 + timedelta(minutes=2))
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        services.ticket_transfer(ticket=Ticket.objects.get(pk=ticket.pk),
                                 actor=org.centre_dispatcher.user, unit=org.other_unit,
                                 assignee=org.other_caseworker, reason="属水务职责")
    s.refresh_from_db()
    assert (s.state, s.ended_by_label) == ("ended", "系统")
    assert _due(ticket, "contact") == T0 + timedelta(hours=3, minutes=10)
    assert not ticket.breaches.exists()  # the old unit's clocks stood still when cancelled


def test_the_paused_interval_survives_a_policy_change_and_the_recomputation_agrees(org):
    ticket = _assigned(org)
    s = _suspend(org, ticket, asked=T0 + timedelta(minutes=1), approved=T0 + timedelta(minutes=2))
    SlaPolicy.objects.filter(urgency="urgent").update(active=False)
    SlaPolicy.objects.create(name="紧急件（新）", urgency="urgent", version=2, milestones=[
        {"milestone": "contact", "minutes": 60, "calendar": "24x7"}])
    _resume(org, s, T0 + timedelta(hours=1, minutes=2))
    assert _due(ticket, "contact") == T0 + timedelta(hours=1, minutes=10)
    sla_sweep(now=T0 + timedelta(hours=2))  # contact and meet are breached now
    with time_machine.travel(T0 + timedelta(hours=2, minutes=5), tick=False):
        services.ticket_transfer(ticket=Ticket.objects.get(pk=ticket.pk),
                                 actor=org.centre_dispatcher.user, unit=org.other_unit,
                                 assignee=org.other_caseworker, reason="属水务职责")
    # The ticket keeps the version it started with: 10 minutes, not the new 60.
    assert _due(ticket, "contact") == T0 + timedelta(hours=2, minutes=15)
    assert set(ticket.breaches.values_list("milestone", flat=True)) == {"contact", "meet"}
    sla_sweep(now=T0 + timedelta(hours=3))  # the new unit misses them too
    assert ticket.breaches.count() == 4
    checked, mismatches = sla_breaches_verify(tickets=[Ticket.objects.get(pk=ticket.pk)],
                                              now=T0 + timedelta(hours=3))
    assert (checked, mismatches) == (1, [])
    assert Suspension.objects.get(pk=s.pk).state == "ended"


def test_the_api_asks_decides_and_resumes_and_shows_the_paused_clocks(org, as_staff):
    ticket = _assigned(org, when=T0)
    n = ticket.number
    r = as_staff(org.assignee).post(f"/api/tickets/{n}/suspension/", {"reason": ""},
                                    format="json")
    assert r.status_code == 400 and "reason" in r.json()["errors"]
    r = as_staff(org.assignee).post(f"/api/tickets/{n}/suspension/", {"reason": "联系不上"},
                                    format="json")
    assert r.status_code == 200, r.json()
    [pending] = r.json()["suspensions"]
    r = as_staff(org.other_lead).post(f"/api/suspensions/{pending['id']}/decide/",
                                      {"approve": True}, format="json")
    assert r.status_code == 404
    r = as_staff(org.assignee).post(f"/api/suspensions/{pending['id']}/decide/",
                                    {"approve": True}, format="json")
    assert r.status_code == 403
    r = as_staff(org.lead).post(f"/api/suspensions/{pending['id']}/decide/", {"approve": True},
                                format="json")
    assert r.status_code == 200
    assert all(c["paused"] for c in r.json()["clocks"] if c["state"] == "running")
    r = as_staff(org.assignee).post(f"/api/suspensions/{pending['id']}/end/", {"note": "接通了"},
                                    format="json")
    assert r.status_code == 200 and r.json()["suspensions"][0]["state"] == "ended"
    assert not any(c["paused"] for c in r.json()["clocks"])

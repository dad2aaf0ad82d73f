from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from sla.extensions import sla_extension_decide, sla_extension_request
from sla.models import Breach
from sla.recompute import sla_breaches_recompute, sla_breaches_verify
from sla.suspensions import sla_suspension_decide, sla_suspension_end, sla_suspension_request
from sla.timers import sla_sweep
from tickets.models import Ticket
from tickets.services import lifecycle as services

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 2, 10, 0, tzinfo=SH)


def _fresh(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def _story(org):
    """Contact late (after the sweeper saw it), meeting in time, resolve extended, then met."""
    with time_machine.travel(T0, tick=False):
        ticket = services.ticket_assign(ticket=org.ticket("triage", urgency="urgent"),
                                        actor=org.centre_dispatcher.user, unit=org.unit,
                                        assignee=org.assignee)
    sla_sweep(now=T0 + timedelta(minutes=11))
    with time_machine.travel(T0 + timedelta(minutes=12), tick=False):
        ticket = services.ticket_record_contact(ticket=_fresh(ticket), actor=org.assignee.user)
    with time_machine.travel(T0 + timedelta(minutes=25), tick=False):
        ticket = services.ticket_record_meeting(ticket=ticket, actor=org.assignee.user)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        ext = sla_extension_request(ticket=ticket, actor=org.assignee.user, reason="等配件",
                                    new_due_at=T0 + timedelta(hours=48))
        sla_extension_decide(extension=ext, actor=org.lead.user, approve=True)
    sla_sweep(now=T0 + timedelta(hours=30))  # the old resolve deadline: no breach
    return _fresh(ticket)


def test_the_recomputation_from_events_matches_what_the_clocks_recorded(org):
    ticket = _story(org)
    expected = sla_breaches_recompute(ticket=ticket, now=T0 + timedelta(hours=30))
    assert [(e.milestone, e.due_at) for e in expected] == [("contact", T0 + timedelta(minutes=10))]
    assert sla_breaches_verify(tickets=[ticket], now=T0 + timedelta(hours=30)) == (1, [])


def test_a_lost_or_invented_breach_is_reported(org):
    ticket = _story(org)
    Breach.objects.filter(ticket=ticket).delete()
    Breach.objects.create(clock=ticket.clocks.get(milestone="meet"), ticket=ticket,
                          milestone="meet", due_at=T0 + timedelta(minutes=30),
                          detected_at=T0 + timedelta(minutes=31))
    _n, mismatches = sla_breaches_verify(tickets=[ticket], now=T0 + timedelta(hours=30))
    assert [(m.milestone, m.problem) for m in mismatches] == [("contact", "missing"),
                                                             ("meet", "unexpected")]


def test_a_deadline_passed_moments_ago_may_still_be_waiting_for_the_sweeper(org):
    with time_machine.travel(T0, tick=False):
        ticket = services.ticket_assign(ticket=org.ticket("triage", urgency="urgent"),
                                        actor=org.centre_dispatcher.user, unit=org.unit,
                                        assignee=org.assignee)
    assert sla_breaches_verify(tickets=[ticket], now=T0 + timedelta(minutes=11)) == (1, [])
    _n, mismatches = sla_breaches_verify(tickets=[ticket], now=T0 + timedelta(minutes=13))
    assert [m.milestone for m in mismatches] == ["contact"]
    sla_sweep(now=T0 + timedelta(minutes=13))
    assert sla_breaches_verify(tickets=[ticket], now=T0 + timedelta(minutes=13)) == (1, [])


def test_a_return_keeps_and_a_reopen_restarts_the_clocks_in_the_recomputation_too(org):
    with time_machine.travel(T0, tick=False):
        ticket = services.ticket_assign(ticket=org.ticket("triage", urgency="urgent"),
                                        actor=org.centre_dispatcher.user, unit=org.unit,
                                        assignee=org.assignee)
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        ticket = services.ticket_return(ticket=ticket, actor=org.lead.user, reason="非本单位")
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        ticket = services.ticket_assign(ticket=ticket, actor=org.centre_dispatcher.user,
                                        unit=org.other_unit, assignee=org.other_caseworker)
    sla_sweep(now=T0 + timedelta(minutes=40))  # the kept clocks ran out meanwhile
    with time_machine.travel(T0 + timedelta(minutes=41), tick=False):
        ticket = services.ticket_record_contact(ticket=_fresh(ticket),
                                                actor=org.other_caseworker.user)
        ticket = services.ticket_record_meeting(ticket=ticket, actor=org.other_caseworker.user)
        ticket = services.ticket_resolve(ticket=ticket, actor=org.other_caseworker.user,
                                         reply="已修复")
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        services.ticket_follow_up(ticket=ticket, actor=org.centre_dispatcher.user,
                                  satisfaction="unsatisfied")
    sla_sweep(now=T0 + timedelta(hours=3))
    breaches = sorted(Breach.objects.filter(ticket=ticket).values_list("milestone", "due_at"))
    assert breaches == sorted([("contact", T0 + timedelta(minutes=10)),
                               ("meet", T0 + timedelta(minutes=30)),
                               ("contact", T0 + timedelta(hours=2, minutes=10)),
                               ("meet", T0 + timedelta(hours=2, minutes=30))])
    assert sla_breaches_verify(tickets=[_fresh(ticket)], now=T0 + timedelta(hours=3)) == (1, [])


def test_the_command_exits_non_zero_on_a_mismatch(org, capsys):
    ticket = _story(org)
    with time_machine.travel(T0 + timedelta(hours=30), tick=False):
        call_command("sla_recompute")
        assert "核对 1 张工单，不一致 0 处" in capsys.readouterr().out
        Breach.objects.filter(ticket=ticket).delete()
        with pytest.raises(SystemExit) as stopped:
            call_command("sla_recompute", "--ticket", ticket.number)
    assert stopped.value.code == 1
    out = capsys.readouterr().out
    assert f"{ticket.number} contact 截止 2026-12-02 10:10:00：应有超时记录但没有" in out


# The city platform's own deadlines (Ticket.upstream_*_due_at) bind the recomputation too.


def _breaches(ticket):
    return sorted(Breach.objects.filter(ticket=ticket).values_list("milestone", "due_at"))


def _upstream_assigned(org, **upstream):
    with time_machine.travel(T0, tick=False):
        return services.ticket_assign(ticket=org.ticket("triage", urgency="urgent", **upstream),
                                      actor=org.centre_dispatcher.user, unit=org.unit,
                                      assignee=org.assignee)


def test_contact_after_the_platforms_deadline_but_within_the_policys_is_the_breach_recorded(org):
    # The platform wants contact by 10:06; the policy's ten minutes would allow 10:10.
    ticket = _upstream_assigned(org, upstream_contact_due_at=T0 + timedelta(minutes=6))
    with time_machine.travel(T0 + timedelta(minutes=8), tick=False):
        ticket = services.ticket_record_contact(ticket=_fresh(ticket), actor=org.assignee.user)
    assert _breaches(ticket) == [("contact", T0 + timedelta(minutes=6))]
    now = T0 + timedelta(minutes=20)
    expected = sla_breaches_recompute(ticket=_fresh(ticket), now=now)
    assert [(e.milestone, e.due_at, e.settled) for e in expected] == [
        ("contact", T0 + timedelta(minutes=6), True)]
    assert sla_breaches_verify(tickets=[_fresh(ticket)], now=now) == (1, [])


def test_contact_before_both_deadlines_is_no_breach_in_either(org):
    ticket = _upstream_assigned(org, upstream_contact_due_at=T0 + timedelta(minutes=6))
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        ticket = services.ticket_record_contact(ticket=_fresh(ticket), actor=org.assignee.user)
    sla_sweep(now=T0 + timedelta(minutes=20))
    assert _breaches(ticket) == []
    now = T0 + timedelta(minutes=20)
    assert sla_breaches_recompute(ticket=_fresh(ticket), now=now) == []
    assert sla_breaches_verify(tickets=[_fresh(ticket)], now=now) == (1, [])


def test_a_suspension_moves_a_bound_deadline_in_the_recomputation_too(org):
    ticket = _upstream_assigned(org, upstream_contact_due_at=T0 + timedelta(minutes=6))
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        asked = sla_suspension_request(ticket=ticket, actor=org.assignee.user,
                                       reason="诉求人电话关机，联系不上")
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        suspension = sla_suspension_decide(suspension=asked, actor=org.lead.user, approve=True)
    with time_machine.travel(T0 + timedelta(minutes=12), tick=False):
        sla_suspension_end(suspension=suspension, actor=org.assignee.user, note="已接通")
    # Ten minutes paused: the platform's 10:06 becomes 10:16 (and the meeting's 10:30, 10:40).
    sla_sweep(now=T0 + timedelta(minutes=17))
    with time_machine.travel(T0 + timedelta(minutes=18), tick=False):
        ticket = services.ticket_record_contact(ticket=_fresh(ticket), actor=org.assignee.user)
    assert _breaches(ticket) == [("contact", T0 + timedelta(minutes=16))]
    now = T0 + timedelta(minutes=30)
    assert [(e.milestone, e.due_at) for e in sla_breaches_recompute(
        ticket=_fresh(ticket), now=now)] == [("contact", T0 + timedelta(minutes=16))]
    assert sla_breaches_verify(tickets=[_fresh(ticket)], now=now) == (1, [])


def test_an_extension_up_to_the_platforms_resolve_deadline_is_replayed_like_the_clock(org):
    # The policy's 24 hours (12-03 10:00) come before the platform's 12-03 22:00.
    ticket = _upstream_assigned(org, upstream_resolve_due_at=T0 + timedelta(hours=36))
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        ticket = services.ticket_record_contact(ticket=_fresh(ticket), actor=org.assignee.user)
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        ticket = services.ticket_record_meeting(ticket=ticket, actor=org.assignee.user)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        ext = sla_extension_request(ticket=ticket, actor=org.assignee.user, reason="需协调物业",
                                    new_due_at=T0 + timedelta(hours=36))
        sla_extension_decide(extension=ext, actor=org.lead.user, approve=True, note="同意")
    sla_sweep(now=T0 + timedelta(hours=24, minutes=1))  # the policy's deadline: moved past
    assert _breaches(ticket) == []
    assert sla_breaches_verify(tickets=[_fresh(ticket)],
                               now=T0 + timedelta(hours=24, minutes=1)) == (1, [])
    sla_sweep(now=T0 + timedelta(hours=36, minutes=1))
    assert _breaches(ticket) == [("resolve", T0 + timedelta(hours=36))]
    now = T0 + timedelta(hours=37)
    assert [(e.milestone, e.due_at) for e in sla_breaches_recompute(
        ticket=_fresh(ticket), now=now)] == [("resolve", T0 + timedelta(hours=36))]
    assert sla_breaches_verify(tickets=[_fresh(ticket)], now=now) == (1, [])

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from sla.clocks import sla_policy_for
from sla.models import SlaClock, SlaPolicy
from tickets.services import lifecycle as services

SH = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def clocks(ticket, state="running"):
    return {c.milestone: c for c in SlaClock.objects.filter(ticket=ticket, state=state)}


def assign(org, ticket, *, when, unit=None, person=None):
    with time_machine.travel(when, tick=False):
        return services.ticket_assign(ticket=ticket, actor=org.centre_dispatcher.user,
                                      unit=unit or org.unit, assignee=person or org.assignee)


def test_assignment_starts_the_urgent_10_30_24_clocks(org):
    ticket = assign(org, org.ticket("triage", urgency="urgent"), when=at(2026, 12, 2, 10, 0))
    running = clocks(ticket)
    assert {m: c.due_at for m, c in running.items()} == {
        "contact": at(2026, 12, 2, 10, 10), "meet": at(2026, 12, 2, 10, 30),
        "resolve": at(2026, 12, 3, 10, 0)}
    assert running["contact"].warn_at == at(2026, 12, 2, 10, 8)  # 80 %
    assert ticket.sla_policy.name == "紧急件 10-30-24" and running["contact"].unit == org.unit


def test_contact_in_time_and_a_late_meeting_are_recorded_as_such(org):
    ticket = assign(org, org.ticket("triage", urgency="urgent"), when=at(2026, 12, 2, 10, 0))
    with time_machine.travel(at(2026, 12, 2, 10, 9), tick=False):
        ticket = services.ticket_record_contact(ticket=ticket, actor=org.assignee.user)
    with time_machine.travel(at(2026, 12, 2, 10, 42, 30), tick=False):
        services.ticket_record_meeting(ticket=ticket, actor=org.assignee.user)
    met = clocks(ticket, "met")
    assert met["contact"].late_minutes == 0 and not met["contact"].late
    assert met["meet"].late_minutes == 13  # 12.5 minutes late, counted up
    assert set(clocks(ticket)) == {"resolve"}


def test_an_urgent_ticket_at_2355_on_a_holiday_eve_runs_round_the_clock(org):
    ticket = assign(org, org.ticket("triage", urgency="urgent"), when=at(2026, 9, 30, 23, 55))
    assert clocks(ticket)["resolve"].due_at == at(2026, 10, 1, 23, 55)


def test_a_normal_ticket_on_the_eve_of_national_day_counts_working_days_and_the_make_up_saturday(
        org):
    ticket = assign(org, org.ticket("triage"), when=at(2026, 9, 30, 23, 55))
    # Holidays 1–7 Oct; working days 8, 9, 10 (make-up Saturday), 12, 13 Oct.
    assert clocks(ticket)["resolve"].due_at == at(2026, 10, 13, 18, 0)
    assert clocks(ticket)["contact"].due_at == at(2026, 10, 1, 0, 5)  # contact is 24×7


def test_a_return_keeps_the_clock_running_against_the_unit_that_held_it(org):
    ticket = assign(org, org.ticket("triage", urgency="urgent"), when=at(2026, 12, 2, 10, 0))
    first = clocks(ticket)["contact"]
    with time_machine.travel(at(2026, 12, 2, 10, 5), tick=False):
        ticket = services.ticket_return(ticket=ticket, actor=org.lead.user, reason="非本单位")
    again = assign(org, ticket, when=at(2026, 12, 2, 10, 20), unit=org.other_unit,
                   person=org.other_caseworker)
    kept = clocks(again)["contact"]
    assert kept.pk == first.pk and kept.due_at == at(2026, 12, 2, 10, 10)
    assert kept.unit == org.unit


def test_a_transfer_restarts_the_clocks_by_default(org):
    ticket = assign(org, org.ticket("triage", urgency="urgent"), when=at(2026, 12, 2, 10, 0))
    with time_machine.travel(at(2026, 12, 2, 10, 20), tick=False):
        moved = services.ticket_transfer(ticket=ticket, actor=org.lead.user, unit=org.other_unit,
                                         assignee=org.other_caseworker, reason="水务")
    assert clocks(moved)["contact"].due_at == at(2026, 12, 2, 10, 30)
    assert clocks(moved)["contact"].unit == org.other_unit
    assert len(clocks(moved, "cancelled")) == 3


def test_a_policy_can_keep_the_clock_through_a_transfer_and_tickets_keep_their_version(org):
    ticket = assign(org, org.ticket("triage", urgency="urgent"), when=at(2026, 12, 2, 10, 0))
    policy = ticket.sla_policy
    policy.restart_on_transfer = False
    policy.save()
    SlaPolicy.objects.create(name=policy.name, urgency="urgent", version=2,
                             milestones=[{"milestone": "contact", "minutes": 99}])
    with time_machine.travel(at(2026, 12, 2, 10, 20), tick=False):
        moved = services.ticket_transfer(ticket=ticket, actor=org.lead.user, unit=org.other_unit,
                                         assignee=org.other_caseworker, reason="水务")
    assert clocks(moved)["contact"].due_at == at(2026, 12, 2, 10, 10)  # same clock, v1
    assert moved.sla_policy_id == policy.pk


def test_reopening_starts_every_clock_over(org):
    ticket = org.ticket("resolved", urgency="urgent")
    with time_machine.travel(at(2026, 12, 5, 9, 0), tick=False):
        reopened = services.ticket_follow_up(ticket=ticket, actor=None,
                                             satisfaction="unsatisfied")
    assert clocks(reopened)["contact"].due_at == at(2026, 12, 5, 9, 10)


def test_a_policy_naming_the_category_beats_the_general_one(org):
    SlaPolicy.objects.create(name="燃气", urgency="urgent", category_l1="燃气",
                             milestones=[{"milestone": "contact", "minutes": 5}])
    assert sla_policy_for(urgency="urgent", category_l1="燃气", channel_code="x").name == "燃气"
    assert sla_policy_for(urgency="urgent", category_l1="路灯",
                          channel_code="x").name == "紧急件 10-30-24"


def test_merging_a_ticket_in_work_cancels_its_clocks(org):
    ticket = assign(org, org.ticket("triage", urgency="urgent"), when=at(2026, 12, 2, 10, 0))
    with time_machine.travel(at(2026, 12, 2, 10, 1), tick=False):
        services.ticket_merge(ticket=ticket, actor=org.centre_dispatcher.user,
                              parent=org.ticket("triage"))
    assert clocks(ticket) == {} and len(clocks(ticket, "cancelled")) == 3

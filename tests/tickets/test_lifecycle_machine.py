"""A stateful property test of the lifecycle: random actions of the catalogue, by random people
(and the system), on a few tickets; after every step the invariants below hold.

- the ticket is in one valid state;
- a refused action changed nothing: not the ticket's row, not its trail, not its clocks;
- an accepted action that moved the ticket wrote exactly one transition event, from the old
  state to the new one; every other event it wrote changes no state;
- the trail is one unbroken hash chain;
- the SLA clocks agree with the ticket: none running once it is closed, none for a milestone
  already recorded, and the resolve clock running while a unit works on it.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from sla.models import ClockState, Milestone, SlaClock
from tests.factories import ChannelFactory
from tickets.actions.catalogue import CATALOGUE
from tickets.core.errors import TicketError
from tickets.core.trail import trail_verify
from tickets.models import Ticket, TicketState
from tickets.services import lifecycle as services

WORKING = {TicketState.ASSIGNED, TicketState.CONTACTED, TicketState.MET}
DONE = {TicketState.CLOSED, TicketState.REJECTED, TicketState.MERGED}
RECORDED = {Milestone.CONTACT: "contacted_at", Milestone.MEET: "met_at",
            Milestone.RESOLVE: "resolved_at"}
# What the runs did, so that the test can show it reached deep into the lifecycle.
OUTCOMES: Counter[tuple[str, str]] = Counter()


def _values(name: str, org: Any, other: Ticket, data: st.DataObject) -> dict[str, Any]:
    """Inputs a person could plausibly send for each action of the catalogue."""
    soon = timezone.now() + timedelta(days=2)
    unit, person = data.draw(st.sampled_from([(org.unit, org.assignee), (org.unit, None),
                                              (org.other_unit, org.other_caseworker)]))
    return {
        "dispatch": {"unit": unit, "assignee": person, "reason": ""},
        "reject": {"reason": data.draw(st.sampled_from(["", "骚扰电话"]))},
        "contact": {"method": "电话", "note": "已联系"},
        "meeting": {"method": "上门", "note": "已到现场"},
        "resolve": {"reply": data.draw(st.sampled_from(["", "已处理完毕"]))},
        "return_request": {"reason_code": "not_our_duty", "text": "不属本单位"},
        "transfer": {"unit": unit, "assignee": person, "reason": "职责不符"},
        "reassign": {"assignee": data.draw(st.sampled_from([org.coworker, org.assignee])),
                     "reason": ""},
        "extension": {"new_due_at": soon, "reason": "需协调"},
        "suspension": {"reason": "联系不上诉求人"},
        "assist": {"unit": org.other_unit, "task": "协助核查"},
        "merge": {"parent": other.number, "reason": "重复"},
        "follow_up": {"satisfaction": data.draw(st.sampled_from(
            ["satisfied", "basically_satisfied", "unsatisfied"])), "note": "回访"},
        "close_unreasonable": {"reason": "诉求不合理"},
        "supervise": {"level": "district", "instructions": "请尽快办理",
                      "reply_due_at": soon},
    }[name]


def _snapshot(ticket: Ticket) -> tuple[Any, ...]:
    fresh = Ticket.objects.get(pk=ticket.pk)
    clocks = sorted(SlaClock.objects.filter(ticket=fresh).values_list(
        "pk", "milestone", "state", "due_at", "paused_at"))
    return model_to_dict(fresh), fresh.events.count(), clocks


class LifecycleMachine(RuleBasedStateMachine):
    tickets = Bundle("tickets")

    def __init__(self, org: Any) -> None:
        super().__init__()
        self.org = org
        self.channel = ChannelFactory()
        self.made = 0
        self.people = [org.centre_dispatcher.user, org.centre_supervisor.user,
                       org.lead.user, org.assignee.user, org.coworker.user,
                       org.unit_dispatcher.user, org.other_lead.user,
                       org.other_caseworker.user]

    def _new(self) -> Ticket:
        self.made += 1
        return services.ticket_create(channel=self.channel, external_id=f"m-{id(self)}-"
                                      f"{self.made}", title="路灯不亮",
                                      content="小区门口的路灯坏了").ticket

    @initialize(target=tickets)
    def first(self) -> Ticket:
        return self._new()

    @rule(target=tickets)
    def another(self) -> Ticket:
        return self._new()

    @rule(ticket=tickets)
    def the_router_sends_it_to_triage(self, ticket: Ticket) -> None:
        self._step(ticket, "triage", lambda t: services.ticket_triage(ticket=t, actor=None))

    @rule(ticket=tickets, other=tickets, data=st.data())
    def someone_acts(self, ticket: Ticket, other: Ticket, data: st.DataObject) -> None:
        # Mostly what the console would offer someone (so the runs get deep into the
        # lifecycle), sometimes anything by anyone (so refusals are tried too).
        fresh = Ticket.objects.get(pk=ticket.pk)
        offered = [(name, person) for name, action in CATALOGUE.items()
                   for person in self.people if action.offered_to(fresh, person)]
        if offered and data.draw(st.integers(min_value=0, max_value=3), label="offered") > 0:
            name, actor = data.draw(st.sampled_from(offered), label="action")
        else:
            name = data.draw(st.sampled_from(sorted(CATALOGUE)), label="action")
            actor = data.draw(st.sampled_from(self.people), label="person")
        action = CATALOGUE[name]
        values = _values(name, self.org, other, data)
        self._step(ticket, name,
                   lambda t: action.perform(ticket=t, actor=actor, values=values))

    def _step(self, ticket: Ticket, name: str, act: Any) -> None:
        before, events_before, clocks_before = _snapshot(ticket)
        fresh = Ticket.objects.get(pk=ticket.pk)
        try:
            act(fresh)
        except TicketError as refused:
            after, events_after, clocks_after = _snapshot(ticket)
            assert (after, events_after, clocks_after) == (before, events_before,
                                                           clocks_before), name
            OUTCOMES[(name, f"refused:{refused.code}")] += 1
            return
        now = Ticket.objects.get(pk=ticket.pk)
        new = list(now.events.order_by("pk")[events_before:])
        moves = [e for e in new if e.from_state != e.to_state]
        if now.state != before["state"]:
            assert [(e.from_state, e.to_state) for e in moves] == [(before["state"],
                                                                    now.state)], name
            OUTCOMES[(name, "moved")] += 1
        else:
            assert moves == [], name
            OUTCOMES[(name, "done")] += 1

    @invariant()
    def every_ticket_is_in_one_valid_state_with_an_unbroken_trail(self) -> None:
        mine = Ticket.objects.filter(channel=self.channel)
        assert set(mine.values_list("state", flat=True)) <= set(TicketState.values)
        assert trail_verify(tickets=mine) == []

    @invariant()
    def the_clocks_agree_with_the_tickets(self) -> None:
        for ticket in Ticket.objects.filter(channel=self.channel):
            running = SlaClock.objects.filter(ticket=ticket, state=ClockState.RUNNING)
            if ticket.state in DONE:
                assert not running.exists(), ticket.state
            for clock in running:
                field = RECORDED.get(clock.milestone)
                assert field is None or getattr(ticket, field) is None, clock.milestone
            if ticket.state in WORKING:
                assert running.filter(milestone=Milestone.RESOLVE).exists(), ticket.state


@pytest.mark.django_db
def test_random_actions_by_random_people_keep_every_invariant(org):
    OUTCOMES.clear()
    run_state_machine_as_test(
        lambda: LifecycleMachine(org),
        settings=settings(max_examples=40, stateful_step_count=30, deadline=None,
                          derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.filter_too_much]))
    print("\nlifecycle machine:", sorted(OUTCOMES.items()))
    # The runs reached deep into the lifecycle, not only refusals.
    for step in ("dispatch", "contact", "meeting", "resolve", "follow_up"):
        assert OUTCOMES[(step, "moved")] > 0, step
    assert sum(n for (_, how), n in OUTCOMES.items() if how.startswith("refused")) > 0

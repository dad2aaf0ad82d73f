"""Every (state, action) pair: the legal ones move the ticket, the illegal ones change nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tickets.core.errors import IllegalTransition
from tickets.models import Ticket, TicketEvent
from tickets.services import lifecycle as services

STATES = ["received", "triage", "assigned", "contacted", "met", "resolved", "closed", "merged",
          "rejected"]

# Written from the lifecycle in the issue, not read from the model.
LEGAL: dict[tuple[str, str], str] = {
    ("received", "triage"): "triage",
    ("received", "assign"): "assigned",
    ("received", "merge"): "merged",
    ("received", "reject"): "rejected",
    ("triage", "assign"): "assigned",
    ("triage", "merge"): "merged",
    ("triage", "reject"): "rejected",
    ("assigned", "record_contact"): "contacted",
    ("assigned", "return_to_triage"): "triage",
    ("assigned", "transfer"): "assigned",
    ("assigned", "merge"): "merged",
    ("contacted", "record_meeting"): "met",
    ("contacted", "return_to_triage"): "triage",
    ("contacted", "transfer"): "assigned",
    ("contacted", "merge"): "merged",
    ("met", "resolve"): "resolved",
    ("met", "return_to_triage"): "triage",
    ("met", "transfer"): "assigned",
    ("met", "merge"): "merged",
    ("resolved", "close"): "closed",
    ("resolved", "reopen"): "assigned",
}


def _call(org, action: str, actor) -> Callable[[Ticket], Ticket]:
    """The service call for an action, with valid arguments."""
    calls: dict[str, Callable[[Ticket], Ticket]] = {
        "triage": lambda t: services.ticket_triage(ticket=t, actor=actor),
        "assign": lambda t: services.ticket_assign(
            ticket=t, actor=actor, unit=org.unit, assignee=org.assignee),
        "record_contact": lambda t: services.ticket_record_contact(ticket=t, actor=actor),
        "record_meeting": lambda t: services.ticket_record_meeting(ticket=t, actor=actor),
        "resolve": lambda t: services.ticket_resolve(ticket=t, actor=actor, reply="已修复"),
        "close": lambda t: services.ticket_follow_up(
            ticket=t, actor=actor, satisfaction="satisfied"),
        "reopen": lambda t: services.ticket_follow_up(
            ticket=t, actor=actor, satisfaction="unsatisfied", note="路灯又坏了"),
        "return_to_triage": lambda t: services.ticket_return(
            ticket=t, actor=actor, reason="不属于本单位职责"),
        "transfer": lambda t: services.ticket_transfer(
            ticket=t, actor=actor, unit=org.other_unit, assignee=org.other_caseworker,
            reason="涉及供水管网"),
        "merge": lambda t: services.ticket_merge(
            ticket=t, actor=actor, parent=org.ticket("assigned")),
        "reject": lambda t: services.ticket_reject(ticket=t, actor=actor, reason="骚扰电话"),
    }
    return calls[action]


ACTIONS = ["triage", "assign", "record_contact", "record_meeting", "resolve", "close", "reopen",
           "return_to_triage", "transfer", "merge", "reject"]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_in_each_state_is_applied_or_refused_without_change(
        org, superuser, state, action):
    ticket = org.ticket(state)
    before = Ticket.objects.values().get(pk=ticket.pk)
    call = _call(org, action, superuser)

    if (state, action) in LEGAL:
        result = call(ticket)
        assert result.state == LEGAL[(state, action)]
        assert Ticket.objects.get(pk=ticket.pk).state == LEGAL[(state, action)]
        assert Ticket.objects.get(pk=ticket.pk).version == before["version"] + 1
        recorded = TicketEvent.objects.filter(ticket=ticket, action=action).get()
        assert (recorded.from_state, recorded.to_state) == (state, LEGAL[(state, action)])
        assert recorded.actor == superuser
    else:
        with pytest.raises(IllegalTransition) as err:
            call(ticket)
        assert err.value.state == state
        assert Ticket.objects.values().get(pk=ticket.pk) == before
        assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_the_illegal_transition_error_names_the_state_and_the_action(org, superuser):
    ticket = org.ticket("closed")
    with pytest.raises(IllegalTransition) as err:
        services.ticket_record_contact(ticket=ticket, actor=superuser)
    assert "已归档" in str(err.value) and "closed" in str(err.value)
    assert "联系诉求人" in str(err.value) and "record_contact" in str(err.value)


def test_a_full_happy_path_leaves_one_event_per_step(org):
    ticket = services.ticket_create(
        channel=org.ticket("received").channel, external_id="call-1", title="井盖缺失",
        content="莲花路口井盖缺失，行人易跌落", urgency="urgent").ticket
    ticket = services.ticket_assign(ticket=ticket, actor=org.centre_dispatcher.user,
                                    unit=org.unit, assignee=org.assignee)
    ticket = services.ticket_record_contact(ticket=ticket, actor=org.assignee.user, note="已通话")
    ticket = services.ticket_record_meeting(ticket=ticket, actor=org.assignee.user, note="已到现场")
    ticket = services.ticket_resolve(ticket=ticket, actor=org.assignee.user, reply="已补装井盖")
    ticket = services.ticket_follow_up(ticket=ticket, actor=org.centre_dispatcher.user,
                                       satisfaction="satisfied", note="市民满意")
    assert ticket.state == "closed"
    assert list(ticket.events.values_list("action", flat=True)) == [
        "create", "assign", "record_contact", "record_meeting", "resolve", "follow_up", "close"]
    assert ticket.assigned_at <= ticket.contacted_at <= ticket.met_at <= ticket.resolved_at
    assert ticket.reply == "已补装井盖" and ticket.satisfaction == "satisfied"


def test_a_return_clears_the_unit_and_counts_and_keeps_the_reason(org):
    ticket = org.ticket("contacted")
    ticket = services.ticket_return(ticket=ticket, actor=org.lead.user, reason="属于水务职责")
    assert (ticket.state, ticket.unit, ticket.assignee, ticket.return_count) == (
        "triage", None, None, 1)
    event = ticket.events.get(action="return_to_triage")
    assert event.reason == "属于水务职责" and event.payload == {"unit": "street-lianhua"}


def test_a_transfer_moves_unit_and_person_and_restarts_the_milestones(org):
    ticket = org.ticket("met")
    ticket = services.ticket_transfer(ticket=ticket, actor=org.lead.user, unit=org.other_unit,
                                      assignee=org.other_caseworker, reason="供水管网问题")
    assert ticket.state == "assigned"
    assert (ticket.unit, ticket.assignee) == (org.other_unit, org.other_caseworker)
    assert ticket.contacted_at is None and ticket.met_at is None and ticket.transfer_count == 1
    assert ticket.events.get().payload == {"from_unit": "street-lianhua", "unit": "water",
                                           "assignee": "water.cw1"}


def test_a_reopen_goes_back_to_the_same_person(org):
    ticket = org.ticket("resolved")
    ticket = services.ticket_follow_up(ticket=ticket, actor=None, satisfaction="unsatisfied",
                                       note="问题没有解决")
    assert (ticket.state, ticket.assignee, ticket.reopen_count) == ("assigned", org.assignee, 1)
    assert ticket.satisfaction == "unsatisfied" and ticket.resolved_at is None


def test_a_merge_links_the_duplicate_to_its_parent(org):
    parent = org.ticket("assigned")
    child = services.ticket_merge(ticket=org.ticket("triage"), actor=org.centre_dispatcher.user,
                                  parent=parent)
    assert child.state == "merged" and child.parent == parent
    assert list(parent.duplicates.all()) == [child]

"""回访 calls that reached nobody (未接通): counted on the task, one event in the trail, the task
still open with its due time; and outcomes answered task by task."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tickets.core.errors import (
    IllegalTransition,
    TicketConflict,
    TransitionConditionFailed,
    TransitionForbidden,
)
from tickets.core.trail import trail_verify
from tickets.models import EventAction, FollowUpTask, Ticket
from tickets.selectors.follow_ups import follow_up_open_list, follow_up_visible
from tickets.services import lifecycle as services
from tickets.services.follow_ups import follow_up_record_attempt, follow_up_task_complete

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


def _resolved(org, *, unit=None, assignee=None) -> tuple[Ticket, FollowUpTask]:
    """Worked through the services, so the ticket has its trail and its follow-up task."""
    unit, assignee = unit or org.unit, assignee or org.assignee
    ticket = services.ticket_assign(ticket=org.ticket("triage", unit=None, assignee=None),
                                    actor=org.centre_dispatcher.user, unit=unit,
                                    assignee=assignee)
    for step in (services.ticket_record_contact, services.ticket_record_meeting):
        ticket = step(ticket=ticket, actor=assignee.user)
    ticket = services.ticket_resolve(ticket=ticket, actor=assignee.user, reply="路灯已修复")
    return ticket, ticket.follow_ups.get()


def test_it_counts_each_unreachable_call_and_keeps_the_task_open_with_its_due_time(org):
    with time_machine.travel(_at(1, 9), tick=False):
        _ticket, task = _resolved(org)
    due = task.due_at
    with time_machine.travel(_at(1, 10, 5), tick=False):
        follow_up_record_attempt(task=task, actor=org.centre_dispatcher.user, note="无人接听")
    with time_machine.travel(_at(1, 14, 30), tick=False):
        done = follow_up_record_attempt(task=task, actor=org.centre_dispatcher.user)
    task.refresh_from_db()
    assert (done.attempts, task.attempts) == (2, 2)
    assert task.last_attempt_at == _at(1, 14, 30)
    assert task.state == "open" and task.due_at == due
    assert list(follow_up_open_list(user=org.centre_dispatcher.user)) == [task]


def test_it_appends_a_follow_up_attempt_event_and_changes_no_state(org):
    ticket, task = _resolved(org)
    version = ticket.version
    follow_up_record_attempt(task=task, actor=org.centre_supervisor.user, note="关机")
    follow_up_record_attempt(task=task, actor=org.centre_dispatcher.user, note="  占线 ")
    ticket.refresh_from_db()
    assert (ticket.state, ticket.version) == ("resolved", version)
    events = list(ticket.events.filter(action=EventAction.FOLLOW_UP_ATTEMPT).order_by("pk"))
    assert [(e.actor, e.from_state, e.to_state, e.reason, e.payload) for e in events] == [
        (org.centre_supervisor.user, "resolved", "resolved", "关机", {"attempt": 1}),
        (org.centre_dispatcher.user, "resolved", "resolved", "占线", {"attempt": 2}),
    ]
    assert ticket.events.order_by("pk").last() == events[-1]


def test_an_attempt_on_a_task_already_done_is_refused_and_changes_nothing(org):
    ticket, task = _resolved(org)
    services.ticket_follow_up(ticket=ticket, actor=org.centre_dispatcher.user,
                              satisfaction="satisfied")
    events = Ticket.objects.get(pk=ticket.pk).events.count()
    with pytest.raises(IllegalTransition, match="该回访任务已完成"):
        follow_up_record_attempt(task=task, actor=org.centre_dispatcher.user)
    task.refresh_from_db()
    assert (task.attempts, task.last_attempt_at) == (0, None)
    assert Ticket.objects.get(pk=ticket.pk).events.count() == events


@pytest.mark.parametrize("who", ["assignee", "lead", "unit_dispatcher"])
def test_people_of_the_unit_may_not_record_an_attempt(org, who):
    ticket, task = _resolved(org)
    with pytest.raises(TransitionForbidden, match="无权对工单"):
        follow_up_record_attempt(task=task, actor=getattr(org, who).user)
    task.refresh_from_db()
    assert task.attempts == 0
    assert not ticket.events.filter(action=EventAction.FOLLOW_UP_ATTEMPT).exists()


def test_the_trail_chain_still_holds_after_attempts_and_the_outcome(org):
    ticket, task = _resolved(org)
    follow_up_record_attempt(task=task, actor=org.centre_dispatcher.user, note="无人接听")
    follow_up_record_attempt(task=task, actor=org.centre_dispatcher.user)
    follow_up_task_complete(task=task, actor=org.centre_dispatcher.user,
                            satisfaction="satisfied", note="满意")
    ticket.refresh_from_db()
    events = list(ticket.events.order_by("pk"))
    assert [e.action for e in events[-4:]] == ["follow_up_attempt", "follow_up_attempt",
                                               "follow_up", "close"]
    assert all(after.prev_hash == before.hash for before, after in itertools.pairwise(events))
    assert ticket.trail_head == events[-1].hash
    assert trail_verify(tickets=Ticket.objects.filter(pk=ticket.pk)) == []


def test_an_unsatisfied_outcome_reopens_the_ticket_and_ends_only_its_task(org):
    ticket, task = _resolved(org)
    follow_up_record_attempt(task=task, actor=org.centre_dispatcher.user)
    reopened = follow_up_task_complete(task=task, actor=org.centre_dispatcher.user,
                                       satisfaction="unsatisfied", note="路灯仍不亮",
                                       seen_version=ticket.version)
    task.refresh_from_db()
    assert (reopened.state, reopened.unit, reopened.assignee) == ("assigned", org.unit,
                                                                  org.assignee)
    assert (task.state, task.satisfaction, task.note, task.attempts) == (
        "done", "unsatisfied", "路灯仍不亮", 1)


def test_the_old_task_of_a_ticket_resolved_again_cannot_answer_for_the_new_one(org):
    ticket, first = _resolved(org)
    ticket = follow_up_task_complete(task=first, actor=org.centre_dispatcher.user,
                                     satisfaction="unsatisfied")
    for step in (services.ticket_record_contact, services.ticket_record_meeting):
        ticket = step(ticket=ticket, actor=org.assignee.user)
    ticket = services.ticket_resolve(ticket=ticket, actor=org.assignee.user, reply="已更换灯具")
    with pytest.raises(TransitionConditionFailed, match="该回访任务已完成"):
        follow_up_task_complete(task=first, actor=org.centre_dispatcher.user,
                                satisfaction="satisfied")
    assert Ticket.objects.get(pk=ticket.pk).state == "resolved"
    second = ticket.follow_ups.get(state="open")
    assert list(follow_up_open_list(user=org.centre_dispatcher.user)) == [second]


def test_an_outcome_on_a_ticket_changed_since_it_was_seen_is_a_conflict(org):
    ticket, task = _resolved(org)
    with pytest.raises(TicketConflict):
        follow_up_task_complete(task=task, actor=org.centre_dispatcher.user,
                                satisfaction="satisfied", seen_version=ticket.version - 1)
    task.refresh_from_db()
    assert task.state == "open" and Ticket.objects.get(pk=ticket.pk).state == "resolved"


def test_a_task_is_found_only_by_people_who_may_see_its_ticket(org):
    _ticket, task = _resolved(org)
    assert follow_up_visible(user=org.centre_dispatcher.user, pk=task.pk) == task
    assert follow_up_visible(user=org.lead.user, pk=task.pk) == task
    assert follow_up_visible(user=org.other_lead.user, pk=task.pk) is None
    assert list(follow_up_open_list(user=org.other_caseworker.user)) == []

"""The dispatch centre's follow-up calls (回访) on resolved tickets, task by task.

A call that reached the citizen ends the task through ``ticket_follow_up`` (satisfied closes
the ticket, unsatisfied reopens it to its unit), the same service the API and the channels'
ratings call. A call that reached nobody (未接通) is counted on the task and recorded in the
trail; the task stays open with its due time unchanged, so the centre calls again.

Both lock the ticket before its task, in the order ``ticket_follow_up`` takes them (the ticket
in its transition, then its open tasks), so two people acting on one ticket wait for each
other instead of deadlocking.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tickets.core.errors import TransitionConditionFailed, TransitionForbidden
from tickets.core.trail import Actor, actor_label, ticket_event_record
from tickets.models import EventAction, FollowUpState, FollowUpTask, Ticket, TicketState
from tickets.models import transition_rules as rules
from tickets.services.lifecycle import ticket_follow_up

TASK_DONE = "该回访任务已完成"


def _lock(task: FollowUpTask) -> tuple[Ticket, FollowUpTask]:
    ticket = Ticket.objects.select_for_update().get(pk=task.ticket_id)
    current = FollowUpTask.objects.select_for_update().get(pk=task.pk)
    return ticket, current


def follow_up_record_attempt(*, task: FollowUpTask, actor: Actor, note: str = "") -> FollowUpTask:
    """未接通: one more call that reached nobody. No state changes; one event in the trail."""
    with transaction.atomic():
        ticket, current = _lock(task)
        action = EventAction.FOLLOW_UP_ATTEMPT
        # State first, then the person, as every transition checks them.
        if current.state != FollowUpState.OPEN:
            raise TransitionConditionFailed(ticket=ticket, action=action, reason=TASK_DONE)
        if ticket.state != TicketState.RESOLVED:
            raise TransitionConditionFailed(ticket=ticket, action=action,
                                            reason="只有已办结的工单可以回访")
        if not rules.may_follow_up(ticket, actor):
            raise TransitionForbidden(ticket=ticket, action=action,
                                      actor_label=actor_label(actor))
        at = timezone.now()
        current.attempts += 1
        current.last_attempt_at = at
        current.save(update_fields=["attempts", "last_attempt_at"])
        ticket_event_record(ticket=ticket, actor=actor, action=action, reason=note.strip(),
                            payload={"attempt": current.attempts}, at=at)
    return current


def follow_up_task_complete(
    *, task: FollowUpTask, actor: Actor, satisfaction: str, note: str = "",
    seen_version: int | None = None,
) -> Ticket:
    """The citizen was reached: their verdict ends this task through ``ticket_follow_up``.

    Refused when this task is done already (someone else called, or the ticket was reopened
    and resolved again: its new task is the one to answer), and, with ``seen_version``, when
    the ticket changed since the caller saw it (TicketConflict)."""
    with transaction.atomic():
        ticket, current = _lock(task)
        if current.state != FollowUpState.OPEN:
            raise TransitionConditionFailed(ticket=ticket, action=EventAction.FOLLOW_UP,
                                            reason=TASK_DONE)
        if seen_version is not None:
            ticket.version = seen_version  # ticket_follow_up refuses a ticket changed since
        return ticket_follow_up(ticket=ticket, actor=actor, satisfaction=satisfaction,
                                note=note)

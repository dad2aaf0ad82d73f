"""The one shape of every ticket change, used by all the services of this package and of
tickets.dispatching.

Inside ``transaction.atomic``: lock the row and check the version the caller saw, check the
state and the actor's permission, apply the django-fsm-2 transition (in memory only),
``save(update_fields=...)`` with the version bumped, append the TicketEvent, and let the SLA
clocks follow in the same transaction. Side effects (the channel's status callback, notices,
tasks) are rows or ``transaction.on_commit`` hooks, so a rollback leaves none behind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from sla.clocks import sla_clocks_apply
from tickets.core.errors import (
    IllegalTransition,
    TicketConflict,
    TicketInputError,
    TransitionConditionFailed,
    TransitionForbidden,
)
from tickets.core.trail import Actor, actor_label, ticket_event_append, ticket_event_chain
from tickets.models import Ticket, TicketEvent
from tickets.models import transition_rules as rules
from tickets.outbox.callbacks import callback_queue

Prepare = Callable[[Ticket], None]
Permission = Callable[[Ticket, Actor], bool]
FieldChanges = tuple[dict[str, list[Any]], list[str]]


def _tell_channel(ticket: Ticket, event: TicketEvent) -> None:
    if event.to_state and event.to_state != event.from_state:
        callback_queue(ticket=ticket, event=event)  # the channel hears of every state change


def event_record(
    *, ticket: Ticket, actor: Actor, action: str, at: datetime, from_state: str = "",
    to_state: str = "", reason: str = "", payload: dict[str, Any] | None = None,
) -> TicketEvent:
    """Append to the trail; a state change is also queued for the channel's status callback."""
    event = ticket_event_append(ticket=ticket, actor=actor, action=action, at=at,
                                from_state=from_state, to_state=to_state, reason=reason,
                                payload=payload)
    _tell_channel(ticket, event)
    return event


def ticket_save_with_event(
    *, current: Ticket, fields: Sequence[str], actor: Actor, action: str, at: datetime,
    from_state: str, reason: str = "", payload: dict[str, Any] | None = None,
) -> TicketEvent:
    """Save the locked ticket's changed fields (version bumped by the caller) and append its
    event, chained in the same UPDATE of the ticket: one statement each."""
    event = ticket_event_chain(ticket=current, actor=actor, action=action, at=at,
                               from_state=from_state, to_state=current.state, reason=reason,
                               payload=payload)
    current.save(update_fields=[*fields, "version", "updated_at", "trail_head",
                                "report_settled"])
    event.save()
    _tell_channel(current, event)
    return event


def ticket_lock(ticket: Ticket) -> Ticket:
    """Re-read the row under a lock; refuse if it moved on since the caller read it."""
    current = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if current.version != ticket.version:
        raise TicketConflict(ticket=current, seen_version=ticket.version)
    return current


def _check_allowed(ticket: Ticket, action: str, actor: Actor) -> None:
    """State first, then the actor's permission: the error names whichever fails."""
    meta = getattr(ticket, action)._django_fsm
    if not meta.has_transition(ticket.state):
        raise IllegalTransition(ticket=ticket, action=action)
    if not meta.get_transition(ticket.state).has_perm(ticket, actor):
        raise TransitionForbidden(ticket=ticket, action=action, actor_label=actor_label(actor))


def _check_conditions(ticket: Ticket, action: str) -> None:
    transition = getattr(ticket, action)._django_fsm.get_transition(ticket.state)
    for cond in transition.conditions:
        if not cond(ticket):
            raise TransitionConditionFailed(
                ticket=ticket, action=action, reason=rules.message_of(cond)
            )


def input_require(field_errors: dict[str, list[str]], ticket: Ticket | None = None) -> None:
    """Refuse with every field's messages at once (none: nothing to refuse)."""
    errors = {field: msgs for field, msgs in field_errors.items() if msgs}
    if errors:
        raise TicketInputError(errors, ticket=ticket)


def transition_apply(
    *, ticket: Ticket, actor: Actor, action: str, fields: Sequence[str],
    kwargs: dict[str, Any] | None = None, reason: str = "", payload: dict[str, Any] | None = None,
    before: Prepare | None = None,
) -> Ticket:
    """Apply one transition. ``before(current)`` may validate or set fields under the lock."""
    with transaction.atomic():
        current = ticket_lock(ticket)
        _check_allowed(current, action, actor)
        if before is not None:
            before(current)
        _check_conditions(current, action)
        from_state = current.state
        at = timezone.now()
        getattr(current, action)(**(kwargs or {}), at=at)
        current.version += 1
        ticket_save_with_event(current=current, fields=[*fields, "state"], actor=actor,
                               action=action, at=at, from_state=from_state, reason=reason,
                               payload=payload)
        sla_clocks_apply(ticket=current, action=action, at=at)
    return current


def edit_apply(*, ticket: Ticket, actor: Actor, action: str, may: Permission,
               apply: Callable[[Ticket], FieldChanges], reason: str) -> Ticket:
    """An edit of routed fields: no state change, still one event (when anything changed)."""
    with transaction.atomic():
        current = ticket_lock(ticket)
        if not may(current, actor):
            raise TransitionForbidden(ticket=current, action=action,
                                      actor_label=actor_label(actor))
        changes, fields = apply(current)
        if not changes:
            return current
        current.version += 1
        ticket_save_with_event(current=current, fields=fields, actor=actor, action=action,
                               at=timezone.now(), from_state=current.state, reason=reason,
                               payload={"changes": changes})
    return current

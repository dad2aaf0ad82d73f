"""The ticket's append-only trail (一单到底): the one place a TicketEvent is written.

State changes go through tickets.services.transitions, which also queues the channel's status
callback; steps that change no state (a request, a reply, a clock warning) are recorded here
directly by whichever package takes them (the SLA clocks, collaboration, privacy).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from tickets.models import Ticket, TicketEvent

# Who acted: a user (the trail's actor is a foreign key to AUTH_USER_MODEL, Django's User
# here), or None for the system.
Actor = User | None
SYSTEM_LABEL = "系统"


def actor_label(actor: Actor) -> str:
    """How the trail names who acted: "full name（username）", or 系统 for the system."""
    if actor is None:
        return SYSTEM_LABEL
    full_name = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    username = actor.get_username()
    return f"{full_name}（{username}）" if full_name else username


def ticket_event_append(
    *, ticket: Ticket, actor: Actor, action: str, at: datetime, from_state: str = "",
    to_state: str = "", reason: str = "", payload: dict[str, Any] | None = None,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket, actor=actor, actor_label=actor_label(actor), action=action, at=at,
        from_state=from_state, to_state=to_state, reason=reason, payload=payload or {},
    )


def ticket_event_record(*, ticket: Ticket, actor: Actor, action: str, reason: str = "",
                        payload: dict[str, Any] | None = None,
                        at: datetime | None = None) -> TicketEvent:
    """A step in the trail that changes no ticket state (a request, a task's reply). ``at``
    lets a clock change and its event carry the same moment (the recompute relies on it)."""
    return ticket_event_append(ticket=ticket, actor=actor, action=action,
                               at=at or timezone.now(), from_state=ticket.state,
                               to_state=ticket.state, reason=reason, payload=payload)

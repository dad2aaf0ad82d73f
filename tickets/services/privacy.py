"""Showing a citizen's full phone and ID number: only to roles allowed to, each time an event."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from tickets.core.errors import TransitionForbidden
from tickets.core.trail import actor_label, ticket_event_record
from tickets.models import EventAction, Ticket


@dataclass(frozen=True)
class RevealedPii:
    phone: str
    id_number: str


def ticket_pii_reveal(*, ticket: Ticket, actor: User) -> RevealedPii:
    if not (actor.is_active and actor.has_perm("tickets.view_citizen_pii")):
        raise TransitionForbidden(ticket=ticket, action="reveal_pii",
                                  actor_label=actor_label(actor))
    ticket_event_record(ticket=ticket, actor=actor, action=EventAction.REVEAL_PII,
                        reason="查看诉求人完整电话和身份证号")
    return RevealedPii(ticket.citizen_phone, ticket.citizen_id_number)

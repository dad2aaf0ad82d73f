"""Read-side queries for tickets, scoped to what a user may see."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from org.roles import is_superuser, staff_of
from tickets.models import Ticket, TicketEvent


def ticket_visible_to(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Ticket]:
    """District-wide staff see every ticket; others see their unit's and those it assists
    (a visitor who is not signed in: none)."""
    tickets = Ticket.objects.select_related("channel", "unit", "assignee__user")
    if is_superuser(user):
        return tickets
    staff = staff_of(user)
    if staff is None:
        return tickets.none()
    if staff.unit.is_district_wide:
        return tickets
    assisted = Ticket.assisting_units.through.objects.filter(unit_id=staff.unit_id)
    return tickets.filter(Q(unit_id=staff.unit_id) | Q(pk__in=assisted.values("ticket_id")))


def ticket_event_list(*, ticket: Ticket) -> QuerySet[TicketEvent]:
    return TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("at", "id")

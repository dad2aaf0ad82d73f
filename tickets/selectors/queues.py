"""Work queues of the console, per role: selectors over the tickets a user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, Min, Q, QuerySet

from org.models import Staff, Unit
from org.roles import staff_of
from sla.models import Breach, ClockState
from tickets.core.selectors import ticket_visible_to
from tickets.models import Channel, Ticket, TicketState
from tickets.models.ticket import OPEN_STATES


@dataclass(frozen=True)
class QueueFilters:
    state: str = ""
    urgency: str = ""
    channel: str = ""
    overdue: bool = False
    q: str = ""


# The annotation _with_next_due adds (an F(), since the type checker knows only model fields).
NEXT_DUE = F("next_due").asc()


def _with_next_due(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    running = Q(clocks__state=ClockState.RUNNING)
    return tickets.annotate(next_due=Min("clocks__due_at", filter=running)).prefetch_related(
        "clocks")


def ticket_queue_filter(*, tickets: QuerySet[Ticket], filters: QueueFilters) -> QuerySet[Ticket]:
    if filters.state:
        tickets = tickets.filter(state=filters.state)
    if filters.urgency:
        tickets = tickets.filter(urgency=filters.urgency)
    if filters.channel:
        tickets = tickets.filter(channel__code=filters.channel)
    if filters.overdue:
        tickets = tickets.filter(is_overdue=True)
    q = filters.q.strip()
    if q:
        tickets = tickets.filter(Q(number=q) | Q(citizen_phone__contains=q)
                                 | Q(title__icontains=q) | Q(content__icontains=q))
    return tickets


def ticket_triage_queue(*, user: AbstractBaseUser) -> QuerySet[Ticket]:
    """Tickets waiting for a dispatcher, oldest first (urgent ones on top)."""
    return (ticket_visible_to(user=user).filter(state=TicketState.TRIAGE)
            .prefetch_related("duplicate_candidates__original")
            .order_by("-urgency", "received_at"))


def ticket_my_queue(*, user: AbstractBaseUser) -> QuerySet[Ticket]:
    """The person's open tickets, the nearest deadline first."""
    staff = staff_of(user)
    if staff is None:
        return Ticket.objects.none()
    mine = ticket_visible_to(user=user).filter(assignee=staff, state__in=OPEN_STATES)
    return _with_next_due(mine).order_by(NEXT_DUE, "received_at")


def ticket_unit_queue(*, user: AbstractBaseUser) -> QuerySet[Ticket]:
    staff = staff_of(user)
    if staff is None:
        return Ticket.objects.none()
    tickets = ticket_visible_to(user=user).filter(unit_id=staff.unit_id,
                                                  state__in=OPEN_STATES)
    return _with_next_due(tickets).order_by(NEXT_DUE, "received_at")


def ticket_all_open(*, user: AbstractBaseUser) -> QuerySet[Ticket]:
    return _with_next_due(ticket_visible_to(user=user).filter(state__in=OPEN_STATES)).order_by(
        NEXT_DUE, "received_at")


@dataclass(frozen=True)
class PersonLoad:
    staff: Staff
    open_tickets: int
    overdue: int


def unit_workload(*, unit: Unit) -> list[PersonLoad]:
    people = (Staff.objects.filter(unit=unit).select_related("user")
              .annotate(open_tickets=Count("tickets", filter=Q(tickets__state__in=[
                  s.value for s in OPEN_STATES])),
                        overdue=Count("tickets", filter=Q(tickets__state__in=[
                            s.value for s in OPEN_STATES], tickets__is_overdue=True))))
    return [PersonLoad(p, p.open_tickets, p.overdue) for p in people]


@dataclass(frozen=True)
class UnitLoad:
    unit: Unit
    open_tickets: int
    overdue: int
    breaches_30d: int


def unit_overview(*, since: datetime) -> list[UnitLoad]:
    """Every working unit: open and overdue tickets, breaches since ``since``."""
    open_states = [s.value for s in OPEN_STATES]
    units = (Unit.objects.filter(is_district_wide=False)
             .annotate(open_tickets=Count("tickets", filter=Q(tickets__state__in=open_states)),
                       overdue=Count("tickets", filter=Q(tickets__state__in=open_states,
                                                         tickets__is_overdue=True)))
             .order_by("-overdue", "-open_tickets", "code"))
    breaches = dict(Breach.objects.filter(due_at__gte=since).values_list("unit")
                    .annotate(n=Count("pk")).values_list("unit", "n"))
    return [UnitLoad(u, u.open_tickets, u.overdue, breaches.get(u.pk, 0)) for u in units]


def channel_choice_list() -> list[tuple[str, str]]:
    """(code, name) of every channel, for the queues' channel filter."""
    return list(Channel.objects.order_by("code").values_list("code", "name"))

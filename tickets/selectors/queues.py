"""Work queues of the console, per role: selectors over the tickets a user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    IntegerField,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Expression
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from org.models import Staff, Unit
from org.roles import staff_of
from sla.models import Breach, ClockState, SlaClock
from tickets.core.selectors import ticket_visible_to
from tickets.models import Channel, Ticket, TicketState, Urgency
from tickets.models.ticket import OPEN_STATES


@dataclass(frozen=True)
class QueueFilters:
    state: str = ""
    urgency: str = ""
    channel: str = ""
    overdue: bool = False
    q: str = ""


# The annotation _with_next_due adds (an F(), since the type checker knows only model fields):
# the nearest deadline of the ticket's running clocks.
NEXT_DUE = F("next_due")

# The states in their lifecycle order (the choices' order), not their codes' alphabet.
_STATE_ORDER = Case(*(When(state=value, then=Value(i))
                      for i, value in enumerate(TicketState.values)),
                    default=Value(len(TicketState.values)), output_field=IntegerField())
_URGENT_FIRST = Case(When(urgency=Urgency.URGENT, then=Value(0)), default=Value(1),
                     output_field=IntegerField())

# The one whitelist of the queues' sort keys (a column header sends ``?sort=<key>`` or
# ``?sort=-<key>``): what each orders by, ascending. Nothing else reaches order_by.
QUEUE_SORTS: dict[str, tuple[F | Expression, ...]] = {
    "number": (F("number"),),
    "title": (F("title"),),
    "state": (_STATE_ORDER,),
    "unit": (F("unit__name"), F("assignee__user__last_name"), F("assignee__user__first_name")),
    "due": (NEXT_DUE,),
    "received_at": (F("received_at"),),
    # The router's first suggestion (prediction_top3 is kept best first).
    "confidence": (Cast(KT("prediction_top3__0__probability"), FloatField()),),
}

# Overdue first, then the nearest deadline (tickets without a running clock last), then oldest.
_DEADLINE_ORDER = (F("is_overdue").desc(), NEXT_DUE.asc(nulls_last=True), F("received_at").asc())


def ticket_queue_sort_key(*, key: str) -> str:
    """``key`` if it is a known sort key (``-`` for descending), else "" (the default order)."""
    return key if key.removeprefix("-") in QUEUE_SORTS else ""


def ticket_queue_sort(*, tickets: QuerySet[Ticket], key: str) -> QuerySet[Ticket]:
    """The queue ordered by a column (``QUEUE_SORTS``); an unknown key keeps the queue's own
    default order. Every order ends on the received time and the id, so that pages are stable."""
    columns = QUEUE_SORTS.get(key.removeprefix("-"))
    if columns is None:
        return tickets
    descending = key.startswith("-")
    order: list[OrderBy] = [column.desc(nulls_last=True) if descending
                            else column.asc(nulls_last=True) for column in columns]
    return tickets.order_by(*order, F("received_at").asc(), F("pk").asc())


def _with_next_due(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    # A subquery per ticket (slaclock_by_ticket finds its few clocks), not a GROUP BY over the
    # joined clocks: grouping every open ticket's wide row took 0.9 s for 5,800 open tickets
    # with a year's history in the database (BENCHMARKS.md, console pages).
    nearest = (SlaClock.objects.filter(ticket=OuterRef("pk"), state=ClockState.RUNNING)
               .order_by("due_at").values("due_at")[:1])
    # The rows show each running clock and the person's name with their unit.
    return (tickets.annotate(next_due=Subquery(nearest))
            .select_related("assignee__unit").prefetch_related("clocks"))


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
    """Tickets waiting for a dispatcher: overdue ones first (a returned ticket's clocks keep
    running in triage), then urgent ones, then the nearest deadline, then the oldest."""
    tickets = ticket_visible_to(user=user).filter(state=TicketState.TRIAGE)
    return (_with_next_due(tickets).prefetch_related("duplicate_candidates__original")
            .order_by(F("is_overdue").desc(), _URGENT_FIRST, NEXT_DUE.asc(nulls_last=True),
                      F("received_at").asc()))


def ticket_my_queue(*, user: AbstractBaseUser) -> QuerySet[Ticket]:
    """The person's open tickets: overdue first, then the nearest deadline."""
    staff = staff_of(user)
    if staff is None:
        return Ticket.objects.none()
    mine = ticket_visible_to(user=user).filter(assignee=staff, state__in=OPEN_STATES)
    return _with_next_due(mine).order_by(*_DEADLINE_ORDER)


def ticket_unit_queue(*, user: AbstractBaseUser) -> QuerySet[Ticket]:
    staff = staff_of(user)
    if staff is None:
        return Ticket.objects.none()
    tickets = ticket_visible_to(user=user).filter(unit_id=staff.unit_id,
                                                  state__in=OPEN_STATES)
    return _with_next_due(tickets).order_by(*_DEADLINE_ORDER)


def ticket_all_open(*, user: AbstractBaseUser) -> QuerySet[Ticket]:
    return _with_next_due(ticket_visible_to(user=user).filter(state__in=OPEN_STATES)).order_by(
        *_DEADLINE_ORDER)


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

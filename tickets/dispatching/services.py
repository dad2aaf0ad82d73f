"""Dispatch use cases: the automatic step after routing, and a dispatcher's (bulk) dispatch.

Every path goes through ``ticket_assign`` (one transition, one event, callbacks on commit) and
``assignee_choose`` (duty, capacity, round-robin, locks), so the router, the API and the console
assign alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from org.models import Staff, Unit
from tickets.core.errors import TicketError, TicketInputError
from tickets.core.trail import Actor, actor_label
from tickets.dispatching.assignment import AssignedHow, AssigneeChoice, assignee_choose
from tickets.models import DispatchCorrection, Ticket, Urgency, UrgentSignal
from tickets.outbox.notifications import notification_send
from tickets.services.lifecycle import ticket_assign, ticket_transfer, ticket_update_routing

logger = logging.getLogger(__name__)


def auto_threshold(*, unit: Unit) -> float:
    return unit.auto_threshold if unit.auto_threshold is not None else \
        settings.DISPATCH_AUTO_THRESHOLD


def urgent_signals_found(*, text: str) -> list[str]:
    phrases = UrgentSignal.objects.filter(active=True).values_list("phrase", flat=True)
    return [p for p in phrases if p in text]


def ticket_urgency_decide(*, ticket: Ticket, model_probability: float | None = None) -> Ticket:
    """Before any clock starts: the channel's flag stands; otherwise an urgent signal in the
    text, or the model at least DISPATCH_URGENT_PROBABILITY sure, makes the ticket urgent
    (recorded as an event saying which)."""
    if ticket.urgency == Urgency.URGENT:
        return ticket
    found = urgent_signals_found(text=f"{ticket.title}\n{ticket.content}")
    if found:
        reason = f"命中紧急信号：{'、'.join(found)}"
    elif (model_probability is not None
          and model_probability >= settings.DISPATCH_URGENT_PROBABILITY):
        reason = f"模型判断为紧急（概率 {model_probability:.0%}）"
    else:
        return ticket
    return ticket_update_routing(ticket=ticket, actor=None, urgency=Urgency.URGENT,
                                 reason=reason)


def notify(*, recipient: Staff | None, ticket: Ticket, kind: str, text: str) -> None:
    notification_send(recipients=[recipient], ticket=ticket, kind=kind, text=text)


_RETRYABLE = {"40P01", "40001"}  # deadlock detected, serialization failure
T = TypeVar("T")


def _retrying(work: Callable[[], T], *, attempts: int = 3) -> T:
    """Run a whole dispatch transaction again if PostgreSQL aborted it as a deadlock victim.

    Parallel dispatches lock people in whatever order their choices lead them, and the deferred
    foreign-key checks at commit lock more rows (the person, the duty lead); PostgreSQL breaks
    the rare cycle by aborting one transaction, which then simply runs again. Nested inside a
    caller's transaction it cannot be retried here, so the error goes up."""
    for attempt in range(attempts):
        try:
            return work()
        except OperationalError as exc:
            code = getattr(exc.__cause__, "sqlstate", None)
            if (code not in _RETRYABLE or attempt == attempts - 1
                    or transaction.get_connection().in_atomic_block):
                raise
            logger.info("dispatch transaction aborted (%s), retrying", code)
    raise AssertionError("unreachable")


def _assign_chosen(*, ticket: Ticket, actor: Actor, unit: Unit, assignee: Staff | None,
                   reason: str) -> tuple[Ticket, AssigneeChoice]:
    with transaction.atomic():
        # The ticket first: a second dispatch of the same ticket waits here, holding no
        # person, and then fails on the version check instead of taking someone's capacity.
        Ticket.objects.select_for_update().filter(pk=ticket.pk).values_list("pk").first()
        now = timezone.now()
        choice = (AssigneeChoice(assignee, "chosen") if assignee is not None
                  else assignee_choose(unit=unit, at=now))
        note = {AssignedHow.DUTY_LEAD: "当前无人值班，派给值班负责人",
                AssignedHow.UNIT_QUEUE: "当前无人可接单，进入单位待派队列"}.get(choice.how)
        ticket = ticket_assign(ticket=ticket, actor=actor, unit=unit, assignee=choice.staff,
                               reason="；".join(x for x in (reason, note) if x))
        if choice.how == AssignedHow.UNIT_QUEUE:
            notify(recipient=unit.duty_lead, ticket=ticket, kind="unit_queue",
                    text=f"工单 {ticket.number} 在「{unit.name}」待派队列中，"
                         "当前无人值班或均已满负荷")
        elif choice.staff is not None:
            notify(recipient=choice.staff, ticket=ticket, kind="assigned",
                    text=f"新工单 {ticket.number}：{ticket.title}")
    return ticket, choice


def ticket_dispatch_auto(*, ticket: Ticket, unit: Unit, probability: float) -> Ticket:
    """The router was sure enough: assign to the unit and a person on duty, no dispatcher."""
    ticket, _ = _retrying(lambda: _assign_chosen(
        ticket=ticket, actor=None, unit=unit, assignee=None,
        reason=f"自动派单：模型置信度 {probability:.0%}"))
    return ticket


def ticket_dispatch(*, ticket: Ticket, actor: Actor, unit: Unit, assignee: Staff | None = None,
                    reason: str = "") -> Ticket:
    """A dispatcher dispatches from triage: to a unit, and a person they name or the one the
    roster gives. A choice other than the model's is kept as a correction. A ticket waiting
    for a supervisor's ruling is the supervisor's to dispatch."""
    if ticket.rulings.filter(state="pending").exists():
        raise TicketInputError({"ticket": ["该工单多次退单，正在等待督办员审定，不能分拨"]},
                               ticket=ticket)
    return ticket_dispatch_as(ticket=ticket, actor=actor, unit=unit, assignee=assignee,
                              reason=reason)


def ticket_dispatch_as(*, ticket: Ticket, actor: Actor, unit: Unit,
                       assignee: Staff | None = None, reason: str = "") -> Ticket:
    return _retrying(lambda: _dispatch_as(ticket=ticket, actor=actor, unit=unit,
                                          assignee=assignee, reason=reason))


def _dispatch_as(*, ticket: Ticket, actor: Actor, unit: Unit, assignee: Staff | None,
                 reason: str) -> Ticket:
    with transaction.atomic():
        ticket, _ = _assign_chosen(ticket=ticket, actor=actor, unit=unit, assignee=assignee,
                                   reason=reason.strip())
        predicted = ticket.predicted_unit.code if ticket.predicted_unit else ""
        if predicted != unit.code:
            DispatchCorrection.objects.create(
                ticket=ticket, at=timezone.now(), actor_label=actor_label(actor),
                kind="dispatch", predicted_unit=predicted, chosen_unit=unit.code,
                reason=reason.strip())
    return ticket


@dataclass(frozen=True)
class BulkOutcome:
    number: str
    ok: bool
    error: str = ""
    ticket: Ticket | None = None


def ticket_dispatch_many(*, tickets: Sequence[Ticket], actor: Actor, unit: Unit,
                         assignee: Staff | None = None, reason: str = "") -> list[BulkOutcome]:
    """Bulk dispatch: each ticket in its own transaction; one failure does not stop the rest."""
    outcomes = []
    for ticket in tickets:
        try:
            done = ticket_dispatch(ticket=ticket, actor=actor, unit=unit, assignee=assignee,
                                   reason=reason)
            outcomes.append(BulkOutcome(ticket.number, True, ticket=done))
        except TicketError as exc:
            outcomes.append(BulkOutcome(ticket.number, False, error=str(exc)))
    return outcomes


def ticket_reroute(*, ticket: Ticket, actor: Actor, unit: Unit, assignee: Staff | None = None,
                   reason: str) -> Ticket:
    """Re-route a ticket in work (改派) to another unit: to the person named, or the one the
    roster gives there (its queue when nobody is on duty)."""
    with transaction.atomic():
        Ticket.objects.select_for_update().filter(pk=ticket.pk).values_list("pk").first()
        if assignee is None:
            assignee = assignee_choose(unit=unit, at=timezone.now()).staff
        moved = ticket_transfer(ticket=ticket, actor=actor, unit=unit, assignee=assignee,
                                reason=reason)
        notify(recipient=moved.assignee or unit.duty_lead, ticket=moved, kind="assigned",
               text=f"改派来的工单 {moved.number}：{moved.title}")
    return moved

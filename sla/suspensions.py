"""暂停计时 (suspension): asked by the person holding the ticket or the unit lead with a
reason (e.g. the citizen cannot be reached), approved or refused by the unit lead; approved,
every running clock of the ticket pauses until the suspension is ended (by the unit, or by
the system when the ticket leaves the unit's hands). The approved rows are the paused
intervals; the clocks' deadlines move on by exactly the time left out."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from org import roles
from org.selectors import unit_leads
from sla.clocks import clocks_pause, clocks_resume
from sla.models import Suspension, SuspensionState
from tickets.core.errors import TicketInputError, TransitionForbidden
from tickets.core.trail import actor_label, ticket_event_record
from tickets.models import EventAction, Ticket
from tickets.models import transition_rules as rules
from tickets.models.ticket import WORKING_STATES
from tickets.outbox.notifications import notification_send


def _may_ask(ticket: Ticket, actor: User) -> bool:
    return rules.is_assignee(ticket, actor) or rules.is_lead_of_ticket_unit(ticket, actor)


def sla_suspension_request(*, ticket: Ticket, actor: User,
                           reason: str) -> Suspension:
    ticket = Ticket.objects.get(pk=ticket.pk)
    if not _may_ask(ticket, actor):
        raise TransitionForbidden(ticket=ticket, action="suspension",
                                  actor_label=actor_label(actor))
    errors = {"reason": [] if reason.strip() else ["请写明暂停计时的理由"],
              "ticket": [] if ticket.state in WORKING_STATES else ["只有办理中的工单可以暂停计时"]}
    if any(errors.values()):
        raise TicketInputError({k: v for k, v in errors.items() if v}, ticket=ticket)
    now = timezone.now()
    try:
        with transaction.atomic():
            suspension = Suspension.objects.create(ticket=ticket, reason=reason.strip(),
                                                   requested_by=actor, requested_at=now)
            ticket_event_record(ticket=ticket, actor=actor,
                                action=EventAction.SUSPENSION_REQUEST, at=now,
                                reason=reason.strip(), payload={"suspension": suspension.pk})
            notification_send(recipients=unit_leads(ticket.unit_id), ticket=ticket,
                              kind="suspension",
                              text=f"工单 {ticket.number} 申请暂停计时，待您审批")
    except IntegrityError:
        raise TicketInputError({"ticket": ["该工单已有待审批或生效中的暂停计时"]},
                               ticket=ticket) from None
    return suspension


def sla_suspension_decide(*, suspension: Suspension, actor: User, approve: bool,
                          note: str = "") -> Suspension:
    with transaction.atomic():
        suspension = (Suspension.objects.select_for_update(of=("self",))
                      .select_related("ticket").get(pk=suspension.pk))
        ticket = suspension.ticket
        if not (rules.is_lead_of_ticket_unit(ticket, actor) or roles.is_superuser(actor)):
            raise TransitionForbidden(ticket=ticket, action="suspension",
                                      actor_label=actor_label(actor))
        errors = {
            "suspension": ([] if suspension.state == SuspensionState.PENDING
                           else ["该暂停计时申请已审批"]),
            "note": [] if approve or note.strip() else ["驳回请写明理由"],
            "ticket": ([] if not approve or ticket.state in WORKING_STATES
                       else ["工单已不在办理中，不能暂停计时"]),
        }
        if any(errors.values()):
            raise TicketInputError({k: v for k, v in errors.items() if v}, ticket=ticket)
        now = timezone.now()
        suspension.state = SuspensionState.ACTIVE if approve else SuspensionState.REFUSED
        suspension.decided_by, suspension.decided_at = actor, now
        suspension.decision_note = note.strip()
        suspension.started_at = now if approve else None
        suspension.save(update_fields=["state", "decided_by", "decided_at", "decision_note",
                                       "started_at"])
        if approve:
            clocks_pause(ticket=ticket, at=now)
        ticket_event_record(
            ticket=ticket, actor=actor, at=now,
            action=EventAction.SUSPENSION_APPROVE if approve else EventAction.SUSPENSION_REFUSE,
            reason=note.strip(), payload={"suspension": suspension.pk})
        notification_send(recipients=[roles.staff_of(suspension.requested_by)], ticket=ticket,
                          kind="suspension_decided",
                          text=f"工单 {ticket.number} 的暂停计时申请"
                               f"{'已批准' if approve else '被驳回'}")
    return suspension


def sla_suspension_end(*, suspension: Suspension, actor: User,
                       note: str = "") -> Suspension:
    """The unit resumes the clocks (e.g. the citizen answered)."""
    with transaction.atomic():
        suspension = (Suspension.objects.select_for_update(of=("self",))
                      .select_related("ticket").get(pk=suspension.pk))
        ticket = suspension.ticket
        if not (_may_ask(ticket, actor) or roles.is_superuser(actor)):
            raise TransitionForbidden(ticket=ticket, action="suspension",
                                      actor_label=actor_label(actor))
        if suspension.state != SuspensionState.ACTIVE:
            raise TicketInputError({"suspension": ["该暂停计时未生效或已恢复"]}, ticket=ticket)
        now = timezone.now()
        suspension.state, suspension.ended_at = SuspensionState.ENDED, now
        suspension.ended_by_label = actor_label(actor)
        suspension.save(update_fields=["state", "ended_at", "ended_by_label"])
        clocks_resume(ticket=ticket, at=now)
        ticket_event_record(ticket=ticket, actor=actor, action=EventAction.SUSPENSION_END,
                            at=now, reason=note.strip(), payload={"suspension": suspension.pk})
    return suspension

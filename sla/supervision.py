"""督办: supervision orders on a ticket, issued by a district supervisor (or raised by the
escalation ladder after a breach) with instructions and a reply deadline, answered by the
unit holding the ticket; a late reply is reported to the supervisors once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from org import roles
from org.selectors import district_supervisors, unit_leads
from sla.models import SlaClock, Supervision, SupervisionLevel, SupervisionState
from tickets.core.errors import TicketInputError, TransitionForbidden
from tickets.core.trail import actor_label, ticket_event_record
from tickets.models import EventAction, Ticket
from tickets.models.ticket import OPEN_STATES
from tickets.outbox.notifications import notification_send

LEVEL_RANK = {SupervisionLevel.DISTRICT: 1, SupervisionLevel.LISTED: 2}


def _tell_unit(supervision: Supervision, ticket: Ticket) -> None:
    notification_send(
        recipients=[*unit_leads(supervision.unit_id),
                    ticket.assignee if ticket.unit_id == supervision.unit_id else None],
        ticket=ticket, kind="supervision",
        text=f"工单 {ticket.number} 被{supervision.get_level_display()}，请于 "
             f"{timezone.localtime(supervision.reply_due_at):%m-%d %H:%M} 前回复")


def supervision_raise(*, ticket: Ticket, clock: SlaClock, level: str,
                      at: datetime) -> Supervision | None:
    """The escalation ladder's order: one per level, none while an open one of the same or a
    higher level is waiting for the unit."""
    unit_id = clock.unit_id or ticket.unit_id
    if unit_id is None:
        return None
    waiting = Supervision.objects.filter(ticket=ticket, state=SupervisionState.OPEN)
    if any(LEVEL_RANK[SupervisionLevel(s.level)] >= LEVEL_RANK[SupervisionLevel(level)]
           for s in waiting):
        return None
    supervision = Supervision.objects.create(
        ticket=ticket, unit_id=unit_id, level=level, issued_by=None,
        issued_by_label=actor_label(None), issued_at=at,
        reply_due_at=at + timedelta(hours=settings.SUPERVISION_REPLY_HOURS),
        instructions=f"「{clock.get_milestone_display()}」已超时，请立即办理并回复办理情况。")
    _tell_unit(supervision, ticket)
    return supervision


def supervision_issue(*, ticket: Ticket, actor: User, level: str,
                      instructions: str, reply_due_at: datetime) -> Supervision:
    """A district supervisor's order to the unit holding an open ticket."""
    if not (roles.is_district_supervisor(actor) or roles.is_superuser(actor)):
        raise TransitionForbidden(ticket=ticket, action="supervise",
                                  actor_label=actor_label(actor))
    ticket = Ticket.objects.select_related("assignee").get(pk=ticket.pk)
    now = timezone.now()
    errors = {
        "level": [] if level in SupervisionLevel.values
        else [f"督办级别只能是 {SupervisionLevel.values}"],
        "instructions": [] if instructions.strip() else ["请填写督办意见"],
        "reply_due_at": [] if reply_due_at > now else ["回复时限必须晚于现在"],
        "ticket": ([] if ticket.state in OPEN_STATES and ticket.unit_id
                   else ["只能督办已派单的在办工单"]),
    }
    if any(errors.values()):
        raise TicketInputError({k: v for k, v in errors.items() if v}, ticket=ticket)
    with transaction.atomic():
        supervision = Supervision.objects.create(
            # errors["ticket"] above refused a ticket without a unit.
            ticket=ticket, unit_id=cast(int, ticket.unit_id), level=level, issued_by=actor,
            issued_by_label=actor_label(actor), issued_at=now, reply_due_at=reply_due_at,
            instructions=instructions.strip())
        ticket_event_record(ticket=ticket, actor=actor, action=EventAction.SUPERVISE, at=now,
                            reason=instructions.strip(),
                            payload={"supervision": supervision.pk, "level": level,
                                     "reply_due_at": reply_due_at.isoformat()})
        _tell_unit(supervision, ticket)
    return supervision


def supervision_answer(*, supervision: Supervision, actor: User,
                       answer: str) -> Supervision:
    """The supervised unit's lead, or its person holding the ticket, replies."""
    with transaction.atomic():
        supervision = (Supervision.objects.select_for_update(of=("self",))
                       .select_related("ticket").get(pk=supervision.pk))
        ticket = supervision.ticket
        staff = roles.staff_of(actor)
        may = staff is not None and staff.unit_id == supervision.unit_id and (
            staff.role == "unit_lead" or staff.pk == ticket.assignee_id)
        if not (may or roles.is_superuser(actor)):
            raise TransitionForbidden(ticket=ticket, action="supervision_answer",
                                      actor_label=actor_label(actor))
        errors = {"answer": [] if answer.strip() else ["请填写回复内容"],
                  "supervision": ([] if supervision.state == SupervisionState.OPEN
                                  else ["该督办单已回复"])}
        if any(errors.values()):
            raise TicketInputError({k: v for k, v in errors.items() if v}, ticket=ticket)
        now = timezone.now()
        supervision.state = SupervisionState.ANSWERED
        supervision.answer, supervision.answered_at = answer.strip(), now
        supervision.answered_by_label = actor_label(actor)
        supervision.save(update_fields=["state", "answer", "answered_at", "answered_by_label"])
        ticket_event_record(ticket=ticket, actor=actor, action=EventAction.SUPERVISION_ANSWER,
                            at=now, reason=answer.strip(),
                            payload={"supervision": supervision.pk,
                                     "late": now > supervision.reply_due_at})
        if supervision.issued_by_id:
            notification_send(
                recipients=[roles.staff_of(supervision.issued_by)], ticket=ticket,
                kind="supervision_answer",
                text=f"工单 {ticket.number} 的{supervision.get_level_display()}已回复")
    return supervision


def supervision_overdue_report(*, now: datetime, batch: int = 500) -> int:
    """Sweeper: open orders past their reply deadline, reported once (guarded UPDATE)."""
    reported = 0
    due = list(Supervision.objects.filter(state=SupervisionState.OPEN,
                                          overdue_notified_at__isnull=True,
                                          reply_due_at__lte=now)
               .values_list("pk", flat=True)[:batch])
    for pk in due:
        with transaction.atomic():
            if not Supervision.objects.filter(pk=pk, overdue_notified_at__isnull=True).update(
                    overdue_notified_at=now):
                continue
            supervision = Supervision.objects.select_related("ticket", "issued_by").get(pk=pk)
            issuer = roles.staff_of(supervision.issued_by) if supervision.issued_by_id else None
            notification_send(
                recipients=[issuer] if issuer else district_supervisors(),
                ticket=supervision.ticket, kind="supervision_overdue",
                text=f"工单 {supervision.ticket.number} 的{supervision.get_level_display()}"
                     "逾期未回复")
            reported += 1
    return reported


def supervision_list(*, ticket: Ticket) -> list[Supervision]:
    return list(Supervision.objects.filter(ticket=ticket).order_by("issued_at"))

"""Returns (退单) with approval, binding rulings (审定) on bounced tickets, and assisting units
(协办): who handles a ticket when the first choice was wrong or not enough.

Each is a service like those in tickets.services: validated input, one transaction, an event in
the ticket's trail, notifications to the people who must act.
"""

from __future__ import annotations

import math
from typing import NoReturn, cast

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from org import roles
from org.models import Staff, StaffRole, Unit
from org.selectors import district_dispatchers, district_supervisors, unit_leads
from sla.clocks import assist_reply_deadline
from sla.timers import assist_breach_record
from tickets.core.errors import IllegalTransition, TicketInputError, TransitionForbidden
from tickets.core.trail import actor_label, ticket_event_record
from tickets.dispatching.assignment import assignee_choose
from tickets.dispatching.services import notify, ticket_dispatch_as
from tickets.models import (
    WORKING_STATES,
    AssistState,
    AssistTask,
    DispatchCorrection,
    EventAction,
    RequestState,
    ReturnReason,
    ReturnRequest,
    Ruling,
    RulingState,
    Ticket,
)
from tickets.models import transition_rules as rules
from tickets.services.lifecycle import ticket_return

Actor = User
# A ticket returned this many times is a tug of war: a supervisor decides, once and for all.
RULING_AFTER_RETURNS = 2


def _refuse(ticket: Ticket, action: str, actor: Actor) -> NoReturn:
    raise TransitionForbidden(ticket=ticket, action=action, actor_label=actor_label(actor))


# --- returns -------------------------------------------------------------------------------------

def ticket_return_request(*, ticket: Ticket, actor: Actor, reason_code: str,
                          text: str) -> ReturnRequest:
    """A member of the ticket's unit asks to return it; the request waits for someone else's
    approval (return_request_may_decide), who is told."""
    ticket = Ticket.objects.select_related("unit").get(pk=ticket.pk)
    errors = {
        "reason_code": [] if reason_code in ReturnReason.values
        else [f"退单理由只能是 {ReturnReason.values}"],
        "text": [] if text.strip() else ["请写明退单说明"],
    }
    if errors["reason_code"] or errors["text"]:
        raise TicketInputError(errors, ticket=ticket)
    if ticket.state not in WORKING_STATES:
        raise IllegalTransition(ticket=ticket, action="return_to_triage")
    if not (rules.is_unit_member(ticket, actor) or roles.is_superuser(actor)):
        _refuse(ticket, "return_to_triage", actor)
    if ticket.rulings.filter(state=RulingState.DECIDED, unit=ticket.unit).exists():
        raise TicketInputError({"ticket": ["该工单已由督办员审定由本单位承办，不能退单"]},
                               ticket=ticket)
    try:
        with transaction.atomic():
            # A ticket in work (WORKING_STATES, checked above) always has its unit.
            request = ReturnRequest.objects.create(
                ticket=ticket, unit=cast(Unit, ticket.unit), reason_code=reason_code,
                text=text.strip(), requested_by=actor, requested_at=timezone.now())
            ticket_event_record(ticket=ticket, actor=actor, action=EventAction.RETURN_REQUEST,
                                reason=request.label, payload={"reason_code": reason_code})
            for approver in _return_approvers(request):
                notify(recipient=approver, ticket=ticket, kind="return_request",
                       text=f"工单 {ticket.number} 申请退单，待您审核")
    except IntegrityError:
        raise TicketInputError({"ticket": ["该工单已有待审核的退单申请"]}, ticket=ticket) from None
    return request


def _centre_decides(request: ReturnRequest) -> bool:
    """The unit cannot decide this one itself: it was filed by someone who would otherwise
    decide it (a lead of the unit, a superuser), or the unit has no other active lead."""
    requester = request.requested_by
    staff = roles.staff_of(requester)
    if roles.is_superuser(requester) or (staff is not None and staff.role == StaffRole.UNIT_LEAD
                                         and staff.unit_id == request.unit_id):
        return True
    return not any(lead.user_id != request.requested_by_id
                   for lead in unit_leads(request.unit_id))


def return_request_may_decide(*, request: ReturnRequest, actor: Actor | None) -> bool:
    """Nobody decides their own return, so a second person sees every one. A lead of the unit
    or a superuser decides a member's request; a lead's own waits for another lead of the
    unit or a centre dispatcher (so does a request from a unit without a lead)."""
    if actor is None or actor.pk == request.requested_by_id:
        return False
    staff = roles.staff_of(actor)
    if roles.is_superuser(actor) or (staff is not None and staff.role == StaffRole.UNIT_LEAD
                                     and staff.unit_id == request.unit_id):
        return True
    return roles.is_district_dispatcher(actor) and _centre_decides(request)


def _return_approvers(request: ReturnRequest) -> list[Staff]:
    """Who is told a request waits: those who may decide it (the centre's dispatchers only
    when the unit cannot decide it itself)."""
    people = [lead for lead in unit_leads(request.unit_id)
              if lead.user_id != request.requested_by_id]
    if _centre_decides(request):
        people += district_dispatchers()
    return people


def return_request_decide(*, request: ReturnRequest, actor: Actor, approve: bool,
                          note: str = "") -> ReturnRequest:
    """Someone other than the requester approves (the ticket goes back to triage with the
    reason, and to a supervisor if it has now been returned twice) or refuses (it stays with
    the unit); who may is return_request_may_decide's."""
    with transaction.atomic():
        request = ReturnRequest.objects.select_for_update().select_related("ticket").get(
            pk=request.pk)
        ticket = request.ticket
        if request.state != RequestState.PENDING:
            raise TicketInputError({"request": ["该退单申请已审核"]}, ticket=ticket)
        if actor.pk == request.requested_by_id:
            raise TransitionForbidden(
                ticket=ticket, action="return_to_triage", actor_label=actor_label(actor),
                why="不能审核自己提交的退单申请，须由" + (
                    "本单位其他负责人或分拨中心审核" if _centre_decides(request)
                    else "本单位负责人审核"))
        if not return_request_may_decide(request=request, actor=actor):
            _refuse(ticket, "return_to_triage", actor)
        if not approve and not note.strip():
            raise TicketInputError({"note": ["驳回退单请写明理由"]}, ticket=ticket)
        if approve:
            # While the request is still pending: it is what lets a centre dispatcher carry
            # the return out (transition_rules.may_return).
            ticket = ticket_return(ticket=ticket, actor=actor, reason=request.label)
        request.state = RequestState.APPROVED if approve else RequestState.REFUSED
        request.decided_by, request.decided_at = actor, timezone.now()
        request.decision_note = note.strip()
        request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        if not approve:
            ticket_event_record(ticket=ticket, actor=actor, action=EventAction.RETURN_REFUSE,
                                reason=note.strip())
            return request
        returned = list(ticket.return_requests.filter(state=RequestState.APPROVED)
                        .order_by("decided_at").values_list("unit__code", flat=True))
        if len(returned) >= RULING_AFTER_RETURNS and not ticket.rulings.filter(
                state=RulingState.PENDING).exists():
            Ruling.objects.create(ticket=ticket, returned_by=returned,
                                  requested_at=timezone.now())
            ticket_event_record(ticket=ticket, actor=None, action=EventAction.RULING_REQUEST,
                                reason=f"已退单 {len(returned)} 次（{'、'.join(returned)}），"
                                       "提请督办员审定承办单位",
                                payload={"returned_by": returned})
            for supervisor in district_supervisors():
                notify(recipient=supervisor, ticket=ticket, kind="ruling_request",
                       text=f"工单 {ticket.number} 多次退单，请审定承办单位")
    return request


def ticket_ruling_decide(*, ruling: Ruling, actor: Actor, unit: Unit,
                         assignee: Staff | None = None, reason: str) -> Ticket:
    """The supervisor's binding decision: the ticket goes to ``unit`` (a person on duty, or
    the one named), which can no longer return it; it is kept as a correction/training label."""
    with transaction.atomic():
        ruling = Ruling.objects.select_for_update().select_related("ticket").get(pk=ruling.pk)
        ticket = ruling.ticket
        if not rules.may_rule(ticket, actor):
            _refuse(ticket, "ruling", actor)
        if ruling.state != RulingState.PENDING:
            raise TicketInputError({"ruling": ["该工单已审定"]}, ticket=ticket)
        if not reason.strip():
            raise TicketInputError({"reason": ["请写明审定意见"]}, ticket=ticket)
        ticket = ticket_dispatch_as(ticket=ticket, actor=actor, unit=unit, assignee=assignee,
                                    reason=f"督办员审定：{reason.strip()}")
        ruling.state, ruling.unit, ruling.reason = RulingState.DECIDED, unit, reason.strip()
        ruling.decided_by, ruling.decided_at = actor, timezone.now()
        ruling.save(update_fields=["state", "unit", "reason", "decided_by", "decided_at"])
        ticket_event_record(ticket=ticket, actor=actor, action=EventAction.RULING,
                            reason=reason.strip(), payload={"unit": unit.code})
        DispatchCorrection.objects.create(
            ticket=ticket, at=ruling.decided_at, actor_label=actor_label(actor), kind="ruling",
            predicted_unit=ticket.predicted_unit.code if ticket.predicted_unit else "",
            chosen_unit=unit.code, reason=reason.strip())
    return ticket


# --- assisting units ------------------------------------------------------------------------

def ticket_assist_add(*, ticket: Ticket, actor: Actor, unit: Unit, task: str) -> AssistTask:
    """The lead unit (its lead) or the centre adds an assisting unit with its own task; a
    person on duty there is named when there is one."""
    ticket = Ticket.objects.select_related("unit").get(pk=ticket.pk)
    if ticket.state not in WORKING_STATES:
        raise IllegalTransition(ticket=ticket, action=EventAction.ASSIST_ADD)
    if not rules.may_edit_routing(ticket, actor) or actor is None:
        _refuse(ticket, EventAction.ASSIST_ADD, actor)
    errors = {"task": [] if task.strip() else ["请写明协办事项"],
              "unit": ["协办单位不能是主办单位"] if unit.pk == ticket.unit_id
              else ([] if unit.active else [f"单位「{unit.name}」已停用"])}
    if any(errors.values()):
        raise TicketInputError(errors, ticket=ticket)
    try:
        with transaction.atomic():
            now = timezone.now()
            choice = assignee_choose(unit=unit, at=now)
            warn_at, reply_due_at = assist_reply_deadline(ticket=ticket, at=now)
            assist = AssistTask.objects.create(ticket=ticket, unit=unit, task=task.strip(),
                                               assignee=choice.staff, created_at=now,
                                               warn_at=warn_at, reply_due_at=reply_due_at)
            ticket.assisting_units.add(unit)
            due_label = f"{timezone.localtime(reply_due_at):%m-%d %H:%M}"
            ticket_event_record(ticket=ticket, actor=actor, action=EventAction.ASSIST_ADD,
                                reason=task.strip(), at=now,
                                payload={"unit": unit.code, "assignee":
                                         choice.staff.user.get_username() if choice.staff
                                         else None,
                                         "reply_due_at": reply_due_at.isoformat()})
            recipient = choice.staff or unit.duty_lead
            notify(recipient=recipient, ticket=ticket, kind="assist",
                   text=f"工单 {ticket.number} 请协办（{due_label} 前回复）："
                        f"{task.strip()[:60]}")
    except IntegrityError:
        raise TicketInputError({"unit": [f"「{unit.name}」已有未完成的协办任务"]},
                               ticket=ticket) from None
    return assist


def assist_task_reply(*, task: AssistTask, actor: Actor, reply: str) -> AssistTask:
    """The assisting unit (its named person or lead) answers its task. A reply after the
    deadline is still taken, and recorded as late (the breach too, if no sweep got there
    first), so the reports see when it came."""
    with transaction.atomic():
        task = AssistTask.objects.select_for_update().select_related("ticket", "unit").get(
            pk=task.pk)
        staff = roles.staff_of(actor)
        allowed = roles.is_superuser(actor) or (staff is not None and (
            staff.pk == task.assignee_id
            or (staff.unit_id == task.unit_id and staff.role == StaffRole.UNIT_LEAD)))
        if not allowed:
            _refuse(task.ticket, EventAction.ASSIST_REPLY, actor)
        if task.state != AssistState.OPEN:
            raise TicketInputError({"task": ["该协办任务已结束"]}, ticket=task.ticket)
        if not reply.strip():
            raise TicketInputError({"reply": ["请填写协办回复"]}, ticket=task.ticket)
        now = timezone.now()
        due = task.reply_due_at
        late_minutes = (max(0, math.ceil((now - due).total_seconds() / 60))
                        if due is not None and now > due else None)
        if late_minutes is not None and AssistTask.objects.filter(
                pk=task.pk, breached_at__isnull=True).update(breached_at=now):
            # No sweep saw the deadline pass: the breach is recorded now, once.
            task.breached_at = now
            assist_breach_record(task=task, at=now, replied=True)
        task.state, task.reply, task.replied_at = AssistState.REPLIED, reply.strip(), now
        task.save(update_fields=["state", "reply", "replied_at"])
        payload: dict[str, object] = {"unit": task.unit.code}
        if late_minutes is not None:
            payload.update(late=True, late_minutes=late_minutes)
        ticket_event_record(ticket=task.ticket, actor=actor, action=EventAction.ASSIST_REPLY,
                            reason=reply.strip(), payload=payload, at=now)
        if task.ticket.assignee is not None:
            notify(recipient=task.ticket.assignee, ticket=task.ticket, kind="assist_reply",
                   text=f"「{task.unit.name}」已回复协办事项"
                        + (f"（超时 {late_minutes} 分钟）" if late_minutes is not None else ""))
    return task


# --- follow-up ------------------------------------------------------------------------------------

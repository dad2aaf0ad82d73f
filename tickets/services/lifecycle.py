"""The ticket's own use cases: create, triage, assign, work (contact, meeting, resolve), follow
up, close, and the edits of routed fields. Every interface (console, API, admin, tasks,
commands) calls these; each change takes the shape in tickets.services.transitions.

Who handles a ticket (routing, dispatch, returns, rulings, assisting units) is
tickets.dispatching; the SLA side of each transition is sla.clocks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from org.calendar import working_calendar_get
from org.models import Staff, StaffRole, Unit
from tickets.core.errors import IllegalTransition, TransitionForbidden
from tickets.core.numbering import ticket_number_next
from tickets.core.queueing import task_named
from tickets.core.trail import Actor, actor_label
from tickets.models import (
    OPEN_STATES,
    WORKING_STATES,
    AssistState,
    Channel,
    DispatchCorrection,
    DuplicateCandidate,
    DuplicateCandidateStatus,
    EventAction,
    FollowUpState,
    FollowUpTask,
    IntakeOutcome,
    IntakeRecord,
    Satisfaction,
    Ticket,
    Urgency,
)
from tickets.models import transition_rules as rules
from tickets.services.transitions import (
    FieldChanges,
    edit_apply,
    event_record,
    input_require,
    ticket_lock,
    ticket_save_with_event,
    transition_apply,
)

_UNSET: Any = object()


# --- creating ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TicketCreateResult:
    ticket: Ticket
    created: bool


def ticket_create(
    *, channel: Channel, external_id: str, title: str, content: str,
    received_at: datetime | None = None, citizen_name: str = "", citizen_phone: str = "",
    citizen_id_number: str = "", address: str = "", street: Unit | None = None,
    community: str = "", latitude: Decimal | None = None, longitude: Decimal | None = None,
    urgency: str = Urgency.NORMAL, category: Sequence[str] = (),
    source_details: dict[str, Any] | None = None, upstream_number: str = "",
    upstream_contact_due_at: datetime | None = None,
    upstream_resolve_due_at: datetime | None = None, intake_record: IntakeRecord | None = None,
) -> TicketCreateResult:
    """Create a ticket in ``received``. The same (channel, external id) returns the same ticket.

    ``intake_record`` (the raw webhook request) gets its outcome and ticket in the ticket's own
    transaction, so the two can never disagree."""
    external_id = external_id.strip()
    input_require({
        "channel": [] if channel.active else [f"渠道「{channel.name}」已停用"],
        "external_id": [] if external_id else ["请提供渠道单号"],
        "title": [] if title.strip() else ["请填写标题"],
        "content": [] if content.strip() else ["请填写诉求内容"],
        "urgency": [] if urgency in Urgency.values else [f"紧急程度只能是 {Urgency.values}"],
        "category": [] if len(category) <= 3 else ["分类最多三级"],
        "street": [] if street is None or street.kind == "street_office" else ["不是街道办事处"],
    })
    # A retry is answered from the unique (channel, external id) index before anything is written.
    # (Asks only for the id: compiling a select of every ticket column cost more than the query.)
    existing_id = Ticket.objects.filter(
        channel=channel, external_id=external_id).values_list("pk", flat=True).first()
    if existing_id is not None:
        return _created_before(Ticket.objects.get(pk=existing_id), intake_record)

    now = timezone.now()
    received_at = received_at or now
    levels = [*category, "", "", ""][:3]
    # Taken in its own short transaction (when the caller has none), so that concurrent intake
    # does not queue on the day's counter row for a whole request; a failed insert leaves a gap.
    number = ticket_number_next(received_at=received_at)
    try:
        with transaction.atomic():
            ticket = Ticket.objects.create(
                number=number,
                channel=channel, external_id=external_id, received_at=received_at,
                title=title.strip(), content=content.strip(), citizen_name=citizen_name.strip(),
                citizen_phone=citizen_phone.strip(), citizen_id_number=citizen_id_number.strip(),
                address=address.strip(), street=street, community=community.strip(),
                latitude=latitude, longitude=longitude, urgency=urgency,
                category_l1=levels[0], category_l2=levels[1], category_l3=levels[2],
                source_details=source_details or {}, upstream_number=upstream_number,
                upstream_contact_due_at=upstream_contact_due_at,
                upstream_resolve_due_at=upstream_resolve_due_at, route_requested_at=now,
            )
            event_record(
                ticket=ticket, actor=None, action=EventAction.CREATE, at=ticket.created_at,
                to_state=ticket.state,
                payload={"channel": channel.code, "external_id": external_id},
            )
            if intake_record is not None:
                _intake_record_link(intake_record, ticket, IntakeOutcome.ACCEPTED)
            # Its duplicate check and routing (tickets.dispatching) in one task, after commit.
            # Robust: a broker that is down loses the message, not the ticket (the intake
            # sweeper queues it again); the channel still gets its 201.
            ticket_id = ticket.pk  # a plain closure: mypy cannot type a lambda's default
            transaction.on_commit(
                lambda: task_named("tickets.tasks.ticket_received_task").delay(ticket_id),
                robust=True)
    except IntegrityError:
        # A simultaneous delivery of the same (channel, external id) won the insert.
        existing = Ticket.objects.filter(channel=channel, external_id=external_id).first()
        if existing is None:
            raise
        return _created_before(existing, intake_record)
    return TicketCreateResult(ticket=ticket, created=True)


def _intake_record_link(record: IntakeRecord, ticket: Ticket, outcome: str) -> None:
    IntakeRecord.objects.filter(pk=record.pk).update(
        outcome=outcome, ticket=ticket, external_id=ticket.external_id, error_detail={},
        processed_at=timezone.now(),
    )


def _created_before(ticket: Ticket, intake_record: IntakeRecord | None) -> TicketCreateResult:
    if intake_record is not None:
        _intake_record_link(intake_record, ticket, IntakeOutcome.DUPLICATE)
    return TicketCreateResult(ticket=ticket, created=False)


# --- dispatching ---------------------------------------------------------------------------------

def _validate_assignee(unit: Unit | None, assignee: Staff | None, ticket: Ticket, *,
                       unit_queue: bool = False) -> None:
    errors: dict[str, list[str]] = {"unit": [], "assignee": []}
    if unit is None:
        errors["unit"].append("请选择承办单位")
    elif not unit.active:
        errors["unit"].append(f"单位「{unit.name}」已停用")
    if assignee is None:
        if not unit_queue:
            errors["assignee"].append("请选择责任人")
    elif unit is not None:
        if assignee.unit_id != unit.pk:
            errors["assignee"].append(f"{assignee} 不属于「{unit.name}」")
        elif assignee.role not in (StaffRole.CASEWORKER, StaffRole.UNIT_LEAD):
            errors["assignee"].append("责任人必须是经办人或单位负责人")
        elif not assignee.user.is_active:
            errors["assignee"].append(f"{assignee} 的账号已停用")
    input_require(errors, ticket)


def ticket_triage(*, ticket: Ticket, actor: Actor, reason: str = "") -> Ticket:
    """Send a ticket to the dispatchers' queue (the router was not sure)."""
    return transition_apply(ticket=ticket, actor=actor, action="triage", fields=[], reason=reason)


def ticket_assign(
    *, ticket: Ticket, actor: Actor, unit: Unit, assignee: Staff | None, reason: str = ""
) -> Ticket:
    """Dispatch to a unit and a named person; the SLA clocks start here. ``assignee=None``
    puts the ticket in the unit's queue (nobody on duty; the unit lead names someone)."""
    _validate_assignee(unit, assignee, ticket, unit_queue=True)
    return transition_apply(
        ticket=ticket, actor=actor, action="assign",
        fields=["unit", "assignee", "assigned_at", "first_assigned_at", "first_unit",
                "auto_dispatched"],
        # The system assigns only when the router was sure (tickets.dispatching.routing).
        kwargs={"unit": unit, "assignee": assignee, "auto": actor is None}, reason=reason,
        payload={"unit": unit.code,
                 "assignee": assignee.user.get_username() if assignee else None},
    )


def ticket_transfer(
    *, ticket: Ticket, actor: Actor, unit: Unit, assignee: Staff | None, reason: str
) -> Ticket:
    """改派: move a ticket in work to another unit and person (``None``: that unit's queue).
    Kept as a correction of the router's choice for the routing-accuracy report."""
    input_require({"reason": [] if reason.strip() else ["请填写改派原因"]}, ticket)
    _validate_assignee(unit, assignee, ticket, unit_queue=True)

    def same_unit_refused(current: Ticket) -> None:
        same = current.unit_id == unit.pk
        input_require({"unit": ["改派的目标单位与当前承办单位相同"] if same else []}, current)

    with transaction.atomic():
        moved = transition_apply(
            ticket=ticket, actor=actor, action="transfer",
            fields=["unit", "assignee", "assigned_at", "first_assigned_at", "contacted_at",
                    "met_at", "transfer_count"],
            kwargs={"unit": unit, "assignee": assignee}, reason=reason.strip(),
            payload={"from_unit": ticket.unit.code if ticket.unit else None, "unit": unit.code,
                     "assignee": assignee.user.get_username() if assignee else None},
            before=same_unit_refused,
        )
        DispatchCorrection.objects.create(
            # transfer() has just set assigned_at.
            ticket=moved, at=cast(datetime, moved.assigned_at), actor_label=actor_label(actor),
            kind="transfer",
            predicted_unit=moved.predicted_unit.code if moved.predicted_unit else "",
            chosen_unit=unit.code, reason=reason.strip())
    return moved


def ticket_return(*, ticket: Ticket, actor: Actor, reason: str) -> Ticket:
    """退单: the unit lead sends the ticket back to triage with a reason; the returning unit
    leaves the model's shortlist, so the dispatcher is not offered it again."""
    input_require({"reason": [] if reason.strip() else ["请填写退单原因"]}, ticket)
    payload = {"unit": ticket.unit.code if ticket.unit else None}

    def exclude_returning_unit(current: Ticket) -> None:
        code = current.unit.code if current.unit else None
        current.prediction_top3 = [c for c in current.prediction_top3 if c.get("unit") != code]
        if current.predicted_unit_id == current.unit_id:
            first = current.prediction_top3[0]["unit"] if current.prediction_top3 else None
            current.predicted_unit = Unit.objects.filter(code=first).first() if first else None

    return transition_apply(
        ticket=ticket, actor=actor, action="return_to_triage",
        fields=["unit", "assignee", "assigned_at", "contacted_at", "met_at", "return_count",
                "prediction_top3", "predicted_unit"],
        reason=reason.strip(), payload=payload, before=exclude_returning_unit,
    )


def ticket_close_unreasonable(*, ticket: Ticket, actor: Actor, reason: str) -> Ticket:
    """After an unsatisfied follow-up, a supervisor rules the demand unreasonable: the ticket
    closes and stays out of the unit's satisfaction rate, with the ruling in the trail."""
    input_require({"reason": [] if reason.strip() else ["请写明审定理由"]}, ticket)
    return transition_apply(
        ticket=ticket, actor=actor, action="close_unreasonable",
        fields=["closed_at", "satisfaction_excluded"], reason=reason.strip())


def ticket_merge(*, ticket: Ticket, actor: Actor, parent: Ticket, reason: str = "") -> Ticket:
    """Merge a duplicate (重复件) into its open parent."""
    def parent_must_be_open(current: Ticket) -> None:
        fresh_parent = Ticket.objects.get(pk=parent.pk)
        errors = []
        if fresh_parent.pk == current.pk:
            errors.append("不能把工单合并到它自己")
        elif fresh_parent.state not in OPEN_STATES:
            errors.append(f"主单 {fresh_parent.number} 已{fresh_parent.get_state_display()}，"
                          "只能合并到在办工单")
        input_require({"parent": errors}, current)

    with transaction.atomic():
        merged = transition_apply(
            ticket=ticket, actor=actor, action="merge", fields=["parent"],
            kwargs={"parent": parent}, reason=reason, payload={"parent": parent.number},
            before=parent_must_be_open,
        )
        # However it was merged (the dispatchers' duplicates list, the ticket page, the API),
        # a suspicion it confirms is no longer waiting for a decision.
        DuplicateCandidate.objects.filter(
            ticket=merged, original=parent, status=DuplicateCandidateStatus.OPEN,
        ).update(status=DuplicateCandidateStatus.MERGED)
    return merged


def ticket_reject(*, ticket: Ticket, actor: Actor, reason: str) -> Ticket:
    """作废: invalid request or spam, with a reason."""
    input_require({"reason": [] if reason.strip() else ["请填写作废原因"]}, ticket)
    return transition_apply(ticket=ticket, actor=actor, action="reject", fields=[],
                            reason=reason.strip())


# --- working the ticket --------------------------------------------------------------------------

def ticket_record_contact(*, ticket: Ticket, actor: Actor, note: str = "") -> Ticket:
    """The caseworker reached the citizen (the 10-minute milestone)."""
    return transition_apply(ticket=ticket, actor=actor, action="record_contact",
                            fields=["contacted_at"], reason=note)


def ticket_record_meeting(*, ticket: Ticket, actor: Actor, note: str = "") -> Ticket:
    """The caseworker met the citizen or the site (the 30-minute milestone)."""
    return transition_apply(ticket=ticket, actor=actor, action="record_meeting",
                            fields=["met_at"], reason=note)


def ticket_resolve(*, ticket: Ticket, actor: Actor, reply: str) -> Ticket:
    """办结 with the reply the citizen will read. The lead unit's reply ends the assisting
    units' tasks, and a follow-up call (回访) falls due for the centre."""
    input_require({"reply": [] if reply.strip() else ["请填写答复内容"]}, ticket)
    with transaction.atomic():
        resolved = transition_apply(ticket=ticket, actor=actor, action="resolve",
                                    fields=["reply", "resolved_at", "handling_working_minutes"],
                                    kwargs={"reply": reply.strip(),
                                            "calendar": working_calendar_get()})
        resolved.assist_tasks.filter(state=AssistState.OPEN).update(state=AssistState.CLOSED)
        resolved_at = cast(datetime, resolved.resolved_at)  # resolve() has just set it
        FollowUpTask.objects.create(
            ticket=resolved, created_at=resolved_at,
            due_at=resolved_at + timedelta(hours=settings.FOLLOW_UP_DUE_HOURS))
    return resolved


def ticket_follow_up(*, ticket: Ticket, actor: Actor, satisfaction: str, note: str = "") -> Ticket:
    """回访 result: satisfied closes the ticket, unsatisfied reopens it to the same unit."""
    input_require({"satisfaction": [] if satisfaction in Satisfaction.values
                   else [f"满意度只能是 {Satisfaction.values}"]}, ticket)
    action = "reopen" if satisfaction == Satisfaction.UNSATISFIED else "close"

    def record_result(current: Ticket) -> None:
        current.satisfaction = satisfaction
        current.follow_up_note = note.strip()
        event_record(ticket=current, actor=actor, action=EventAction.FOLLOW_UP,
                     at=timezone.now(), from_state=current.state, to_state=current.state,
                     reason=note.strip(), payload={"satisfaction": satisfaction})

    fields = ["satisfaction", "follow_up_note"]
    fields += (["assigned_at", "contacted_at", "met_at", "resolved_at",
                "handling_working_minutes", "reopen_count"]
               if action == "reopen" else ["closed_at"])
    with transaction.atomic():
        done = transition_apply(ticket=ticket, actor=actor, action=action, fields=fields,
                                reason=note.strip(), payload={"satisfaction": satisfaction},
                                before=record_result)
        done.follow_ups.filter(state=FollowUpState.OPEN).update(
            state=FollowUpState.DONE, satisfaction=satisfaction, note=note.strip(),
            done_by_label=actor_label(actor), done_at=timezone.now())
    return done


# --- edits of routed fields (no state change, still one event each) ------------------------------

def ticket_reassign(*, ticket: Ticket, actor: Actor, assignee: Staff, reason: str = "") -> Ticket:
    """Hand a ticket in work to another person of the same unit."""
    with transaction.atomic():
        current = ticket_lock(ticket)
        if current.state not in WORKING_STATES:
            raise IllegalTransition(ticket=current, action=EventAction.REASSIGN)
        if not rules.may_reassign(current, actor):
            raise TransitionForbidden(ticket=current, action=EventAction.REASSIGN,
                                      actor_label=actor_label(actor))
        _validate_assignee(current.unit, assignee, current)
        if assignee.pk == current.assignee_id:
            return current
        before = current.assignee.user.get_username() if current.assignee else None
        at = timezone.now()
        current.assignee = assignee
        current.note_first_assignment(at=at)  # named from the unit queue
        current.version += 1
        ticket_save_with_event(
            current=current, fields=["assignee", "first_assigned_at"], actor=actor,
            action=EventAction.REASSIGN, at=at, from_state=current.state, reason=reason,
            payload={"changes": {"assignee": [before, assignee.user.get_username()]}})
    return current


def ticket_update_routing(
    *, ticket: Ticket, actor: Actor, urgency: str = _UNSET, category: Sequence[str] = _UNSET,
    assisting_units: Iterable[Unit] = _UNSET, reason: str = "",
) -> Ticket:
    """Change urgency, category or assisting units: one event per call that changes anything."""
    if urgency is not _UNSET:
        input_require({"urgency": [] if urgency in Urgency.values
                       else [f"紧急程度只能是 {Urgency.values}"]}, ticket)
    if category is not _UNSET:
        input_require({"category": [] if len(category) <= 3 else ["分类最多三级"]}, ticket)

    def apply(current: Ticket) -> FieldChanges:
        if current.state not in OPEN_STATES:
            raise IllegalTransition(ticket=current, action=EventAction.EDIT)
        changes: dict[str, list[Any]] = {}
        fields: list[str] = []
        if urgency is not _UNSET and urgency != current.urgency:
            changes["urgency"] = [current.urgency, urgency]
            current.urgency = urgency
            fields.append("urgency")
        if category is not _UNSET:
            levels = [*category, "", "", ""][:3]
            old = [current.category_l1, current.category_l2, current.category_l3]
            if levels != old:
                changes["category"] = [old, levels]
                current.category_l1, current.category_l2, current.category_l3 = levels
                fields += ["category_l1", "category_l2", "category_l3"]
        if assisting_units is not _UNSET:
            new = sorted(u.code for u in assisting_units)
            old_units = sorted(current.assisting_units.values_list("code", flat=True))
            if new != old_units:
                changes["assisting_units"] = [old_units, new]
                current.assisting_units.set(Unit.objects.filter(code__in=new))
        return changes, fields

    return edit_apply(ticket=ticket, actor=actor, action=EventAction.EDIT,
                      may=rules.may_edit_routing, apply=apply, reason=reason)


def ticket_record_prediction(
    *, ticket: Ticket, predicted_unit: Unit | None, confidence: float,
    top3: list[dict[str, Any]], explanation: dict[str, Any] | None = None,
    tokens: dict[str, Any] | None = None,
) -> Ticket:
    """The router's suggestion (system only): kept on the ticket and in the trail."""
    input_require({"confidence": [] if 0.0 <= confidence <= 1.0
                   else ["置信度必须在 0 到 1 之间"]}, ticket)

    def apply(current: Ticket) -> FieldChanges:
        changes: dict[str, list[Any]] = {
            "predicted_unit": [current.predicted_unit.code if current.predicted_unit else None,
                               predicted_unit.code if predicted_unit else None],
            "prediction_confidence": [current.prediction_confidence, confidence],
        }
        if explanation and explanation.get("rule"):
            changes["rule"] = [None, explanation["rule"]["name"]]
        current.predicted_unit = predicted_unit
        current.prediction_confidence = confidence
        current.prediction_top3 = top3
        current.prediction_explanation = explanation or {}
        fields = ["predicted_unit", "prediction_confidence", "prediction_top3",
                  "prediction_explanation"]
        if tokens is not None:
            current.routing_tokens = tokens
            fields.append("routing_tokens")
        return changes, fields

    return edit_apply(ticket=ticket, actor=None, action=EventAction.PREDICT,
                 may=lambda _ticket, who: who is None,
                 apply=apply, reason="")

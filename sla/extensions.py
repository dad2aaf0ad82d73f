"""Extensions (延期) of the resolve deadline: asked by the assignee with a reason and a new
deadline, approved or refused by the unit lead. An approval moves the running resolve clock
(its warning point too) and is an event in the ticket's trail.

A ticket from the city platform must be resolved by that platform's deadline
(``Ticket.upstream_resolve_due_at``), which no lead here can move: a new deadline past it is
refused when asked and again when approved (a clock already bound by it cannot be extended
at all)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import cast

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from org import roles
from org.selectors import unit_leads
from sla.models import ClockState, Extension, ExtensionState, Milestone, SlaClock
from sla.timers import sla_timers_schedule
from tickets.core.errors import TicketInputError, TransitionForbidden
from tickets.core.trail import actor_label, ticket_event_record
from tickets.models import EventAction, Ticket
from tickets.models import transition_rules as rules
from tickets.outbox.notifications import notification_send


def _resolve_clock(ticket: Ticket) -> SlaClock | None:
    return (SlaClock.objects.select_related("ticket", "policy")
            .filter(ticket=ticket, milestone=Milestone.RESOLVE, state=ClockState.RUNNING)
            .first())


def _past_upstream(ticket: Ticket, new_due_at: datetime) -> list[str]:
    """The refusal when the new deadline is later than the city platform's own."""
    upstream = ticket.upstream_resolve_due_at
    if upstream is None or new_due_at <= upstream:
        return []
    return ["新的办结时限不能晚于上级平台要求的办结时限"
            f"（{timezone.localtime(upstream):%Y-%m-%d %H:%M}），上级平台时限不能延期"]


def sla_extension_request(*, ticket: Ticket, actor: User, reason: str,
                          new_due_at: datetime) -> Extension:

    ticket = Ticket.objects.get(pk=ticket.pk)
    if not (rules.is_assignee(ticket, actor) or rules.is_lead_of_ticket_unit(ticket, actor)):
        raise TransitionForbidden(ticket=ticket, action="extension",
                                  actor_label=actor_label(actor))
    clock = _resolve_clock(ticket)
    later = clock is None or new_due_at > clock.due_at
    errors = {"reason": [] if reason.strip() else ["请写明延期理由"],
              "new_due_at": ([] if later else ["新的办结时限必须晚于现时限"])
              + _past_upstream(ticket, new_due_at)}
    if clock is None:
        errors["ticket"] = ["该工单没有正在计时的办结时限"]
    if any(errors.values()):
        raise TicketInputError(errors, ticket=ticket)
    try:
        with transaction.atomic():
            extension = Extension.objects.create(
                ticket=ticket, reason=reason.strip(), new_due_at=new_due_at,
                # errors["ticket"] above refused a ticket without a running clock.
                old_due_at=cast(SlaClock, clock).due_at, requested_by=actor,
                requested_at=timezone.now())
            ticket_event_record(ticket=ticket, actor=actor, action=EventAction.EXTENSION_REQUEST,
                                reason=reason.strip(),
                                payload={"new_due_at": new_due_at.isoformat()})
            notification_send(recipients=unit_leads(ticket.unit_id), ticket=ticket,
                              kind="extension", text=f"工单 {ticket.number} 申请延期，待您审批")
    except IntegrityError:
        raise TicketInputError({"ticket": ["该工单已有待审批的延期申请"]}, ticket=ticket) from None
    return extension


def sla_extension_decide(*, extension: Extension, actor: User, approve: bool,
                         note: str = "") -> Extension:

    with transaction.atomic():
        extension = Extension.objects.select_for_update(of=("self",)).select_related(
            "ticket").get(pk=extension.pk)
        ticket = extension.ticket
        if not (rules.is_lead_of_ticket_unit(ticket, actor) or roles.is_superuser(actor)):
            raise TransitionForbidden(ticket=ticket, action="extension",
                                      actor_label=actor_label(actor))
        if extension.state != ExtensionState.PENDING:
            raise TicketInputError({"extension": ["该延期申请已审批"]}, ticket=ticket)
        if not approve and not note.strip():
            raise TicketInputError({"note": ["驳回请写明理由"]}, ticket=ticket)
        if approve and (past := _past_upstream(ticket, extension.new_due_at)):
            raise TicketInputError({"new_due_at": past}, ticket=ticket)
        now = timezone.now()
        extension.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
        extension.decided_by, extension.decided_at = actor, now
        extension.decision_note = note.strip()
        extension.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        if approve:
            clock = _resolve_clock(ticket)
            if clock is not None:
                extension_apply(clock=clock, new_due_at=extension.new_due_at, now=now)
        ticket_event_record(
            ticket=ticket, actor=actor,
            action=EventAction.EXTENSION_APPROVE if approve else EventAction.EXTENSION_REFUSE,
            reason=note.strip(), payload={"new_due_at": extension.new_due_at.isoformat()},
            at=now)
    return extension


def extension_apply(*, clock: SlaClock, new_due_at: datetime, now: datetime) -> None:
    """Move the resolve deadline and its warning (the same share of the longer span). A
    deadline already breached stays breached; a paused clock is checked again on resume."""
    clock.warn_at = clock.started_at + (new_due_at - clock.started_at) * clock.policy.warn_ratio
    clock.due_at = new_due_at
    clock.minutes = math.ceil((new_due_at - clock.started_at).total_seconds() / 60)
    # The approved deadline is the lead's now, unless it is the platform's own (never past
    # it: checked on approval), which is as far as it can go.
    upstream = clock.ticket.upstream_resolve_due_at
    clock.bound_by_upstream = upstream is not None and new_due_at >= upstream
    if clock.breached_at is None and clock.paused_at is None:
        clock.next_check_at = clock.warn_at if clock.warned_at is None else clock.due_at
    clock.save(update_fields=["due_at", "minutes", "warn_at", "next_check_at",
                              "bound_by_upstream"])
    sla_timers_schedule(clock=clock, now=now)

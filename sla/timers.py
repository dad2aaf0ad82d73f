"""Acting on passed warnings and deadlines, exactly once.

Both the ETA timers (scheduled when a short clock starts) and the sweeper (beat, every 30 s)
call ``sla_clock_check``; each step is claimed by a guarded UPDATE on the clock row (only the
caller that flips ``warned_at`` / ``breached_at`` from empty acts), so duplicate timers, a
re-delivered task and the sweeper racing a timer are all harmless.
"""

from __future__ import annotations

import math
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dispatch.models import Staff, StaffRole
from sla.models import Breach, ClockState, SlaClock
from tickets.models import EventAction, Notification, Ticket


def _leads(unit_id: int | None) -> list[Staff]:
    if unit_id is None:
        return []
    return list(Staff.objects.filter(unit_id=unit_id, role=StaffRole.UNIT_LEAD,
                                     user__is_active=True))


def _notify(people: list[Staff], ticket: Ticket, kind: str, text: str) -> None:
    Notification.objects.bulk_create(
        [Notification(recipient=p, ticket=ticket, kind=kind, text=text) for p in people])


def sla_clock_check(*, clock_id: int, now: datetime | None = None) -> str:
    """Warn or breach one clock if due and not yet done; returns what was done."""
    from tickets.services import ticket_event_record  # tickets.services imports this module

    now = now or timezone.now()
    with transaction.atomic():
        warned = SlaClock.objects.filter(
            pk=clock_id, state=ClockState.RUNNING, warned_at__isnull=True, warn_at__lte=now,
        ).update(warned_at=now, next_check_at=F("due_at"))
        breached = SlaClock.objects.filter(
            pk=clock_id, state=ClockState.RUNNING, breached_at__isnull=True, due_at__lte=now,
        ).update(breached_at=now, next_check_at=None)
        if not (warned or breached):
            return "nothing"
        clock = SlaClock.objects.select_related("ticket").get(pk=clock_id)
        ticket = clock.ticket
        label = clock.get_milestone_display()
        if warned and not breached:
            people = [*([ticket.assignee] if ticket.assignee else []), *_leads(clock.unit_id)]
            _notify(people, ticket, "sla_warning",
                    f"工单 {ticket.number}「{label}」将于 {timezone.localtime(clock.due_at):%H:%M}"
                    " 到期")
            ticket_event_record(ticket=ticket, actor=None, action=EventAction.SLA_WARNING,
                                reason=f"「{label}」时限将到",
                                payload={"milestone": clock.milestone})
            return "warned"
        Breach.objects.create(clock=clock, ticket=ticket, milestone=clock.milestone,
                              due_at=clock.due_at, detected_at=now, unit_id=clock.unit_id,
                              assignee_id=ticket.assignee_id)
        Ticket.objects.filter(pk=ticket.pk).update(is_overdue=True)
        _notify(_leads(clock.unit_id), ticket, "sla_breach",
                f"工单 {ticket.number}「{label}」已超时")
        ticket_event_record(ticket=ticket, actor=None, action=EventAction.SLA_BREACH,
                            reason=f"「{label}」超时（截止 "
                                   f"{timezone.localtime(clock.due_at):%m-%d %H:%M}）",
                            payload={"milestone": clock.milestone})
        return "breached"


def breach_close(*, clock: SlaClock, at: datetime) -> None:
    """The milestone was finally recorded: the breach learns when, and how late."""
    Breach.objects.filter(clock=clock, met_at__isnull=True).update(
        met_at=at, late_minutes=max(0, math.ceil((at - clock.due_at).total_seconds() / 60)))


def sla_sweep(*, now: datetime | None = None, batch: int = 500) -> int:
    """Beat, every 30 s: every running clock whose warning or deadline passed (one query on
    the slaclock_due_checks partial index), in batches; returns how many were acted on."""
    now = now or timezone.now()
    done = 0
    while True:
        ids = list(SlaClock.objects.filter(state=ClockState.RUNNING, next_check_at__lte=now)
                   .order_by("next_check_at").values_list("pk", flat=True)[:batch])
        acted = [sla_clock_check(clock_id=i, now=now) for i in ids]
        done += sum(a != "nothing" for a in acted)
        if len(ids) < batch or not any(a != "nothing" for a in acted):
            return done


def sla_timers_schedule(*, clock: SlaClock) -> None:
    """ETA timers for short clocks only (SLA_TIMER_MAX_SECONDS): Celery's Redis transport
    re-delivers an ETA task whose ETA lies beyond its visibility timeout, and keeps ETA tasks
    in worker memory; longer clocks are the sweeper's."""
    if (clock.due_at - clock.started_at).total_seconds() > settings.SLA_TIMER_MAX_SECONDS:
        return
    from sla.tasks import sla_clock_check_task

    for moment in (clock.warn_at, clock.due_at):
        transaction.on_commit(
            lambda m=moment: sla_clock_check_task.apply_async((clock.pk,), eta=m))

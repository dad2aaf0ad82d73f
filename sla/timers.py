"""Acting on passed warnings, deadlines and escalation steps, exactly once.

The ETA timers and the sweeper (beat, every SLA_SWEEP_SECONDS) both call ``sla_clock_check``;
each step is claimed by a guarded UPDATE on the clock row (only the caller that flips
``warned_at`` / ``breached_at`` from empty, or moves ``escalation_level`` from the level it read,
acts), so duplicate timers, a re-delivered task and the sweeper racing a timer are harmless.
The sweeper also warns and breaches assisting units' tasks (协办) the same way, on the task row.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from org.models import Staff
from org.selectors import district_supervisors, unit_leads
from sla.models import Breach, ClockState, EscalationLevel, SlaClock
from sla.supervision import supervision_overdue_report, supervision_raise
from tickets.core.bookkeeping import ticket_bookkeeping_update
from tickets.core.queueing import task_named
from tickets.core.trail import ticket_event_record
from tickets.models import OPEN_STATES, AssistState, AssistTask, EventAction, Ticket
from tickets.outbox.notifications import notification_send


def _label(clock: SlaClock) -> str:
    return str(clock.get_milestone_display())


def breach_record(*, clock: SlaClock, ticket: Ticket, at: datetime,
                  met_at: datetime | None = None) -> Breach:
    """The deadline passed unmet: a Breach naming who held the ticket, the overdue flag, an
    event and a notice to the assignee. The caller has claimed ``breached_at``."""
    late = None if met_at is None else max(0, math.ceil((met_at - clock.due_at).total_seconds()
                                                        / 60))
    breach = Breach.objects.create(
        clock=clock, ticket=ticket, milestone=clock.milestone, due_at=clock.due_at,
        detected_at=at, unit_id=clock.unit_id, assignee_id=ticket.assignee_id, met_at=met_at,
        late_minutes=late)
    ticket_bookkeeping_update(ticket_ids=[ticket.pk], is_overdue=True)
    notification_send(recipients=[ticket.assignee], ticket=ticket, kind="sla_breach",
                      text=f"工单 {ticket.number}「{_label(clock)}」已超时")
    ticket_event_record(ticket=ticket, actor=None, action=EventAction.SLA_BREACH, at=at,
                        reason=f"「{_label(clock)}」超时（截止 "
                               f"{timezone.localtime(clock.due_at):%m-%d %H:%M}）",
                        payload={"milestone": clock.milestone,
                                 "due_at": clock.due_at.isoformat()})
    return breach


def _escalation_step(clock: SlaClock, ticket: Ticket, level: str, at: datetime) -> None:
    label = _label(clock)
    level_label = EscalationLevel(level).label
    people = unit_leads(clock.unit_id)
    if level == EscalationLevel.UNIT_LEAD:
        text = f"工单 {ticket.number}「{label}」超时，请督促办理"
    else:
        people += district_supervisors()
        supervision_raise(ticket=ticket, clock=clock, level=level, at=at)
        text = f"工单 {ticket.number}「{label}」超时未办，已升级为{level_label}"
    notification_send(recipients=people, ticket=ticket, kind="sla_escalate", text=text)
    ticket_event_record(ticket=ticket, actor=None, action=EventAction.SLA_ESCALATE, at=at,
                        reason=f"「{label}」超时，升级至{level_label}",
                        payload={"milestone": clock.milestone, "level": level})


def _escalate(clock: SlaClock, now: datetime) -> list[str]:
    """Take every escalation step that has fallen due; leave next_check_at at the next one."""
    taken: list[str] = []
    ladder = clock.policy.ladder()
    while clock.escalation_level < len(ladder):
        level, after = ladder[clock.escalation_level]
        step_at = clock.due_at + timedelta(minutes=after)
        current = SlaClock.objects.filter(pk=clock.pk, state=ClockState.RUNNING,
                                          paused_at__isnull=True,
                                          escalation_level=clock.escalation_level)
        if step_at > now:
            current.update(next_check_at=step_at)
            return taken
        if not current.update(escalation_level=clock.escalation_level + 1, next_check_at=None):
            return taken  # someone else took this step
        clock.escalation_level += 1
        _escalation_step(clock, clock.ticket, level, now)
        taken.append(level)
    return taken


def sla_clock_check(*, clock_id: int, now: datetime | None = None) -> str:
    """Warn, breach or escalate one clock as far as is due and not yet done; returns what
    was done ("nothing", "warned", "breached", "escalated")."""
    now = now or timezone.now()
    with transaction.atomic():
        live = SlaClock.objects.filter(pk=clock_id, state=ClockState.RUNNING,
                                       paused_at__isnull=True)
        warned = live.filter(warned_at__isnull=True, warn_at__lte=now).update(
            warned_at=now, next_check_at=F("due_at"))
        breached = live.filter(breached_at__isnull=True, due_at__lte=now).update(
            breached_at=now, next_check_at=None)
        clock = (SlaClock.objects.select_related("ticket__assignee__user", "policy")
                 .filter(pk=clock_id).first())
        if clock is None or clock.state != ClockState.RUNNING or clock.paused_at is not None:
            return "nothing"
        ticket = clock.ticket
        if breached:
            breach_record(clock=clock, ticket=ticket, at=now)
        elif warned:
            label = _label(clock)
            notification_send(
                recipients=[ticket.assignee, *unit_leads(clock.unit_id)], ticket=ticket,
                kind="sla_warning",
                text=f"工单 {ticket.number}「{label}」将于 "
                     f"{timezone.localtime(clock.due_at):%H:%M} 到期")
            ticket_event_record(ticket=ticket, actor=None, action=EventAction.SLA_WARNING,
                                at=now, reason=f"「{label}」时限将到",
                                payload={"milestone": clock.milestone})
            return "warned"
        escalated = _escalate(clock, now) if clock.breached_at is not None else []
        if breached:
            return "breached"
        return "escalated" if escalated else "nothing"


def breach_close(*, clock: SlaClock, at: datetime) -> None:
    """The milestone was finally recorded: the breach learns when, and how late."""
    Breach.objects.filter(clock=clock, met_at__isnull=True).update(
        met_at=at, late_minutes=max(0, math.ceil((at - clock.due_at).total_seconds() / 60)))


def sla_timers_arm(*, now: datetime, batch: int = 1000) -> int:
    """Queue an ETA timer for every running clock whose next check falls inside the horizon
    and has none queued yet (served by the slaclock_due_checks partial index); returns how
    many were queued."""
    horizon = now + timedelta(seconds=settings.SLA_TIMER_MAX_SECONDS)
    armed = 0
    while True:
        rows = list(SlaClock.objects.filter(state=ClockState.RUNNING, next_check_at__gt=now,
                                            next_check_at__lte=horizon)
                    .filter(Q(timer_at__isnull=True) | Q(timer_at__lt=F("next_check_at")))
                    .order_by("next_check_at").values_list("pk", "next_check_at")[:batch])
        if not rows:
            return armed
        with transaction.atomic():
            SlaClock.objects.filter(pk__in=[pk for pk, _at in rows]).update(
                timer_at=F("next_check_at"))
            for pk, moment in rows:
                # next_check_at__gt above leaves out the clocks without one.
                _timer_queue(pk, cast(datetime, moment))
        armed += len(rows)
        if len(rows) < batch:
            return armed


def _timer_queue(clock_id: int, moment: datetime) -> None:
    task = task_named("sla.tasks.sla_clock_check_task")
    transaction.on_commit(lambda: task.apply_async((clock_id,), eta=moment), robust=True)


def sla_timers_schedule(*, clock: SlaClock, now: datetime) -> None:
    """A clock just started (or moved): ETA timers for its warning and deadline when they fall
    inside the horizon (the 10- and 30-minute clocks); the rest are armed by the sweeper."""
    horizon = now + timedelta(seconds=settings.SLA_TIMER_MAX_SECONDS)
    moments = [m for m in (clock.warn_at, clock.due_at)
               if m > now and m <= horizon and (clock.timer_at is None or m > clock.timer_at)]
    for moment in moments:
        _timer_queue(clock.pk, moment)
    if moments:
        clock.timer_at = max(moments)
        SlaClock.objects.filter(pk=clock.pk).update(timer_at=clock.timer_at)


def sla_timers_forget(*, now: datetime) -> int:
    """A worker (re)started: timers it held in memory may be gone, so let the next sweep
    queue them again (duplicates are harmless)."""
    return SlaClock.objects.filter(state=ClockState.RUNNING, timer_at__gt=now).update(
        timer_at=None)


def _assist_people(task: AssistTask) -> list[Staff | None]:
    """Who hears of an assisting unit's deadline: its named person, its duty lead, its leads."""
    return [task.assignee, task.unit.duty_lead, *unit_leads(task.unit_id)]


def assist_breach_record(*, task: AssistTask, at: datetime, replied: bool = False) -> None:
    """An assist task's reply deadline passed: an event on the ticket and, while the reply is
    still owed, a notice to the assisting unit. The caller has claimed ``breached_at``."""
    # Only called for tasks with a deadline (the sweeper's query, a late reply).
    due_at = cast(datetime, task.reply_due_at)
    due = timezone.localtime(due_at)
    ticket = task.ticket
    if not replied:
        notification_send(recipients=_assist_people(task), ticket=ticket, kind="assist_breach",
                          text=f"工单 {ticket.number} 的协办事项已超时（回复时限 "
                               f"{due:%m-%d %H:%M}），请尽快回复")
    ticket_event_record(ticket=ticket, actor=None, action=EventAction.ASSIST_BREACH, at=at,
                        reason=f"「{task.unit.name}」协办超时（回复时限 {due:%m-%d %H:%M}）",
                        payload={"unit": task.unit.code, "task": task.pk,
                                 "reply_due_at": due_at.isoformat()})


def assist_task_check(*, task_id: int, now: datetime) -> str:
    """Warn or breach one open assist task as far as is due and not yet done; each step is
    claimed by a guarded UPDATE (``warned_at`` / ``breached_at`` from empty), so two sweepers
    never act twice. A task found past its deadline unwarned is only breached, like a clock.
    Returns "nothing", "warned" or "breached"."""
    with transaction.atomic():
        # A ticket no longer open (closed, merged, rejected) owes no reply to chase. Checked
        # apart: the guarded UPDATEs below test the task's own columns only, since a condition
        # through a join becomes a subquery that PostgreSQL does not re-check after waiting
        # for a racing sweeper's row lock.
        if not AssistTask.objects.filter(pk=task_id, ticket__state__in=OPEN_STATES).exists():
            return "nothing"
        live = AssistTask.objects.filter(pk=task_id, state=AssistState.OPEN)
        warned = live.filter(warned_at__isnull=True, warn_at__lte=now).update(warned_at=now)
        breached = live.filter(breached_at__isnull=True, reply_due_at__lte=now).update(
            breached_at=now)
        if not (warned or breached):
            return "nothing"
        task = AssistTask.objects.select_related(
            "ticket", "unit__duty_lead", "assignee").get(pk=task_id)
        if breached:
            assist_breach_record(task=task, at=now)
            return "breached"
        ticket = task.ticket
        # warn_at matched above, so the task has its deadline.
        due_at = cast(datetime, task.reply_due_at)
        due = timezone.localtime(due_at)
        notification_send(recipients=_assist_people(task), ticket=ticket, kind="assist_warning",
                          text=f"工单 {ticket.number} 的协办事项将于 {due:%m-%d %H:%M} "
                               "到期，请尽快回复")
        ticket_event_record(ticket=ticket, actor=None, action=EventAction.ASSIST_WARNING,
                            at=now, reason=f"「{task.unit.name}」协办回复时限将到（"
                                           f"{due:%m-%d %H:%M}）",
                            payload={"unit": task.unit.code, "task": task.pk,
                                     "reply_due_at": due_at.isoformat()})
        return "warned"


def assist_tasks_sweep(*, now: datetime, batch: int = 500) -> int:
    """Act on every open assist task whose warning point or reply deadline has passed and is
    not yet acted on (the assisttask_warn_due and assisttask_reply_overdue partial indexes),
    in batches; returns how many were acted on."""
    open_tasks = AssistTask.objects.filter(state=AssistState.OPEN,
                                           ticket__state__in=OPEN_STATES)
    done = 0
    while True:
        to_warn = list(open_tasks.filter(warned_at__isnull=True, warn_at__lte=now)
                       .order_by("warn_at").values_list("pk", flat=True)[:batch])
        to_breach = list(open_tasks.filter(breached_at__isnull=True, reply_due_at__lte=now)
                         .order_by("reply_due_at").values_list("pk", flat=True)[:batch])
        ids = sorted(set(to_warn) | set(to_breach))
        acted = sum(assist_task_check(task_id=i, now=now) != "nothing" for i in ids)
        done += acted
        if (len(to_warn) < batch and len(to_breach) < batch) or not acted:
            return done


def sla_sweep(*, now: datetime | None = None, batch: int = 500) -> int:
    """Beat: act on every running clock whose warning, deadline or escalation step has passed
    (one query on the slaclock_due_checks partial index, in batches), arm the timers that
    now fall inside the horizon, warn and breach assisting units' tasks, and report
    supervision replies that are late. Returns how many clocks were acted on."""
    now = now or timezone.now()
    done = 0
    while True:
        ids = list(SlaClock.objects.filter(state=ClockState.RUNNING, next_check_at__lte=now)
                   .order_by("next_check_at").values_list("pk", flat=True)[:batch])
        acted = sum(sla_clock_check(clock_id=i, now=now) != "nothing" for i in ids)
        done += acted
        if len(ids) < batch or not acted:
            break
    sla_timers_arm(now=now)
    assist_tasks_sweep(now=now, batch=batch)
    supervision_overdue_report(now=now)
    return done

"""Starting, pausing and stopping the milestone clocks as the ticket moves.

Called by the transition services inside their transaction (clocks are data, like the event):
assignment starts every milestone that is not already running (a ticket returned and assigned
again keeps the clock it had, running against the unit that held it); a transfer restarts them
when the policy says so; recording contact, meeting and resolution stop their clocks, late ones
marked with the minutes late (and a breach recorded if no timer got there first); resolution
starts the follow-up (回访) clock when the policy has one; 重办 starts every clock over. A
transition that ends the ticket's work in this unit ends an approved suspension first.

A ticket from the city platform carries that platform's own contact and resolve deadlines;
whichever comes first, the policy's or the platform's, is the clock's deadline (marked
``bound_by_upstream`` when it is the platform's). Assisting units' reply deadlines (协办) are
worked out here too, in the ticket's resolve calendar.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.db.models import Q

from org.calendar import WorkingCalendar, working_calendar_get
from sla.models import (
    CalendarKind,
    ClockState,
    Milestone,
    SlaClock,
    SlaPolicy,
    Suspension,
    SuspensionState,
)
from sla.timers import breach_close, breach_record, sla_timers_schedule
from tickets.core.bookkeeping import ticket_bookkeeping_update
from tickets.core.trail import ticket_event_record
from tickets.models import EventAction, Ticket

STOPS = {"record_contact": Milestone.CONTACT, "record_meeting": Milestone.MEET,
         "resolve": Milestone.RESOLVE,
         # 回访 ends in either: satisfied closes, unsatisfied reopens.
         "close": Milestone.FOLLOW_UP, "reopen": Milestone.FOLLOW_UP}
CANCELS = ("close", "close_unreasonable", "merge", "reject")
# A suspension belongs to the unit's work on the ticket; these end that work (or hand it on).
ENDS_SUSPENSION = ("return_to_triage", "transfer", "resolve", "close", "close_unreasonable",
                   "merge", "reject", "reopen")
# The city platform's deadlines (stored from its intake payload) that bind our clocks.
UPSTREAM_DUE: dict[str, str] = {Milestone.CONTACT: "upstream_contact_due_at",
                                 Milestone.RESOLVE: "upstream_resolve_due_at"}


def sla_policy_for(*, urgency: str, category_l1: str, channel_code: str) -> SlaPolicy | None:
    """The active policy for the urgency; one naming the category or channel beats a general
    one (both named beats either), the highest version wins."""
    candidates = SlaPolicy.objects.filter(
        Q(category_l1="") | Q(category_l1=category_l1),
        Q(channel_code="") | Q(channel_code=channel_code),
        urgency=urgency, active=True)
    return max(candidates, key=lambda p: (bool(p.category_l1) + bool(p.channel_code),
                                          p.version, p.pk), default=None)


def deadline(*, start: datetime, minutes: int, calendar: str,
             working: WorkingCalendar | None = None) -> datetime:
    if calendar == CalendarKind.WORKING:
        return (working or working_calendar_get()).add(start, minutes)
    return start + timedelta(minutes=minutes)


def warning_point(*, start: datetime, minutes: int, calendar: str, warn_ratio: float,
                  working: WorkingCalendar | None = None) -> datetime:
    return deadline(start=start, minutes=math.floor(minutes * warn_ratio), calendar=calendar,
                    working=working)


def shifted_past_pause(*, moment: datetime, calendar: str, paused_at: datetime,
                       resumed_at: datetime, working: WorkingCalendar | None = None) -> datetime:
    """Where a warning or deadline still ahead when the clock paused lands once the paused
    interval [paused_at, resumed_at) is left out (in the clock's own calendar)."""
    if moment <= paused_at:
        return moment
    if calendar == CalendarKind.WORKING:
        cal = working or working_calendar_get()
        return cal.add(resumed_at, cal.minutes_between(paused_at, moment))
    return resumed_at + (moment - paused_at)


def upstream_due(*, ticket: Ticket, milestone: str) -> datetime | None:
    """The city platform's own deadline for this milestone, when the ticket came with one."""
    name = UPSTREAM_DUE.get(milestone)
    return getattr(ticket, name) if name else None


def clock_deadline(*, ticket: Ticket, milestone: str, start: datetime, minutes: int,
                   calendar: str, working: WorkingCalendar | None = None
                   ) -> tuple[datetime, bool]:
    """A milestone clock's deadline when it starts at ``start``, and whether the city
    platform's deadline is what binds it: the policy's limit, or the platform's own deadline
    for the milestone when that comes first (an equal one is the policy's). The one rule for
    the live clocks and the recomputation from events (sla.recompute)."""
    return _bound_deadline(start=start, minutes=minutes, calendar=calendar,
                           upstream=upstream_due(ticket=ticket, milestone=milestone),
                           working=working)


def _bound_deadline(*, start: datetime, minutes: int, calendar: str, upstream: datetime | None,
                    working: WorkingCalendar | None) -> tuple[datetime, bool]:
    due = deadline(start=start, minutes=minutes, calendar=calendar, working=working)
    if upstream is not None and upstream < due:
        return upstream, True
    return due, False


@dataclass(frozen=True)
class ClockPoints:
    warn_at: datetime
    due_at: datetime
    bound_by_upstream: bool


def clock_points(*, start: datetime, minutes: int, calendar: str, warn_ratio: float,
                 upstream: datetime | None, working: WorkingCalendar | None = None
                 ) -> ClockPoints:
    """A starting clock's warning and deadline: the policy's limit, or ``upstream`` (the city
    platform's deadline for the milestone) when that comes first, with the warning at the
    same share of the shorter span. Pure: the live clocks and the synthetic history
    (demo.history) both start clocks with it."""
    due, bound = _bound_deadline(start=start, minutes=minutes, calendar=calendar,
                                 upstream=upstream, working=working)
    if bound:
        warn = _bound_warning(start=start, due=due, calendar=calendar, warn_ratio=warn_ratio,
                              working=working)
    else:
        warn = warning_point(start=start, minutes=minutes, calendar=calendar,
                             warn_ratio=warn_ratio, working=working)
    return ClockPoints(warn, due, bound)


def _bound_warning(*, start: datetime, due: datetime, calendar: str, warn_ratio: float,
                   working: WorkingCalendar | None) -> datetime:
    """The warning of a clock the city platform's deadline shortened: the policy's share of
    the shortened span, in the clock's own calendar (wall time when no working time lies in
    between), never before the start. A deadline already past warns at once."""
    if due <= start:
        return start
    if calendar == CalendarKind.WORKING:
        cal = working or working_calendar_get()
        span = cal.minutes_between(start, due)
        if span > 0:
            return min(due, cal.add(start, math.floor(span * warn_ratio)))
    return start + (due - start) * warn_ratio


def _start(ticket: Ticket, policy: SlaPolicy, milestone: str, minutes: int, calendar: str,
           at: datetime, working: WorkingCalendar | None) -> SlaClock:
    """Start one clock: due at the policy's limit, or at the city platform's deadline for the
    milestone when that comes first (``bound_by_upstream``; ``minutes`` stays the policy's).
    The upstream deadline is fixed, so a clock restarted after a transfer or 重办 is bound
    by the same moment, late from the start if it has passed."""
    points = clock_points(start=at, minutes=minutes, calendar=calendar,
                          warn_ratio=policy.warn_ratio,
                          upstream=upstream_due(ticket=ticket, milestone=milestone),
                          working=working)
    clock = SlaClock.objects.create(
        ticket=ticket, policy=policy, milestone=milestone, calendar=calendar, minutes=minutes,
        unit_id=ticket.unit_id, started_at=at, warn_at=points.warn_at, due_at=points.due_at,
        next_check_at=points.warn_at, bound_by_upstream=points.bound_by_upstream)
    sla_timers_schedule(clock=clock, now=at)
    return clock


def _policy(ticket: Ticket) -> SlaPolicy | None:
    policy = ticket.sla_policy or sla_policy_for(
        urgency=ticket.urgency, category_l1=ticket.category_l1,
        channel_code=ticket.channel.code)
    if policy is not None and ticket.sla_policy_id != policy.pk:
        ticket.sla_policy = policy
        ticket_bookkeeping_update(ticket_ids=[ticket.pk], sla_policy=policy)
    return policy


def _start_missing(ticket: Ticket, at: datetime, *, restart: bool = False) -> None:
    if restart:
        for clock in SlaClock.objects.filter(ticket=ticket, state=ClockState.RUNNING):
            _close(clock, ticket, at, ClockState.CANCELLED)
    have = set(SlaClock.objects.filter(ticket=ticket, state=ClockState.RUNNING)
               .values_list("milestone", flat=True))
    policy = _policy(ticket)
    if policy is None:
        return
    working = None
    for milestone, minutes, calendar in policy.limits():
        if milestone in have or milestone == Milestone.FOLLOW_UP:
            continue
        if calendar == CalendarKind.WORKING and working is None:
            working = working_calendar_get()
        _start(ticket, policy, milestone, minutes, calendar, at, working)


def _start_follow_up(ticket: Ticket, at: datetime) -> None:
    policy = _policy(ticket)
    if policy is None:
        return
    for milestone, minutes, calendar in policy.limits():
        if milestone == Milestone.FOLLOW_UP:
            _start(ticket, policy, milestone, minutes, calendar, at, None)


def assist_reply_deadline(*, ticket: Ticket, at: datetime) -> tuple[datetime, datetime]:
    """An assisting unit's (协办) warning point and reply deadline for a task given at ``at``:
    ASSIST_REPLY_HOURS in the calendar of the ticket's resolve limit (24×7 for an urgent
    ticket, working time for a normal one, 24×7 without a policy), warned at the policy's
    warn ratio like the lead unit's clocks."""
    policy = ticket.sla_policy
    calendar = next((cal for milestone, _minutes, cal in (policy.limits() if policy else [])
                     if milestone == Milestone.RESOLVE), CalendarKind.ROUND_THE_CLOCK)
    ratio = policy.warn_ratio if policy else SlaPolicy._meta.get_field("warn_ratio").default
    minutes = settings.ASSIST_REPLY_HOURS * 60
    working = working_calendar_get() if calendar == CalendarKind.WORKING else None
    return (warning_point(start=at, minutes=minutes, calendar=calendar, warn_ratio=ratio,
                          working=working),
            deadline(start=at, minutes=minutes, calendar=calendar, working=working))


def _close(clock: SlaClock, ticket: Ticket, at: datetime, state: str) -> None:
    """Stop (met) or cancel one clock. Time stands still while it is paused, so a milestone
    recorded during a suspension counts from the pause."""
    effective = clock.paused_at or at
    late = max(0, math.ceil((effective - clock.due_at).total_seconds() / 60))
    clock.state, clock.stopped_at, clock.next_check_at = state, at, None
    clock.late_minutes = late if state == ClockState.MET else None
    clock.save(update_fields=["state", "stopped_at", "next_check_at", "late_minutes"])
    met_at = effective if state == ClockState.MET else None
    if effective > clock.due_at and SlaClock.objects.filter(
            pk=clock.pk, breached_at__isnull=True).update(breached_at=at):
        breach_record(clock=clock, ticket=ticket, at=at, met_at=met_at)
    elif met_at is not None:
        breach_close(clock=clock, at=met_at)


def clocks_pause(*, ticket: Ticket, at: datetime) -> int:
    return SlaClock.objects.filter(ticket=ticket, state=ClockState.RUNNING,
                                   paused_at__isnull=True).update(paused_at=at,
                                                                  next_check_at=None)


def clocks_resume(*, ticket: Ticket, at: datetime) -> None:
    """Every paused clock goes on with the paused time left out: its warning and deadline
    move on by the pause (in its own calendar); a clock already breached takes any
    escalation step that fell due at the next check. A clock bound by the city platform's
    deadline moves too: the pause was approved here, and ``bound_by_upstream`` still tells
    where its deadline came from."""
    working = None
    for clock in SlaClock.objects.filter(ticket=ticket, state=ClockState.RUNNING,
                                         paused_at__isnull=False).select_related("policy"):
        if clock.calendar == CalendarKind.WORKING and working is None:
            working = working_calendar_get()
        if clock.breached_at is None:
            clock.warn_at, clock.due_at = (
                # paused_at__isnull=False above: every clock here has its pause.
                shifted_past_pause(moment=moment, calendar=clock.calendar,
                                   paused_at=cast(datetime, clock.paused_at), resumed_at=at,
                                   working=working)
                for moment in (clock.warn_at, clock.due_at))
            clock.next_check_at = clock.due_at if clock.warned_at else clock.warn_at
        else:
            clock.next_check_at = at
        clock.paused_at = None
        clock.save(update_fields=["warn_at", "due_at", "next_check_at", "paused_at"])
        sla_timers_schedule(clock=clock, now=at)


def suspension_end_by_system(*, ticket: Ticket, at: datetime, reason: str) -> bool:
    if not Suspension.objects.filter(ticket=ticket, state=SuspensionState.ACTIVE).update(
            state=SuspensionState.ENDED, ended_at=at, ended_by_label="系统"):
        return False
    clocks_resume(ticket=ticket, at=at)
    ticket_event_record(ticket=ticket, actor=None, action=EventAction.SUSPENSION_END, at=at,
                        reason=reason)
    return True


def sla_clocks_apply(*, ticket: Ticket, action: str, at: datetime) -> None:
    """The clock side of one transition, in the transition's transaction."""
    if action in ENDS_SUSPENSION:
        suspension_end_by_system(ticket=ticket, at=at,
                                 reason=f"{EventAction(action).label}，自动恢复计时")
    if action in STOPS:
        for clock in SlaClock.objects.filter(ticket=ticket, milestone=STOPS[action],
                                             state=ClockState.RUNNING):
            _close(clock, ticket, at, ClockState.MET)
    if action == "assign":
        _start_missing(ticket, at)
    elif action == "transfer":
        keep = ticket.sla_policy is not None and not ticket.sla_policy.restart_on_transfer
        _start_missing(ticket, at, restart=not keep)
    elif action == "reopen":
        _start_missing(ticket, at, restart=True)
    elif action == "resolve":
        _start_follow_up(ticket, at)
    elif action in CANCELS:
        for clock in SlaClock.objects.filter(ticket=ticket, state=ClockState.RUNNING):
            _close(clock, ticket, at, ClockState.CANCELLED)

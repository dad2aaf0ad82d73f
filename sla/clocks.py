"""Starting and stopping the milestone clocks as the ticket moves.

Called by the transition services inside their transaction (clocks are data, like the event):
assignment starts every milestone that is not already running (a ticket returned and assigned
again keeps the clock it had, running against the unit that held it); a transfer restarts them
when the policy says so; recording contact, meeting and resolution stop their clocks, late ones
marked with the minutes late; 重办 starts every clock over.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.db.models import Q

from sla.calendar import WorkingCalendar, working_calendar_get
from sla.models import CalendarKind, ClockState, Milestone, SlaClock, SlaPolicy
from sla.timers import breach_close, sla_timers_schedule

STOPS = {"record_contact": Milestone.CONTACT, "record_meeting": Milestone.MEET,
         "resolve": Milestone.RESOLVE}


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


def _start(ticket: object, policy: SlaPolicy, milestone: str, minutes: int, calendar: str,
           at: datetime, working: WorkingCalendar | None) -> SlaClock:
    due = deadline(start=at, minutes=minutes, calendar=calendar, working=working)
    warn = deadline(start=at, minutes=math.floor(minutes * policy.warn_ratio),
                    calendar=calendar, working=working)
    clock = SlaClock.objects.create(
        ticket=ticket, policy=policy, milestone=milestone, calendar=calendar, minutes=minutes,
        unit_id=ticket.unit_id, started_at=at, warn_at=warn, due_at=due, next_check_at=warn)
    sla_timers_schedule(clock=clock)
    return clock


def _start_missing(ticket: object, at: datetime, *, restart: bool = False) -> None:
    running = SlaClock.objects.filter(ticket=ticket, state=ClockState.RUNNING)
    if restart:
        running.update(state=ClockState.CANCELLED, stopped_at=at, next_check_at=None)
    have = set() if restart else set(running.values_list("milestone", flat=True))
    policy = ticket.sla_policy or sla_policy_for(
        urgency=ticket.urgency, category_l1=ticket.category_l1,
        channel_code=ticket.channel.code)
    if policy is None:
        return
    if ticket.sla_policy_id != policy.pk:
        ticket.sla_policy = policy
        type(ticket).objects.filter(pk=ticket.pk).update(sla_policy=policy)
    working = None
    for milestone, minutes, calendar in policy.limits():
        if milestone in have or milestone == Milestone.FOLLOW_UP:
            continue
        if calendar == CalendarKind.WORKING and working is None:
            working = working_calendar_get()
        _start(ticket, policy, milestone, minutes, calendar, at, working)


def _stop(ticket: object, milestone: str, at: datetime) -> None:
    for clock in SlaClock.objects.filter(ticket=ticket, milestone=milestone,
                                         state=ClockState.RUNNING):
        late = max(0, math.ceil((at - clock.due_at).total_seconds() / 60))
        clock.state, clock.stopped_at, clock.next_check_at = ClockState.MET, at, None
        clock.late_minutes = late
        clock.save(update_fields=["state", "stopped_at", "next_check_at", "late_minutes"])
        breach_close(clock=clock, at=at)


def sla_clocks_apply(*, ticket: object, action: str, at: datetime) -> None:
    """The clock side of one transition, in the transition's transaction."""
    if action == "assign":
        _start_missing(ticket, at)
    elif action == "transfer":
        keep = ticket.sla_policy is not None and not ticket.sla_policy.restart_on_transfer
        _start_missing(ticket, at, restart=not keep)
    elif action == "reopen":
        _start_missing(ticket, at, restart=True)
    elif action in STOPS:
        _stop(ticket, STOPS[action], at)
    elif action in ("close", "close_unreasonable", "merge", "reject"):
        SlaClock.objects.filter(ticket=ticket, state=ClockState.RUNNING).update(
            state=ClockState.CANCELLED, stopped_at=at, next_check_at=None)

"""SLA outcomes recomputed from a ticket's events alone, to check the stored breaches.

The replay knows the clock rules (what starts, stops, pauses, moves and restarts a clock) but
none of the clock rows: it reads the trail (一单到底) in order and the policy version the ticket
kept, and says which deadlines passed unmet. Deadline arithmetic is shared with the live
clocks (one definition of working time), and so is the rule that the city platform's own
deadline binds a clock when it comes first (sla.clocks.clock_deadline, read from the ticket);
everything else is done again from scratch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from org.calendar import WorkingCalendar, working_calendar_get
from sla.clocks import CANCELS, ENDS_SUSPENSION, STOPS, clock_deadline, shifted_past_pause
from sla.models import Breach, Milestone, SlaPolicy
from tickets.models import EventAction, Ticket, TicketEvent


@dataclass
class _Clock:
    milestone: str
    calendar: str
    due_at: datetime
    paused_at: datetime | None = None
    breached: bool = False


@dataclass(frozen=True)
class ExpectedBreach:
    milestone: str
    due_at: datetime
    settled: bool  # decided by a later event or long enough ago for the sweeper to have acted


@dataclass
class _Replay:
    ticket: Ticket
    policy: SlaPolicy
    working: WorkingCalendar
    running: dict[str, _Clock] = field(default_factory=dict)
    breaches: list[ExpectedBreach] = field(default_factory=list)

    def _breach(self, clock: _Clock, settled: bool) -> None:
        if not clock.breached:
            clock.breached = True
            self.breaches.append(ExpectedBreach(clock.milestone, clock.due_at, settled))

    def passed(self, at: datetime, *, settled: bool = True, inclusive: bool = False) -> None:
        for clock in self.running.values():
            if clock.paused_at is None and (clock.due_at <= at if inclusive
                                            else clock.due_at < at):
                self._breach(clock, settled)

    def start(self, at: datetime, *, only: str | None = None) -> None:
        for milestone, minutes, calendar in self.policy.limits():
            if milestone in self.running or (milestone == Milestone.FOLLOW_UP) != (
                    only == Milestone.FOLLOW_UP):
                continue
            due, _bound = clock_deadline(ticket=self.ticket, milestone=milestone, start=at,
                                         minutes=minutes, calendar=calendar,
                                         working=self.working)
            self.running[milestone] = _Clock(milestone, calendar, due)

    def end(self, milestone: str, at: datetime) -> None:
        clock = self.running.pop(milestone, None)
        if clock is not None and (clock.paused_at or at) > clock.due_at:
            self._breach(clock, True)

    def end_all(self, at: datetime) -> None:
        for milestone in list(self.running):
            self.end(milestone, at)

    def pause(self, at: datetime) -> None:
        for clock in self.running.values():
            clock.paused_at = clock.paused_at or at

    def resume(self, at: datetime) -> None:
        for clock in self.running.values():
            if clock.paused_at is None:
                continue
            if not clock.breached:
                clock.due_at = shifted_past_pause(moment=clock.due_at, calendar=clock.calendar,
                                                  paused_at=clock.paused_at, resumed_at=at,
                                                  working=self.working)
            clock.paused_at = None

    def apply(self, event: TicketEvent) -> None:
        action, at = event.action, event.at
        self.passed(at)
        if action in ENDS_SUSPENSION:
            self.resume(at)
        if action in STOPS:
            self.end(STOPS[action], at)
        if action == "assign":
            self.start(at)
        elif action == "transfer":
            if self.policy.restart_on_transfer:
                self.end_all(at)
            self.start(at)
        elif action == "reopen":
            self.end_all(at)
            self.start(at)
        elif action == "resolve":
            self.start(at, only=Milestone.FOLLOW_UP)
        elif action in CANCELS:
            self.end_all(at)
        elif action == EventAction.EXTENSION_APPROVE:
            clock = self.running.get(Milestone.RESOLVE)
            moved = parse_datetime(event.payload.get("new_due_at", ""))
            if clock is not None and moved is not None:
                clock.due_at = moved
        elif action == EventAction.SUSPENSION_APPROVE:
            self.pause(at)
        elif action == EventAction.SUSPENSION_END:
            self.resume(at)


def sla_breaches_recompute(*, ticket: Ticket, now: datetime | None = None,
                           working: WorkingCalendar | None = None) -> list[ExpectedBreach]:
    """Which deadlines of this ticket passed unmet, from its events alone."""
    if ticket.sla_policy_id is None:
        return []
    now = now or timezone.now()
    grace = timedelta(seconds=settings.SLA_RECOMPUTE_GRACE_SECONDS)
    # sla_policy_id is set (checked above), so the policy is there.
    replay = _Replay(ticket=ticket, policy=cast(SlaPolicy, ticket.sla_policy),
                     working=working or working_calendar_get())
    for event in ticket.events.filter(at__lte=now).order_by("at", "pk"):
        replay.apply(event)
    replay.passed(now - grace, inclusive=True)
    replay.passed(now, settled=False, inclusive=True)
    return replay.breaches


@dataclass(frozen=True)
class Mismatch:
    ticket_number: str
    milestone: str
    due_at: datetime
    problem: str  # "missing" (should have a breach) or "unexpected" (stored, not recomputed)


def sla_breaches_verify(*, tickets: Iterable[Ticket],
                        now: datetime | None = None) -> tuple[int, list[Mismatch]]:
    """Compare stored breaches with the recomputation; returns (tickets checked, mismatches).
    A deadline that passed within SLA_RECOMPUTE_GRACE_SECONDS may or may not be recorded yet."""
    now = now or timezone.now()
    working = working_calendar_get()
    checked, mismatches = 0, []
    for ticket in tickets:
        checked += 1
        expected = sla_breaches_recompute(ticket=ticket, now=now, working=working)
        stored = set(Breach.objects.filter(ticket=ticket).values_list("milestone", "due_at"))
        for item in expected:
            if item.settled and (item.milestone, item.due_at) not in stored:
                mismatches.append(Mismatch(ticket.number, item.milestone, item.due_at,
                                           "missing"))
        known = {(e.milestone, e.due_at) for e in expected}
        for milestone, due_at in sorted(stored - known):
            mismatches.append(Mismatch(ticket.number, milestone, due_at, "unexpected"))
    return checked, mismatches

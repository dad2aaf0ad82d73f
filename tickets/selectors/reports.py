"""Dispatch accuracy per unit, from the ticket trails: how often the router dispatched alone,
how often its choice stuck, and how much back-and-forth (returns, transfers) tickets needed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tickets.models import EventAction, FollowUpState, FollowUpTask, TicketEvent

_MOVES = (EventAction.ASSIGN, EventAction.RETURN, EventAction.TRANSFER)
# One move of a ticket: action, actor (None: the system), when, payload.
Move = tuple[str, int | None, datetime, dict[str, Any]]


@dataclass(frozen=True)
class UnitDispatchStats:
    unit: str  # the unit the ticket was first assigned to ("" for all units)
    tickets: int
    auto_dispatched: int
    auto_stayed: int  # auto-dispatched and never returned or transferred
    returns: int
    transfers: int

    @property
    def auto_share(self) -> float:
        return self.auto_dispatched / self.tickets if self.tickets else 0.0

    @property
    def stayed_share(self) -> float:
        return self.auto_stayed / self.auto_dispatched if self.auto_dispatched else 0.0

    @property
    def returns_per_ticket(self) -> float:
        return self.returns / self.tickets if self.tickets else 0.0

    @property
    def transfers_per_ticket(self) -> float:
        return self.transfers / self.tickets if self.tickets else 0.0


def dispatch_accuracy_report(*, since: datetime, until: datetime) -> list[UnitDispatchStats]:
    """Tickets first assigned in [since, until), grouped by that first unit; the last row is
    the district total."""
    first_assigned = (TicketEvent.objects.filter(action=EventAction.ASSIGN, at__gte=since,
                                                 at__lt=until)
                      .values_list("ticket_id", flat=True))
    rows = (TicketEvent.objects.filter(ticket_id__in=first_assigned, action__in=_MOVES)
            .order_by("ticket_id", "pk").values_list("ticket_id", "action", "actor_id", "at",
                                                     "payload"))
    trails: dict[int, list[Move]] = defaultdict(list)
    for ticket_id, *move in rows:
        trails[ticket_id].append((move[0], move[1], move[2], move[3]))
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for trail in trails.values():
        action, first_actor, at, payload = trail[0]
        if action != EventAction.ASSIGN or not since <= at < until:
            continue  # first assigned before the window, or returned before any assignment
        moves = [a for a, *_ in trail[1:]]
        auto = first_actor is None
        stayed = auto and EventAction.RETURN not in moves and EventAction.TRANSFER not in moves
        c = counts[payload.get("unit") or ""]
        c[0] += 1
        c[1] += auto
        c[2] += stayed
        c[3] += moves.count(EventAction.RETURN)
        c[4] += moves.count(EventAction.TRANSFER)
    report = [UnitDispatchStats(unit, *c) for unit, c in sorted(counts.items())]
    total = [sum(getattr(r, f) for r in report)
             for f in ("tickets", "auto_dispatched", "auto_stayed", "returns", "transfers")]
    return [*report, UnitDispatchStats("", *total)]


@dataclass(frozen=True)
class UnitSatisfaction:
    unit: str
    rated: int  # follow-ups with a rating, excluding demands ruled unreasonable
    satisfied: int  # satisfied or basically satisfied
    excluded: int  # unsatisfied but ruled unreasonable by a supervisor

    @property
    def rate(self) -> float:
        return self.satisfied / self.rated if self.rated else 0.0


def satisfaction_report(*, since: datetime, until: datetime) -> list[UnitSatisfaction]:
    """Satisfaction per unit from the follow-ups done in [since, until). A rating a supervisor
    ruled an unreasonable demand is counted apart, not against the unit."""
    rows = (FollowUpTask.objects.filter(state=FollowUpState.DONE, done_at__gte=since,
                                        done_at__lt=until)
            .values_list("ticket__unit__code", "satisfaction", "ticket__satisfaction_excluded"))
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for unit, satisfaction, excluded in rows:
        c = counts[unit or ""]
        if excluded and satisfaction == "unsatisfied":
            c[2] += 1
            continue
        c[0] += 1
        c[1] += satisfaction in ("satisfied", "basically_satisfied")
    return [UnitSatisfaction(unit, *c) for unit, c in sorted(counts.items())]

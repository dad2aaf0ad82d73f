"""What the ticket page (一单到底) shows around the ticket itself: its clocks, the suspension
running, duplicate candidates, supervision orders and assisting units' tasks."""

from __future__ import annotations

from dataclasses import dataclass

from sla.models import SlaClock, Supervision, Suspension, SuspensionState
from tickets.models import AssistTask, DuplicateCandidate, Ticket


@dataclass(frozen=True)
class TicketDetail:
    clocks: list[SlaClock]
    suspension: Suspension | None  # the one running, if any
    candidates: list[DuplicateCandidate]
    supervisions: list[Supervision]
    assist_tasks: list[AssistTask]


def ticket_detail(*, ticket: Ticket) -> TicketDetail:
    return TicketDetail(
        clocks=list(SlaClock.objects.filter(ticket=ticket).order_by("started_at", "milestone")),
        suspension=Suspension.objects.filter(ticket=ticket, state=SuspensionState.ACTIVE).first(),
        candidates=list(DuplicateCandidate.objects.filter(ticket=ticket)
                        .select_related("original")),
        supervisions=list(Supervision.objects.filter(ticket=ticket)),
        assist_tasks=list(AssistTask.objects.filter(ticket=ticket).select_related("unit")),
    )

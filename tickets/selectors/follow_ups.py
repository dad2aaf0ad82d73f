"""The dispatch centre's 回访 worklist: open follow-up tasks on resolved tickets the person may
see, the most overdue first (due time ascending: the partial index followup_open_by_due)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from tickets.models import FollowUpState, FollowUpTask, TicketState
from tickets.selectors.visible import Viewer, ticket_row_visible, ticket_rows_visible

WARN_SHARE = 0.25


def follow_up_open_list(*, user: Viewer, overdue_only: bool = False, channel: str = "",
                        now: datetime | None = None) -> QuerySet[FollowUpTask]:
    """Open tasks, overdue ones first, then the nearest due. A ticket that left ``resolved``
    with its task still open (none should) is not called about."""
    tasks = ticket_rows_visible(user=user, model=FollowUpTask).filter(
        state=FollowUpState.OPEN, ticket__state=TicketState.RESOLVED)
    if overdue_only:
        tasks = tasks.filter(due_at__lt=now or timezone.now())
    if channel:
        tasks = tasks.filter(ticket__channel__code=channel)
    return tasks.select_related("ticket__channel", "ticket__unit").order_by("due_at", "pk")


def follow_up_visible(*, user: Viewer, pk: int) -> FollowUpTask | None:
    """A task, open or done, on a ticket the person may see (else none: a 404). A done one is
    found so that its service can say it is done."""
    return ticket_row_visible(user=user, model=FollowUpTask, pk=pk)


def follow_up_warn_at(*, task: FollowUpTask) -> datetime:
    """When the call turns amber on the worklist: the last quarter of its window (12 hours
    before the due time of the default 48), as the SLA clocks warn before theirs."""
    return task.due_at - (task.due_at - task.created_at) * WARN_SHARE

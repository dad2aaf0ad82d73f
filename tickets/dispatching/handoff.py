"""Handing new tickets to the router: queued after commit, re-queued by the sweeper if lost.

The router itself plugs in through settings.TICKET_ROUTER (a dotted path to a function taking
``ticket=``); until one is configured a ticket waits in ``received``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from tickets.core.bookkeeping import ticket_bookkeeping_update
from tickets.core.queueing import task_named
from tickets.models import Ticket, TicketState

logger = logging.getLogger(__name__)


def ticket_route_send_after_commit(*, ticket_id: int) -> None:
    transaction.on_commit(lambda: task_named("tickets.tasks.ticket_route_task").delay(ticket_id),
                          robust=True)


def ticket_route_enqueue(*, ticket_ids: list[int]) -> None:
    """Mark the tickets as queued and send the routing tasks once the transaction commits."""
    if not ticket_ids:
        return
    ticket_bookkeeping_update(ticket_ids=ticket_ids, route_requested_at=timezone.now())
    for ticket_id in ticket_ids:
        ticket_route_send_after_commit(ticket_id=ticket_id)


def ticket_route(*, ticket_id: int) -> bool:
    """Run the configured router on a ticket still in ``received``; True if one ran."""
    ticket = Ticket.objects.filter(pk=ticket_id, state=TicketState.RECEIVED).first()
    if ticket is None:
        return False  # already routed, merged or rejected: a duplicate task is harmless
    if not settings.TICKET_ROUTER:
        logger.info("no router configured; ticket %s waits in received", ticket.number)
        return False
    import_string(settings.TICKET_ROUTER)(ticket=ticket)
    return True


def ticket_route_requeue_stale(*, now: datetime | None = None, batch: int = 500) -> int:
    """Sweeper: re-queue tickets left in ``received`` for over ROUTE_STALE_SECONDS since last
    queued."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.ROUTE_STALE_SECONDS)
    with transaction.atomic():
        # Uses the partial index ticket_waiting_for_routing (state = 'received').
        ids = list(
            Ticket.objects.filter(state=TicketState.RECEIVED, route_requested_at__lt=cutoff)
            .order_by("route_requested_at").values_list("pk", flat=True)[:batch]
        )
        # Guarded: only rows still stale are claimed, so two sweepers never queue one twice.
        claimed = list(
            Ticket.objects.filter(pk__in=ids, state=TicketState.RECEIVED,
                                  route_requested_at__lt=cutoff)
            .select_for_update(skip_locked=True).values_list("pk", flat=True)
        )
        ticket_route_enqueue(ticket_ids=claimed)
    return len(claimed)

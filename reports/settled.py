"""Settled days: sums kept for the days whose tickets' figures can only change with a new event
in their trail, so that a year's report reads a few thousand rows of sums and counts live only
the recent days and whatever moved since.

A ticket is settled when it is closed, rejected or merged and nothing around it waits on time
or on a decision: no assisting task open, no extension or suspension pending or running, no
supervision order whose reply deadline is still ahead. Closing, rejecting and merging cancel
every running clock (sla.clocks.CANCELS) and a closed ticket has no transition left; what can
still happen (an order answered late, a correction) appends an event to the ticket's trail
(一单到底: every change of a ticket is an event), and that event clears the ticket's
``report_settled`` flag in the same UPDATE. Each past day (Asia/Shanghai) keeps the sums of its
settled tickets; a report adds the day's unsettled tickets, counted live.

Each kept day also keeps ``events_upto``, the last event its sums include. A report counts a
kept day wholly live again when one of its tickets has a later event (``settled_days_stale``),
and ``report_days_settle`` (beat, nightly) sums such days anew, so kept sums never make a
report differ from counting the tickets. The sums are reports.figures' own
(``report_day_sums``), and tests/reports runs every hand count both ways.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone

from reports.figures import (
    SECONDS_DTYPE,
    WORKING_DTYPE,
    SettledTickets,
    handling_pack,
    report_day_sums,
)
from reports.kept import settled_days_stale
from reports.models import SettledDay, SettledDayUnit
from reports.periods import Period, spans_of
from sla.models import (
    Extension,
    ExtensionState,
    Supervision,
    SupervisionState,
    Suspension,
    SuspensionState,
)
from tickets.models import AssistState, AssistTask, Ticket, TicketEvent, TicketState

FINAL_STATES = (TicketState.CLOSED, TicketState.REJECTED, TicketState.MERGED)
BATCH_DAYS = 31  # one grouped pass per month of days
# Events older than this have committed: a transaction still open holds them for seconds, so
# ``events_upto`` stops here and anything later is looked at again.
SETTLE_MARGIN = timedelta(minutes=10)


def _unsettled_tickets(now: datetime) -> Q:
    """Tickets whose figures may still change without a new event (time, a pending choice)."""
    return (~Q(state__in=FINAL_STATES)
            | Q(Exists(Supervision.objects.filter(ticket_id=OuterRef("pk"),
                                                  state=SupervisionState.OPEN,
                                                  reply_due_at__gte=now)))
            | Q(Exists(AssistTask.objects.filter(ticket_id=OuterRef("pk"),
                                                 state=AssistState.OPEN)))
            | Q(Exists(Extension.objects.filter(ticket_id=OuterRef("pk"),
                                                state=ExtensionState.PENDING)))
            | Q(Exists(Suspension.objects.filter(
                ticket_id=OuterRef("pk"),
                state__in=[SuspensionState.PENDING, SuspensionState.ACTIVE]))))


def _events_upto(now: datetime) -> int:
    last = (TicketEvent.objects.filter(at__lt=now - SETTLE_MARGIN).order_by("-pk")
            .values_list("pk", flat=True).first())
    return last or 0


def report_days_settle(*, today: date | None = None) -> int:
    """Keep the sums of every settled day before ``today`` not kept yet, and sum anew the
    kept days that moved since; returns the number of days written."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    first_received = Ticket.objects.aggregate(first=Min("received_at"))["first"]
    if first_received is None:
        return 0
    kept = dict(SettledDay.objects.values_list("day", "events_upto"))
    stale = settled_days_stale(days=kept)
    SettledDay.objects.filter(day__in=stale).delete()
    first = timezone.localtime(first_received).date()
    last = today - timedelta(days=1)
    upto = _events_upto(now)
    written = 0
    start = first
    while start <= last:
        batch = Period(start, min(last, start + timedelta(days=BATCH_DAYS - 1)))
        start = batch.last + timedelta(days=1)
        days = {batch.first + timedelta(days=i) for i in range(batch.days)} - (
            set(kept) - stale)
        if days:
            written += _write(days, now=now, upto=upto)
    return written


def _write(days: Iterable[date], *, now: datetime, upto: int) -> int:
    spans = spans_of(sorted(days))
    with transaction.atomic():
        # The tickets that can no longer change without an event join the kept sums; an
        # event on one later clears its flag in the same UPDATE (tickets.core.trail).
        Ticket.objects.filter(spans.received_q(), report_settled=False).exclude(
            _unsettled_tickets(now)).update(report_settled=True)
        sums = report_day_sums(period=SettledTickets(spans), now=now)
        kept = [SettledDay(day=d, settled_at=now, events_upto=upto) for d in days]
        SettledDay.objects.bulk_create(kept, ignore_conflicts=True)
        units = []
        for (unit_id, day), counts in sums.items():
            if day is None:
                continue
            seconds, working = counts.pop("median_values", ([], []))
            units.append(SettledDayUnit(
                day_id=day, unit_id=unit_id, counts=counts,
                handling_seconds=handling_pack(seconds, dtype=SECONDS_DTYPE),
                handling_working=handling_pack(working, dtype=WORKING_DTYPE)))
        SettledDayUnit.objects.bulk_create(units, ignore_conflicts=True)
    return len(kept)

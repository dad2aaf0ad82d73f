"""Which kept day sums (reports.settled) still hold: read by the reports and by the nightly
summing alike."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from tickets.models import TicketEvent


def settled_days_stale(*, days: dict[date, int]) -> set[date]:
    """Of these kept days (day → events_upto), those with a ticket that has a later event."""
    if not days:
        return set()
    since = min(days.values())
    stale: set[date] = set()
    for pk, received_at in (TicketEvent.objects.filter(pk__gt=since)
                            .values_list("pk", "ticket__received_at").iterator()):
        day = timezone.localtime(received_at).date()
        if day in days and pk > days[day]:
            stale.add(day)
    return stale

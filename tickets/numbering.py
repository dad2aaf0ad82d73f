"""Human-readable ticket numbers: <prefix><local date>-<6-digit daily sequence>."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tickets.models import TicketNumberSequence


def ticket_number_next(*, received_at: datetime) -> str:
    day = timezone.localdate(received_at)
    with transaction.atomic():
        TicketNumberSequence.objects.get_or_create(day=day)
        # The UPDATE holds the row lock until the caller's transaction ends, so two intakes
        # on the same day never read the same value.
        TicketNumberSequence.objects.filter(day=day).update(last=F("last") + 1)
        last = TicketNumberSequence.objects.values_list("last", flat=True).get(day=day)
    return f"{settings.TICKET_NUMBER_PREFIX}{day:%Y%m%d}-{last:06d}"

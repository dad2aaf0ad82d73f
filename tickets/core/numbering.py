"""Human-readable ticket numbers: <prefix><local date>-<6-digit daily sequence>."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from tickets.models import TicketNumberSequence

# One statement on both PostgreSQL and SQLite (3.35+): create the day's row or bump it, and read
# the new value. Outside a transaction it commits on its own (one round trip, the row lock held
# only for the statement); inside one, the lock lasts until the caller commits.
_NEXT = (
    f"INSERT INTO {TicketNumberSequence._meta.db_table} (day, last) VALUES (%s, 1) "
    "ON CONFLICT (day) DO UPDATE SET last = "
    f"{TicketNumberSequence._meta.db_table}.last + 1 RETURNING last"
)


def ticket_number_next(*, received_at: datetime) -> str:
    day = timezone.localdate(received_at)
    with connection.cursor() as cursor:
        cursor.execute(_NEXT, [day])
        (last,) = cursor.fetchone()
    return f"{settings.TICKET_NUMBER_PREFIX}{day:%Y%m%d}-{last:06d}"

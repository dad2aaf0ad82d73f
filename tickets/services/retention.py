"""Keeping citizens' personal data no longer than needed (run daily by beat, or by hand with
``manage.py privacy_retention``).

- Raw intake bodies and their headers are emptied ``INTAKE_BODY_RETENTION_DAYS`` after they
  arrived; the body's SHA-256 is kept, so a copy the channel still holds can be matched, and
  the numbers in the stored error details are masked.
- A finished ticket's citizen data is anonymised ``CITIZEN_DATA_RETENTION_DAYS`` after it
  finished (closed: ``closed_at``; merged or rejected: its last change): name, phone and ID
  number masked as every role sees them (张*, 138****5678), the numbers in its free text and
  in the rows around it (requests, replies, orders, notices, callbacks) masked, its intake
  bodies purged, and one event in the trail. The trail's events are append-only (and
  chained), so they keep what was written; the console, the API and the admin mask them
  for everybody once the ticket is anonymised (tickets.services.privacy).

0 days keeps the data forever. Both steps are idempotent and go in batches, each batch its
own transaction, rows locked with SKIP LOCKED so two runs never do the same row twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from sla.models import Extension, Supervision, Suspension
from tickets.core.masking import (
    mask_data,
    mask_id_number,
    mask_name,
    mask_personal_numbers,
    mask_phone,
)
from tickets.core.trail import ticket_event_record
from tickets.models import (
    AssistTask,
    CallbackDelivery,
    DispatchCorrection,
    EventAction,
    FollowUpTask,
    IntakeRecord,
    Notification,
    ReturnRequest,
    Ruling,
    Ticket,
    TicketState,
)

# The ticket's own free text, and the rows around it with theirs (JSON fields: every string).
TICKET_TEXT_FIELDS = ("title", "content", "reply", "follow_up_note")
RELATED_TEXT: tuple[tuple[type[models.Model], tuple[str, ...]], ...] = (
    (ReturnRequest, ("text", "decision_note")),
    (Ruling, ("reason",)),
    (AssistTask, ("task", "reply")),
    (FollowUpTask, ("note",)),
    (DispatchCorrection, ("reason",)),
    (Notification, ("text",)),
    (CallbackDelivery, ("payload",)),
    (Extension, ("reason", "decision_note")),
    (Suspension, ("reason", "decision_note")),
    (Supervision, ("instructions", "answer")),
)
FINISHED_WITHOUT_CLOSING = (TicketState.MERGED, TicketState.REJECTED)
FINISHED_STATES = (TicketState.CLOSED, *FINISHED_WITHOUT_CLOSING)


@dataclass(frozen=True)
class RetentionOutcome:
    bodies_purged: int
    tickets_anonymised: int


def retention_cutoff(*, days: int, now: datetime) -> datetime | None:
    """Data older than this goes; None when kept forever (0 days)."""
    return now - timedelta(days=days) if days > 0 else None


def _batch_size(batch_size: int | None) -> int:
    return max(1, batch_size or settings.RETENTION_BATCH_SIZE)


def _masked(value: object) -> object:
    return mask_personal_numbers(value) if isinstance(value, str) else mask_data(value)


# --- raw intake bodies -----------------------------------------------------------------------


def _intake_records_purge(records: models.QuerySet[IntakeRecord], *, at: datetime) -> int:
    """Empty the bodies and headers of these records (locked by the caller), hash kept."""
    purged = []
    for record in records.only("pk", "body", "error_detail"):
        record.body_sha256 = hashlib.sha256(bytes(record.body)).hexdigest()
        record.body, record.headers, record.body_purged_at = b"", {}, at
        record.error_detail = mask_data(record.error_detail)
        purged.append(record)
    IntakeRecord.objects.bulk_update(
        purged, ["body", "headers", "body_sha256", "body_purged_at", "error_detail"])
    return len(purged)


def intake_body_purge_due(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Purge every body past INTAKE_BODY_RETENTION_DAYS; returns how many."""
    at = now or timezone.now()
    cutoff = retention_cutoff(days=settings.INTAKE_BODY_RETENTION_DAYS, now=at)
    if cutoff is None:
        return 0
    size, done, last_pk = _batch_size(batch_size), 0, 0
    while True:
        with transaction.atomic():
            ids = list(IntakeRecord.objects
                       .filter(received_at__lt=cutoff, body_purged_at__isnull=True, pk__gt=last_pk)
                       .order_by("pk").select_for_update(skip_locked=True)
                       .values_list("pk", flat=True)[:size])
            if not ids:
                return done
            done += _intake_records_purge(IntakeRecord.objects.filter(pk__in=ids), at=at)
        last_pk = ids[-1]


# --- finished tickets' citizen data ----------------------------------------------------------


def _finished_before(cutoff: datetime) -> Q:
    return (Q(state=TicketState.CLOSED, closed_at__lt=cutoff)
            | Q(state__in=FINISHED_WITHOUT_CLOSING, updated_at__lt=cutoff))


def _related_text_mask(ticket: Ticket) -> int:
    """Mask the numbers in the rows around the ticket; returns how many rows changed."""
    changed = 0
    for model, fields in RELATED_TEXT:
        rows = []
        for row in model._default_manager.filter(ticket=ticket).only("pk", *fields):
            before = [getattr(row, f) for f in fields]
            after = [_masked(v) for v in before]
            if after != before:
                for name, value in zip(fields, after, strict=True):
                    setattr(row, name, value)
                rows.append(row)
        if rows:
            model._default_manager.bulk_update(rows, list(fields))
            changed += len(rows)
    return changed


def ticket_anonymise(*, ticket: Ticket, at: datetime | None = None) -> bool:
    """Anonymise one finished ticket's citizen data; False if it was done before (or the
    ticket is still open: only finished tickets are ever anonymised)."""
    at = at or timezone.now()
    with transaction.atomic():
        current = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if current.anonymised_at is not None or current.state not in FINISHED_STATES:
            return False
        current.citizen_name = mask_name(current.citizen_name)
        current.citizen_phone = mask_phone(current.citizen_phone)
        current.citizen_id_number = mask_id_number(current.citizen_id_number)
        for name in TICKET_TEXT_FIELDS:
            setattr(current, name, mask_personal_numbers(getattr(current, name)))
        current.source_details = mask_data(current.source_details)
        current.anonymised_at = at
        current.version += 1
        current.save(update_fields=["citizen_name", "citizen_phone", "citizen_id_number",
                                    *TICKET_TEXT_FIELDS, "source_details", "anonymised_at",
                                    "version", "updated_at"])
        rows = _related_text_mask(current)
        bodies = _intake_records_purge(
            IntakeRecord.objects.select_for_update().filter(ticket=current,
                                                            body_purged_at__isnull=True),
            at=at)
        ticket_event_record(
            ticket=current, actor=None, action=EventAction.ANONYMISE, at=at,
            reason="诉求人信息已过保存期限：姓名、电话、身份证号及文字中的号码已匿名化",
            payload={"retention_days": settings.CITIZEN_DATA_RETENTION_DAYS,
                     "rows_masked": rows, "intake_bodies_purged": bodies})
    ticket.anonymised_at, ticket.version = current.anonymised_at, current.version
    return True


def ticket_anonymise_due(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Anonymise every ticket finished more than CITIZEN_DATA_RETENTION_DAYS ago; returns how
    many."""
    at = now or timezone.now()
    cutoff = retention_cutoff(days=settings.CITIZEN_DATA_RETENTION_DAYS, now=at)
    if cutoff is None:
        return 0
    size, done, last_pk = _batch_size(batch_size), 0, 0
    due = Ticket.objects.filter(_finished_before(cutoff), anonymised_at__isnull=True)
    while True:
        with transaction.atomic():
            batch = list(due.filter(pk__gt=last_pk).order_by("pk")
                         .select_for_update(skip_locked=True)[:size])
            if not batch:
                return done
            done += sum(ticket_anonymise(ticket=t, at=at) for t in batch)
        last_pk = batch[-1].pk


def retention_run(*, now: datetime | None = None,
                  batch_size: int | None = None) -> RetentionOutcome:
    """Both steps, tickets first (their bodies go with them)."""
    at = now or timezone.now()
    tickets = ticket_anonymise_due(now=at, batch_size=batch_size)
    return RetentionOutcome(bodies_purged=intake_body_purge_due(now=at, batch_size=batch_size),
                            tickets_anonymised=tickets)

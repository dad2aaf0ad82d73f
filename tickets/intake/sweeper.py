"""Raw records the request left unfinished: stored (their own commit) but never parsed, because
the process or the database went away in between. The intake sweeper finishes them, so a
request that reached the database is never left in ``received``; a channel's retry may have
created the ticket meanwhile, and then the record is marked a duplicate of it."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from tickets.intake.services import intake_process
from tickets.models import IntakeOutcome, IntakeRecord

logger = logging.getLogger(__name__)


def intake_record_sweep(*, now: datetime | None = None, batch: int = 200) -> int:
    """Process records still ``received`` after INTAKE_RECORD_STALE_SECONDS; returns how many.
    Served by the partial index intake_outcome_channel (outcome not accepted/duplicate)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.INTAKE_RECORD_STALE_SECONDS)
    records = list(IntakeRecord.objects.filter(outcome=IntakeOutcome.RECEIVED,
                                               received_at__lt=cutoff)
                   .select_related("channel").order_by("pk")[:batch])
    for record in records:
        try:
            intake_process(record=record)
        except Exception:  # one record that cannot be processed must not stop the others
            logger.exception("intake record %s could not be processed by the sweeper",
                             record.pk)
            # Not retried on every sweep: it waits, invalid, for replay_intake after a fix.
            IntakeRecord.objects.filter(pk=record.pk, outcome=IntakeOutcome.RECEIVED).update(
                outcome=IntakeOutcome.INVALID, processed_at=now,
                error_detail={"error": "processing_failed",
                              "message": "处理时出错，修复后可用 replay_intake 重放"})
    return len(records)

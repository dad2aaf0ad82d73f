"""Status callbacks to channels: queued as rows with the state change, sent in order per ticket,
retried with exponential backoff, parked as dead letters after too many failures."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from tickets.core.queueing import task_named
from tickets.core.signing import signature_header
from tickets.models import CallbackDelivery, DeliveryStatus, Ticket, TicketEvent

logger = logging.getLogger(__name__)
CLAIM_TIMEOUT = timedelta(minutes=2)
# Longer waits are left to the sweeper: Celery ETA tasks are held in worker memory and the
# Redis broker re-delivers them after its visibility timeout.
MAX_COUNTDOWN_SECONDS = 300


def callback_payload(*, ticket: Ticket, event: TicketEvent) -> dict[str, object]:
    return {
        "ticket_number": ticket.number,
        "external_id": ticket.external_id,
        "state": event.to_state,
        "state_label": str(ticket.get_state_display()),
        "previous_state": event.from_state or None,
        "at": event.at.isoformat(),
        "event_id": event.pk,
        "public_reply": ticket.reply if event.to_state in ("resolved", "closed") else "",
    }


def callback_queue(*, ticket: Ticket, event: TicketEvent) -> list[CallbackDelivery]:
    """Inside the state change's transaction: one delivery row for the ticket's channel and one
    for each duplicate merged into it (told under its own number), sent after commit."""
    deliveries = []
    merged = Ticket.objects.filter(parent=ticket, state="merged").select_related("channel")
    for recipient in [ticket, *merged]:
        channel = recipient.channel
        if not channel.callback_url:
            continue
        payload = callback_payload(ticket=recipient, event=event)
        if recipient.pk != ticket.pk:
            payload.update(state_label=str(ticket.get_state_display()),
                           merged_into=ticket.number,
                           public_reply=ticket.reply if event.to_state in ("resolved", "closed")
                           else "")
        delivery = CallbackDelivery.objects.create(
            ticket=recipient, channel=channel, event=event, url=channel.callback_url,
            payload=payload, next_attempt_at=event.at,
        )
        transaction.on_commit(partial(_send_later, delivery.pk, 0), robust=True)
        deliveries.append(delivery)
    return deliveries


def _send_later(delivery_id: int, countdown: float) -> None:
    task_named("tickets.tasks.callback_deliver_task").apply_async((delivery_id,),
                                                                 countdown=countdown)


def backoff_seconds(attempts: int) -> float:
    base = settings.CALLBACK_BACKOFF_BASE_SECONDS
    # int ** int is typed Any (a negative power is a float).
    delay: float = min(base * 2 ** (attempts - 1), settings.CALLBACK_BACKOFF_MAX_SECONDS)
    return delay


def _earlier_unsent(delivery: CallbackDelivery) -> bool:
    return CallbackDelivery.objects.filter(
        ticket_id=delivery.ticket_id, event_id__lt=delivery.event_id
    ).exclude(status=DeliveryStatus.SENT).exists()


def _claim(delivery_id: int, now: datetime) -> CallbackDelivery | None:
    with transaction.atomic():
        delivery = (CallbackDelivery.objects.select_for_update(skip_locked=True)
                    .filter(pk=delivery_id, status=DeliveryStatus.PENDING,
                            next_attempt_at__lte=now).first())
        if delivery is None or _earlier_unsent(delivery):
            return None  # not due, taken, done, or must wait for an earlier state change
        delivery.status = DeliveryStatus.SENDING
        delivery.claimed_at = now
        delivery.save(update_fields=["status", "claimed_at"])
        return delivery


@dataclass(frozen=True)
class PostResult:
    ok: bool
    status_code: int | None
    error: str


def _post(delivery: CallbackDelivery, secret: str) -> PostResult:
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    request = urllib.request.Request(delivery.url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        "X-Signature": signature_header(secret=secret, timestamp=int(time.time()), body=body),
        "Idempotency-Key": str(delivery.idempotency_key),
        "User-Agent": "minyi-dispatch-callbacks/1",
    })
    try:
        with urllib.request.urlopen(request, timeout=settings.CALLBACK_TIMEOUT_SECONDS) as resp:
            return PostResult(ok=200 <= resp.status < 300, status_code=resp.status, error="")
    except urllib.error.HTTPError as exc:
        return PostResult(ok=False, status_code=exc.code, error=f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return PostResult(ok=False, status_code=None, error=str(exc)[:500])


def callback_deliver(*, delivery_id: int) -> str:
    """Try one delivery now. Returns what happened: sent / retry / dead / skipped."""
    delivery = _claim(delivery_id, timezone.now())
    if delivery is None:
        return "skipped"
    result = _post(delivery, delivery.channel.signing_secrets[0])
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status_code = result.status_code
    delivery.last_error = result.error
    if result.ok:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = now
        outcome = "sent"
    elif delivery.attempts >= settings.CALLBACK_MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.DEAD
        outcome = "dead"
        logger.warning("callback %s parked after %s attempts: %s", delivery.pk,
                       delivery.attempts, result.error)
    else:
        delivery.status = DeliveryStatus.PENDING
        delay = backoff_seconds(delivery.attempts)
        delivery.next_attempt_at = now + timedelta(seconds=delay)
        outcome = "retry"
    with transaction.atomic():
        delivery.save(update_fields=["status", "attempts", "last_status_code", "last_error",
                                     "sent_at", "next_attempt_at"])
        if outcome == "sent":
            _queue_next_of_ticket(delivery)
        elif outcome == "retry" and delay <= MAX_COUNTDOWN_SECONDS:
            transaction.on_commit(lambda: _send_later(delivery.pk, delay), robust=True)
    return outcome


def _queue_next_of_ticket(delivery: CallbackDelivery) -> None:
    following = (CallbackDelivery.objects.filter(ticket_id=delivery.ticket_id,
                                                 event_id__gt=delivery.event_id,
                                                 status=DeliveryStatus.PENDING)
                 .order_by("event_id").first())
    if following is not None:
        transaction.on_commit(lambda: _send_later(following.pk, 0), robust=True)


def callback_resend(*, delivery: CallbackDelivery) -> CallbackDelivery:
    """An admin puts a dead letter back in line; it goes out before later states of its ticket."""
    with transaction.atomic():
        fresh = CallbackDelivery.objects.select_for_update().get(pk=delivery.pk)
        if fresh.status != DeliveryStatus.DEAD:
            return fresh
        fresh.status = DeliveryStatus.PENDING
        fresh.attempts = 0
        fresh.next_attempt_at = timezone.now()
        fresh.save(update_fields=["status", "attempts", "next_attempt_at"])
        transaction.on_commit(lambda: _send_later(fresh.pk, 0), robust=True)
    return fresh


def callback_sweep(*, now: datetime | None = None, batch: int = 500) -> int:
    """Sweeper: release claims of dead workers and queue every due delivery at its ticket's head."""
    now = now or timezone.now()
    CallbackDelivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    ).update(status=DeliveryStatus.PENDING, next_attempt_at=now)
    earlier_unsent = CallbackDelivery.objects.filter(
        ticket_id=OuterRef("ticket_id"), event_id__lt=OuterRef("event_id")
    ).exclude(status=DeliveryStatus.SENT)
    # Uses the partial index callback_due; the NOT EXISTS keeps each ticket's order.
    ids = list(
        CallbackDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .filter(~Exists(earlier_unsent))
        .order_by("next_attempt_at").values_list("pk", flat=True)[:batch]
    )
    for delivery_id in ids:
        _send_later(delivery_id, 0)
    return len(ids)

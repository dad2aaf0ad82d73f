"""Notices to people: the in-app row is written in the caller's transaction; the notifiers in
settings.NOTIFIERS deliver it after commit, each at most once per successful send (a failed one
is retried with backoff, a lost task is found again by the sweeper)."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifiers.base import Notice, NotifierMisconfigured
from notifiers.registry import notifiers_configured
from org.models import Staff
from tickets.core.queueing import task_named
from tickets.models import Notification, Ticket

logger = logging.getLogger(__name__)
SWEEP_AFTER = timedelta(minutes=2)


def notification_send(*, recipients: Iterable[Staff | None], ticket: Ticket | None, kind: str,
                      text: str) -> list[Notification]:
    """One notice per distinct person (None skipped)."""
    people = list({p.pk: p for p in recipients if p is not None}.values())
    delivered = None if settings.NOTIFIERS else timezone.now()
    rows = Notification.objects.bulk_create([
        Notification(recipient=p, ticket=ticket, kind=kind, text=text[:300],
                     delivered_at=delivered) for p in people])
    if settings.NOTIFIERS:
        for row in rows:
            transaction.on_commit(partial(_deliver_later, row.pk, 0), robust=True)
    return rows


def notification_mark_read(*, staff: Staff, ids: Collection[int] | None = None) -> int:
    """Marks one's own unread notices read: those with ``ids``, or all of them (None).
    Returns how many it marked; another person's rows and rows read before are left alone
    (read_at IS NULL in the UPDATE itself, so a second call or a concurrent one marks 0)."""
    rows = Notification.objects.filter(recipient=staff, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


def _deliver_later(notification_id: int, countdown: float) -> None:
    task_named("tickets.tasks.notification_deliver_task").apply_async((notification_id,),
                                                                     countdown=countdown)


def _notice(row: Notification) -> Notice:
    user = row.recipient.user
    return Notice(id=row.pk, kind=row.kind, text=row.text, created_at=row.created_at,
                  ticket_number=row.ticket.number if row.ticket is not None else None,
                  recipient_username=user.get_username(),
                  recipient_name=user.get_full_name() or user.get_username(),
                  recipient_phone=row.recipient.phone)


def notification_deliver(*, notification_id: int) -> str:
    """Send through every configured notifier that does not have it yet; returns the outcome
    ("delivered", "retry", "gave_up", "done_before")."""
    row = (Notification.objects.select_related("recipient__user", "ticket")
           .filter(pk=notification_id).first())
    if row is None or row.delivered_at is not None:
        return "done_before"
    notice = _notice(row)
    done, errors = list(row.delivered_to), []
    for notifier in notifiers_configured():
        if notifier.name in done:
            continue
        try:
            notifier.send(notice)
        except NotifierMisconfigured as exc:
            errors.append(f"{notifier.name}: {exc}")
            logger.error("notice %s: %s misconfigured: %s", row.pk, notifier.name, exc)
        except Exception as exc:  # any transport failure: retried below
            errors.append(f"{notifier.name}: {exc}")
            logger.warning("notice %s: %s failed: %s", row.pk, notifier.name, exc)
        else:
            done.append(notifier.name)
    attempts = row.delivery_attempts + 1
    finished = not errors or attempts >= settings.NOTIFY_MAX_ATTEMPTS
    Notification.objects.filter(pk=row.pk).update(
        delivered_to=done, delivery_attempts=attempts, delivery_error="; ".join(errors)[:300],
        delivered_at=timezone.now() if finished else None)
    if not finished:
        transaction.on_commit(lambda: _deliver_later(row.pk, min(5 * 2 ** attempts, 3600)),
                              robust=True)
        return "retry"
    return "delivered" if not errors else "gave_up"


def notification_sweep(*, batch: int = 500) -> int:
    """Beat: notices still undelivered well after they were written (their task was lost) are
    queued again (the notification_undelivered partial index)."""
    stale = timezone.now() - SWEEP_AFTER
    ids = list(Notification.objects.filter(delivered_at__isnull=True, created_at__lt=stale)
               .order_by("created_at").values_list("pk", flat=True)[:batch])
    for pk in ids:
        _deliver_later(pk, 0)
    return len(ids)

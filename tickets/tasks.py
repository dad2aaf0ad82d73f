"""Thin Celery tasks: fetch by id, call the service. Idempotent and acks_late."""

from celery import shared_task

from dispatch import log_context
from tickets.callbacks import callback_deliver, callback_sweep
from tickets.duplicates import duplicate_check
from tickets.models import CallbackDelivery, Notification
from tickets.notifications import notification_deliver, notification_sweep
from tickets.routing_handoff import ticket_route, ticket_route_requeue_stale


@shared_task(name="tickets.tasks.ticket_route_task", acks_late=True, ignore_result=True)
def ticket_route_task(ticket_id: int) -> None:
    log_context.set_ticket_by_id(ticket_id)
    ticket_route(ticket_id=ticket_id)


@shared_task(name="tickets.tasks.ticket_received_task", acks_late=True, ignore_result=True)
def ticket_received_task(ticket_id: int) -> None:
    """A new ticket, once: look for duplicates (重复件), then route it. One message, not two."""
    log_context.set_ticket_by_id(ticket_id)
    duplicate_check(ticket_id=ticket_id)
    ticket_route(ticket_id=ticket_id)


@shared_task(name="tickets.tasks.callback_deliver_task", acks_late=True, ignore_result=True)
def callback_deliver_task(delivery_id: int) -> None:
    log_context.set_ticket_of(CallbackDelivery, delivery_id)
    callback_deliver(delivery_id=delivery_id)


@shared_task(name="tickets.tasks.intake_sweep_task", acks_late=True, ignore_result=True)
def intake_sweep_task() -> None:
    """Beat, every 30 s: nothing waits forever because a broker message was lost."""
    ticket_route_requeue_stale()
    callback_sweep()
    notification_sweep()


@shared_task(name="tickets.tasks.notification_deliver_task", acks_late=True, ignore_result=True)
def notification_deliver_task(notification_id: int) -> None:
    log_context.set_ticket_of(Notification, notification_id)
    notification_deliver(notification_id=notification_id)

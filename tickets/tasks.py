"""Thin Celery tasks: fetch by id, call the service. Idempotent and acks_late.

``log_ticket_of`` names the model whose id is the task's first argument, so that the log
context (dispatch.ops.task_logging) can name the ticket in every line the task writes.
"""

from celery import shared_task

from tickets.dispatching.duplicates import duplicate_check
from tickets.dispatching.handoff import ticket_route, ticket_route_requeue_stale
from tickets.intake.sweeper import intake_record_sweep
from tickets.outbox.callbacks import callback_deliver, callback_sweep
from tickets.outbox.notifications import notification_deliver, notification_sweep
from tickets.services.retention import retention_run

# celery-types accepts no task option of a project's own without base= (Celery makes any extra
# keyword an attribute of the task class), hence the ignores beside log_ticket_of.


@shared_task(  # type: ignore[call-overload, untyped-decorator]
    name="tickets.tasks.ticket_route_task", acks_late=True, ignore_result=True,
    log_ticket_of="tickets.Ticket")
def ticket_route_task(ticket_id: int) -> None:
    ticket_route(ticket_id=ticket_id)


@shared_task(  # type: ignore[call-overload, untyped-decorator]
    name="tickets.tasks.ticket_received_task", acks_late=True, ignore_result=True,
    log_ticket_of="tickets.Ticket")
def ticket_received_task(ticket_id: int) -> None:
    """A new ticket, once: look for duplicates (重复件), then route it. One message, not two."""
    duplicate_check(ticket_id=ticket_id)
    ticket_route(ticket_id=ticket_id)


@shared_task(  # type: ignore[call-overload, untyped-decorator]
    name="tickets.tasks.callback_deliver_task", acks_late=True, ignore_result=True,
    log_ticket_of="tickets.CallbackDelivery")
def callback_deliver_task(delivery_id: int) -> None:
    callback_deliver(delivery_id=delivery_id)


@shared_task(name="tickets.tasks.intake_sweep_task", acks_late=True, ignore_result=True)
def intake_sweep_task() -> None:
    """Beat, every 30 s: nothing waits forever because a broker message was lost."""
    ticket_route_requeue_stale()
    intake_record_sweep()
    callback_sweep()
    notification_sweep()


@shared_task(  # type: ignore[call-overload, untyped-decorator]
    name="tickets.tasks.notification_deliver_task", acks_late=True, ignore_result=True,
    log_ticket_of="tickets.Notification")
def notification_deliver_task(notification_id: int) -> None:
    notification_deliver(notification_id=notification_id)


@shared_task(name="tickets.tasks.privacy_retention_task", acks_late=True, ignore_result=True)
def privacy_retention_task() -> None:
    """Beat, daily: raw intake bodies and finished tickets' citizen data past retention."""
    retention_run()

"""Thin tasks: the timers and the sweeper call the services in sla.timers."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.utils import timezone

from sla.timers import sla_clock_check, sla_sweep, sla_timers_forget

# celery-types accepts no task option of a project's own without base= (Celery makes any extra
# keyword an attribute of the task class), hence the ignore beside log_ticket_of.


@shared_task(  # type: ignore[call-overload, untyped-decorator]
    name="sla.tasks.sla_clock_check_task", acks_late=True, ignore_result=True,
    log_ticket_of="sla.SlaClock")  # dispatch.ops.task_logging names its ticket
def sla_clock_check_task(clock_id: int) -> None:
    sla_clock_check(clock_id=clock_id)


@shared_task(name="sla.tasks.sla_sweep_task", acks_late=True, ignore_result=True)
def sla_sweep_task() -> None:
    sla_sweep()


@worker_ready.connect
def _rearm_after_restart(**kwargs: Any) -> None:
    # A worker that died took its ETA timers with it; the next sweep queues them again.
    sla_timers_forget(now=timezone.now())

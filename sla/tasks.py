from __future__ import annotations

from celery import shared_task

from sla.timers import sla_clock_check, sla_sweep


@shared_task(name="sla.tasks.sla_clock_check_task", acks_late=True, ignore_result=True)
def sla_clock_check_task(clock_id: int) -> None:
    sla_clock_check(clock_id=clock_id)


@shared_task(name="sla.tasks.sla_sweep_task", acks_late=True, ignore_result=True)
def sla_sweep_task() -> None:
    sla_sweep()

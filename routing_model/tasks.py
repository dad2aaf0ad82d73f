"""Celery tasks of the router: thin wrappers around the services."""

from __future__ import annotations

from celery import shared_task

from routing_model.retrain import RetrainBusy, router_retrain


@shared_task(acks_late=True, ignore_result=True)
def router_retrain_task() -> str:
    """The nightly retrain (beat, 02:00). A second delivery while one runs does nothing."""
    try:
        run = router_retrain()
    except RetrainBusy:
        return "busy"
    return run.status

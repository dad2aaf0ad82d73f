"""Celery's side of the log context: the request id travels with the task, and worker and beat
log through Django's LOGGING (same formatter, same masking) instead of Celery's own setup.

Connected from DispatchConfig.ready(), which runs in web processes (django.setup) and in worker
and beat (Celery's Django fixup calls django.setup before they configure logging).
"""

from __future__ import annotations

import logging.config
from typing import Any

from celery import Task
from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun

from dispatch.ops import log_context

# The message header that carries the request id of whoever queued the task.
REQUEST_ID_HEADER = "x_request_id"

# Tokens of the values each running task replaced, by task id, to put back when it ends (an
# eager task runs inside a web request, whose context must survive it).
_entered: dict[str, log_context.Tokens] = {}


@setup_logging.connect(dispatch_uid="dispatch.ops.task_logging.setup_logging")
def _logging_from_django_settings(**kwargs: Any) -> None:
    # Any receiver here stops Celery from replacing the root handlers with its own format.
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@before_task_publish.connect(dispatch_uid="dispatch.ops.task_logging.before_task_publish")
def _send_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    request_id = log_context.request_id.get()
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


def _incoming_request_id(task: Task[Any, Any]) -> str | None:
    # A worker turns message headers into request attributes; apply(headers=...) (eager) puts
    # them under request.headers only.
    request = task.request
    value = getattr(request, REQUEST_ID_HEADER, None) or (request.headers or {}).get(
        REQUEST_ID_HEADER)
    return log_context.sane_request_id(value) if isinstance(value, str) else None


@task_prerun.connect(dispatch_uid="dispatch.ops.task_logging.task_prerun")
def _enter_task(task_id: str | None = None, task: Task[Any, Any] | None = None,
                args: tuple[Any, ...] | None = None, **kwargs: Any) -> None:
    if task_id is None or task is None:
        return
    # Queued by a request: its id. Run eagerly inside a request: that request's id. Else its own.
    request_id = _incoming_request_id(task) or log_context.request_id.get() or task_id
    _entered[task_id] = log_context.enter(
        {"request_id": request_id, "task": task.name, "task_id": task_id, "ticket": None})
    # A task that works on one ticket says which model its first argument is an id of.
    model_label = getattr(task, "log_ticket_of", None)
    first = args[0] if args else None
    if model_label and first is not None:
        log_context.set_ticket_of(model_label=model_label, pk=first)


@task_postrun.connect(dispatch_uid="dispatch.ops.task_logging.task_postrun")
def _leave_task(task_id: str | None = None, **kwargs: Any) -> None:
    tokens = _entered.pop(task_id, None) if task_id is not None else None
    if tokens is not None:
        log_context.leave(tokens)

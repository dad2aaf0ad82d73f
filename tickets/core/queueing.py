"""Queueing a Celery task from a service without importing the module that defines it.

Task modules are interfaces: they import the services they call. A service that queues a task
looks it up by its registered name instead, so the import graph keeps pointing one way. The
name is the task's ``name=`` in its ``@shared_task``; a wrong one fails at the first call
(tested for each).
"""

from __future__ import annotations

from typing import Any

from celery import Task, current_app


def task_named(name: str) -> Task[Any, Any]:  # any registered task, whatever its signature
    return current_app.tasks[name]

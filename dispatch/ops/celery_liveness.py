"""Heartbeats from inside Celery: a worker bootstep and a beat scheduler that write their own.

A heartbeat *task* sent by beat would prove both alive at once, but a stopped beat would then
look like a stopped worker too; each process reporting for itself tells the operator which one.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import bootsteps
from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import DatabaseError, connection

from dispatch.ops.heartbeat import (
    WORKER_PREFIX,
    heartbeat_forget,
    heartbeat_record,
    heartbeat_touch_file,
)

logger = logging.getLogger(__name__)


def _release_connection() -> None:
    # The worker's parent process forks pool children: hold no connection between beats.
    if not connection.in_atomic_block:
        connection.close()


def _beat(*, name: str, role: str) -> None:
    try:
        heartbeat_record(name=name)
        heartbeat_touch_file(role=role)
    except DatabaseError:
        # The database being away is for /readyz/ to report; the process itself carries on.
        logger.warning("heartbeat %s not recorded: database unavailable", name)
    finally:
        _release_connection()


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Every DISPATCH_HEARTBEAT_SECONDS the worker records ``worker:<node name>``."""

    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.tref: Any = None

    def start(self, worker: Any) -> None:
        name = f"{WORKER_PREFIX}{worker.hostname}"
        _beat(name=name, role="worker")
        self.tref = worker.timer.call_repeatedly(
            settings.DISPATCH_HEARTBEAT_SECONDS, _beat, kwargs={"name": name, "role": "worker"})

    def stop(self, worker: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None
        try:
            heartbeat_forget(name=f"{WORKER_PREFIX}{worker.hostname}")
        except DatabaseError:
            pass
        finally:
            _release_connection()


class HeartbeatScheduler(PersistentScheduler):
    """beat's own scheduler, which also records ``beat`` on its loop."""

    def setup_schedule(self) -> None:
        from django.apps import apps

        if not apps.ready:  # beat does not always set Django up before the scheduler starts
            import django

            django.setup()
        self._last_heartbeat = float("-inf")
        super().setup_schedule()

    def tick(self, *args: Any, **kwargs: Any) -> float:
        interval = settings.DISPATCH_HEARTBEAT_SECONDS
        now = time.monotonic()
        if now - self._last_heartbeat >= interval:
            self._last_heartbeat = now
            _beat(name="beat", role="beat")
        return min(super().tick(*args, **kwargs), interval)

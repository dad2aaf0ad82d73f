"""Liveness of the background processes, kept as rows so any web process can report it.

Each Celery worker writes ``worker:<node name>`` from its own timer and beat writes ``beat``
from its scheduler loop (dispatch/celery_liveness.py), so either one stopping shows on its own.
"""

from __future__ import annotations

import socket
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from org.models import ServiceHeartbeat

WORKER_PREFIX = "worker:"


def heartbeat_record(*, name: str) -> ServiceHeartbeat:
    heartbeat, _ = ServiceHeartbeat.objects.update_or_create(
        name=name[:80], defaults={"seen_at": timezone.now(), "hostname": socket.gethostname()}
    )
    return heartbeat


def heartbeat_forget(*, name: str) -> None:
    """A worker that stops on purpose takes its row with it; one that dies leaves it to age."""
    ServiceHeartbeat.objects.filter(name=name[:80]).delete()


def heartbeat_touch_file(*, role: str) -> None:
    """The container health check of a worker or beat reads this file's age (no database)."""
    path = Path(settings.VAR_DIR) / "heartbeats" / role
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


def heartbeat_list() -> list[dict[str, object]]:
    now = timezone.now()
    return [
        {"name": hb.name, "seen_at": hb.seen_at.isoformat(), "hostname": hb.hostname,
         "age_seconds": round((now - hb.seen_at).total_seconds(), 1)}
        for hb in ServiceHeartbeat.objects.order_by("name")
    ]


def heartbeat_fresh(*, now: datetime | None = None) -> dict[str, list[str]]:
    """The live beat and workers: names seen within READY_HEARTBEAT_MAX_AGE_SECONDS."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.READY_HEARTBEAT_MAX_AGE_SECONDS)
    names = list(ServiceHeartbeat.objects.filter(seen_at__gte=cutoff)
                 .order_by("name").values_list("name", flat=True))
    return {"beat": [n for n in names if n == "beat"],
            "workers": [n for n in names if n.startswith(WORKER_PREFIX)]}

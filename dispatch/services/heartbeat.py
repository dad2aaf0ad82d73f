"""Liveness of the background processes, kept as rows so the web process can report it."""

from __future__ import annotations

import socket

from django.utils import timezone

from dispatch.models import ServiceHeartbeat


def heartbeat_record(*, name: str) -> ServiceHeartbeat:
    heartbeat, _ = ServiceHeartbeat.objects.update_or_create(
        name=name[:80], defaults={"seen_at": timezone.now(), "hostname": socket.gethostname()}
    )
    return heartbeat


def heartbeat_list() -> list[dict[str, object]]:
    now = timezone.now()
    return [
        {"name": hb.name, "seen_at": hb.seen_at.isoformat(), "hostname": hb.hostname,
         "age_seconds": round((now - hb.seen_at).total_seconds(), 1)}
        for hb in ServiceHeartbeat.objects.order_by("name")
    ]

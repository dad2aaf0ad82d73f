"""The channel a webhook names, cached briefly in each web process.

Every intake request needs its channel (secrets, family, rate); reading it from the database each
time was one round trip and an ORM query per request. A change (deactivation, a rotated secret)
takes effect within ``INTAKE_CHANNEL_CACHE_SECONDS`` in every process.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.db import transaction

from org.directory import DEFAULT_FIXTURES_DIR, OrgLoadReport, fixture_read, org_load, row_upsert
from tickets.core.text import control_character_in
from tickets.models import Channel

_cache: dict[str, tuple[float, Channel | None]] = {}


def intake_channel_get(*, code: str, now: float | None = None) -> Channel | None:
    """The active channel with this code, or None."""
    if control_character_in(code, strict=True) is not None:
        return None  # no channel has one, and PostgreSQL cannot even compare a NUL
    ttl = settings.INTAKE_CHANNEL_CACHE_SECONDS
    now = time.monotonic() if now is None else now
    cached = _cache.get(code)
    if ttl > 0 and cached is not None and now - cached[0] < ttl:
        return cached[1]
    channel = Channel.objects.filter(code=code, active=True).first()
    if ttl > 0:
        if len(_cache) > 1000:
            # Unknown codes are cached too (as None); keep probing from filling memory.
            _cache.clear()
        _cache[code] = (now, channel)
    return channel


def intake_channel_cache_clear() -> None:
    _cache.clear()


def directory_load(*, fixtures_dir: Path = DEFAULT_FIXTURES_DIR) -> OrgLoadReport:
    """The whole directory in one transaction: the channels of channels.json, then the org's
    units and role groups. Fixture-owned fields follow the files; a channel's active flag,
    secrets and callback URL are set only when it is created."""
    report = OrgLoadReport()
    with transaction.atomic():
        for item in fixture_read(fixtures_dir=fixtures_dir, name="channels.json"):
            row_upsert(Channel, lookup={"code": item["code"]},
                       owned={"name": item["name"], "family": item["family"],
                              "description": item.get("description", "")},
                       on_create={"active": True}, report=report, kind="channels")
        org_load(fixtures_dir=fixtures_dir, report=report)
    return report

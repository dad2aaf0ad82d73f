"""The model registry: register, promote, roll back, and the active router of this process.

A worker notices a newly promoted version without a restart: at most every
``ROUTER_RELOAD_SECONDS`` it asks which version is active (one indexed query) and loads the
artifact if that changed.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from routing_model.artifacts import artifact_load, artifact_read, artifact_save
from routing_model.models import ModelStatus, ModelVersion
from routing_model.pipeline import TopicModel


class RegistryError(Exception):
    pass


def model_version_register(
    *, model: TopicModel, samples: int, source: str, metrics: dict[str, Any],
    window_start: datetime | None = None, window_end: datetime | None = None, note: str = "",
) -> ModelVersion:
    """Save the artifact and record it as a candidate."""
    version = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    while ModelVersion.objects.filter(version=version).exists():
        version = f"{version}-{int(time.time_ns()) % 10_000:04d}"
    with transaction.atomic():  # with the database storage, no artifact without its row
        name, sha256 = artifact_save(state=model.to_state(), name=f"router-{version}.skops")
        return ModelVersion.objects.create(
            version=version, source=source, samples=samples, metrics=metrics,
            config={**model.config.as_dict(), "segmenter": model.segmenter},
            artifact=name, sha256=sha256, window_start=window_start,
            window_end=window_end, note=note,
        )


def model_version_promote(*, version: str) -> ModelVersion:
    """Make ``version`` the one that serves; the previous active version is retired."""
    with transaction.atomic():
        target = ModelVersion.objects.select_for_update().filter(version=version).first()
        if target is None:
            raise RegistryError(f"没有版本 {version}")
        if target.status == ModelStatus.ACTIVE:
            return target
        # Verify before switching: a tampered or missing file must not become active.
        artifact_read(name=target.artifact, sha256=target.sha256)
        ModelVersion.objects.filter(status=ModelStatus.ACTIVE).update(status=ModelStatus.RETIRED)
        target.status = ModelStatus.ACTIVE
        target.activated_at = timezone.now()
        target.save(update_fields=["status", "activated_at"])
    return target


def model_version_rollback() -> ModelVersion:
    """Re-activate the version that served before the current one."""
    with transaction.atomic():
        current = ModelVersion.objects.select_for_update().filter(
            status=ModelStatus.ACTIVE).first()
        previous = (ModelVersion.objects.filter(status=ModelStatus.RETIRED,
                                                activated_at__isnull=False)
                    # pk=None is pk IS NULL (excludes nothing); the stubs take no None here.
                    .exclude(pk=current.pk if current else None)  # type: ignore[misc]
                    .order_by("-activated_at").first())
        if previous is None:
            raise RegistryError("没有可回滚的历史版本")
        artifact_read(name=previous.artifact, sha256=previous.sha256)
        if current is not None:
            current.status = ModelStatus.RETIRED
            current.save(update_fields=["status"])
        previous.status = ModelStatus.ACTIVE
        previous.activated_at = timezone.now()
        previous.save(update_fields=["status", "activated_at"])
    return previous


def model_version_list() -> list[ModelVersion]:
    return list(ModelVersion.objects.order_by("-created_at"))


@dataclass(frozen=True)
class LoadedModel:
    version: str
    model: TopicModel


class _ActiveCache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.checked_at = float("-inf")
        self.loaded: LoadedModel | None = None


_active = _ActiveCache()


def router_active(*, now: float | None = None) -> LoadedModel | None:
    """The active model for this process (None when none has been promoted)."""
    now = time.monotonic() if now is None else now
    if now - _active.checked_at < settings.ROUTER_RELOAD_SECONDS:
        return _active.loaded
    with _active.lock:
        row = (ModelVersion.objects.filter(status=ModelStatus.ACTIVE)
               .values("version", "artifact", "sha256").first())
        if row is None:
            _active.loaded = None
        elif _active.loaded is None or _active.loaded.version != row["version"]:
            state = artifact_load(name=row["artifact"], sha256=row["sha256"])
            _active.loaded = LoadedModel(row["version"], TopicModel.from_state(state))
        _active.checked_at = now
    return _active.loaded


def router_active_forget() -> None:
    """Drop this process's cached model (tests, and after a rollback in the same process)."""
    _active.checked_at = float("-inf")
    _active.loaded = None


_verified: dict[tuple[str, str], bool] = {}


def router_active_verify() -> str | None:
    """The active version after checking that its artifact can be read and is the one
    registered (hash and trusted types), without keeping the model in memory; None when no
    version is active. Raises ArtifactError otherwise. A version that passed once is not read
    again by this process."""
    row = (ModelVersion.objects.filter(status=ModelStatus.ACTIVE)
           .values_list("version", "artifact", "sha256").first())
    if row is None:
        return None
    version, artifact, sha256 = row
    if (version, sha256) not in _verified:
        artifact_read(name=artifact, sha256=sha256)
        _verified[(version, sha256)] = True
    return version

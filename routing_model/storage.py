"""Where router artifacts live: a Django storage every machine can read.

The default keeps them in the database (``ModelArtifact`` rows): no extra service, the same
backups as the tickets, and a model promoted on one machine is readable on every other. Any
other Django storage backend (a shared volume, an object store) can be named instead through
``STORAGES["router_models"]`` (README: ROUTER_MODEL_STORAGE_BACKEND).
"""

from __future__ import annotations

from datetime import datetime
from typing import IO, Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, storages
from django.utils.deconstruct import deconstructible

from routing_model.models import ModelArtifact

STORAGE_ALIAS = "router_models"


def model_storage() -> Storage:
    return storages[STORAGE_ALIAS]


@deconstructible(path="routing_model.storage.DatabaseStorage")
class DatabaseStorage(Storage):
    """Whole files as rows. Artifacts are written once and read whole, so no streaming."""

    def _open(self, name: str, mode: str = "rb") -> File[bytes]:
        if "w" in mode or "a" in mode:
            raise ValueError("DatabaseStorage 只能整件保存（save），不能以写方式打开")
        row = ModelArtifact.objects.filter(name=name).values_list("content", flat=True).first()
        if row is None:
            raise FileNotFoundError(name)
        return ContentFile(bytes(row), name=name)

    def _save(self, name: str, content: IO[Any]) -> str:
        content.seek(0)
        data = content.read()
        ModelArtifact.objects.create(name=name, content=data, size=len(data))
        return name

    def exists(self, name: str) -> bool:
        return ModelArtifact.objects.filter(name=name).exists()

    def delete(self, name: str) -> None:
        ModelArtifact.objects.filter(name=name).delete()

    def size(self, name: str) -> int:
        size = ModelArtifact.objects.filter(name=name).values_list("size", flat=True).first()
        if size is None:
            raise FileNotFoundError(name)
        return size

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        prefix = path.strip("/") + "/" if path.strip("/") else ""
        names = ModelArtifact.objects.filter(name__startswith=prefix).values_list("name",
                                                                                  flat=True)
        dirs, files = set(), []
        for name in names:
            rest = name[len(prefix):]
            if "/" in rest:
                dirs.add(rest.split("/", 1)[0])
            else:
                files.append(rest)
        return sorted(dirs), sorted(files)

    def get_created_time(self, name: str) -> datetime:
        at = ModelArtifact.objects.filter(name=name).values_list("created_at", flat=True).first()
        if at is None:
            raise FileNotFoundError(name)
        return at

    def get_modified_time(self, name: str) -> datetime:
        return self.get_created_time(name)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("模型文件不对外提供下载地址")

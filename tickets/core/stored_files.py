"""A Django storage that keeps whole files as rows (tickets.models.StoredFile).

Photos on tickets are written once, read whole and never changed, so rows serve them well: every
web machine reads the same bytes, and the database backup holds them with the tickets. Name it
with MEDIA_STORAGE_BACKEND=tickets.core.stored_files.DatabaseStorage (the compose layout does);
the embedded default keeps them under MEDIA_ROOT."""

from __future__ import annotations

from datetime import datetime
from typing import IO, Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage
from django.utils.deconstruct import deconstructible

from tickets.models.stored_file import StoredFile


@deconstructible(path="tickets.core.stored_files.DatabaseStorage")
class DatabaseStorage(Storage):
    def _open(self, name: str, mode: str = "rb") -> File[bytes]:
        if "w" in mode or "a" in mode:
            raise ValueError("DatabaseStorage 只能整件保存（save），不能以写方式打开")
        content = StoredFile.objects.filter(name=name).values_list("content", flat=True).first()
        if content is None:
            raise FileNotFoundError(name)
        return ContentFile(bytes(content), name=name)

    def _save(self, name: str, content: IO[Any]) -> str:
        content.seek(0)
        data = content.read()
        StoredFile.objects.create(name=name, content=data, size=len(data))
        return name

    def exists(self, name: str) -> bool:
        return StoredFile.objects.filter(name=name).exists()

    def delete(self, name: str) -> None:
        StoredFile.objects.filter(name=name).delete()

    def size(self, name: str) -> int:
        size = StoredFile.objects.filter(name=name).values_list("size", flat=True).first()
        if size is None:
            raise FileNotFoundError(name)
        return size

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        prefix = path.strip("/") + "/" if path.strip("/") else ""
        dirs, files = set(), []
        for name in StoredFile.objects.filter(name__startswith=prefix).values_list(
                "name", flat=True):
            rest = name[len(prefix):]
            if "/" in rest:
                dirs.add(rest.split("/", 1)[0])
            else:
                files.append(rest)
        return sorted(dirs), sorted(files)

    def get_created_time(self, name: str) -> datetime:
        at = StoredFile.objects.filter(name=name).values_list("created_at", flat=True).first()
        if at is None:
            raise FileNotFoundError(name)
        return at

    def get_modified_time(self, name: str) -> datetime:
        return self.get_created_time(name)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("照片只经工作台按权限提供，没有公开地址")

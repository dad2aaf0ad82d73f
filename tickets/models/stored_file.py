"""Files kept in the database (tickets.core.stored_files.DatabaseStorage): photos on tickets
when no disk or object store is shared by every web machine (the compose layout)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    name = models.CharField(_("名称"), max_length=255, unique=True)
    content = models.BinaryField(_("内容"))
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    created_at = models.DateTimeField(_("保存时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("数据库文件")
        verbose_name_plural = _("数据库文件")

    def __str__(self) -> str:
        return self.name

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from routing_model.artifacts import ArtifactError
from routing_model.registry import RegistryError, model_version_rollback


class Command(BaseCommand):
    help = "回滚到上一个在用的模型版本"

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            version = model_version_rollback()
        except (RegistryError, ArtifactError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"已回滚，在用模型：{version.version}"))

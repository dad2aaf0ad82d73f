from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from routing_model.artifacts import ArtifactError
from routing_model.registry import RegistryError, model_version_promote


class Command(BaseCommand):
    help = "启用指定的模型版本（原在用版本退役）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("version")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            version = model_version_promote(version=options["version"])
        except (RegistryError, ArtifactError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"在用模型：{version.version}"))

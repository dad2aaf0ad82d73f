from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dispatch.services.org import DEFAULT_FIXTURES_DIR, org_load


class Command(BaseCommand):
    help = "加载组织目录：33 个受理渠道、89 个承办单位和演示人员（可重复执行，结果不变）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fixtures-dir", type=Path, default=DEFAULT_FIXTURES_DIR)

    def handle(self, *args: Any, fixtures_dir: Path, **options: Any) -> None:
        report = org_load(fixtures_dir=fixtures_dir)
        kinds = sorted(set(report.created) | set(report.updated) | set(report.unchanged))
        for kind in kinds:
            self.stdout.write(
                f"{kind}: 新建 {report.created[kind]}，更新 {report.updated[kind]}，"
                f"未变 {report.unchanged[kind]}"
            )
        self.stdout.write(self.style.SUCCESS("组织目录已是最新" if not report.changed
                                             else "组织目录已加载"))

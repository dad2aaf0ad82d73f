from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from org.directory import DEFAULT_FIXTURES_DIR
from tickets.intake.channels import directory_load


class Command(BaseCommand):
    help = ("加载组织目录：33 个受理渠道、89 个承办单位和角色权限组（可重复执行，结果不变）。"
            "不建人员账号：正式人员用 import_staff 导入，演示人员用 load_demo_staff")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fixtures-dir", type=Path, default=DEFAULT_FIXTURES_DIR)

    def handle(self, *args: Any, fixtures_dir: Path, **options: Any) -> None:
        report = directory_load(fixtures_dir=fixtures_dir)
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("组织目录已是最新" if not report.changed
                                             else "组织目录已加载"))

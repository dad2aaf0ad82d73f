from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.staff import demo_staff_load
from org.directory import DEFAULT_FIXTURES_DIR, OrgNotLoadedError


class Command(BaseCommand):
    help = ("加载演示人员：每个单位的负责人、经办人、分拨员、督办员（共用演示密码 "
            "DISPATCH_DEMO_PASSWORD），以及他们的值班表和值班负责人。仅用于演示和开发环境")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fixtures-dir", type=Path, default=DEFAULT_FIXTURES_DIR)
        parser.add_argument("--allow-production", action="store_true",
                            help="DEBUG 关闭时也加载（例如专门的演示服务器）")

    def handle(self, *args: Any, fixtures_dir: Path, allow_production: bool,
               **options: Any) -> None:
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG 已关闭，看起来是生产环境，拒绝加载演示人员：这 500 多个账号共用 README "
                "中公开的演示密码，并且都能进入管理后台，任何人都能用它们登录。正式人员请用 "
                "manage.py import_staff 导入。确是演示服务器的话，请加 --allow-production。"
            )
        try:
            report = demo_staff_load(fixtures_dir=fixtures_dir)
        except OrgNotLoadedError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
        if report.created["users"]:
            self.stdout.write("新建账号的密码为设置项 DISPATCH_DEMO_PASSWORD 的值")
        self.stdout.write(self.style.SUCCESS("演示人员已是最新" if not report.changed
                                             else "演示人员已加载"))

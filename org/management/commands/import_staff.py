from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from org.directory import OrgNotLoadedError
from org.staff_import import COLUMNS, StaffImportError, staff_import
from org.staff_password import (
    PasswordLinkError,
    base_url_check,
    password_link_lifetime_text,
    staff_password_links_build,
)


class Command(BaseCommand):
    help = (f"从 CSV 文件导入正式人员（列：{','.join(COLUMNS)}；UTF-8，可带 BOM）。"
            "有任何一行出错则全部不导入；可重复执行。新账号没有密码，命令为每个新账号打印"
            "一次性的设置密码链接")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV 文件")
        parser.add_argument("--base-url", default=settings.SITE_URL,
                            help="链接开头的网址（默认为设置项 SITE_URL）")

    def handle(self, *args: Any, file: Path, base_url: str, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"找不到文件 {file}")
        try:
            base_url = base_url_check(base_url=base_url)  # before importing, not after
            report = staff_import(path=file)
            links = staff_password_links_build(usernames=report.created, base_url=base_url)
        except StaffImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"导入失败：{len({e.line for e in exc.errors})} 行有错误，"
                               "没有导入任何人员") from exc
        except (OrgNotLoadedError, PasswordLinkError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"新建 {len(report.created)}，更新 {len(report.updated)}，"
                          f"未变 {len(report.unchanged)}")
        if links:
            self.stdout.write(f"新账号的设置密码链接（{password_link_lifetime_text()}内有效，"
                              "用过一次即失效；请分别私下发给本人）：")
            for username, link in links.items():
                self.stdout.write(f"{username}\t{link}")
        self.stdout.write(self.style.SUCCESS("人员已导入" if report.changed else "人员已是最新"))

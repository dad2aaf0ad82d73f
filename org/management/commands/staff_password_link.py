from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from org.staff_password import (
    PasswordLinkError,
    password_link_lifetime_text,
    staff_password_links_build,
)


class Command(BaseCommand):
    help = "为账号打印设置密码链接（首次设置或忘记密码时用；用过一次或过期即失效）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("usernames", nargs="+", metavar="USERNAME")
        parser.add_argument("--base-url", default=settings.SITE_URL,
                            help="链接开头的网址（默认为设置项 SITE_URL）")

    def handle(self, *args: Any, usernames: list[str], base_url: str, **options: Any) -> None:
        try:
            links = staff_password_links_build(usernames=list(dict.fromkeys(usernames)),
                                               base_url=base_url)
        except PasswordLinkError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"设置密码链接（{password_link_lifetime_text()}内有效，用过一次即失效；"
                          "请分别私下发给本人）：")
        for username, link in links.items():
            self.stdout.write(f"{username}\t{link}")

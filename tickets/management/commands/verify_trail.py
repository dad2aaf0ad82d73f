"""manage.py verify_trail [--ticket N]: recompute every ticket's event chain (一单到底)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tickets.core.trail import trail_verify
from tickets.models import Ticket


class Command(BaseCommand):
    help = "校验工单事件链（哈希链）：有事件被改动、删除或插入时指出第一个断点，退出码 1"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ticket", metavar="N", help="只校验这张工单（工单编号）")

    def handle(self, *args: Any, ticket: str | None, **options: Any) -> None:
        tickets = Ticket.objects.all()
        if ticket:
            tickets = tickets.filter(number=ticket)
            if not tickets.exists():
                raise CommandError(f"没有工单 {ticket}")
        broken = trail_verify(tickets=tickets)
        for link in broken:
            self.stderr.write(str(link))
        if broken:
            raise CommandError(f"{len(broken)} 张工单的事件链断裂", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"事件链完整：{tickets.count()} 张工单"))

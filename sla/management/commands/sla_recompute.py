from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date

from sla.recompute import sla_breaches_verify
from tickets.models import Ticket


class Command(BaseCommand):
    help = "从工单事件重新计算时限结果，核对已记录的超时（不一致时退出码为 1）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ticket", action="append", dest="numbers", help="只核对这些工单号")
        parser.add_argument("--since", help="只核对该日期（YYYY-MM-DD）之后受理的工单")

    def handle(self, *args: Any, numbers: list[str] | None, since: str | None,
               **options: Any) -> None:
        tickets = (Ticket.objects.filter(sla_policy__isnull=False)
                   .select_related("sla_policy").order_by("pk"))
        if numbers:
            tickets = tickets.filter(number__in=numbers)
        if since:
            day = parse_date(since)
            if day is None:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{since}")
            tickets = tickets.filter(received_at__date__gte=day)
        checked, mismatches = sla_breaches_verify(tickets=tickets.iterator(chunk_size=500))
        for m in mismatches:
            what = "应有超时记录但没有" if m.problem == "missing" else "记录了超时但重算没有"
            self.stdout.write(f"{m.ticket_number} {m.milestone} 截止 "
                              f"{timezone.localtime(m.due_at):%Y-%m-%d %H:%M:%S}：{what}")
        self.stdout.write(f"核对 {checked} 张工单，不一致 {len(mismatches)} 处")
        if mismatches:
            raise SystemExit(1)

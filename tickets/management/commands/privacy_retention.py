from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from tickets.services.retention import retention_run


class Command(BaseCommand):
    help = ("按保存期限清除受理原始请求体（保留 SHA-256）并匿名化已办结工单的诉求人信息"
            "（与每日定时任务相同，可重复运行）")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=None,
                            help="每批处理的行数（默认 RETENTION_BATCH_SIZE）")

    def handle(self, *args: Any, batch_size: int | None, **options: Any) -> None:
        outcome = retention_run(batch_size=batch_size)
        self.stdout.write(
            f"清除原始请求体 {outcome.bodies_purged} 条（保存 "
            f"{settings.INTAKE_BODY_RETENTION_DAYS or '不限'} 天），匿名化工单 "
            f"{outcome.tickets_anonymised} 张（办结后保存 "
            f"{settings.CITIZEN_DATA_RETENTION_DAYS or '不限'} 天）")

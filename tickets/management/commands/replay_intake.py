from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tickets.intake.services import intake_replay
from tickets.models import IntakeOutcome, IntakeRecord


class Command(BaseCommand):
    help = "重放已保存的受理原始记录（修复渠道适配器后使用）：默认重放无效和未解析的记录"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--channel", help="只重放这个渠道（编码）")
        parser.add_argument("--id", type=int, action="append", dest="ids",
                            help="只重放这些记录（可重复）")
        parser.add_argument("--include-accepted", action="store_true",
                            help="也重放已生成工单的记录（幂等：不会重复建单）")
        parser.add_argument("--limit", type=int, default=10_000)

    def handle(self, *args: Any, channel: str | None, ids: list[int] | None,
               include_accepted: bool, limit: int, **options: Any) -> None:
        records = IntakeRecord.objects.select_related("channel").order_by("pk")
        if not include_accepted:
            records = records.filter(outcome__in=[IntakeOutcome.INVALID, IntakeOutcome.RECEIVED])
        if channel:
            records = records.filter(channel__code=channel)
        if ids:
            records = records.filter(pk__in=ids)
        selected = list(records[:limit])
        if ids and len(selected) != len(set(ids)):
            missing = sorted(set(ids) - {r.pk for r in selected})
            raise CommandError(f"找不到或不符合条件的记录：{missing}")
        outcomes = intake_replay(records=selected, on_failure=self._report_failure)
        self.stdout.write(
            f"重放 {len(selected)} 条：生成工单 {outcomes['accepted']}，"
            f"重复 {outcomes['duplicate']}，仍无效 {outcomes['invalid']}，"
            f"原始请求体已清除 {outcomes['purged']}，无法处理 {outcomes['failed']}"
        )
        if outcomes["failed"]:
            # Raised after every other record was replayed, so that a scheduled run shows up
            # as failed.
            raise CommandError(f"{outcomes['failed']} 条记录无法处理，详见上面的记录号和错误")

    def _report_failure(self, record: IntakeRecord, error: Exception) -> None:
        self.stderr.write(f"记录 #{record.pk}（渠道 {record.channel_id}）无法处理："
                          f"{type(error).__name__}: {error}")

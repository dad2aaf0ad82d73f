"""manage.py generate_history --tickets N --seed S: a synthetic year of tickets for the SLA
reports' tests and benchmarks (demo.history). Never where real tickets live."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from demo.history import history_generate, history_seed_used
from demo.history.generation import history_staff_ensure
from demo.history.reference import HistoryRefused


class Command(BaseCommand):
    help = ("生成一年的合成历史工单（仅用于测试和性能基准，内容均为虚构，渠道单号以 HIST- 开头）："
            "按领域规则生成工单、时限计时、超时、督办、回访和完整的事件链")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, required=True, help="工单数量")
        parser.add_argument("--seed", type=int, default=1, help="随机种子：同一种子生成相同的工单")
        parser.add_argument("--end", type=date.fromisoformat, default=None,
                            help="最后一天 YYYY-MM-DD（默认今天，Asia/Shanghai）")
        parser.add_argument("--chunk-size", type=int, default=5_000,
                            help="每批工单数（每批一个事务）")
        parser.add_argument("--workers", type=int, default=None,
                            help="生成工单的子进程数（默认：PostgreSQL 上 2 个，其他数据库 1 个）")
        parser.add_argument("--no-events", action="store_true",
                            help="不写工单事件（更快，但工单没有事件链和轨迹）")
        parser.add_argument("--allow-production", action="store_true",
                            help="DEBUG 关闭时也生成（例如专门的基准测试库）")

    def handle(self, *args: Any, tickets: int, seed: int, end: date | None, chunk_size: int,
               workers: int | None, no_events: bool, allow_production: bool,
               **options: Any) -> None:
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG 已关闭，看起来是生产环境，拒绝生成合成历史工单：几十万张虚构工单会混进真实"
                "数据和报表。确是测试或基准库的话，请加 --allow-production。")
        if tickets < 1 or chunk_size < 1:
            raise CommandError("--tickets 和 --chunk-size 必须是正整数")
        if history_seed_used(seed=seed):
            raise CommandError(f"数据库中已有种子 {seed} 生成的历史工单（渠道单号 HIST-{seed}-…），"
                               "请换一个 --seed 或使用新的数据库")
        try:
            if history_staff_ensure():
                self.stdout.write("数据库中没有人员，已加载演示人员（load_demo_staff）")
            report = history_generate(
                tickets=tickets, seed=seed, end=end or timezone.localdate(),
                chunk_size=chunk_size, with_events=not no_events, progress=self._progress(),
                workers=workers if workers is not None else (
                    2 if connection.vendor == "postgresql" else 1))
        except HistoryRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write("")
        self.stdout.write(report.line())

    def _progress(self) -> Callable[[int, int], None]:
        began = time.perf_counter()

        def show(done: int, total: int) -> None:
            # One line, rewritten in place (\r), on stderr: stdout keeps the summary line.
            self.stderr.write(f"\r已生成 {done}/{total} 张工单 ({done * 100 // total}%) "
                              f"{time.perf_counter() - began:.0f} s", ending="")
            self.stderr.flush()

        return show

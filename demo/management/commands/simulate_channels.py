import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from demo.traffic import (
    MAX_REQUESTS,
    SimChannel,
    traffic_plan,
    traffic_report,
    traffic_send,
    traffic_verify,
)
from tickets.models import Channel


class Command(BaseCommand):
    help = ("向本机受理接口发送 33 个渠道的模拟诉求（含重复投递、重复件和错误请求），"
            "用于演示和压测；只允许回环地址")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000")
        parser.add_argument("--rate", type=float, default=10.0, help="每秒请求数")
        parser.add_argument("--duration", type=float, default=30.0, help="持续秒数")
        parser.add_argument("--concurrency", type=int, default=8)
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--verify", action="store_true",
                            help="发送后核对数据库：无丢失、无重复（需与服务共用数据库）")

    def handle(self, *args: Any, url: str, rate: float, duration: float, concurrency: int,
               seed: int | None, verify: bool, **options: Any) -> None:
        count = int(rate * duration)
        if rate <= 0 or not 0 < count <= MAX_REQUESTS:
            raise CommandError(f"rate × duration 必须在 1 到 {MAX_REQUESTS} 之间")
        channels = [SimChannel(c.code, c.family, c.signing_secrets[0])
                    for c in Channel.objects.filter(active=True).order_by("code")]
        if not channels:
            raise CommandError("没有启用的渠道：先运行 manage.py load_org（要有人接单，还需用 "
                               "import_staff 导入人员，或在演示环境运行 load_demo_staff）")
        seed = seed if seed is not None else int(time.time())
        plan = traffic_plan(channels=channels, count=count, seed=seed, now=timezone.now(),
                            first_seq=int(time.time()) * 1_000_000)
        self.stdout.write(f"向 {url} 发送 {count} 个请求（{len(channels)} 个渠道，"
                          f"每秒 {rate:g} 个，种子 {seed}）…")
        started = time.perf_counter()
        try:
            outcomes = traffic_send(base_url=url, requests=plan, rate=rate,
                                    concurrency=concurrency, max_seconds=duration + 30)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        report = traffic_report(outcomes, time.perf_counter() - started)
        self.stdout.write(
            f"已发送 {report.sent} 个，{report.per_second:.1f} 个/秒；"
            f"延迟 p50 {report.p50_ms:.1f} ms，p99 {report.p99_ms:.1f} ms")
        self.stdout.write(f"按类型：{dict(report.by_kind)}；按状态码：{dict(report.by_status)}")
        for line in report.unexpected[:20]:
            self.stdout.write(self.style.WARNING(f"意外结果：{line}"))
        if verify:
            self.stdout.write(f"核对：{traffic_verify(outcomes)}")

"""manage.py train_synthetic_router N: a router trained on the synthetic corpus (demo, tests,
benchmarks; a district trains on its own tickets with train_router)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from demo.starter import STARTER_SEED, router_starter_train


class Command(BaseCommand):
    help = "用 N 条合成诉求训练分拨模型（演示用），90% 训练、10% 留出评估，登记为候选版本"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int, help="合成诉求条数")
        parser.add_argument("--seed", type=int, default=STARTER_SEED)
        parser.add_argument("--promote", action="store_true", help="训练后立即启用")

    def handle(self, *args: Any, count: int, seed: int, promote: bool, **options: Any) -> None:
        version = router_starter_train(count=count, seed=seed, promote=promote)
        self.stdout.write(f"{'已启用' if promote else '候选版本'} {version.version}："
                          f"留出集准确率 {version.metrics.get('accuracy', 0):.1%}")

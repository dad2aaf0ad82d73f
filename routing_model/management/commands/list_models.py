from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from routing_model.registry import model_version_list


class Command(BaseCommand):
    help = "列出模型版本"

    def handle(self, *args: Any, **options: Any) -> None:
        versions = model_version_list()
        if not versions:
            self.stdout.write("还没有模型版本：manage.py train_router --csv 文件 --promote"
                              "（演示：manage.py train_synthetic_router 10000 --promote）")
            return
        self.stdout.write(f"{'版本':<22}{'状态':<8}{'样本':>8}  {'macro-F1':>8}  来源")
        for v in versions:
            f1 = v.metrics.get("macro_f1")
            self.stdout.write(f"{v.version:<22}{v.get_status_display():<8}{v.samples:>8}  "
                              f"{(f'{f1:.4f}' if f1 is not None else '-'):>8}  {v.source}")

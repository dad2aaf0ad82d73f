"""manage.py train_router: a candidate from resolved tickets or a CSV (the synthetic corpus is
the demo's: manage.py train_synthetic_router)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string

from routing_model.csv_samples import CsvSampleError, samples_from_csv
from routing_model.pipeline import FEATURE_SETS, RouterConfig
from routing_model.registry import model_version_promote, model_version_register
from routing_model.segmenter import segmenter_get
from routing_model.training import router_train, samples_prepare


class Command(BaseCommand):
    help = "训练分拨模型并登记为候选版本（默认用数据库中已办结工单的最终承办单位作标签）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", type=Path, help="从 CSV 文件训练")
        parser.add_argument("--text-col", "--text-cols", dest="text_cols",
                            default="title,content", help="文本列，逗号分隔")
        parser.add_argument("--label-col", default="unit_code")
        parser.add_argument("--features", choices=FEATURE_SETS, default="union")
        parser.add_argument("--segmenter", choices=("jieba", "rjieba"))
        parser.add_argument("--promote", action="store_true", help="训练后立即启用")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["csv"]:
            try:
                samples = samples_from_csv(path=options["csv"],
                                           text_cols=options["text_cols"].split(","),
                                           label_col=options["label_col"])
            except (OSError, CsvSampleError) as exc:
                raise CommandError(str(exc)) from exc
            source = f"csv {options['csv'].name}"
        else:
            samples = list(import_string(settings.ROUTER_TRAINING_SOURCE)())
            source = "resolved tickets"
        if len(samples) < 10:
            raise CommandError(f"样本太少（{len(samples)} 条）")
        segmenter = segmenter_get(backend=options["segmenter"])
        prepared = samples_prepare(samples=samples, segmenter=segmenter)
        trained = router_train(prepared=prepared, config=RouterConfig(features=options["features"]),
                               segmenter=segmenter)
        version = model_version_register(
            model=trained.model, samples=trained.samples, source=source,
            metrics={"train_seconds": round(trained.seconds, 1),
                     "dropped_labels": trained.dropped_labels},
        )
        self.stdout.write(f"候选版本 {version.version}：{trained.samples} 条样本，"
                          f"{len(trained.model.labels)} 个类别，用时 {trained.seconds:.1f} 秒，"
                          f"内存峰值 {trained.peak_rss_mib:.0f} MiB")
        if trained.dropped_labels:
            self.stdout.write(f"样本过少未参与训练的类别：{trained.dropped_labels}")
        if options["promote"]:
            model_version_promote(version=version.version)
            self.stdout.write(self.style.SUCCESS(f"已启用 {version.version}"))
        else:
            self.stdout.write(f"启用：manage.py promote_model {version.version}")

"""manage.py evaluate_router: how good is the router on a given set of labelled texts."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from routing_model.baseline import baseline_cross_validate
from routing_model.csv_samples import CsvSampleError, samples_from_csv
from routing_model.models import ModelVersion
from routing_model.pipeline import FEATURE_SETS, RouterConfig
from routing_model.registry import router_active
from routing_model.segmenter import segmenter_get
from routing_model.training import (
    Metrics,
    TrainingSample,
    peak_rss_mib,
    router_cross_validate,
    router_evaluate,
    router_train,
    samples_prepare,
)


class Command(BaseCommand):
    help = ("评估分拨模型：--csv 文件（在用模型）、--csv 加 --cv 5（交叉验证）、"
            "--train-csv A --test-csv B；末行为 macro_f1=… accuracy=… n_train=… n_test=…")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", type=Path)
        parser.add_argument("--train-csv", type=Path)
        parser.add_argument("--test-csv", type=Path)
        parser.add_argument("--cv", type=int, metavar="K", help="K 折交叉验证")
        parser.add_argument("--text-col", "--text-cols", dest="text_cols",
                            default="title,content,body",
                            help="文本列，逗号分隔（文件没有的列跳过）")
        parser.add_argument("--label-col", default="unit_code")
        parser.add_argument("--features", choices=FEATURE_SETS, default="union")
        parser.add_argument("--segmenter", choices=("jieba", "rjieba"))
        parser.add_argument("--baseline", action="store_true",
                            help="改为评估基线：jieba + TF-IDF + LinearSVC（需 --cv）")

    def _load(self, path: Path, options: dict[str, Any]) -> list[TrainingSample]:
        try:
            return samples_from_csv(path=path, text_cols=options["text_cols"].split(","),
                                    label_col=options["label_col"])
        except (OSError, CsvSampleError) as exc:
            raise CommandError(str(exc)) from exc

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        segmenter = segmenter_get(backend=options["segmenter"])
        config = RouterConfig(features=options["features"])
        if options["cv"]:
            if not options["csv"]:
                raise CommandError("--cv 需要 --csv")
            samples = self._load(options["csv"], options)
            if options["baseline"]:
                result = baseline_cross_validate(texts=[s.text for s in samples],
                                                 labels=[s.label for s in samples],
                                                 folds=options["cv"])
            else:
                prepared = samples_prepare(samples=samples, segmenter=segmenter)
                result = router_cross_validate(prepared=prepared, config=config,
                                               segmenter=segmenter, folds=options["cv"])
            self.stdout.write(f"{options['cv']} 折交叉验证：每折 macro-F1 "
                              + ", ".join(f"{f.macro_f1:.4f}" for f in result.folds)
                              + f"（均值 {result.macro_f1_mean:.4f} ± {result.macro_f1_std:.4f}）")
            n_test = result.pooled.n_test
            self._report(result.pooled, n_train=n_test - n_test // options["cv"],
                         started=started, name="合并各折预测")
            return
        if options["train_csv"]:
            if not options["test_csv"]:
                raise CommandError("--train-csv 需要同时给出 --test-csv")
            train = self._load(options["train_csv"], options)
            test = self._load(options["test_csv"], options)
            trained = router_train(prepared=samples_prepare(samples=train, segmenter=segmenter),
                                   config=config, segmenter=segmenter)
            metrics = router_evaluate(model=trained.model,
                                      prepared=samples_prepare(samples=test, segmenter=segmenter))
            self._report(metrics, n_train=trained.samples, started=started, name="测试集")
            return
        if not options["csv"]:
            raise CommandError("请给出 --csv FILE（或 --train-csv/--test-csv、--cv K）；"
                               "合成语料先用 python -m fixtures.corpus.generate 写成 CSV")
        loaded = router_active()
        if loaded is None:
            raise CommandError("没有在用模型：先 train_router --promote，或用 --cv")
        samples = self._load(options["csv"], options)
        metrics = router_evaluate(model=loaded.model,
                                  prepared=samples_prepare(samples=samples, segmenter=segmenter))
        self._report(metrics, n_train=loaded_samples(loaded.version),
                     started=started, name=f"在用模型 {loaded.version}")

    def _report(self, metrics: Metrics, *, n_train: int, started: float, name: str) -> None:
        out = self.stdout.write
        out(f"{name}：准确率 {metrics.accuracy:.4f}，宏平均 F1 {metrics.macro_f1:.4f}，"
            f"测试样本 {metrics.n_test}")
        out(f"{'类别':<24}{'精确率':>8}{'召回率':>8}{'F1':>8}{'样本':>7}")
        for label, m in sorted(metrics.per_class.items(), key=lambda kv: kv[1]["f1"]):
            out(f"{label:<24}{m['precision']:>8.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}"
                f"{m['support']:>7}")
        if metrics.confused:
            out("最常混淆（真实 → 预测：次数）：")
            for truth, predicted, n in metrics.confused:
                out(f"  {truth} → {predicted}：{n}")
        out(f"用时 {time.perf_counter() - started:.1f} 秒，内存峰值 {peak_rss_mib():.0f} MiB")
        out(f"macro_f1={metrics.macro_f1:.4f} accuracy={metrics.accuracy:.4f} "
            f"n_train={n_train} n_test={metrics.n_test}")


def loaded_samples(version: str) -> int:

    row = ModelVersion.objects.filter(version=version).values_list("samples", flat=True)
    return row.first() or 0

"""The nightly retrain: train a candidate on recent truth, compare it with the active model on
the same time-ordered holdout, promote only if it is not worse.

Every run is a RetrainRun row; the row is also the lock (a partial unique index allows one
``running`` row), so two beat schedulers or a manual run cannot train at the same time. A
failed or rejected run leaves the active model serving.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from routing_model.artifacts import artifact_load
from routing_model.gazetteer import gazetteer_get
from routing_model.models import ModelStatus, ModelVersion, RetrainRun, RetrainStatus
from routing_model.pipeline import RouterConfig, TopicModel
from routing_model.registry import model_version_promote, model_version_register
from routing_model.segmenter import segmenter_get
from routing_model.training import (
    Metrics,
    TrainingSample,
    prepared_subset,
    router_evaluate,
    router_train,
    samples_prepare,
)

logger = logging.getLogger(__name__)
HOLDOUT_SHARE = 0.10
MIN_SAMPLES = 50


class RetrainBusy(Exception):
    pass


def promotion_decision(*, candidate: Metrics, active: Metrics | None) -> tuple[bool, str]:
    """Promote unless macro-F1 drops by more than the allowed points or a unit's recall drops
    by more than allowed. Returns (promote, reason in Chinese)."""
    if active is None:
        return True, "当前没有在用模型，候选模型直接启用"
    max_f1_drop = settings.ROUTER_PROMOTE_MAX_F1_DROP
    max_recall_drop = settings.ROUTER_PROMOTE_MAX_RECALL_DROP
    drop = active.macro_f1 - candidate.macro_f1
    if drop > max_f1_drop:
        return False, (f"宏平均 F1 下降 {drop * 100:.2f} 个百分点"
                       f"（{active.macro_f1:.4f} → {candidate.macro_f1:.4f}），"
                       f"超过允许的 {max_f1_drop * 100:.1f}")
    worse = []
    for label, old in active.per_class.items():
        new = candidate.per_class.get(label, {"recall": 0.0})
        if old["recall"] - new["recall"] > max_recall_drop:
            worse.append(f"{label} 召回率 {old['recall']:.2f} → {new['recall']:.2f}")
    if worse:
        return False, "有单位召回率下降超过 10 个百分点：" + "；".join(worse[:5])
    return True, (f"宏平均 F1 {active.macro_f1:.4f} → {candidate.macro_f1:.4f}，"
                  "各单位召回率下降均在允许范围内")


def _lock(now: datetime) -> RetrainRun:
    stale = now - timedelta(minutes=settings.ROUTER_RETRAIN_STALE_MINUTES)
    RetrainRun.objects.filter(status=RetrainStatus.RUNNING, started_at__lt=stale).update(
        status=RetrainStatus.FAILED, finished_at=now, reason="运行超时，视为中断")
    try:
        with transaction.atomic():
            return RetrainRun.objects.create(progress="开始")
    except IntegrityError:
        raise RetrainBusy("已有重训任务在运行") from None


def _finish(run: RetrainRun, status: str, reason: str) -> RetrainRun:
    run.status = status
    run.reason = reason
    run.finished_at = timezone.now()
    run.progress = "完成"
    run.save(update_fields=["status", "reason", "finished_at", "progress", "samples",
                            "candidate", "previous", "candidate_metrics", "active_metrics"])
    logger.info("router retrain %s: %s", status, reason)
    return run


def router_retrain(*, samples_source: Callable[[], Sequence[TrainingSample]] | None = None,
                   config: RouterConfig | None = None,
                   now: datetime | None = None) -> RetrainRun:
    """One retrain run; raises RetrainBusy if another is running."""
    now = now or timezone.now()
    run = _lock(now)

    def progress(text: str) -> None:
        RetrainRun.objects.filter(pk=run.pk).update(progress=text[:200])

    try:
        source = samples_source or import_string(settings.ROUTER_TRAINING_SOURCE)
        progress("读取训练样本")
        samples = sorted(source(), key=lambda s: s.at or now)
        run.samples = len(samples)
        if len(samples) < MIN_SAMPLES:
            return _finish(run, RetrainStatus.SKIPPED,
                           f"样本只有 {len(samples)} 条（至少 {MIN_SAMPLES} 条），保留原模型")
        segmenter = segmenter_get()
        gazetteer = gazetteer_get()
        prepared = samples_prepare(samples=samples, segmenter=segmenter, progress=progress)
        cut = len(samples) - max(1, int(len(samples) * HOLDOUT_SHARE))
        train, holdout = (prepared_subset(prepared, range(cut)),
                          prepared_subset(prepared, range(cut, len(samples))))
        progress(f"训练候选模型（{cut} 条）")
        trained = router_train(prepared=train, config=config or RouterConfig(),
                               segmenter=segmenter, gazetteer=gazetteer)
        progress(f"在最近 {len(samples) - cut} 条上比较")
        candidate_metrics = router_evaluate(model=trained.model, prepared=holdout,
                                            gazetteer=gazetteer)
        active_row = ModelVersion.objects.filter(status=ModelStatus.ACTIVE).first()
        active_metrics = None
        if active_row is not None:
            active_model = TopicModel.from_state(artifact_load(
                name=active_row.artifact, sha256=active_row.sha256))
            active_metrics = router_evaluate(model=active_model, prepared=holdout,
                                             gazetteer=gazetteer)
        candidate = model_version_register(
            model=trained.model, samples=trained.samples, source="nightly retrain",
            metrics={**candidate_metrics.as_dict(), "holdout": "most recent 10%",
                     "dropped_labels": trained.dropped_labels,
                     "train_seconds": round(trained.seconds, 1)},
            window_start=samples[0].at, window_end=samples[cut - 1].at,
        )
        run.candidate, run.previous = candidate, active_row
        run.candidate_metrics = candidate_metrics.as_dict()
        run.active_metrics = active_metrics.as_dict() if active_metrics else {}
        promote, reason = promotion_decision(candidate=candidate_metrics, active=active_metrics)
        if not promote:
            candidate.status = ModelStatus.RETIRED
            candidate.note = reason
            candidate.save(update_fields=["status", "note"])
            return _finish(run, RetrainStatus.REJECTED, reason)
        model_version_promote(version=candidate.version)
        return _finish(run, RetrainStatus.PROMOTED, reason)
    except Exception as exc:
        logger.exception("router retrain failed")
        return _finish(run, RetrainStatus.FAILED, f"{type(exc).__name__}: {exc}")

"""The starting model: trained from the synthetic corpus (fixtures/corpus) when no model exists.

The corpus is deterministic from its seed, so every installation starts from the same model.
"""

from __future__ import annotations

from fixtures.corpus.generate import corpus_generate
from routing_model.gazetteer import gazetteer_get
from routing_model.models import ModelVersion
from routing_model.pipeline import RouterConfig
from routing_model.registry import model_version_promote, model_version_register
from routing_model.segmenter import segmenter_get
from routing_model.training import (
    TrainingSample,
    prepared_subset,
    router_evaluate,
    router_train,
    samples_prepare,
)

STARTER_SEED = 2026


def generated_samples(*, count: int, seed: int = STARTER_SEED,
                      label: str = "unit_code") -> list[TrainingSample]:
    """``label`` names the corpus field to learn: unit_code, or category_l1/l2/l3."""
    return [TrainingSample(text=f"{row.title}\n{row.content}", label=getattr(row, label),
                           address=row.address, urgent=row.urgency == "urgent")
            for row in corpus_generate(seed=seed, count=count)]


def router_starter_train(*, count: int, seed: int = STARTER_SEED,
                         config: RouterConfig | None = None, promote: bool = True) -> ModelVersion:
    """Train on 90% of ``count`` generated requests, measure on the other 10%, register and
    (unless told not to) promote."""
    samples = generated_samples(count=count, seed=seed)
    segmenter = segmenter_get()
    gazetteer = gazetteer_get()
    prepared = samples_prepare(samples=samples, segmenter=segmenter)
    cut = int(len(samples) * 0.9)
    trained = router_train(prepared=prepared_subset(prepared, range(cut)),
                           config=config or RouterConfig(), segmenter=segmenter,
                           gazetteer=gazetteer)
    metrics = router_evaluate(model=trained.model,
                              prepared=prepared_subset(prepared, range(cut, len(samples))),
                              gazetteer=gazetteer)
    version = model_version_register(
        model=trained.model, samples=trained.samples,
        source=f"synthetic corpus, seed {seed}, {count} requests",
        metrics={**metrics.as_dict(), "holdout": "10% of the generated corpus",
                 "train_seconds": round(trained.seconds, 1)},
        note="初始模型（合成语料训练）",
    )
    return model_version_promote(version=version.version) if promote else version


def router_starter_ensure(*, count: int) -> ModelVersion | None:
    """Train the starting model unless some model version exists already."""
    if ModelVersion.objects.exists():
        return None
    return router_starter_train(count=count)

"""Training and evaluating the router from samples, whatever they come from (tickets, CSV).

Labels are what a ticket finally went to. Street offices are trained as one label and resolved
by place at prediction time, and evaluated the same way, so the figures are those of the unit
a ticket would actually be sent to.
"""

from __future__ import annotations

import resource
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from routing_model.gazetteer import Gazetteer, gazetteer_get
from routing_model.pipeline import (
    STREET_LABEL,
    RouterConfig,
    TopicModel,
    router_rows,
    topic_model_fit,
)
from routing_model.segmenter import Segmenter
from routing_model.text import text_normalise

Progress = Callable[[str], None]


@dataclass
class TrainingSample:
    text: str  # title and content
    label: str
    address: str = ""
    at: datetime | None = None
    # Tokens cached from an earlier segmentation, valid only for the same segmenter signature.
    tokens: list[str] | None = None
    tokens_signature: str = ""
    urgent: bool | None = None  # None: not known (a CSV without it); the model learns it if known


@dataclass
class Prepared:
    texts: list[str]
    tokens: list[list[str]]
    labels: list[str]  # as given (unit codes, or any label of a CSV)
    addresses: list[str]
    segmented: int  # how many needed segmenting (the rest came from the cache)
    urgent: list[bool | None] = field(default_factory=list)


def samples_prepare(*, samples: Sequence[TrainingSample], segmenter: Segmenter,
                    progress: Progress | None = None) -> Prepared:
    texts, tokens, segmented = [], [], 0
    for i, s in enumerate(samples):
        text = text_normalise(s.text)
        texts.append(text)
        if s.tokens is not None and s.tokens_signature == segmenter.signature:
            tokens.append(list(s.tokens))
        else:
            tokens.append(segmenter.tokens(text, shared=True))
            segmented += 1
        if progress and i and i % 50_000 == 0:
            progress(f"分词 {i}/{len(samples)}")
    return Prepared(texts, tokens, [s.label for s in samples], [s.address for s in samples],
                    segmented, [s.urgent for s in samples])


def topic_label(label: str, *, gazetteer: Gazetteer) -> str:
    return STREET_LABEL if label in gazetteer.street_units else label


def resolve_unit(ranked_top: str, *, text: str, address: str, gazetteer: Gazetteer) -> str:
    """The unit a top topic label sends the ticket to: a street topic goes to the place's
    street office, or stays unresolved (STREET_LABEL) when no place is known."""
    if ranked_top != STREET_LABEL:
        return ranked_top
    match = gazetteer.find(text=text, address=address)
    return match.place.street_unit if match else STREET_LABEL


@dataclass
class TrainResult:
    model: TopicModel
    dropped_labels: dict[str, int]
    seconds: float
    peak_rss_mib: float
    samples: int


def peak_rss_mib() -> float:
    """The process's peak resident memory so far (what a training run reports)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def router_train(*, prepared: Prepared, config: RouterConfig, segmenter: Segmenter,
                 gazetteer: Gazetteer | None = None) -> TrainResult:
    gazetteer = gazetteer or gazetteer_get()
    started = time.perf_counter()
    labels = [topic_label(lb, gazetteer=gazetteer) for lb in prepared.labels]
    counts = Counter(labels)
    # Calibration needs each label in every fold.
    dropped = {lb: n for lb, n in counts.items() if n < config.calibration_folds}
    keep = [i for i, lb in enumerate(labels) if lb not in dropped]
    if len({labels[i] for i in keep}) < 2:
        raise ValueError("训练数据至少需要两个类别，且每类样本数不少于校准折数")
    model = topic_model_fit(
        tokens=[prepared.tokens[i] for i in keep], texts=[prepared.texts[i] for i in keep],
        labels=[labels[i] for i in keep], config=config, segmenter=segmenter.signature,
        urgent=[prepared.urgent[i] for i in keep] if prepared.urgent else None,
    )
    return TrainResult(model, dropped, time.perf_counter() - started, peak_rss_mib(), len(keep))


def router_predict_units(*, model: TopicModel, prepared: Prepared,
                         gazetteer: Gazetteer | None = None, batch: int = 2000) -> list[str]:
    gazetteer = gazetteer or gazetteer_get()
    out: list[str] = []
    for start in range(0, len(prepared.texts), batch):
        rows = router_rows(tokens=prepared.tokens[start:start + batch],
                           texts=prepared.texts[start:start + batch])
        for offset, p in enumerate(model.predict(rows, terms=0)):
            i = start + offset
            out.append(resolve_unit(p.ranked[0][0], text=prepared.texts[i],
                                    address=prepared.addresses[i], gazetteer=gazetteer))
    return out


@dataclass
class Metrics:
    accuracy: float
    macro_f1: float
    n_test: int
    per_class: dict[str, dict[str, float]] = field(default_factory=dict)
    confused: list[tuple[str, str, int]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"accuracy": self.accuracy, "macro_f1": self.macro_f1, "n_test": self.n_test,
                "per_class": self.per_class,
                "confused": [list(c) for c in self.confused]}


def metrics_compute(*, truth: Sequence[str], predicted: Sequence[str]) -> Metrics:
    labels = sorted(set(truth))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0)
    pairs = Counter((t, p) for t, p in zip(truth, predicted, strict=True) if t != p)
    return Metrics(
        accuracy=float(accuracy_score(truth, predicted)),
        # Macro over the labels that occur in the truth: a label only ever predicted wrongly
        # is counted through the other labels' precision.
        macro_f1=float(f1_score(truth, predicted, labels=labels, average="macro",
                                zero_division=0)),
        n_test=len(truth),
        per_class={lb: {"precision": float(p), "recall": float(r), "f1": float(f),
                        "support": int(n)}
                   for lb, p, r, f, n in zip(labels, precision, recall, f1, support,
                                             strict=True)},
        confused=[(t, p, n) for (t, p), n in pairs.most_common(10)],
    )


def router_evaluate(*, model: TopicModel, prepared: Prepared,
                    gazetteer: Gazetteer | None = None) -> Metrics:
    predicted = router_predict_units(model=model, prepared=prepared, gazetteer=gazetteer)
    return metrics_compute(truth=prepared.labels, predicted=predicted)


def prepared_subset(prepared: Prepared, index: Sequence[int]) -> Prepared:
    return Prepared([prepared.texts[i] for i in index], [prepared.tokens[i] for i in index],
                    [prepared.labels[i] for i in index], [prepared.addresses[i] for i in index],
                    0, [prepared.urgent[i] for i in index] if prepared.urgent else [])


@dataclass
class CrossValidation:
    folds: list[Metrics]
    pooled: Metrics
    seconds: float
    peak_rss_mib: float

    @property
    def macro_f1_mean(self) -> float:
        return float(np.mean([f.macro_f1 for f in self.folds]))

    @property
    def macro_f1_std(self) -> float:
        return float(np.std([f.macro_f1 for f in self.folds]))


def router_cross_validate(*, prepared: Prepared, config: RouterConfig, segmenter: Segmenter,
                          folds: int = 5, seed: int = 0,
                          gazetteer: Gazetteer | None = None) -> CrossValidation:
    gazetteer = gazetteer or gazetteer_get()
    started = time.perf_counter()
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    truth_all: list[str] = []
    predicted_all: list[str] = []
    results = []
    for train_index, test_index in splitter.split(prepared.texts, prepared.labels):
        trained = router_train(prepared=prepared_subset(prepared, train_index), config=config,
                               segmenter=segmenter, gazetteer=gazetteer)
        test = prepared_subset(prepared, test_index)
        predicted = router_predict_units(model=trained.model, prepared=test, gazetteer=gazetteer)
        results.append(metrics_compute(truth=test.labels, predicted=predicted))
        truth_all += test.labels
        predicted_all += predicted
    return CrossValidation(results, metrics_compute(truth=truth_all, predicted=predicted_all),
                           time.perf_counter() - started, peak_rss_mib())

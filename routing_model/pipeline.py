"""The text classifier: TF-IDF features over tokens and characters, a linear model, calibration.

Input rows are ``[tokens joined by spaces, normalised text]``: segmentation happens before the
scikit-learn pipeline, so the pipeline stores no Python callable and loads with skops without
trusting code. Street offices share one label (``@street``): the text says "this is a street
matter", the place says which street (see serving).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

STREET_LABEL = "@street"
FEATURE_SETS = ("word", "char", "union")


@dataclass(frozen=True)
class RouterConfig:
    features: str = "union"
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (1, 3)
    # Model size grows as classes × features × 8 bytes: cap each vocabulary.
    max_word_features: int = 150_000
    max_char_features: int = 150_000
    min_df: int = 2
    c: float = 0.5
    calibration_folds: int = 3
    seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RouterConfig:
        data = dict(data)
        for key in ("word_ngrams", "char_ngrams"):
            if key in data:
                data[key] = tuple(data[key])
        return cls(**data)


def router_rows(*, tokens: Sequence[Sequence[str]], texts: Sequence[str]) -> np.ndarray:
    """The pipeline's input: one row per ticket, [tokens joined, normalised text]."""
    rows = np.empty((len(texts), 2), dtype=object)
    rows[:, 0] = [" ".join(t) for t in tokens]
    rows[:, 1] = list(texts)
    return rows


def router_pipeline_build(*, config: RouterConfig, min_df: int | None = None) -> Pipeline:
    if config.features not in FEATURE_SETS:
        raise ValueError(f"features must be one of {FEATURE_SETS}")
    min_df = config.min_df if min_df is None else min_df
    parts = []
    if config.features in ("word", "union"):
        parts.append(("word", TfidfVectorizer(
            analyzer="word", token_pattern=r"\S+", lowercase=False, ngram_range=config.word_ngrams,
            sublinear_tf=True, min_df=min_df, max_features=config.max_word_features,
            dtype=np.float32,
        ), 0))
    if config.features in ("char", "union"):
        parts.append(("char", TfidfVectorizer(
            analyzer="char", lowercase=False, ngram_range=config.char_ngrams,
            sublinear_tf=True, min_df=min_df, max_features=config.max_char_features,
            dtype=np.float32,
        ), 1))
    classifier = CalibratedClassifierCV(
        LinearSVC(C=config.c, random_state=config.seed),
        method="sigmoid", cv=config.calibration_folds, ensemble=False,
    )
    return Pipeline([("features", ColumnTransformer(parts)), ("classifier", classifier)])


@dataclass(frozen=True)
class TopicPrediction:
    ranked: list[tuple[str, float]]  # every label, most probable first
    terms: list[str]  # features that weighed most for the top label


class TopicModel:
    """A trained pipeline and what it needs to explain itself."""

    def __init__(self, *, pipeline: Pipeline, config: RouterConfig, segmenter: str) -> None:
        self.pipeline = pipeline
        self.config = config
        self.segmenter = segmenter
        self.labels: list[str] = [str(c) for c in pipeline.classes_]
        self._names = np.array([n.split("__", 1)[1] for n in
                                pipeline.named_steps["features"].get_feature_names_out()])
        calibrated = pipeline.named_steps["classifier"].calibrated_classifiers_[0]
        self._coef = calibrated.estimator.coef_

    def predict(self, rows: np.ndarray, *, terms: int = 5) -> list[TopicPrediction]:
        features = self.pipeline.named_steps["features"].transform(rows)
        probabilities = self.pipeline.named_steps["classifier"].predict_proba(features)
        features = sparse.csr_matrix(features)
        out = []
        for i, probs in enumerate(probabilities):
            order = np.argsort(-probs)
            top = order[0]
            out.append(TopicPrediction(
                ranked=[(self.labels[j], float(probs[j])) for j in order],
                terms=self._terms(features.getrow(i), top, terms) if terms else [],
            ))
        return out

    def _terms(self, row: sparse.csr_matrix, label_index: int, k: int) -> list[str]:
        coef = self._coef[label_index] if self._coef.shape[0] > 1 else self._coef[0]
        weights = row.data * coef[row.indices]
        chosen: list[str] = []
        for j in np.argsort(-weights):
            if weights[j] <= 0 or len(chosen) >= k:
                break
            name = self._names[row.indices[j]].strip()
            # A character n-gram inside a word already shown adds nothing for a dispatcher.
            if name and not any(name in c for c in chosen):
                chosen.append(name)
        return chosen

    def to_state(self) -> dict[str, Any]:
        return {"format": 1, "pipeline": self.pipeline, "config": self.config.as_dict(),
                "segmenter": self.segmenter}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> TopicModel:
        if state.get("format") != 1:
            raise ValueError("unknown router artifact format")
        return cls(pipeline=state["pipeline"], config=RouterConfig.from_dict(state["config"]),
                   segmenter=state["segmenter"])


def topic_model_fit(*, tokens: Sequence[Sequence[str]], texts: Sequence[str],
                    labels: Sequence[str], config: RouterConfig, segmenter: str) -> TopicModel:
    """Train on pre-segmented samples. Labels with fewer samples than calibration folds can't
    be calibrated; the caller drops them (training.router_train reports which)."""
    rows = router_rows(tokens=tokens, texts=texts)
    # A tiny corpus has almost no term twice; min_df=2 would leave it without features.
    min_df = 1 if len(texts) < 200 else None
    pipeline = router_pipeline_build(config=config, min_df=min_df)
    pipeline.fit(rows, np.asarray(labels, dtype=object))
    return TopicModel(pipeline=pipeline, config=config, segmenter=segmenter)

"""The text classifier: TF-IDF over tokens and characters, a linear model, calibration.

Segmentation happens before this module, and the artifact holds only arrays, strings and
scikit-learn estimators, so it loads with skops without trusting any code. Street offices
share one label (``@street``): the text says "this is a street matter", the place says which
street (see serving).

Two ways to fit the linear model, chosen by corpus size (``solver="auto"``):

- ``liblinear``: LinearSVC with sigmoid calibration by 3-fold cross-validation. Best on small
  corpora, but liblinear copies the whole feature matrix and the calibration refits it 4 times:
  20,000 tickets take minutes and half a million do not fit in memory.
- ``sgd``: the features are computed chunk by chunk and streamed into a hinge-loss
  SGDClassifier (same objective as LinearSVC, alpha = 1 / (C·n)), so no full matrix ever exists;
  a stratified held-out slice, never trained on, calibrates it.

Serving computes the calibrated probabilities with NumPy from the fitted parameters, because
CalibratedClassifierCV.predict_proba costs ~10 ms of per-call validation for one ticket (tests
compare both).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.svm import LinearSVC

from routing_model.char_features import CharNgramTfidf
from routing_model.explanation import term_is_reason
from routing_model.word_features import WordNgramTfidf

STREET_LABEL = "@street"
FEATURE_SETS = ("word", "char", "union")
SOLVERS = ("auto", "liblinear", "sgd")
FORMAT = 2


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
    solver: str = "auto"
    sgd_above: int = 20_000  # "auto" streams into SGD above this many samples
    sgd_epochs: int = 0  # 0: enough passes to make sgd_updates updates, at most 5
    sgd_updates: int = 100_000
    sgd_chunk: int = 20_000
    calibration_share: float = 0.1  # sgd: held-out slice for calibration,
    calibration_max: int = 20_000  # capped: a sigmoid per label needs no more
    jobs: int = -1  # sgd: one-vs-rest labels fitted on every core
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


@dataclass(frozen=True)
class RouterRows:
    """The model's input: each ticket's tokens and its normalised text."""

    tokens: Sequence[Sequence[str]]
    texts: Sequence[str]

    def __len__(self) -> int:
        return len(self.texts)


def router_rows(*, tokens: Sequence[Sequence[str]], texts: Sequence[str]) -> RouterRows:
    return RouterRows(tokens=tokens, texts=texts)


@dataclass(frozen=True)
class TopicPrediction:
    ranked: list[tuple[str, float]]  # every label, most probable first
    terms: list[str]  # features that weighed most for the top label
    urgent: float | None = None  # calibrated P(urgent), when the model learnt urgency


class _Calibrated:
    """A fitted linear classifier with sigmoid calibration, as arrays for fast serving."""

    def __init__(self, classifier: CalibratedClassifierCV) -> None:
        calibrated = classifier.calibrated_classifiers_[0]
        linear = calibrated.estimator  # LinearSVC, or the SGDClassifier inside FrozenEstimator
        linear = getattr(linear, "estimator", linear)
        self.labels = [str(c) for c in classifier.classes_]
        self.coef = linear.coef_
        self.intercept = linear.intercept_
        # features @ coef.T with coef.T not C-contiguous makes SciPy copy the whole matrix
        # (classes × features) on every call.
        self.coef_t = np.ascontiguousarray(self.coef.T)
        self.a = np.array([c.a_ for c in calibrated.calibrators], dtype=np.float64)
        self.b = np.array([c.b_ for c in calibrated.calibrators], dtype=np.float64)

    def probabilities(self, features: sparse.csr_matrix) -> np.ndarray:
        decision = np.asarray(features @ self.coef_t) + self.intercept
        # Typed as float arrays: numpy's operators on a bare ndarray give Any.
        calibrated: NDArray[np.float64] = 1.0 / (1.0 + np.exp(self.a * decision + self.b))
        if len(self.labels) == 2:
            return np.column_stack([1.0 - calibrated[:, 0], calibrated[:, 0]])
        total: NDArray[np.float64] = calibrated.sum(axis=1, keepdims=True)
        uniform = np.full_like(calibrated, 1.0 / len(self.labels))
        return np.divide(calibrated, total, out=uniform, where=total != 0)


class TopicModel:
    """Fitted featurisers and calibrated classifier, and what they need to explain a result."""

    def __init__(self, *, word: WordNgramTfidf | None, char: CharNgramTfidf | None,
                 classifier: CalibratedClassifierCV, config: RouterConfig,
                 segmenter: str, urgency: CalibratedClassifierCV | None = None) -> None:
        self.word = word
        self.char = char
        self.classifier = classifier
        # Urgent or not, learnt from the same features when the samples say (optional).
        self.urgency = urgency
        self._urgency = _Calibrated(urgency) if urgency is not None else None
        self.config = config
        self.segmenter = segmenter
        self.labels: list[str] = [str(c) for c in classifier.classes_]
        names: list[str] = []
        if word is not None:
            names += word.terms
        if char is not None:
            names += char.strings
        self._names = np.array(names, dtype=object)
        self._topics = _Calibrated(classifier)
        self._coef = self._topics.coef
        self._label_array = np.array(self.labels, dtype=object)

    def features(self, rows: RouterRows) -> sparse.csr_matrix:
        return _features(self.word, self.char, rows.tokens, rows.texts)

    def probabilities(self, features: sparse.csr_matrix) -> np.ndarray:
        return self._topics.probabilities(features)

    def urgent_probabilities(self, features: sparse.csr_matrix) -> np.ndarray | None:
        if self._urgency is None:
            return None
        urgent = self._urgency.labels.index("True")
        return self._urgency.probabilities(features)[:, urgent]

    def predict(self, rows: RouterRows, *, terms: int = 5) -> list[TopicPrediction]:
        features = self.features(rows)
        probabilities = self.probabilities(features)
        urgent = self.urgent_probabilities(features)
        out = []
        for i, probs in enumerate(probabilities):
            order = np.argsort(-probs)
            out.append(TopicPrediction(
                ranked=list(zip(self._label_array[order].tolist(), probs[order].tolist(),
                                strict=True)),
                terms=self._terms(features, i, order[0], terms) if terms else [],
                urgent=float(urgent[i]) if urgent is not None else None,
            ))
        return out

    def _terms(self, features: sparse.csr_matrix, i: int, label_index: int, k: int,
               ) -> list[str]:
        coef = self._coef[label_index] if self._coef.shape[0] > 1 else self._coef[0]
        lo, hi = features.indptr[i], features.indptr[i + 1]
        indices, values = features.indices[lo:hi], features.data[lo:hi]
        weights = values * coef[indices]
        chosen: list[str] = []
        for j in np.argsort(-weights):
            if weights[j] <= 0 or len(chosen) >= k:
                break
            name = str(self._names[indices[j]]).strip()
            # A character n-gram inside a word already shown adds nothing for a dispatcher, and
            # single characters, numbers and filler are no reason to a person (explanation).
            if term_is_reason(name) and not any(name in c for c in chosen):
                chosen.append(name)
        return chosen

    def to_state(self) -> dict[str, Any]:
        return {"format": FORMAT,
                "word": self.word.to_state() if self.word is not None else None,
                "char": self.char.to_state() if self.char is not None else None,
                "classifier": self.classifier, "urgency": self.urgency,
                "config": self.config.as_dict(),
                "segmenter": self.segmenter}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> TopicModel:
        if state.get("format") != FORMAT:
            raise ValueError("unknown router artifact format")
        char = CharNgramTfidf.from_state(state["char"]) if state.get("char") else None
        word = WordNgramTfidf.from_state(state["word"]) if state.get("word") else None
        return cls(word=word, char=char, classifier=state["classifier"],
                   config=RouterConfig.from_dict(state["config"]), segmenter=state["segmenter"],
                   urgency=state.get("urgency"))


def _features(word: WordNgramTfidf | None, char: CharNgramTfidf | None,
              tokens: Sequence[Sequence[str]], texts: Sequence[str]) -> sparse.csr_matrix:
    parts = []
    if word is not None:
        parts.append(word.transform(tokens))
    if char is not None:
        parts.append(char.transform(texts))
    return sparse.hstack(parts, format="csr") if len(parts) > 1 else parts[0].tocsr()


def solver_choose(*, config: RouterConfig, samples: int) -> str:
    if config.solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}")
    if config.solver != "auto":
        return config.solver
    return "sgd" if samples > config.sgd_above else "liblinear"


def topic_model_fit(*, tokens: Sequence[Sequence[str]], texts: Sequence[str],
                    labels: Sequence[str], config: RouterConfig, segmenter: str,
                    urgent: Sequence[bool | None] | None = None) -> TopicModel:
    """Train on pre-segmented samples. Labels with fewer samples than calibration folds can't
    be calibrated; the caller drops them (training.router_train reports which)."""
    if config.features not in FEATURE_SETS:
        raise ValueError(f"features must be one of {FEATURE_SETS}")
    solver = solver_choose(config=config, samples=len(texts))
    # A tiny corpus has almost no term twice; min_df=2 would leave it without features.
    min_df = 1 if len(texts) < 200 else config.min_df
    word = char = None
    if config.features in ("word", "union"):
        word = WordNgramTfidf(ngram_range=config.word_ngrams,
                              max_features=config.max_word_features, min_df=min_df)
        word.fit(tokens)
    if config.features in ("char", "union"):
        char = CharNgramTfidf(ngram_range=config.char_ngrams,
                              max_features=config.max_char_features, min_df=min_df)
        char.fit(texts)
    y = np.asarray(labels, dtype=object)

    def featurise(index: np.ndarray) -> sparse.csr_matrix:
        return _features(word, char, [tokens[i] for i in index], [texts[i] for i in index])

    classifier = _linear_fit(featurise=featurise, index=np.arange(len(texts)), labels=y,
                             config=config, solver=solver)
    urgency = None
    if urgent is not None:
        known = np.array([i for i, u in enumerate(urgent) if u is not None], dtype=np.int64)
        flags = np.array([str(bool(urgent[i])) for i in known], dtype=object)
        counts = [int((flags == v).sum()) for v in ("True", "False")]
        # Only when both kinds are there often enough to calibrate.
        if min(counts) >= max(config.calibration_folds, 2):
            urgency = _linear_fit(featurise=featurise, index=known, labels=flags,
                                  config=config, solver=solver)
    return TopicModel(word=word, char=char, classifier=classifier, config=config,
                      segmenter=segmenter, urgency=urgency)


def _linear_fit(*, featurise: Callable[[np.ndarray], sparse.csr_matrix], index: np.ndarray,
                labels: np.ndarray, config: RouterConfig, solver: str) -> CalibratedClassifierCV:
    """A calibrated linear classifier over the samples at ``index`` (labels aligned with it)."""
    if solver == "liblinear":
        classifier = CalibratedClassifierCV(
            LinearSVC(C=config.c, random_state=config.seed),
            method="sigmoid", cv=config.calibration_folds, ensemble=False,
        )
        classifier.fit(featurise(index), labels)
        return classifier
    return _sgd_fit(featurise=lambda rows: featurise(index[rows]), labels=labels, config=config)


def _sgd_fit(*, featurise: Callable[[np.ndarray], sparse.csr_matrix], labels: np.ndarray,
             config: RouterConfig) -> CalibratedClassifierCV:
    classes = np.unique(labels)
    n = len(labels)
    held = min(max(int(n * config.calibration_share), len(classes)), config.calibration_max)
    train, calibrate = train_test_split(np.arange(n), test_size=held, stratify=labels,
                                        random_state=config.seed)
    sgd = SGDClassifier(loss="hinge", alpha=1.0 / (config.c * len(train)),
                        random_state=config.seed, n_jobs=config.jobs)
    rng = np.random.default_rng(config.seed)
    # Measured: on 20,000 generated tickets 1 pass = 2 passes; on 2,800 real messages 1 pass
    # loses 1.5 points of macro-F1 and 5 passes recover it (BENCHMARKS.md).
    epochs = config.sgd_epochs or min(5, math.ceil(config.sgd_updates / len(train)))
    chunks = [order[start:start + config.sgd_chunk]
              for order in (rng.permutation(train) for _ in range(epochs))  # fair samples
              for start in range(0, len(order), config.sgd_chunk)]
    # The next chunk is featurised while SGD (which releases the GIL) fits this one.
    with ThreadPoolExecutor(max_workers=1) as ahead:
        pending = ahead.submit(featurise, chunks[0])
        for i, chunk in enumerate(chunks):
            features = pending.result()
            if i + 1 < len(chunks):
                pending = ahead.submit(featurise, chunks[i + 1])
            sgd.partial_fit(features, labels[chunk], classes=classes)
    classifier = CalibratedClassifierCV(FrozenEstimator(sgd), method="sigmoid")
    classifier.fit(featurise(calibrate), labels[calibrate])
    return classifier

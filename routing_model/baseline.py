"""The comparison baseline: plain jieba (its own dictionary only), word TF-IDF, LinearSVC.

No normalisation, no domain dictionary, no character n-grams, no calibration: what a first
attempt looks like, so the figures show what the pipeline's extra parts are worth.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from routing_model.training import CrossValidation, metrics_compute, peak_rss_mib


def baseline_cross_validate(*, texts: Sequence[str], labels: Sequence[str], folds: int = 5,
                            seed: int = 0) -> CrossValidation:
    import jieba

    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    started = time.perf_counter()
    joined = np.array([" ".join(tokenizer.lcut(t)) for t in texts], dtype=object)
    y = np.asarray(labels, dtype=object)
    results, truth_all, predicted_all = [], [], []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_index, test_index in splitter.split(joined, y):
        model = Pipeline([
            ("tfidf", TfidfVectorizer(token_pattern=r"(?u)\b\w+\b")),
            ("svm", LinearSVC(random_state=seed)),
        ]).fit(joined[train_index], y[train_index])
        predicted = [str(p) for p in model.predict(joined[test_index])]
        truth = [str(t) for t in y[test_index]]
        results.append(metrics_compute(truth=truth, predicted=predicted))
        truth_all += truth
        predicted_all += predicted
    return CrossValidation(results, metrics_compute(truth=truth_all, predicted=predicted_all),
                           time.perf_counter() - started, peak_rss_mib())

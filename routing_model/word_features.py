"""Word n-gram TF-IDF over pre-segmented tokens, with plain dictionaries.

Does what scikit-learn's TfidfVectorizer does for ``"tok tok tok"`` strings (sublinear tf,
smooth idf, L2 norm) without its per-call validation, which costs ~1 ms for one ticket; the
vocabulary is a list of terms, so the artifact holds no code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
from scipy import sparse

from routing_model.tfidf import tfidf_rows


def _grams(tokens: Sequence[str], n_min: int, n_max: int) -> Iterator[str]:
    for n in range(n_min, n_max + 1):
        if n == 1:
            yield from tokens
        else:
            for i in range(len(tokens) - n + 1):
                yield " ".join(tokens[i:i + n])


class WordNgramTfidf:
    def __init__(self, *, ngram_range: tuple[int, int], max_features: int, min_df: int) -> None:
        self.ngram_range = ngram_range
        self.max_features = max_features
        self.min_df = min_df
        self.terms: list[str] = []
        self.vocabulary: dict[str, int] = {}
        self.idf = np.empty(0, np.float64)

    def fit(self, documents: Sequence[Sequence[str]]) -> WordNgramTfidf:
        df: Counter[str] = Counter()
        for tokens in documents:
            df.update(set(_grams(tokens, *self.ngram_range)))
        kept = [(term, n) for term, n in df.items() if n >= self.min_df]
        # Most frequent first; ties by term so the choice is deterministic.
        kept.sort(key=lambda kv: (-kv[1], kv[0]))
        kept = sorted(kept[: self.max_features])
        self.terms = [t for t, _ in kept]
        self.vocabulary = {t: i for i, t in enumerate(self.terms)}
        counts = np.array([n for _, n in kept], dtype=np.float64)
        self.idf = np.log((1 + len(documents)) / (1 + counts)) + 1.0
        return self

    def transform(self, documents: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        get = self.vocabulary.get
        size = len(self.terms)
        columns: list[int] = []
        lengths = np.zeros(len(documents), dtype=np.int64)
        for row, tokens in enumerate(documents):
            # map() over the dict's get keeps the per-term work in C.
            found = [j for j in map(get, self._grams(tokens)) if j is not None]
            columns += found
            lengths[row] = len(found)
        if not columns:
            return sparse.csr_matrix((len(documents), size), dtype=np.float64)
        keys = np.repeat(np.arange(len(documents), dtype=np.int64) * size, lengths)
        keys += np.asarray(columns, dtype=np.int64)
        uniq, counts = np.unique(keys, return_counts=True)
        rows, cols = np.divmod(uniq, size)
        indptr = np.searchsorted(rows, np.arange(len(documents) + 1))
        return tfidf_rows(counts=counts, cols=cols, indptr=indptr, idf=self.idf,
                          n_features=size)

    def _grams(self, tokens: Sequence[str]) -> list[str]:
        n_min, n_max = self.ngram_range
        if (n_min, n_max) == (1, 2):  # the configuration in use: the fast path
            return [*tokens, *(a + " " + b for a, b in pairwise(tokens))]
        return list(_grams(tokens, n_min, n_max))

    def fit_transform(self, documents: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        return self.fit(documents).transform(documents)

    def to_state(self) -> dict[str, Any]:
        return {"ngram_range": list(self.ngram_range), "max_features": self.max_features,
                "min_df": self.min_df, "terms": list(self.terms), "idf": self.idf}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> WordNgramTfidf:
        obj = cls(ngram_range=tuple(state["ngram_range"]), max_features=state["max_features"],
                  min_df=state["min_df"])
        obj.terms = list(state["terms"])
        obj.vocabulary = {t: i for i, t in enumerate(obj.terms)}
        obj.idf = np.asarray(state["idf"], dtype=np.float64)
        return obj

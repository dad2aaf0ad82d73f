"""Character n-gram TF-IDF computed with NumPy over code points, not Python strings.

scikit-learn's char analyzer builds every n-gram as a Python string: about a millisecond per
ticket and, when fitting half a million tickets, a vocabulary dict of tens of millions of
strings (over 5 GiB). Here each n-gram is a 64-bit polynomial hash of its code points, computed
for a whole batch at once; the vocabulary is a sorted array of hashes (searchsorted to look
up) with the n-gram text kept only for the features chosen, to explain predictions.
The weighting is scikit-learn's: sublinear tf, smooth idf, L2 norm.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse

from routing_model.hash_index import HashIndex
from routing_model.tfidf import tfidf_rows

_MULT = np.uint64(0x100000001B3)  # FNV-style multiplier; uint64 arithmetic wraps by design
_SEP = "\x00"


def _batch(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, str]:
    """Code points of the texts joined by NUL, and each position's document index."""
    clean = [t.replace(_SEP, " ") for t in texts]
    joined = _SEP.join(clean) + _SEP
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(t) + 1 for t in clean), dtype=np.int64, count=len(clean))
    doc_of = np.repeat(np.arange(len(clean), dtype=np.int64), lengths)
    return cps, doc_of, joined


def _ngrams(cps: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every n-gram that contains no separator, and their start positions."""
    count = len(cps) - n + 1
    if count <= 0:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    h = np.full(count, np.uint64(n), dtype=np.uint64)  # n in the seed: sizes never collide
    valid = np.ones(count, dtype=bool)
    with np.errstate(over="ignore"):
        for k in range(n):
            window = cps[k:k + count]
            h = h * _MULT + window + np.uint64(1)
            valid &= window != 0
    starts = np.flatnonzero(valid)
    return h[starts], starts


class CharNgramTfidf:
    def __init__(self, *, ngram_range: tuple[int, int], max_features: int, min_df: int) -> None:
        self.ngram_range = ngram_range
        self.max_features = max_features
        self.min_df = min_df
        self.hashes = np.empty(0, np.uint64)
        self.idf = np.empty(0, np.float64)
        self.strings: list[str] = []
        self._table = HashIndex(self.hashes)

    def _sizes(self) -> range:
        return range(self.ngram_range[0], self.ngram_range[1] + 1)

    def fit(self, texts: Sequence[str], *, chunk: int = 20_000) -> CharNgramTfidf:
        seen_h: list[np.ndarray] = []
        seen_c: list[np.ndarray] = []
        for start in range(0, len(texts), chunk):
            cps, doc_of, _ = _batch(texts[start:start + chunk])
            for n in self._sizes():
                h, pos = _ngrams(cps, n)
                # Document frequency: each (document, n-gram) once.
                docs = doc_of[pos]
                order = np.lexsort((h, docs))
                d, hh = docs[order], h[order]
                first = np.r_[True, (d[1:] != d[:-1]) | (hh[1:] != hh[:-1])]
                uniq, counts = np.unique(hh[first], return_counts=True)
                seen_h.append(uniq)
                seen_c.append(counts)
        all_h = np.concatenate(seen_h) if seen_h else np.empty(0, np.uint64)
        if not len(all_h):
            raise ValueError("no character n-grams in the training texts")
        all_c = np.concatenate(seen_c)
        order = np.argsort(all_h, kind="stable")
        all_h, all_c = all_h[order], all_c[order]
        heads = np.flatnonzero(np.r_[True, all_h[1:] != all_h[:-1]])
        hashes = all_h[heads]
        df = np.add.reduceat(all_c, heads)
        keep = df >= self.min_df
        hashes, df = hashes[keep], df[keep]
        if len(hashes) > self.max_features:
            # Most frequent first; ties broken by hash so the choice is deterministic.
            chosen = np.lexsort((hashes, -df))[: self.max_features]
            hashes, df = hashes[chosen], df[chosen]
        order = np.argsort(hashes)
        self.hashes, df = hashes[order], df[order]
        self._table = HashIndex(self.hashes)
        self.idf = np.log((1 + len(texts)) / (1 + df)) + 1.0
        self.strings = self._recover_strings(texts, chunk)
        return self

    def _recover_strings(self, texts: Sequence[str], chunk: int) -> list[str]:
        strings: list[str] = [""] * len(self.hashes)
        found = np.zeros(len(self.hashes), dtype=bool)
        for start in range(0, len(texts), chunk):
            if found.all():
                break
            cps, _, joined = _batch(texts[start:start + chunk])
            for n in self._sizes():
                h, pos = _ngrams(cps, n)
                idx = self._lookup(h)
                hit = np.flatnonzero(idx >= 0)
                # Only the first occurrence of each feature not yet named: a Python loop over
                # every occurrence took minutes on half a million tickets.
                new, first = np.unique(idx[hit], return_index=True)
                fresh = ~found[new]
                for k, p in zip(new[fresh].tolist(), pos[hit[first[fresh]]].tolist(),
                                strict=True):
                    strings[k] = joined[p:p + n]
                found[new] = True
        return strings

    def _lookup(self, h: np.ndarray) -> np.ndarray:
        """Feature index of each hash, -1 where it is not a feature."""
        return self._table.lookup(h)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        size = len(self.hashes)
        if not texts:
            return sparse.csr_matrix((0, size), dtype=np.float64)
        cps, doc_of, _ = _batch(texts)
        keys = []
        for n in self._sizes():
            h, pos = _ngrams(cps, n)
            if not size or not len(h):
                continue
            idx = self._lookup(h)
            hit = idx >= 0
            keys.append(doc_of[pos[hit]] * size + idx[hit])
        if not keys or not sum(len(k) for k in keys):
            return sparse.csr_matrix((len(texts), size), dtype=np.float64)
        uniq, counts = np.unique(np.concatenate(keys), return_counts=True)
        rows, cols = np.divmod(uniq, size)
        indptr = np.searchsorted(rows, np.arange(len(texts) + 1))
        return tfidf_rows(counts=counts, cols=cols, indptr=indptr, idf=self.idf, n_features=size)

    def fit_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return self.fit(texts).transform(texts)

    def to_state(self) -> dict[str, Any]:
        return {"ngram_range": list(self.ngram_range), "max_features": self.max_features,
                "min_df": self.min_df, "hashes": self.hashes, "idf": self.idf,
                "strings": list(self.strings)}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> CharNgramTfidf:
        obj = cls(ngram_range=tuple(state["ngram_range"]), max_features=state["max_features"],
                  min_df=state["min_df"])
        obj.hashes = np.asarray(state["hashes"], dtype=np.uint64)
        obj._table = HashIndex(obj.hashes)
        obj.idf = np.asarray(state["idf"], dtype=np.float64)
        obj.strings = list(state["strings"])
        return obj

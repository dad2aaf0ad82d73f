"""The last step of both featurisers: a CSR matrix of TF-IDF weights with unit-length rows.

Built from raw arrays rather than through scikit-learn's normalize, whose input validation
costs more than the arithmetic for the one-ticket case.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse


def tfidf_rows(*, counts: np.ndarray, cols: np.ndarray, indptr: np.ndarray, idf: np.ndarray,
               n_features: int) -> sparse.csr_matrix:
    """Sublinear tf × idf, each row scaled to L2 norm 1 (empty rows stay empty)."""
    data = (1.0 + np.log(counts.astype(np.float64))) * idf[cols]
    if len(data):
        lengths = np.diff(indptr)
        sums = np.add.reduceat(data * data, indptr[:-1][lengths > 0])
        norms = np.ones(len(lengths))
        norms[lengths > 0] = np.sqrt(sums)
        data /= np.repeat(norms, lengths)
    return sparse.csr_matrix((data, cols, indptr), shape=(len(indptr) - 1, n_features))

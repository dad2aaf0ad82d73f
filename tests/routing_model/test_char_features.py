from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from routing_model.char_features import CharNgramTfidf

TEXTS = ["小区门口占道经营", "家里停水了，水压低", "路口违章停车", "占道经营又来了 水",
         "", "abc ABC 123", "停水停电"]


def _as_dicts(matrix, names):
    out = []
    for i in range(matrix.shape[0]):
        row = matrix.getrow(i)
        out.append({names[j]: round(float(v), 6) for j, v in zip(row.indices, row.data,
                                                                  strict=True)})
    return out


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 3), (2, 3)])
def test_it_weighs_exactly_like_scikit_learns_char_tfidf(ngram_range):
    ours = CharNgramTfidf(ngram_range=ngram_range, max_features=10_000, min_df=1).fit(TEXTS)
    theirs = TfidfVectorizer(analyzer="char", ngram_range=ngram_range, lowercase=False,
                             sublinear_tf=True, min_df=1).fit(TEXTS)
    assert sorted(ours.strings) == sorted(theirs.get_feature_names_out())
    assert _as_dicts(ours.transform(TEXTS), ours.strings) == _as_dicts(
        theirs.transform(TEXTS), list(theirs.get_feature_names_out()))


def test_min_df_and_max_features_keep_the_most_frequent_ngrams():
    model = CharNgramTfidf(ngram_range=(1, 1), max_features=2, min_df=2).fit(
        ["水水电", "水电", "水路", "车"])
    assert sorted(model.strings) == ["水", "电"]


def test_unknown_ngrams_are_ignored_and_an_empty_text_is_an_empty_row():
    model = CharNgramTfidf(ngram_range=(1, 2), max_features=100, min_df=1).fit(["停水", "停电"])
    matrix = model.transform(["完全无关", "", "停水"])
    assert matrix.shape == (3, len(model.strings))
    assert matrix.getrow(0).nnz == 0 and matrix.getrow(1).nnz == 0
    assert np.isclose(np.linalg.norm(matrix.getrow(2).toarray()), 1.0)


def test_its_state_round_trips():
    model = CharNgramTfidf(ngram_range=(1, 3), max_features=100, min_df=1).fit(TEXTS)
    again = CharNgramTfidf.from_state(model.to_state())
    assert (again.transform(TEXTS) != model.transform(TEXTS)).nnz == 0


def test_fitting_in_chunks_gives_the_same_vocabulary():
    texts = [f"第{i}号楼停水" for i in range(50)]
    whole = CharNgramTfidf(ngram_range=(1, 2), max_features=1000, min_df=2).fit(texts)
    chunked = CharNgramTfidf(ngram_range=(1, 2), max_features=1000, min_df=2).fit(texts,
                                                                                   chunk=7)
    assert (whole.hashes == chunked.hashes).all() and whole.strings == chunked.strings

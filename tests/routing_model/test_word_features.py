from __future__ import annotations

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from routing_model.word_features import WordNgramTfidf

DOCS = [["小区", "停水", "两天"], ["停水", "停电"], ["占道经营", "小区", "门口", "占道经营"],
        [], ["3", "号", "楼", "停水"]]


def _as_dicts(matrix, names):
    return [{names[j]: round(float(v), 6) for j, v in zip(matrix.getrow(i).indices,
                                                          matrix.getrow(i).data, strict=True)}
            for i in range(matrix.shape[0])]


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2), (2, 2)])
def test_it_weighs_exactly_like_scikit_learn_on_joined_tokens(ngram_range):
    ours = WordNgramTfidf(ngram_range=ngram_range, max_features=1000, min_df=1).fit(DOCS)
    theirs = TfidfVectorizer(token_pattern=r"\S+", lowercase=False, ngram_range=ngram_range,
                             sublinear_tf=True).fit([" ".join(d) for d in DOCS])
    assert ours.terms == list(theirs.get_feature_names_out())
    assert _as_dicts(ours.transform(DOCS), ours.terms) == _as_dicts(
        theirs.transform([" ".join(d) for d in DOCS]), ours.terms)


def test_the_most_frequent_terms_are_kept_when_capped():
    model = WordNgramTfidf(ngram_range=(1, 1), max_features=2, min_df=1).fit(
        [["停水", "小区"], ["停水", "停电"], ["停电"], ["门口"]])
    assert model.terms == ["停水", "停电"]


def test_its_state_round_trips():
    model = WordNgramTfidf(ngram_range=(1, 2), max_features=100, min_df=1).fit(DOCS)
    again = WordNgramTfidf.from_state(model.to_state())
    assert (again.transform(DOCS) != model.transform(DOCS)).nnz == 0

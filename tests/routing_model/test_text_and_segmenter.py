from __future__ import annotations

import pytest

from routing_model.segmenter import STOPWORDS_FILE, DictionaryWord, Segmenter, segmenter_get
from routing_model.text import text_normalise


def test_full_width_letters_and_digits_become_half_width():
    assert text_normalise("３号楼ＡＢ座") == "3号楼AB座"


def test_courtesies_at_the_start_and_end_are_dropped():
    assert text_normalise("尊敬的领导：您好！小区停水了。望尽快处理！") == "小区停水了。"


def test_phone_numbers_masked_or_not_are_removed():
    assert text_normalise("联系电话138****1234，或 0755-8888 1234 谢谢") == "联系电话 ,或"


def test_runs_of_whitespace_become_one_space():
    assert text_normalise("路灯\n\n  不亮\t了") == "路灯 不亮 了"


@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_a_domain_term_stays_one_token_with_either_backend(backend):
    words = [DictionaryWord("占道经营", 3000, "n"), DictionaryWord("景田北小区", 3000, "ns")]
    segmenter = Segmenter(backend=backend, words=words, stopwords=[])
    tokens = segmenter.tokens("景田北小区门口有人占道经营")
    assert "占道经营" in tokens and "景田北小区" in tokens


def test_stop_words_and_punctuation_are_not_tokens():
    segmenter = Segmenter(backend="rjieba", words=[],
                          stopwords=STOPWORDS_FILE.read_text("utf-8").split())
    tokens = segmenter.tokens("我们的小区，已经停水了！！")
    assert "我们" not in tokens and "的" not in tokens and "，" not in tokens
    assert "停水" in tokens or "水" in tokens


def test_an_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="unknown segmenter backend"):
        Segmenter(backend="thulac", words=[], stopwords=[])


def test_the_signature_changes_with_the_dictionary():
    a = Segmenter(backend="rjieba", words=[DictionaryWord("甲乙", 1, "n")], stopwords=[])
    b = Segmenter(backend="rjieba", words=[DictionaryWord("甲丙", 1, "n")], stopwords=[])
    assert a.signature != b.signature and a.signature.startswith("rjieba:")


def test_the_process_builds_one_segmenter_and_reuses_it(router_data_dir):
    first = segmenter_get(backend="rjieba")
    assert segmenter_get(backend="rjieba") is first
    # the data dir's domain dictionary and gazetteer names are in it
    assert "占道经营" in first.tokens("有人占道经营")
    assert "天健花园" in first.tokens("天健花园门口")


def test_shared_tokens_are_one_string_object_per_word_across_tickets(segmenter):
    # Built at run time so neither string is a compile-time constant interned by Python.
    first = segmenter.tokens("".join(["路灯", "坏了"]), shared=True)
    second = segmenter.tokens("".join(["路灯", "又坏了"]), shared=True)
    assert first[0] == "路灯" and first[0] is second[0]
    assert segmenter.tokens("".join(["路灯", "坏了"])) == first

"""The terms shown to a dispatcher as the reason for a suggestion are words a person accepts
as a reason: no single characters, numbers, stop words or filler."""

from __future__ import annotations

from routing_model.explanation import reason_terms, term_is_reason


def test_single_characters_digits_and_filler_are_not_reasons():
    assert reason_terms(["楼", "楼道", "景华花园", "停", "东"]) == ["楼道", "景华花园"]
    assert reason_terms(["23", "中午", "真的"]) == []
    assert reason_terms(["3号楼", "噪音", "我们", "、", "噪音"]) == ["噪音"]


def test_words_of_two_or_more_characters_are_reasons():
    for word in ("路灯", "井盖", "噪音扰民", "water"):
        assert term_is_reason(word)


def test_the_number_of_terms_shown_can_be_limited():
    assert reason_terms(["路灯", "井盖", "积水"], limit=2) == ["路灯", "井盖"]

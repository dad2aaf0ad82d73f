"""Which of the features that weighed most are worth showing a dispatcher as the reason for a
suggestion. The model may lean on a single character, a number or a time word, and that is
fine for ranking; as an explanation it reads as noise ("楼、停、东", "23、中午、真的"), so only
terms of two or more characters, with no digit, that are neither stop words nor filler are
shown. Applied when the explanation is made and again when an older stored one is shown."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@cache
def _not_reasons() -> frozenset[str]:
    words: set[str] = set()
    for name in ("stopwords.txt", "explanation_filler.txt"):
        words.update((DATA / name).read_text(encoding="utf-8").split())
    return frozenset(words)


def term_is_reason(term: str) -> bool:
    """A term a person would accept as a reason: a word, not a character, number or filler."""
    text = term.strip()
    if len(text) < 2 or any(ch.isdigit() for ch in text):
        return False
    if not all(ch.isalpha() for ch in text):  # punctuation or spaces inside an n-gram
        return False
    return text not in _not_reasons()


def reason_terms(terms: Iterable[object], *, limit: int | None = None) -> list[str]:
    """The terms worth showing, in their order, each once, at most ``limit``."""
    shown: list[str] = []
    for term in terms:
        text = str(term).strip()
        if term_is_reason(text) and text not in shown:
            shown.append(text)
            if limit is not None and len(shown) >= limit:
                break
    return shown

"""Chinese word segmentation with jieba's dictionary plus the domain dictionary.

One segmenter per process (built on first use, a second or so for jieba's prefix dictionary),
never one per ticket. Two backends with the same dictionary semantics: ``jieba`` (pure
Python) and ``rjieba`` (its Rust port, many times faster); ``ROUTER_SEGMENTER`` chooses, and the
routing benchmark measures both. Tokens are returned without stop words or punctuation.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from sys import intern
from typing import Protocol

from django.conf import settings

STOPWORDS_FILE = Path(__file__).resolve().parent / "data" / "stopwords.txt"


class _Backend(Protocol):
    def add_word(self, word: str, freq: int, tag: str) -> object: ...


@dataclass(frozen=True)
class DictionaryWord:
    word: str
    freq: int
    tag: str


def domain_words(*, data_dir: Path) -> list[DictionaryWord]:
    """Civic terms, unit names and every street, community and place of the gazetteer."""
    words: dict[str, DictionaryWord] = {}

    def add(word: str, freq: int, tag: str) -> None:
        word = word.strip()
        if len(word) >= 2 and word not in words:
            words[word] = DictionaryWord(word, freq, tag)

    terms = data_dir / "domain_dictionary.txt"
    if terms.exists():
        for line in terms.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if not parts or line.startswith("#"):
                continue
            freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 2000
            add(parts[0], freq, parts[2] if len(parts) > 2 else "n")
    units = data_dir / "units.json"
    if units.exists():
        for unit in json.loads(units.read_text(encoding="utf-8")):
            add(unit["short_name"], 3000, "nt")
    gazetteer = data_dir / "gazetteer.json"
    if gazetteer.exists():
        for street in json.loads(gazetteer.read_text(encoding="utf-8"))["streets"]:
            for name in [street["name"], *street.get("aliases", [])]:
                add(name, 3000, "ns")
            for community in street["communities"]:
                for name in [community["name"], *community.get("aliases", []),
                             *community.get("places", [])]:
                    add(name, 3000, "ns")
    return sorted(words.values(), key=lambda w: w.word)


class Segmenter:
    """Segments normalised text into content tokens."""

    def __init__(self, *, backend: str, words: Sequence[DictionaryWord],
                 stopwords: Iterable[str]) -> None:
        if backend not in ("jieba", "rjieba"):
            raise ValueError(f"unknown segmenter backend {backend!r}: jieba or rjieba")
        self.backend = backend
        self.words = list(words)
        self.stopwords = frozenset(stopwords)
        self._cut = self._build()

    def _build(self) -> Callable[[str], list[str]]:
        if self.backend == "rjieba":
            import rjieba

            engine = rjieba.Jieba()
            for w in self.words:
                engine.add_word(w.word, w.freq, w.tag)
            return lambda text: engine.cut(text, True)
        import jieba

        engine = jieba.Tokenizer()
        engine.initialize()
        for w in self.words:
            engine.add_word(w.word, w.freq, w.tag)
        return lambda text: engine.lcut(text, HMM=True)

    @cached_property
    def signature(self) -> str:
        """Identifies backend + dictionary + stop words: cached tokens are valid only for it."""
        digest = hashlib.sha256(self.backend.encode())
        for w in self.words:
            digest.update(f"{w.word}\t{w.freq}\t{w.tag}\n".encode())
        digest.update("\n".join(sorted(self.stopwords)).encode())
        return f"{self.backend}:{digest.hexdigest()[:12]}"

    def tokens(self, text: str, *, shared: bool = False) -> list[str]:
        """Content tokens. ``shared`` interns them: half a million tickets repeat the same few
        hundred thousand words, and a retrain holds all their tokens at once (gigabytes as
        separate strings); serving one ticket doesn't need it."""
        # Tokens worth keeping are words or numbers (Chinese characters count as letters);
        # punctuation and spaces are not. str.isalnum is much cheaper than a regex per token.
        stopwords = self.stopwords
        kept = [t for t in self._cut(text) if t.isalnum() and t not in stopwords]
        return [intern(t) for t in kept] if shared else kept


_lock = threading.Lock()
_instances: dict[str, Segmenter] = {}


def segmenter_get(*, backend: str | None = None) -> Segmenter:
    """The process's segmenter for a backend (default ``ROUTER_SEGMENTER``), built once."""
    backend = backend or settings.ROUTER_SEGMENTER
    key = f"{backend}:{settings.ROUTER_DATA_DIR}"
    segmenter = _instances.get(key)
    if segmenter is None:
        with _lock:
            segmenter = _instances.get(key)
            if segmenter is None:
                stopwords = STOPWORDS_FILE.read_text(encoding="utf-8").split()
                segmenter = Segmenter(
                    backend=backend, words=domain_words(data_dir=Path(settings.ROUTER_DATA_DIR)),
                    stopwords=stopwords,
                )
                _instances[key] = segmenter
    return segmenter

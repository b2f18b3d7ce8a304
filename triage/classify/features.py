"""Features of a request for the classifier: word tokens plus character n-grams.

Words come from the jieba-compatible tokenizer; character 1–3-grams of the
normalised text make typos, homophones and unsegmented slang still score.
Digit runs are bucketed by length (an order number is "a long number", not a
vocabulary item). The output is a list of feature strings without whitespace,
so a plain ``TfidfVectorizer(token_pattern=r"\\S+")`` can learn from it: the
persisted estimator holds no Python callables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

__all__ = ["featurize", "FEATURES_VERSION", "feature_text", "FeatureCounter"]

FEATURES_VERSION = "1"
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s")


def _digit_bucket(n: int) -> str:
    if n <= 2:
        return "0"
    if n <= 4:
        return "00"
    if n <= 8:
        return "000"
    return "0000"


def _squash_digits(s: str) -> str:
    return _DIGITS.sub(lambda m: _digit_bucket(len(m.group())), s)


def featurize(norm_text: str, words: Sequence[str], *, char_ngrams: tuple[int, int] = (1, 3),
              word_bigrams: bool = False) -> list[str]:
    """Feature strings for one normalised text and its words."""
    feats: list[str] = []
    prev = ""
    for w in words:
        if not w or _SPACE.search(w):
            prev = ""
            continue
        w = _squash_digits(w)
        feats.append("w:" + w)
        if word_bigrams and prev:
            feats.append(f"b:{prev}|{w}")
        prev = w
    squashed = _squash_digits(norm_text)
    lo, hi = char_ngrams
    for chunk in squashed.split(" "):
        n_chunk = len(chunk)
        for n in range(lo, hi + 1):
            for i in range(n_chunk - n + 1):
                feats.append("c:" + chunk[i:i + n])
    if not feats:
        feats.append("EMPTY")
    return feats


def feature_text(norm_text: str, words: Sequence[str], *, char_ngrams: tuple[int, int] = (1, 3),
                 word_bigrams: bool = False) -> str:
    """The features joined by spaces: the document a ``TfidfVectorizer`` is fitted on."""
    return " ".join(featurize(norm_text, words, char_ngrams=char_ngrams, word_bigrams=word_bigrams))


class FeatureCounter:
    """The fast path: feature columns straight from text and words, no feature strings.

    Gives exactly the columns of looking up :func:`featurize`'s strings in the
    vocabulary (a test compares them on the evaluation set), in a third of the
    time: word features are looked up without their prefix, and the character
    n-grams of the vocabulary are found in one pass of an Aho-Corasick automaton
    (every occurrence, overlapping ones included) instead of slicing every
    1–3-gram of the text. Vocabulary n-grams never contain a space, so no match
    crosses the chunks :func:`featurize` splits on. Models with word bigrams
    or other n-gram ranges use the straightforward path.
    """

    def __init__(self, vocabulary: dict[str, int] | Mapping[str, int]) -> None:
        import ahocorasick

        self._words: dict[str, int] = {}
        automaton = ahocorasick.Automaton()
        empty = vocabulary.get("EMPTY")
        for feature, j in vocabulary.items():
            if feature.startswith("w:"):
                self._words[feature[2:]] = j
            elif feature.startswith("c:"):
                automaton.add_word(feature[2:], j)
        self._chars = automaton
        self._has_chars = len(automaton) > 0
        if self._has_chars:
            automaton.make_automaton()
        self._empty = empty

    def columns(self, norm_text: str, words: Sequence[str]) -> list[int]:
        """The vocabulary column of every feature occurrence (repeats included, unordered)."""
        vocab = self._words
        cols: list[int] = []
        seen_any = False
        for w in words:
            if w.isalpha():  # most words: no digits to squash, no whitespace
                j = vocab.get(w)
            elif not w or _SPACE.search(w):
                continue
            else:
                j = vocab.get(_squash_digits(w))
            seen_any = True
            if j is not None:
                cols.append(j)
        squashed = _squash_digits(norm_text)
        if self._has_chars:
            cols.extend([j for _, j in self._chars.iter(squashed)])
        if not seen_any and not squashed.replace(" ", "") and self._empty is not None:
            cols.append(self._empty)
        return cols

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
from collections.abc import Sequence

__all__ = ["featurize", "FEATURES_VERSION", "feature_text"]

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

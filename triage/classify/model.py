"""The loaded classifier: compiled scorer plus the decisions made from its probabilities.

From the calibrated probabilities it decides:

* the primary category: the most probable real category;
* ``categories``: every category whose probability reaches its own threshold
  (tuned on out-of-fold predictions for compound requests), primary first;
* ``needs_review``: the top probability is below ``min_confidence``, the top
  two are within ``min_margin``, or the *reject* label (a training class of
  content-free messages such as "在吗", "？？？") is the most probable or reaches
  ``reject_at`` (tuned so 95% of out-of-fold content-free messages go to review).

A model trained with priority labels also has an *urgency head*: a second
linear model over the same features giving calibrated probabilities of
P1–P4. It does not set the priority; it is a signal the rule pack reads
(condition ``predicted_priority``), with thresholds tuned on out-of-fold
predictions and stored in the manifest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..types import CategoryScore
from .features import FeatureCounter, featurize
from .scorer import LinearHead, LinearScorer, Vector

__all__ = ["Classifier", "Prediction"]


@dataclass(frozen=True, slots=True)
class Prediction:
    """What the model said about one request."""

    category: str
    confidence: float
    categories: tuple[CategoryScore, ...]
    needs_review: bool
    why: str
    probabilities: Mapping[str, float] = field(default_factory=dict)
    vague: bool = False  # the message says nothing classifiable: the category is only a placeholder
    urgency: Mapping[str, float] = field(default_factory=dict)  # P1..P4 -> probability (empty: no urgency head)
    urgency_drivers: tuple[str, ...] = ()  # features that raised P1/P2 the most, when urgent


URGENCY_LEVELS = ("P1", "P2", "P3", "P4")


@dataclass(frozen=True, eq=False)
class Classifier:
    """A ready-to-use classifier; immutable and thread-safe."""

    scorer: LinearScorer
    name: str
    version: str
    reject_label: str | None
    thresholds: Mapping[str, float]
    min_confidence: float
    min_margin: float
    char_ngrams: tuple[int, int]
    manifest: Mapping[str, Any]
    word_bigrams: bool = False
    reject_at: float = 1.0
    urgency: LinearHead | None = None
    urgency_thresholds: Mapping[str, float] = field(default_factory=dict)  # P1, P2: cumulative probability
    fast: bool = True  # count features with FeatureCounter; False: build feature strings (the reference path)

    def __post_init__(self) -> None:
        labels = self.scorer.labels
        real = [i for i, lab in enumerate(labels) if lab != self.reject_label]
        object.__setattr__(self, "_real_idx", tuple(real))
        object.__setattr__(self, "_real_labels", tuple(labels[i] for i in real))
        object.__setattr__(self, "_reject", labels.index(self.reject_label) if self.reject_label in labels else -1)
        object.__setattr__(self, "_thr", tuple(float(self.thresholds.get(labels[i], 0.5)) for i in real))
        object.__setattr__(self, "_names", self.scorer.feature_names() if self.urgency is not None else None)
        object.__setattr__(self, "_counter", None if self.word_bigrams or not self.fast else FeatureCounter(self.scorer.vocabulary))

    @property
    def labels(self) -> tuple[str, ...]:
        """The categories this model can give (the reject label excluded)."""
        return self._real_labels  # type: ignore[attr-defined,no-any-return]

    @property
    def tag(self) -> str:
        return f"{self.name}-{self.version}"

    def features(self, norm_text: str, words: Sequence[str]) -> list[str]:
        return featurize(norm_text, words, char_ngrams=self.char_ngrams, word_bigrams=self.word_bigrams)

    def vector(self, norm_text: str, words: Sequence[str]) -> Vector | None:
        """The request's TF-IDF vector, by the fast path (:class:`FeatureCounter`) when the model allows."""
        counter: FeatureCounter | None = self._counter  # type: ignore[attr-defined]
        if counter is None:
            return self.scorer.vector(self.features(norm_text, words))
        return self.scorer.vector_from_columns(counter.columns(norm_text, words))

    def predict(self, norm_text: str, words: Sequence[str]) -> Prediction:
        """Classify one normalised, tokenised text."""
        vec = self.vector(norm_text, words)
        pred = self.decide(self.scorer.head.proba(vec))
        if self.urgency is None:
            return pred
        return self._with_urgency(pred, vec)

    def _with_urgency(self, pred: Prediction, vec: Vector | None) -> Prediction:
        head = self.urgency
        assert head is not None
        urgency = dict(zip(head.labels, head.proba(vec).tolist()))
        drivers: tuple[str, ...] = ()
        level = self.urgent_level(urgency)
        if level is not None:
            names: list[str] = self._names  # type: ignore[attr-defined]
            ranked = [f.split(":", 1) for f in head.drivers(vec, level, names, k=12)]
            words = [v for kind, v in ranked if kind == "w" and len(v) > 1]  # words read better than n-grams
            words += [v for kind, v in ranked if kind == "c" and len(v) > 1 and not any(v in w for w in words)]
            drivers = tuple(dict.fromkeys(words))[:3]
        return Prediction(pred.category, pred.confidence, pred.categories, pred.needs_review, pred.why,
                          pred.probabilities, pred.vague, urgency, drivers)

    def urgent_level(self, urgency: Mapping[str, float]) -> str | None:
        """The most urgent level whose cumulative probability reaches its tuned threshold (P1, P2 or None)."""
        cumulative = 0.0
        for level in ("P1", "P2"):
            cumulative += urgency.get(level, 0.0)
            t = self.urgency_thresholds.get(level)
            if t is not None and cumulative >= t:
                return level
        return None

    def decide(self, proba: np.ndarray) -> Prediction:
        """Turn one row of calibrated probabilities into a :class:`Prediction`."""
        # a dozen numbers: plain Python lists are quicker here than NumPy's per-call overhead
        labels = self.scorer.labels
        p: list[float] = proba.tolist()
        real_labels: tuple[str, ...] = self._real_labels  # type: ignore[attr-defined]
        p_real = [p[i] for i in self._real_idx]  # type: ignore[attr-defined]
        order = sorted(range(len(p_real)), key=p_real.__getitem__, reverse=True)  # stable: ties keep label order
        top = order[0]
        conf = p_real[top]
        second = p_real[order[1]] if len(order) > 1 else 0.0
        category = real_labels[top]
        thr: tuple[float, ...] = self._thr  # type: ignore[attr-defined]
        cats = [CategoryScore(category, conf)]
        cats.extend(CategoryScore(real_labels[j], p_real[j]) for j in order[1:] if p_real[j] >= thr[j])
        reject = self._reject  # type: ignore[attr-defined]
        p_reject = p[reject] if reject >= 0 else 0.0
        vague = reject >= 0 and (p_reject > conf or p_reject >= self.reject_at)
        if vague:
            why = (f"too vague to classify: '{self.reject_label}' {p_reject:.2f} "
                   + (f"beats the best category {category} {conf:.2f}" if p_reject > conf else
                      f"reaches the {self.reject_at:.2f} review threshold (best category {category} {conf:.2f})"))
            needs_review = True
        elif conf < self.min_confidence:
            why = f"not sure: {category} {conf:.2f} is below the {self.min_confidence:.2f} confidence threshold"
            needs_review = True
        elif conf - second < self.min_margin:
            runner = real_labels[order[1]]
            why = (f"not sure: {category} {conf:.2f} and {runner} {second:.2f} are within "
                   f"the {self.min_margin:.2f} margin")
            needs_review = True
        else:
            why = f"{category} {conf:.2f}" + (
                "; also " + ", ".join(f"{c.category} {c.confidence:.2f}" for c in cats[1:]) if len(cats) > 1 else "")
            needs_review = False
        probs = dict(zip(labels, p))
        return Prediction(category, conf, tuple(cats), needs_review, why, probs, vague)

    def with_thresholds(self, *, min_confidence: float | None = None, min_margin: float | None = None) -> Classifier:
        """A copy with other abstention thresholds."""
        return Classifier(self.scorer, self.name, self.version, self.reject_label, self.thresholds,
                          self.min_confidence if min_confidence is None else min_confidence,
                          self.min_margin if min_margin is None else min_margin,
                          self.char_ngrams, self.manifest, self.word_bigrams, self.reject_at,
                          self.urgency, self.urgency_thresholds, self.fast)

"""The compiled classifier: the fitted linear model as plain arrays.

Scoring one request costs a dictionary lookup per feature and one small
matrix-vector product, instead of scikit-learn's per-call validation
(~0.8 ms). The probabilities equal the scikit-learn pipeline's
``predict_proba`` (TF-IDF → logistic regression → temperature scaling) to
1e-9; a test holds it to that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["LinearScorer"]


@dataclass(frozen=True, eq=False)
class LinearScorer:
    """Probabilities ``softmax(beta * (x @ coef + intercept))`` over TF-IDF features ``x``.

    ``x`` is built like scikit-learn's ``TfidfVectorizer(sublinear_tf=True,
    norm="l2")``: ``(1 + log tf) * idf``, then scaled to unit length.
    """

    vocabulary: Mapping[str, int]
    idf: np.ndarray          # (n_features,)
    coef: np.ndarray         # (n_features, n_classes), C-contiguous rows for gathering
    intercept: np.ndarray    # (n_classes,)
    beta: float              # inverse temperature
    labels: tuple[str, ...]

    def __post_init__(self) -> None:
        for arr in (self.idf, self.coef, self.intercept):
            arr.flags.writeable = False

    def decision(self, features: Sequence[str]) -> np.ndarray:
        """The linear model's raw scores (``decision_function``) for one request."""
        vocab = self.vocabulary
        counts: dict[int, int] = {}
        for f in features:
            j = vocab.get(f)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            return self.intercept.copy()
        idx = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        x = (np.log(tf) + 1.0) * self.idf[idx]
        norm = np.sqrt(x @ x)
        if norm > 0:
            x /= norm
        return x @ self.coef[idx] + self.intercept

    def proba(self, features: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities for one request, in the order of :attr:`labels`."""
        z = self.beta * self.decision(features)
        z -= z.max()
        e = np.exp(z)
        return e / e.sum()

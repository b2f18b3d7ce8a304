"""A scikit-learn estimator: a linear classifier with temperature-scaled probabilities.

Temperature scaling (one inverse temperature ``beta`` for all classes, fitted
by log-loss on out-of-fold decision values) keeps the model's ranking and
makes its probabilities honest, so "0.55" means "right about 55% of the time"
and abstention thresholds mean something. It is the multiclass calibration
scikit-learn itself offers (``CalibratedClassifierCV(method="temperature")``);
we own the few lines so the out-of-fold scores, which also tune the
per-category thresholds, are computed once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

__all__ = ["TemperatureScaledClassifier", "fit_temperature"]


def fit_temperature(decision: np.ndarray, y_index: np.ndarray, sample_weight: np.ndarray | None = None) -> float:
    """The inverse temperature minimising the (weighted) log-loss of ``softmax(beta * decision)``."""
    w = np.ones(len(y_index)) if sample_weight is None else np.asarray(sample_weight, dtype=float)

    def loss(log_beta: float) -> float:
        lp = log_softmax(np.exp(log_beta) * decision, axis=1)
        return float(-(w * lp[np.arange(len(y_index)), y_index]).sum() / w.sum())

    res = minimize_scalar(loss, bounds=(-6.0, 6.0), method="bounded", options={"xatol": 1e-6})
    return float(np.exp(res.x))


class TemperatureScaledClassifier(ClassifierMixin, BaseEstimator):
    """Linear classifier + temperature scaling fitted on out-of-fold scores.

    Parameters
    ----------
    estimator:
        A classifier with ``decision_function`` (default: ``LinearSVC(C=1)``).
    cv:
        Number of stratified folds for the out-of-fold scores.
    Cs:
        If given, candidate values of the base estimator's ``C``: each is scored by
        out-of-fold macro-F1 on the same folds, the best is kept (``C_``), and its
        out-of-fold scores fit the temperature.
    random_state:
        Seed of the fold shuffling.

    Attributes
    ----------
    estimator_: the base estimator refitted on all data.
    classes_: class labels.
    beta_: fitted inverse temperature.
    oof_proba_: calibrated out-of-fold probabilities of the training rows (for tuning thresholds).
    """

    def __init__(self, estimator: Any = None, *, cv: int = 5, Cs: tuple[float, ...] | None = None,
                 random_state: int = 0) -> None:
        self.estimator = estimator
        self.cv = cv
        self.Cs = Cs
        self.random_state = random_state

    def _base(self) -> Any:
        return clone(self.estimator) if self.estimator is not None else LinearSVC(C=1.0)

    def fit(self, X: Any, y: Any, sample_weight: np.ndarray | None = None) -> TemperatureScaledClassifier:
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        y_index = np.searchsorted(self.classes_, y)
        counts = np.bincount(y_index)
        n_splits = int(min(self.cv, counts.min())) if len(counts) else 0
        fit_params = {} if sample_weight is None else {"sample_weight": sample_weight}
        base = self._base()
        self.cv_scores_: dict[float, float] = {}
        if n_splits >= 2:
            from sklearn.metrics import f1_score

            folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=self.random_state)
            best: tuple[float, Any, np.ndarray] | None = None
            for C in (self.Cs or (None,)):
                candidate = clone(base) if C is None else clone(base).set_params(C=C)
                scores = cross_val_predict(candidate, X, y, cv=folds, method="decision_function",
                                           params=fit_params)
                if scores.ndim == 1:
                    scores = np.column_stack([-scores, scores])
                f1 = float(f1_score(y_index, scores.argmax(axis=1), average="macro"))
                if C is not None:
                    self.cv_scores_[C] = f1
                if best is None or f1 > best[0] + 1e-12:
                    best = (f1, candidate, scores)
            assert best is not None
            _, base, oof = best
            self.beta_ = fit_temperature(oof, y_index, sample_weight)
            self.oof_proba_ = softmax(self.beta_ * oof, axis=1)
        else:  # too few rows per class to cross-validate: no calibration
            self.beta_ = 1.0
            self.oof_proba_ = None
        self.C_ = getattr(base, "C", None)
        self.estimator_ = clone(base).fit(X, y, **fit_params)
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        d = self.estimator_.decision_function(X)
        return np.column_stack([-d, d]) if d.ndim == 1 else d

    def predict_proba(self, X: Any) -> np.ndarray:
        return softmax(self.beta_ * self.decision_function(X), axis=1)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]

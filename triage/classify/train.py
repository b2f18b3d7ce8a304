"""Training a classifier on labelled requests (CSV, JSONL or a DataFrame).

The same code trains the shipped model and users' models with their own
label sets::

    from triage.classify.train import train, read_labelled
    trained = train(read_labelled("tickets.csv"))
    trained.save("models/mine")
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from ..text.normalize import VERSION as NORMALIZER_VERSION
from ..text.normalize import Normalizer
from ..text.tokenize import Tokenizer
from .features import FEATURES_VERSION, feature_text
from .model import Classifier
from .scorer import LinearHead, LinearScorer

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["train", "read_labelled", "TrainedModel", "prepare_docs"]

DEFAULT_REJECT_LABEL = "unclear"
#: candidate regularisation strengths tried by ``train(C="auto")``
C_GRID = (0.35, 0.5, 0.7, 1.0, 1.4, 2.0)


def read_labelled(path: str | Path) -> pd.DataFrame:
    """Read labelled requests from ``.csv``, ``.jsonl``/``.json`` (one object per line) or ``.parquet``.

    Required columns: ``text`` and ``category``; optional ``subject``,
    ``secondary`` (list, or ``;``-separated string), ``weight``, ``priority``, ``channel``.
    """
    import pandas as pd

    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    suffix = p.suffix.lower()
    if suffix == ".csv":
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
    elif suffix in (".jsonl", ".json", ".ndjson"):
        rows = []
        with p.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise InputError(f"{p}:{lineno}: not valid JSON ({exc.msg})") from None
        df = pd.DataFrame(rows)
    elif suffix == ".parquet":
        df = pd.read_parquet(p)
    else:
        raise InputError(f"{p}: expected .csv, .jsonl or .parquet")
    return df


def _secondary(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, float) and np.isnan(value):
        return ()
    if isinstance(value, str):
        parts = value.replace("|", ";").replace(",", ";").split(";")
        return tuple(s.strip() for s in parts if s.strip())
    if isinstance(value, Iterable):
        return tuple(str(s) for s in value if str(s).strip())
    return ()


def prepare_docs(texts: Sequence[str], subjects: Sequence[str | None] | None, *, normalizer: Normalizer,
                 tokenizer: Tokenizer, char_ngrams: tuple[int, int], word_bigrams: bool = False,
                 progress: bool = False) -> list[str]:
    """Feature documents for many texts, exactly as the pipeline builds them for one."""
    from ..pipeline import model_text

    it: Iterable[int] = range(len(texts))
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(it, desc="features", unit="msg")
    docs = []
    for i in it:
        subject = subjects[i] if subjects is not None else None
        norm = model_text(normalizer(texts[i]).text, normalizer(subject).text if subject else None)
        docs.append(feature_text(norm, tokenizer.cut(norm), char_ngrams=char_ngrams, word_bigrams=word_bigrams))
    return docs


@dataclass
class TrainedModel:
    """A freshly trained model: the scikit-learn pipeline, its compiled form and what was measured."""

    pipeline: Any
    classifier: Classifier
    tokenizer: Tokenizer
    manifest: dict[str, Any]
    oof_proba: np.ndarray | None = field(repr=False, default=None)

    def save(self, directory: str | Path, *, include_estimator: bool = True) -> Path:
        """Write the bundle (see :mod:`triage.classify.bundle`)."""
        from .bundle import save_bundle

        return save_bundle(self, directory, include_estimator=include_estimator)


def _tune_reject(oof: np.ndarray, labels: list[str], y: np.ndarray, reject_label: str | None,
                 target_recall: float = 0.95) -> float:
    """The highest reject-probability threshold that still sends ``target_recall`` of the
    out-of-fold content-free rows to review (1.0 when there is no reject label)."""
    if reject_label is None:
        return 1.0
    k = labels.index(reject_label)
    p_vague = oof[y == reject_label, k]
    if not len(p_vague):
        return 1.0
    for t in np.arange(0.50, 0.04, -0.05):
        if (p_vague >= t).mean() >= target_recall:
            return float(round(t, 2))
    return 0.05


def _tune_thresholds(oof: np.ndarray, labels: list[str], y: np.ndarray, secondary: list[tuple[str, ...]],
                     reject_label: str | None) -> tuple[dict[str, float], float]:
    """Per-category thresholds for ``categories`` and the confidence threshold, from out-of-fold probabilities."""
    index = {lab: i for i, lab in enumerate(labels)}
    argmax = oof.argmax(axis=1)
    thresholds: dict[str, float] = {}
    for k, lab in enumerate(labels):
        if lab == reject_label:
            continue
        truth = np.array([y[i] == lab or lab in secondary[i] for i in range(len(y))])
        best_t, best_f1 = 0.5, -1.0
        for t in np.arange(0.10, 0.61, 0.05):
            pred = (argmax == k) | (oof[:, k] >= t)
            tp = float((pred & truth).sum())
            f1 = 2 * tp / max(float(pred.sum() + truth.sum()), 1.0)
            if f1 > best_f1 + 1e-9:
                best_t, best_f1 = float(round(t, 2)), f1
        thresholds[lab] = best_t
    real_rows = np.array([lab != reject_label for lab in y])
    real_cols = np.array([lab != reject_label for lab in labels])
    p_real = oof[real_rows][:, real_cols]
    truth_idx = np.array([index[lab] for lab in y[real_rows]])
    real_idx = np.flatnonzero(real_cols)
    top = real_idx[p_real.argmax(axis=1)]
    conf = p_real.max(axis=1)
    correct = top == truth_idx
    best_c, best_cost = 0.5, np.inf
    for c in np.arange(0.30, 0.71, 0.05):
        accepted = conf >= c
        cost = float((accepted & ~correct).sum() + 0.5 * (~accepted).sum())
        if cost < best_cost - 1e-9:
            best_c, best_cost = float(round(c, 2)), cost
    return thresholds, best_c


def _fit_urgency(X: Any, priorities: pd.Series, weights: np.ndarray | None, base: Any, *, cv: int, tune_C: bool,
                 precision: float, progress: bool) -> tuple[LinearHead | None, dict[str, float], dict[str, Any]]:
    """The urgency head: P1–P4 probabilities over the category model's features, with tuned thresholds."""
    from sklearn.base import clone

    from .estimator import TemperatureScaledClassifier

    levels = ("P1", "P2", "P3", "P4")
    raw = priorities.astype("string").str.strip().str.upper()
    keep = raw.isin(levels).fillna(False).to_numpy(dtype=bool)
    y = raw[keep].astype(str).to_numpy()
    counts = {lev: int((y == lev).sum()) for lev in levels}
    if any(counts[lev] < max(cv, 2) for lev in levels):
        return None, {}, {"trained": False, "reason": f"too few rows per priority level: {counts}"}
    if progress:
        print(f"fitting the urgency head on {int(keep.sum())} rows with priorities ...", flush=True)
    clf = TemperatureScaledClassifier(clone(base), cv=cv, Cs=C_GRID if tune_C else None, random_state=0)
    w = None if weights is None else weights[keep]
    clf.fit(X[keep], y, sample_weight=w)
    coef = np.asarray(clf.estimator_.coef_, dtype=np.float64)
    head = LinearHead(coef=np.ascontiguousarray(coef.T), intercept=np.asarray(clf.estimator_.intercept_,
                      dtype=np.float64).copy(), beta=float(clf.beta_), labels=tuple(str(c) for c in clf.classes_))
    oof = clf.oof_proba_
    thresholds: dict[str, float] = {}
    achieved: dict[str, dict[str, float]] = {}
    rank = np.searchsorted(np.array(levels), y)  # P1 -> 0
    cumulative = np.zeros(len(y))
    for k, level in enumerate(("P1", "P2")):
        cumulative = cumulative + oof[:, list(clf.classes_).index(level)]
        truth = rank <= k
        for t in np.arange(0.15, 0.951, 0.05):
            pred = cumulative >= t
            prec = float((pred & truth).sum() / max(pred.sum(), 1))
            if prec >= precision:
                thresholds[level] = float(round(t, 2))
                achieved[level] = {"precision": prec, "recall": float((pred & truth).sum() / truth.sum())}
                break
    info = {"trained": True, "rows": int(keep.sum()), "levels": counts, "C": clf.C_, "beta": float(clf.beta_),
            "thresholds": thresholds, "target_precision": precision, "cv": achieved}
    return head, thresholds, info


def _macro_f1(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y_true, y_pred, average="macro", zero_division=0))


def train(data: pd.DataFrame | str | Path, *, text_col: str = "text", label_col: str = "category",
          subject_col: str = "subject", secondary_col: str = "secondary", weight_col: str | None = "weight",
          reject_label: str | None = DEFAULT_REJECT_LABEL, tokenizer: Tokenizer | None = None,
          model: str = "linear_svc", C: float | str = "auto", cv: int = 5, char_ngrams: tuple[int, int] = (1, 3),
          word_bigrams: bool = False, min_df: int = 2,
          min_margin: float = 0.10, name: str = "custom", version: str = "0.1.0",
          priority_col: str | None = "priority", urgency_precision: float = 0.8,
          progress: bool = False, source: str | None = None) -> TrainedModel:
    """Train a classifier.

    Parameters
    ----------
    data:
        A DataFrame or a path readable by :func:`read_labelled`.
    reject_label:
        The label of content-free messages ("在吗", "？？？"), if the data has it:
        it is learned like a class but never given as a category; a request whose
        most probable label it is goes to review.
    model:
        The linear model: ``"linear_svc"`` (default; fast to fit, the most accurate on
        our corpus and on public review corpora) or ``"logistic_regression"``.
        Either way its scores are temperature-scaled into probabilities.
    C:
        Inverse regularisation strength, or ``"auto"`` (default) to choose it from
        :data:`C_GRID` by out-of-fold macro-F1 on the training data (the same folds
        then calibrate the probabilities).
    min_margin:
        Abstain when the top two categories are closer than this.
    priority_col:
        Column of priority labels (P1–P4). When present, an *urgency head* is
        trained on the same features (rows without a label are left out of it);
        rules read it through the ``predicted_priority`` condition.
    urgency_precision:
        The urgency thresholds (P1, and P1+P2 cumulative) are the lowest whose
        out-of-fold precision reaches this (default 0.8: the P1 precision the
        default pack promises; keyword rules only add precise hits on top).
    progress:
        Show progress bars.

    Returns
    -------
    TrainedModel
        Save it with ``.save(directory)``.
    """
    import pandas as pd
    import sklearn
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    from .estimator import TemperatureScaledClassifier

    if not isinstance(data, pd.DataFrame):
        source = source or str(data)
        data = read_labelled(data)
    for col in (text_col, label_col):
        if col not in data.columns:
            raise InputError(f"training data has no {col!r} column (columns: {', '.join(map(str, data.columns))})")
    df = data.reset_index(drop=True)
    texts = df[text_col].fillna("").astype(str).tolist()
    y = df[label_col].astype(str).str.strip().to_numpy()
    if (y == "").any():
        raise InputError(f"{int((y == '').sum())} rows have an empty {label_col!r}")
    labels_present = sorted(set(y))
    if len(labels_present) < 2:
        raise InputError(f"need at least two distinct labels to train, got {labels_present}")
    subjects = ([v if isinstance(v, str) and v.strip() else None for v in df[subject_col]]
                if subject_col in df.columns else None)
    secondary: list[tuple[str, ...]] = ([_secondary(v) for v in df[secondary_col]] if secondary_col in df.columns
                                        else [()] * len(df))
    weights = None
    if weight_col and weight_col in df.columns:
        weights = pd.to_numeric(df[weight_col], errors="coerce").fillna(1.0).to_numpy(dtype=float)
    counts = {lab: int((y == lab).sum()) for lab in labels_present}
    rare = {lab: n for lab, n in counts.items() if n < max(cv, 2)}
    if rare:
        raise InputError("every label needs at least " + str(max(cv, 2)) + " examples (one per calibration fold); "
                         "too few for: " + ", ".join(f"{lab} ({n})" for lab, n in sorted(rare.items())))
    if reject_label not in labels_present:
        reject_label = None

    tokenizer = tokenizer or Tokenizer()
    normalizer = Normalizer()
    docs = prepare_docs(texts, subjects, normalizer=normalizer, tokenizer=tokenizer,
                        char_ngrams=char_ngrams, word_bigrams=word_bigrams, progress=progress)
    effective_min_df = min_df if len(docs) >= 50 else 1
    vectorizer = TfidfVectorizer(token_pattern=r"\S+", lowercase=False, sublinear_tf=True,
                                 min_df=effective_min_df, dtype=np.float64)
    c0 = 1.0 if C == "auto" else float(C)
    if model == "linear_svc":
        base: Any = LinearSVC(C=c0)
    elif model == "logistic_regression":
        base = LogisticRegression(C=c0, max_iter=3000)
    else:
        raise InputError(f"model must be 'linear_svc' or 'logistic_regression', got {model!r}")
    clf = TemperatureScaledClassifier(base, cv=cv, Cs=C_GRID if C == "auto" else None, random_state=0)
    pipeline = Pipeline([("tfidf", vectorizer), ("clf", clf)])
    if progress:
        print(f"fitting on {len(docs)} requests, {len(labels_present)} labels ...", flush=True)
    fit_params = {} if weights is None else {"clf__sample_weight": weights}
    pipeline.fit(docs, y, **fit_params)

    labels = [str(c) for c in clf.classes_]
    vocab = vectorizer.vocabulary_
    coef = np.asarray(clf.estimator_.coef_, dtype=np.float64)
    intercept = np.asarray(clf.estimator_.intercept_, dtype=np.float64)
    if coef.shape[0] == 1:  # binary: decision d for classes_[1]; the calibrated scores are (-d, d)
        coef = np.vstack([-coef, coef])
        intercept = np.concatenate([-intercept, intercept])
    scorer = LinearScorer(
        vocabulary={str(k): int(v) for k, v in vocab.items()},
        idf=np.asarray(vectorizer.idf_, dtype=np.float64).copy(),
        coef=np.ascontiguousarray(coef.T),
        intercept=intercept.copy(),
        beta=float(clf.beta_),
        labels=tuple(labels),
    )

    metrics: dict[str, Any] = {"rows": len(df), "labels": {lab: int((y == lab).sum()) for lab in labels}}
    if clf.oof_proba_ is not None:
        thresholds, min_conf = _tune_thresholds(clf.oof_proba_, labels, y, secondary, reject_label)
        reject_at = _tune_reject(clf.oof_proba_, labels, y, reject_label)
        oof_pred = np.array(labels)[clf.oof_proba_.argmax(axis=1)]
        metrics.update({
            "cv_folds": cv,
            "cv_accuracy": float((oof_pred == y).mean()),
            "cv_macro_f1": _macro_f1(y, oof_pred),
            "cv_log_loss": float(-np.log(np.clip(clf.oof_proba_[np.arange(len(y)),
                                                                  np.searchsorted(labels, y)], 1e-15, 1)).mean()),
        })
    else:
        thresholds, min_conf, reject_at = {lab: 0.5 for lab in labels if lab != reject_label}, 0.5, 0.5

    h = hashlib.sha256()
    for i in range(len(df)):
        h.update(json.dumps([texts[i], subjects[i] if subjects else None, str(y[i]), list(secondary[i]),
                             None if weights is None else float(weights[i])], ensure_ascii=False).encode())
        h.update(b"\n")
    manifest: dict[str, Any] = {
        "format": "triage-model/1",
        "name": name,
        "version": version,
        "created_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "labels": [lab for lab in labels if lab != reject_label],
        "reject_label": reject_label,
        "thresholds": {"categories": thresholds, "min_confidence": min_conf, "min_margin": min_margin,
                       "reject": reject_at},
        "features": {"version": FEATURES_VERSION, "char_ngrams": list(char_ngrams), "word_bigrams": word_bigrams,
                     "min_df": effective_min_df,
                     "n_features": len(vocab), "sublinear_tf": True, "norm": "l2"},
        "model": {"kind": f"tfidf+{model}+temperature", "C": clf.C_, "C_search": {str(k): v for k, v in
                  clf.cv_scores_.items()}, "beta": float(clf.beta_)},
        "normalizer": {"version": NORMALIZER_VERSION, "t2s": normalizer.t2s},
        "tokenizer": {"backend": tokenizer.backend, "backend_version": tokenizer.backend_version,
                      "dictionary_sha256": tokenizer.dictionary_hash},
        "training_data": {"sha256": h.hexdigest(), "rows": len(df), "source": source},
        "metrics": metrics,
        "libraries": {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
                      "numpy": np.__version__},
    }
    urgency = None
    urgency_thresholds: dict[str, float] = {}
    if priority_col and priority_col in df.columns:
        X = pipeline.named_steps["tfidf"].transform(docs)
        urgency, urgency_thresholds, urgency_info = _fit_urgency(
            X, df[priority_col], weights, base, cv=cv, tune_C=C == "auto", precision=urgency_precision,
            progress=progress)
        manifest["urgency"] = urgency_info
    classifier = Classifier(scorer=scorer, name=name, version=version, reject_label=reject_label,
                            thresholds=thresholds, min_confidence=min_conf, min_margin=min_margin, reject_at=reject_at,
                            char_ngrams=char_ngrams, manifest=manifest, word_bigrams=word_bigrams,
                            urgency=urgency, urgency_thresholds=urgency_thresholds)
    return TrainedModel(pipeline=pipeline, classifier=classifier, tokenizer=tokenizer, manifest=manifest,
                        oof_proba=clf.oof_proba_)

"""Evaluating a model bundle on labelled requests: the figures a team needs before shipping it."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EvalReport", "evaluate_model", "evaluate_predictions"]


@dataclass
class EvalReport:
    """Accuracy, macro-F1, per-category precision/recall/F1 and abstention on one data set."""

    n: int
    accuracy: float
    macro_f1: float
    per_class: pd.DataFrame
    abstention_rate: float
    accuracy_when_confident: float
    vague_n: int
    vague_needs_review: float
    confusion: pd.DataFrame
    extra: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        lines = [f"rows {self.n}: accuracy {self.accuracy:.3f}, macro-F1 {self.macro_f1:.3f}",
                 f"needs_review on {self.abstention_rate:.1%} of categorised rows; accuracy on the rest "
                 f"{self.accuracy_when_confident:.3f}"]
        if self.vague_n:
            lines.append(f"vague rows {self.vague_n}: needs_review {self.vague_needs_review:.3f}")
        lines.append("")
        lines.append(self.per_class.to_string(float_format=lambda x: f"{x:.3f}"))
        for k, v in self.extra.items():
            lines.append(f"{k}: {v}")
        return "\n".join(lines)


def evaluate_predictions(y_true: Sequence[str], y_pred: Sequence[str], needs_review: Sequence[bool],
                         labels: Sequence[str], reject_label: str | None = "unclear") -> EvalReport:
    import pandas as pd
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    yt, yp, nr = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object), np.asarray(needs_review)
    vague = yt == reject_label if reject_label else np.zeros(len(yt), bool)
    real = ~vague
    if not real.any():
        raise InputError("no rows with a real category to evaluate")
    labs = list(labels)
    p, r, f, s = precision_recall_fscore_support(yt[real], yp[real], labels=labs, zero_division=0)
    per_class = pd.DataFrame({"precision": p, "recall": r, "f1": f, "support": s}, index=labs)
    acc = float((yt[real] == yp[real]).mean())
    confident = real & ~nr
    cm = pd.DataFrame(confusion_matrix(yt[real], yp[real], labels=labs), index=labs, columns=labs)
    return EvalReport(
        n=int(real.sum()), accuracy=acc, macro_f1=float(np.mean(f)), per_class=per_class,
        abstention_rate=float(nr[real].mean()),
        accuracy_when_confident=float((yt[confident] == yp[confident]).mean()) if confident.any() else float("nan"),
        vague_n=int(vague.sum()), vague_needs_review=float(nr[vague].mean()) if vague.any() else float("nan"),
        confusion=cm)


def evaluate_model(model_dir: str | os.PathLike[str], df: pd.DataFrame, *, confusion_png: str | None = None,
                   progress: bool = False, text_col: str = "text", label_col: str = "category") -> EvalReport:
    """Score a bundle on a labelled DataFrame; optionally write a confusion-matrix PNG."""
    from ..pipeline import model_text
    from ..text.normalize import Normalizer
    from .bundle import load_bundle

    for col in (text_col, label_col):
        if col not in df.columns:
            raise InputError(f"evaluation data has no {col!r} column")
    clf, tok = load_bundle(model_dir)
    norm = Normalizer()
    texts = df[text_col].fillna("").astype(str).tolist()
    subjects = df["subject"].tolist() if "subject" in df.columns else [None] * len(texts)
    it: Any = range(len(texts))
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(it, desc="evaluate", unit="msg")
    preds, review = [], []
    for i in it:
        subj = subjects[i] if isinstance(subjects[i], str) and subjects[i] else None
        t = model_text(norm(texts[i]).text, norm(subj).text if subj else None)
        pr = clf.predict(t, tok.cut(t))
        preds.append(pr.category)
        review.append(pr.needs_review)
    report = evaluate_predictions(df[label_col].astype(str).tolist(), preds, review, clf.labels,
                                  clf.reject_label or "unclear")
    if confusion_png:
        try:
            from ..plotting import confusion_figure
        except ImportError:
            report.extra["confusion matrix"] = "not drawn: install triage[plot] for matplotlib"
        else:
            confusion_figure(report.confusion).savefig(confusion_png, dpi=120, bbox_inches="tight")
            report.extra["confusion matrix"] = confusion_png
    return report


@dataclass
class PriorityReport:
    """How the whole pipeline's priority compares with labelled priorities."""

    n: int
    exact: float
    per_level: pd.DataFrame
    urgent_recall: float        # P1 or P2 labelled, predicted P1 or P2
    confusion: pd.DataFrame

    def text(self) -> str:
        return "\n".join([
            f"priority on {self.n} rows: exact {self.exact:.3f}; P1+P2 recall {self.urgent_recall:.3f}",
            self.per_level.to_string(float_format=lambda x: f"{x:.3f}"),
            "confusion (rows: labelled, columns: decided)",
            self.confusion.to_string(),
        ])


def evaluate_priority(triager: Any, df: pd.DataFrame, *, progress: bool = False) -> PriorityReport:
    """Run the whole pipeline (model + rules) over labelled rows with a ``priority`` column."""
    import datetime as dt

    import pandas as pd
    from sklearn.metrics import precision_recall_fscore_support

    from ..types import Request

    if "priority" not in df.columns:
        raise InputError("evaluation data has no 'priority' column")
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    rows = df.to_dict("records")
    it: Any = rows
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(rows, desc="priority", unit="msg")
    truth, got = [], []
    for row in it:
        fields = {k: row[k] for k in ("text", "subject", "channel", "customer", "order") if k in row}
        d = triager.triage(Request.from_dict(fields), now=now)
        truth.append(str(row["priority"]))
        got.append(str(d.priority))
    levels = ["P1", "P2", "P3", "P4"]
    p, r, f, s = precision_recall_fscore_support(truth, got, labels=levels, zero_division=0)
    t, g = np.array(truth), np.array(got)
    urgent = np.isin(t, ["P1", "P2"])
    cm = pd.crosstab(pd.Series(t, name="labelled"), pd.Series(g, name="decided")).reindex(
        index=levels, columns=levels, fill_value=0)
    return PriorityReport(n=len(t), exact=float((t == g).mean()),
                          per_level=pd.DataFrame({"precision": p, "recall": r, "f1": f, "support": s}, index=levels),
                          urgent_recall=float(np.isin(g[urgent], ["P1", "P2"]).mean()) if urgent.any() else float("nan"),
                          confusion=cm)

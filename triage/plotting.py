"""Figures (extra ``plot``: matplotlib). Imported only when a figure is asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["confusion_figure"]


def confusion_figure(cm: pd.DataFrame) -> Any:
    """A confusion matrix (rows: true category, columns: predicted), counts in the cells."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1.0 + 0.55 * len(cm.columns), 0.8 + 0.5 * len(cm.index)))
    ax = fig.add_subplot()
    ax.imshow(cm.to_numpy(), cmap="Blues")
    ax.set_xticks(range(len(cm.columns)), labels=list(cm.columns), rotation=45, ha="right")
    ax.set_yticks(range(len(cm.index)), labels=list(cm.index))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    hi = cm.to_numpy().max() or 1
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            v = int(cm.to_numpy()[i, j])
            if v:
                ax.text(j, i, str(v), ha="center", va="center", fontsize=8,
                        color="white" if v > hi / 2 else "black")
    fig.tight_layout()
    return fig


del matplotlib  # imported above only to fail fast with ImportError when the extra is missing

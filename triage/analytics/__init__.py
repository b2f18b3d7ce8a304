"""Analytics for support managers: tables, charts and an HTML report over decision frames.

::

    import pandas as pd, triage
    from triage import analytics

    t = triage.load()
    df = pd.read_json("requests.jsonl", lines=True)
    frame = df[["text"]].join(t.triage_frame(df))
    analytics.category_pareto(frame)                      # a tidy DataFrame
    analytics.plot_pareto(analytics.category_pareto(frame))  # a matplotlib Figure (extra ``plot``)
    analytics.build_report(frame, output="report.html")   # one self-contained HTML file

Importing this package is cheap: pandas is imported by the table functions and
matplotlib by the plot functions, when first called (names resolve lazily).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    # tables: tidy DataFrames (pandas)
    "category_pareto": "tables", "top_categories": "tables", "category_by_channel": "tables",
    "priority_by_channel": "tables", "volume_by_weekday_hour": "tables", "sla_state_table": "tables",
    "repeat_rate": "tables", "review_rate": "tables", "confidence_histogram": "tables",
    "characteristic_words": "tables", "decisions": "tables", "local_times": "tables",
    "CATEGORY_LABELS": "tables", "SLA_STATES": "tables",
    # plots: matplotlib Figures (extra ``plot``)
    "plot_pareto": "plots", "plot_top_categories": "plots", "plot_category_channel": "plots",
    "plot_priority_channel": "plots", "plot_weekday_hour": "plots", "plot_sla_states": "plots",
    "plot_repeat_rate": "plots", "plot_review": "plots", "plot_characteristic_words": "plots",
    "no_data_figure": "plots",
    # fonts: the CJK font strategy
    "font_context": "fonts", "missing_glyphs": "fonts", "cjk_font_path": "fonts",
    # report: one self-contained HTML file
    "build_report": "report", "summarize": "report", "summary_lines": "report", "report_main": "report",
}

__all__ = sorted(_WHERE)  # noqa: PLE0605 (a sorted list of the names above)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'triage.analytics' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])

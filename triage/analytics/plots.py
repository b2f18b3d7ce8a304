"""One chart per table of :mod:`triage.analytics.tables` (extra ``plot``: matplotlib).

Each function takes the table its name says and returns a
:class:`matplotlib.figure.Figure` (not attached to pyplot: show it in a
notebook by leaving it as a cell's value, or ``fig.savefig("x.png")``).
Chinese labels are drawn with the CJK font of :mod:`triage.analytics.fonts`.
An empty table gives a figure that says "无数据 / no data"; a table without
the expected columns raises :class:`triage.errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import InputError
from .fonts import font_context
from .tables import PRIORITIES, SLA_STATES, WEEKDAY_LABELS

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "NO_DATA",
    "no_data_figure",
    "plot_category_channel",
    "plot_characteristic_words",
    "plot_pareto",
    "plot_priority_channel",
    "plot_repeat_rate",
    "plot_review",
    "plot_sla_states",
    "plot_top_categories",
    "plot_weekday_hour",
]

NO_DATA = "无数据 / no data"

PRIORITY_COLORS = {"P1": "#d62728", "P2": "#ff7f0e", "P3": "#1f77b4", "P4": "#9e9e9e"}
SLA_COLORS = {"on_track": "#2ca02c", "warning": "#ffbf00", "breached": "#d62728", "met": "#1f77b4",
              "paused": "#9e9e9e"}
SLA_NAMES = {"on_track": "正常 on track", "warning": "预警 warning", "breached": "超时 breached",
             "met": "达成 met", "paused": "暂停 paused"}
BAR = "#4c72b0"

F = TypeVar("F", bound=Callable[..., Any])


def _in_font_context(func: F) -> F:
    """Build the figure inside :func:`font_context`, laid out before leaving it (so tick labels get the font)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with font_context():
            fig = func(*args, **kwargs)
            fig.draw_without_rendering()
        return fig

    return wrapper  # type: ignore[return-value]


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _check(table: Any, columns: Iterable[str], who: str) -> pd.DataFrame:
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise InputError(f"{who}: expected the DataFrame from triage.analytics.tables, got {type(table).__name__}")
    for col in columns:
        if col not in table.columns:
            raise InputError(f"{who}: the table has no {col!r} column (columns: "
                             f"{', '.join(map(str, table.columns)) or 'none'})")
    return table


def _no_data(fig: Figure, title: str, note: str | None = None) -> Figure:
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, NO_DATA + (f"\n{note}" if note else ""), ha="center", va="center", fontsize=14,
            color="#666666", transform=ax.transAxes)
    return fig


@_in_font_context
def no_data_figure(title: str = "", note: str | None = None) -> Figure:
    """A small figure that says "无数据 / no data" (and why, in ``note``)."""
    return _no_data(_figure(6, 2.5), title, note)


def _pct(ax: Axes, axis: str = "y") -> None:
    from matplotlib.ticker import PercentFormatter

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(PercentFormatter(1.0, decimals=0))


def _int_axis(ax: Axes, axis: str = "y") -> None:
    from matplotlib.ticker import MaxNLocator

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_locator(MaxNLocator(integer=True))


def _headroom(ax: Axes, top: float, axis: str = "y", factor: float = 1.08) -> None:
    """Leave room above the tallest bar (stacked bars otherwise touch the frame)."""
    if top > 0:
        (ax.set_ylim if axis == "y" else ax.set_xlim)(0, top * factor)


def _names(table: pd.DataFrame, col: str = "category") -> list[str]:
    if "label" in table.columns:
        return [str(lab) for lab in table["label"]]
    return [str(c) for c in table[col]]


@_in_font_context
def plot_pareto(table: pd.DataFrame, *, title: str = "类别帕累托 Category Pareto") -> Figure:
    """Bars of requests per category (largest first) and the cumulative share; the "vital few" are dark."""
    table = _check(table, ["category", "count", "cumulative_share", "vital_few"], "plot_pareto")
    n = len(table)
    fig = _figure(max(6.0, 1.2 + 0.6 * n), 4.2)
    if n == 0 or int(table["count"].sum()) == 0:
        return _no_data(fig, title)
    ax = fig.add_subplot()
    x = range(n)
    colors = [BAR if v else "#b8c7e0" for v in table["vital_few"]]
    ax.bar(x, table["count"], color=colors)
    _headroom(ax, float(table["count"].max()))
    ax.set_xticks(list(x), labels=_names(table), rotation=35, ha="right")
    ax.set_ylabel("请求数 requests")
    _int_axis(ax)
    vital = int(table["vital_few"].sum())
    ax.set_title(f"{title}：{vital} 类占 80%" if vital < n else title)
    ax2 = ax.twinx()
    ax2.plot(list(x), table["cumulative_share"], color="#d62728", marker="o", ms=4)
    ax2.set_ylim(0, 1.05)
    _pct(ax2)
    ax2.axhline(0.8, color="#d62728", lw=0.8, ls="--")
    ax2.set_ylabel("累计占比 cumulative share")
    return fig


@_in_font_context
def plot_top_categories(table: pd.DataFrame, *, title: str = "各期前几类 Top categories by period") -> Figure:
    """Grouped bars: for each period its top categories (same colour for a category in every period)."""
    table = _check(table, ["period", "category", "count", "rank"], "plot_top_categories")
    periods = list(dict.fromkeys(table["period"]))
    fig = _figure(max(6.0, 1.5 + 1.1 * len(periods)), 4.2)
    if table.empty:
        return _no_data(fig, title)
    from matplotlib import colormaps

    cats = list(dict.fromkeys(table.sort_values(["rank", "count"], ascending=[True, False])["category"]))
    names = dict(zip(table["category"], _names(table), strict=True))
    cmap = colormaps["tab20"]
    n_rank = int(table["rank"].max())
    width = 0.8 / n_rank
    ax = fig.add_subplot()
    seen: set[str] = set()
    for i, p in enumerate(periods):
        rows = table[table["period"] == p].sort_values("rank")
        for _, r in rows.iterrows():
            cat = r["category"]
            label = names[cat] if cat not in seen else None
            seen.add(cat)
            xpos = i - 0.4 + width * (int(r["rank"]) - 0.5)
            ax.bar(xpos, r["count"], width=width * 0.95, color=cmap(cats.index(cat) % 20), label=label)
            ch = r.get("change")
            if ch is not None and not _isna(ch) and int(ch) != 0:
                ax.text(xpos, r["count"], f"{int(ch):+d}", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(range(len(periods)), labels=periods, rotation=30 if len(periods) > 6 else 0)
    ax.set_ylabel("请求数 requests")
    _int_axis(ax)
    ax.set_title(title)
    ax.legend(fontsize=8, ncols=1, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.margins(y=0.15)
    return fig


def _isna(v: Any) -> bool:
    import pandas as pd

    return bool(pd.isna(v))


def _heatmap(fig: Figure, matrix: pd.DataFrame, title: str, cmap: str = "Blues") -> Axes:
    ax = fig.add_subplot()
    data = matrix.to_numpy(dtype=float)
    im = ax.imshow(data, cmap=cmap, aspect="auto")
    ax.set_xticks(range(matrix.shape[1]), labels=[str(c) for c in matrix.columns], rotation=35, ha="right")
    ax.set_yticks(range(matrix.shape[0]), labels=[str(r) for r in matrix.index])
    ax.set_title(title)
    hi = data.max() if data.size else 0
    if matrix.shape[0] * matrix.shape[1] <= 400:
        for i in range(matrix.shape[0]):
            for j in range(matrix.shape[1]):
                v = data[i, j]
                if v:
                    ax.text(j, i, f"{int(v)}", ha="center", va="center", fontsize=8,
                            color="white" if v > hi * 0.6 else "#222222")
    _int_colorbar(fig.colorbar(im, ax=ax, shrink=0.8))
    return ax


def _int_colorbar(cbar: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    cbar.locator = MaxNLocator(integer=True)
    cbar.update_ticks()


@_in_font_context
def plot_category_channel(table: pd.DataFrame, *, title: str = "类别 × 渠道 Category × channel") -> Figure:
    """A heatmap of requests per category (rows) and channel (columns)."""
    table = _check(table, ["category", "channel", "count"], "plot_category_channel")
    if table.empty or int(table["count"].sum()) == 0:
        return _no_data(_figure(6, 3), title)
    t = table.assign(name=_names(table))
    matrix = t.pivot_table(index="name", columns="channel", values="count", aggfunc="sum", sort=False)
    fig = _figure(max(6.0, 2.5 + 0.7 * matrix.shape[1]), max(3.0, 1.2 + 0.38 * matrix.shape[0]))
    _heatmap(fig, matrix, title)
    return fig


@_in_font_context
def plot_priority_channel(table: pd.DataFrame, *, title: str = "优先级 × 渠道 Priority × channel") -> Figure:
    """Stacked bars per channel: how many requests of each priority."""
    table = _check(table, ["priority", "channel", "count"], "plot_priority_channel")
    if table.empty or int(table["count"].sum()) == 0:
        return _no_data(_figure(6, 3), title)
    matrix = table.pivot_table(index="channel", columns="priority", values="count", aggfunc="sum", sort=False)
    order = [p for p in PRIORITIES if p in matrix.columns] + [p for p in matrix.columns if p not in PRIORITIES]
    matrix = matrix[order].fillna(0)
    fig = _figure(max(6.0, 1.5 + 0.6 * len(matrix)), 4.0)
    ax = fig.add_subplot()
    bottom = [0.0] * len(matrix)
    x = range(len(matrix))
    for p in order:
        vals = matrix[p].to_list()
        ax.bar(x, vals, bottom=bottom, color=PRIORITY_COLORS.get(str(p), "#8c564b"), label=str(p))
        bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
    ax.set_xticks(list(x), labels=[str(c) for c in matrix.index], rotation=35, ha="right")
    _headroom(ax, max(bottom))
    ax.set_ylabel("请求数 requests")
    _int_axis(ax)
    ax.set_title(title)
    ax.legend(title="优先级", fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


@_in_font_context
def plot_weekday_hour(table: pd.DataFrame, *, title: str = "来量：星期 × 小时 Volume by weekday × hour") -> Figure:
    """A 7 × 24 heatmap of requests by local weekday and hour."""
    table = _check(table, ["weekday", "hour", "count"], "plot_weekday_hour")
    fig = _figure(10, 3.4)
    if table.empty or int(table["count"].sum()) == 0:
        return _no_data(fig, title)
    import pandas as pd

    matrix = (table.pivot_table(index="weekday", columns="hour", values="count", aggfunc="sum")
              .reindex(index=range(7), columns=range(24)).fillna(0))
    matrix.index = pd.Index(WEEKDAY_LABELS)
    ax = fig.add_subplot()
    im = ax.imshow(matrix.to_numpy(dtype=float), cmap="YlOrRd", aspect="auto")
    ax.set_xticks(range(24), labels=[str(h) for h in range(24)], fontsize=8)
    ax.set_yticks(range(7), labels=list(WEEKDAY_LABELS))
    ax.set_xlabel("小时 hour (local)")
    ax.set_title(title)
    _int_colorbar(fig.colorbar(im, ax=ax, shrink=0.9, label="请求数"))
    return fig


@_in_font_context
def plot_sla_states(table: pd.DataFrame, *, title: str = "SLA 状态 SLA states") -> Figure:
    """Horizontal stacked bars: the SLA states of each group (queue, channel or category)."""
    table = _check(table, ["state", "count"], "plot_sla_states")
    group = next((c for c in table.columns if c not in ("state", "count", "share")), None)
    if group is None:
        raise InputError("plot_sla_states: the table has no grouping column (queue, channel or category)")
    if table.empty or int(table["count"].sum()) == 0:
        return _no_data(_figure(6, 3), title)
    matrix = table.pivot_table(index=group, columns="state", values="count", aggfunc="sum", sort=False).fillna(0)
    states = [s for s in SLA_STATES if s in matrix.columns]
    fig = _figure(8, max(2.8, 1.2 + 0.4 * len(matrix)))
    ax = fig.add_subplot()
    y = list(range(len(matrix)))[::-1]
    left = [0.0] * len(matrix)
    for s in states:
        vals = matrix[s].to_list()
        ax.barh(y, vals, left=left, color=SLA_COLORS[s], label=SLA_NAMES[s])
        left = [a + b for a, b in zip(left, vals, strict=True)]
    ax.set_yticks(y, labels=[str(g) for g in matrix.index])
    _headroom(ax, max(left), "x")
    ax.set_xlabel("工单 × 指标 ticket metrics")
    _int_axis(ax, "x")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


@_in_font_context
def plot_repeat_rate(table: pd.DataFrame, *, title: str = "重复来访率 Repeat rate") -> Figure:
    """Bars of the repeat-complaint and repeat-contact rate per group."""
    table = _check(table, ["requests", "repeat_complaint_rate", "repeat_contact_rate"], "plot_repeat_rate")
    if table.empty or int(table["requests"].sum()) == 0:
        return _no_data(_figure(6, 3), title)
    group = table.columns[0]
    fig = _figure(max(5.0, 1.5 + 0.8 * len(table)), 3.6)
    ax = fig.add_subplot()
    x = list(range(len(table)))
    ax.bar([i - 0.2 for i in x], table["repeat_complaint_rate"], width=0.4, color="#d62728",
           label="重复投诉 repeat complaint")
    ax.bar([i + 0.2 for i in x], table["repeat_contact_rate"], width=0.4, color="#ff7f0e",
           label="重复来访 repeat contact")
    ax.set_xticks(x, labels=[str(g) for g in table[group]], rotation=30 if len(table) > 4 else 0,
                  ha="right" if len(table) > 4 else "center")
    top = max(float(table["repeat_complaint_rate"].max()), float(table["repeat_contact_rate"].max()), 0.05)
    ax.set_ylim(0, min(1.0, top * 1.3))
    _pct(ax)
    ax.set_title(title)
    if top <= 0.05 and not (table["repeat_complaint_rate"].any() or table["repeat_contact_rate"].any()):
        ax.text(0.5, 0.5, "本期无重复来访 / no repeat contacts", transform=ax.transAxes, ha="center",
                va="center", color="#666666")
    ax.legend(fontsize=8, frameon=False)
    return fig


@_in_font_context
def plot_review(histogram: pd.DataFrame, *, review_rate: float | None = None,
                title: str = "模型置信度与人工复核 Confidence and review") -> Figure:
    """The confidence histogram, the part of each bin that went to review shaded."""
    histogram = _check(histogram, ["bin_left", "bin_right", "count", "needs_review"], "plot_review")
    fig = _figure(7, 3.6)
    if histogram.empty or int(histogram["count"].sum()) == 0:
        return _no_data(fig, title)
    ax = fig.add_subplot()
    width = (histogram["bin_right"] - histogram["bin_left"]).to_numpy()
    left = histogram["bin_left"].to_numpy()
    auto = histogram["count"] - histogram["needs_review"]
    ax.bar(left, auto, width=width * 0.95, align="edge", color=BAR, label="自动 automatic")
    ax.bar(left, histogram["needs_review"], bottom=auto, width=width * 0.95, align="edge", color="#ffbf00",
           label="人工复核 needs review")
    ax.set_xlim(0, 1)
    _headroom(ax, float(histogram["count"].max()), factor=1.15)
    ax.set_xlabel("置信度 confidence")
    ax.set_ylabel("请求数 requests")
    _int_axis(ax)
    ax.set_title(title)
    if review_rate is not None:
        ax.text(0.02, 0.95, f"复核率 review rate {review_rate:.1%}", transform=ax.transAxes, va="top", fontsize=9)
    ax.legend(fontsize=8, frameon=False, loc="upper center")
    return fig


@_in_font_context
def plot_characteristic_words(table: pd.DataFrame, *, per_category: int = 6, max_categories: int = 12,
                              title: str = "各类别特征词 Characteristic words") -> Figure:
    """Small multiples: for each category, its most characteristic words by score."""
    table = _check(table, ["category", "word", "score"], "plot_characteristic_words")
    if table.empty:
        return _no_data(_figure(6, 3), title)
    cats = list(dict.fromkeys(table["category"]))[:max_categories]
    names = dict(zip(table["category"], _names(table), strict=True))
    ncols = 3 if len(cats) > 4 else len(cats)
    nrows = -(-len(cats) // ncols)
    fig = _figure(3.3 * ncols, 0.6 + 0.28 * per_category * nrows + 0.5 * nrows)
    fig.suptitle(title)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= len(cats):
            ax.set_axis_off()
            continue
        rows = table[table["category"] == cats[k]].sort_values("score", ascending=False).head(per_category)
        y = list(range(len(rows)))[::-1]
        ax.barh(y, rows["score"], color=BAR)
        ax.set_yticks(y, labels=[str(w) for w in rows["word"]], fontsize=9)
        ax.set_title(names[cats[k]], fontsize=10)
        ax.tick_params(axis="x", labelsize=7)
    return fig

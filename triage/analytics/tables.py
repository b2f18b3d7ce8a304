"""Tables over decision frames: what a support manager reviews each week or month.

Every function takes the DataFrame from :meth:`triage.Triager.triage_frame`
(optionally joined with input columns: ``df[["text"]].join(t.triage_frame(df))``)
and returns a tidy DataFrame: one row per observation, plain columns, ready
for a chart (:mod:`triage.analytics.plots`), a pivot, or a spreadsheet.

Common rules
------------
- Rows with an ``error`` (inputs that could not be triaged) are left out.
- Rows with ``needs_review`` are left out of the *category* tables (Pareto,
  top-N, category × channel, characteristic words) unless
  ``include_review=True``: their category is the model's unsure guess. The
  review rate has its own table.
- Times (``received_at``) may be timezone-aware datetimes in mixed zones,
  naive datetimes (taken as local business time), ISO strings or epoch
  seconds; they are converted to ``tz`` (default ``Asia/Shanghai``) before
  being bucketed into weeks, months, weekdays and hours.
- A missing column, or a value that cannot be read, raises
  :class:`triage.errors.InputError` naming the column. An empty frame gives an
  empty table with the documented columns (plots then say "无数据 / no data").
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CATEGORY_LABELS",
    "DEFAULT_TZ",
    "PRIORITIES",
    "SLA_STATES",
    "STOPWORDS",
    "WEEKDAY_LABELS",
    "category_by_channel",
    "category_pareto",
    "characteristic_words",
    "confidence_histogram",
    "decisions",
    "local_times",
    "priority_by_channel",
    "repeat_rate",
    "review_rate",
    "sla_state_table",
    "top_categories",
    "volume_by_weekday_hour",
]

DEFAULT_TZ = "Asia/Shanghai"

CATEGORY_LABELS: Mapping[str, str] = MappingProxyType({
    "presale": "售前咨询", "order_status": "订单查询", "order_change": "订单修改/取消", "payment": "支付与发票",
    "logistics": "物流配送问题", "return_refund": "退换货/退款", "quality": "产品质量",
    "technical": "技术支持/系统故障", "account_security": "账户安全", "service_complaint": "服务投诉",
    "price_promotion": "价格与促销", "feedback": "建议与评价",
})
"""Chinese names of the default taxonomy's categories (``rules/taxonomy.yaml``); pass ``labels=`` for your own."""

SLA_STATES = ("on_track", "warning", "breached", "met", "paused")
"""The SLA states :func:`sla_state_table` accepts, in display order."""

PRIORITIES = ("P1", "P2", "P3", "P4")
WEEKDAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

_FREQ = MappingProxyType({"week": "W-SUN", "month": "M"})
_REPEAT_TAGS = ("repeat_complaint", "repeat_contact")


# -- validation and preparation ---------------------------------------------------------------------------
def _frame(frame: Any, who: str) -> pd.DataFrame:
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{who}: expected a pandas DataFrame (from Triager.triage_frame), "
                         f"got {type(frame).__name__}")
    return frame


def _require(frame: pd.DataFrame, columns: Iterable[str], who: str) -> None:
    for col in columns:
        if col not in frame.columns:
            have = ", ".join(map(str, frame.columns)) or "none"
            raise InputError(f"{who}: the frame has no {col!r} column (columns: {have}); "
                             "pass the DataFrame from Triager.triage_frame")


def _label_map(labels: Mapping[str, str] | None) -> Mapping[str, str]:
    return CATEGORY_LABELS if labels is None else labels


def _bools(s: pd.Series, col: str) -> pd.Series:
    """True/False from bools, 0/1 or the strings a CSV round trip produces; missing → False."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(s.dtype):
        return s.fillna(False).astype(bool)
    truth = {"true": True, "1": True, "yes": True, "y": True, "t": True,
             "false": False, "0": False, "no": False, "n": False, "f": False, "": False, "nan": False,
             "none": False}

    def one(v: Any) -> bool:
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            return False
        if isinstance(v, bool | int | float):
            return bool(v)
        key = str(v).strip().lower()
        if key not in truth:
            raise InputError(f"column {col!r}: expected true/false, got {v!r}")
        return truth[key]

    return s.map(one).astype(bool)


def _numbers(s: pd.Series, col: str) -> pd.Series:
    import pandas as pd

    out = pd.to_numeric(s, errors="coerce")
    bad = s.notna() & out.isna()
    if bad.any():
        first = s[bad].iloc[0]
        raise InputError(f"column {col!r}: expected numbers, got {first!r} (row {s[bad].index[0]!r})")
    return out.astype(float)


def _tag_list(v: Any) -> list[str]:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return []
    if isinstance(v, str):
        s = v.strip()
        if s.startswith("["):
            try:
                parsed = json.loads(s)
            except json.JSONDecodeError:
                parsed = [p.strip(" '\"") for p in s.strip("[]").split(",")]
            return [str(p) for p in parsed if str(p)]
        return [p.strip() for p in re.split(r"[;,|]", s) if p.strip()]
    if isinstance(v, Iterable):
        return [str(x) for x in v]
    return [str(v)]


def decisions(frame: pd.DataFrame, *, include_review: bool = True) -> pd.DataFrame:
    """The triaged rows of ``frame``: rows with an ``error`` dropped (and ``needs_review`` rows unless asked)."""
    frame = _frame(frame, "decisions")
    out = frame
    if "error" in out.columns:
        err = out["error"]
        out = out[err.isna() | (err.astype(str).str.strip() == "")]
    if not include_review and "needs_review" in out.columns:
        out = out[~_bools(out["needs_review"], "needs_review")]
    return out


def local_times(frame: pd.DataFrame, column: str = "received_at", *, tz: str = DEFAULT_TZ) -> pd.Series:
    """``frame[column]`` as timezone-aware timestamps in ``tz``.

    Accepts aware datetimes (any mix of zones), naive datetimes and ISO strings
    without an offset (both taken as local time in ``tz``), ISO strings with an
    offset, and epoch seconds. Missing values become ``NaT``. Anything else
    raises :class:`InputError` naming the column and the row.
    """
    import datetime as dt
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    import pandas as pd

    from .._parse import parse_time

    _require(frame, [column], "local_times")
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"tz: unknown time zone {tz!r} (expected an IANA name such as 'Asia/Shanghai')") from None
    s = frame[column]
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.tz_convert(tz)
    if pd.api.types.is_datetime64_dtype(s.dtype):
        return s.dt.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward")
    values: list[dt.datetime | None] = []
    for idx, v in s.items():
        try:
            values.append(parse_time(v, f"column {column!r}, row {idx!r}", default_tz=zone))
        except InputError:
            raise
        except (TypeError, ValueError, OverflowError, OSError) as exc:
            raise InputError(f"column {column!r}, row {idx!r}: cannot read {v!r} as a time ({exc})") from None
    utc = pd.to_datetime(pd.Series([v.astimezone(dt.UTC) if v is not None else None for v in values],
                                   index=s.index, dtype=object), utc=True)
    return utc.dt.tz_convert(tz)


def _with_labels(df: pd.DataFrame, labels: Mapping[str, str] | None, col: str = "category") -> pd.DataFrame:
    lab = _label_map(labels)
    df.insert(list(df.columns).index(col) + 1, "label", [lab.get(str(c), str(c)) for c in df[col]])
    return df


def _fill(s: pd.Series, value: str = "unknown") -> pd.Series:
    return s.astype(object).where(s.notna() & (s.astype(str).str.strip() != ""), value).astype(str)


# -- category Pareto ------------------------------------------------------------------------------------------
def category_pareto(frame: pd.DataFrame, *, threshold: float = 0.8, include_review: bool = False,
                    labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Categories by volume, with each one's share and the cumulative share.

    Returns columns ``category, label, count, share, cumulative_share, vital_few``,
    largest first (ties by category id). ``cumulative_share`` rises to 1.0;
    ``vital_few`` marks the smallest set of top categories that reaches
    ``threshold`` (default 80%) of the volume.
    """
    import pandas as pd

    frame = _frame(frame, "category_pareto")
    _require(frame, ["category"], "category_pareto")
    if not 0 < threshold <= 1:
        raise InputError(f"category_pareto: threshold must be in (0, 1], got {threshold!r}")
    d = decisions(frame, include_review=include_review)
    counts = _fill(d["category"]).value_counts()
    out = pd.DataFrame({"category": counts.index.astype(str), "count": counts.to_numpy().astype(int)})
    out = out.sort_values(["count", "category"], ascending=[False, True], ignore_index=True)
    total = int(out["count"].sum())
    out["share"] = out["count"] / total if total else pd.Series(dtype=float)
    out["cumulative_share"] = out["share"].cumsum()
    if total:
        out.loc[out.index[-1], "cumulative_share"] = 1.0  # exact, not 0.9999999
    before = out["cumulative_share"] - out["share"]
    out["vital_few"] = before < threshold - 1e-12
    return _with_labels(out, labels)


# -- top N per period -------------------------------------------------------------------------------------------
def _periods(local: pd.Series, period: str) -> pd.Series:
    if period not in _FREQ:
        raise InputError(f"period must be 'week' or 'month', got {period!r}")
    return local.dt.tz_localize(None).dt.to_period(_FREQ[period])


def _period_label(p: pd.Period, period: str) -> str:
    if period == "month":
        return f"{p.year}-{p.month:02d}"
    start = p.start_time
    iso = start.isocalendar()
    return f"{iso[0]}-W{iso[1]:02d}"


def top_categories(frame: pd.DataFrame, *, period: str = "week", n: int = 3, time_col: str = "received_at",
                   tz: str = DEFAULT_TZ, include_review: bool = False,
                   labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The ``n`` largest categories of each week or month, with the change against the previous period.

    Returns columns ``period, period_start, rank, category, label, count, share,
    previous_count, change, change_pct``. Periods are calendar weeks (Monday to
    Sunday, labelled ISO ``2026-W45``) or months (``2026-11``) in ``tz``; a
    period with no requests still counts as the previous one of the next
    (counts 0). In the first period ``previous_count``, ``change`` and
    ``change_pct`` are missing; ``change_pct`` is also missing when the previous
    count was 0.
    """
    import pandas as pd

    frame = _frame(frame, "top_categories")
    _require(frame, ["category", time_col], "top_categories")
    if n < 1:
        raise InputError(f"top_categories: n must be at least 1, got {n!r}")
    cols = ["period", "period_start", "rank", "category", "label", "count", "share", "previous_count", "change",
            "change_pct"]
    d = decisions(frame, include_review=include_review)
    times = local_times(d, time_col, tz=tz)
    keep = times.notna()
    d, times = d[keep], times[keep]
    if d.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    per = _periods(times, period)
    table = pd.crosstab(per, _fill(d["category"]))
    table = table.reindex(pd.period_range(per.min(), per.max(), freq=per.dt.freq), fill_value=0)
    previous = table.shift(1)
    lab = _label_map(labels)
    rows: list[dict[str, Any]] = []
    for p in table.index:
        counts = table.loc[p]
        total = int(counts.sum())
        ranked = sorted(((int(c), cat) for cat, c in counts.items() if c > 0), key=lambda x: (-x[0], x[1]))
        for rank, (count, cat) in enumerate(ranked[:n], 1):
            prev = previous.loc[p, cat]
            prev_count = None if pd.isna(prev) else int(prev)
            change = None if prev_count is None else count - prev_count
            rows.append({
                "period": _period_label(p, period), "period_start": p.start_time, "rank": rank, "category": cat,
                "label": lab.get(cat, cat), "count": count, "share": count / total,
                "previous_count": prev_count, "change": change,
                "change_pct": (change / prev_count) if change is not None and prev_count else None,
            })
    out = pd.DataFrame(rows, columns=cols)
    for c in ("previous_count", "change"):
        out[c] = out[c].astype("Int64")
    out["change_pct"] = out["change_pct"].astype(float)
    return out


# -- cross tables ----------------------------------------------------------------------------------------------
def _cross(d: pd.DataFrame, row: str, col: str, row_order: list[str] | None = None) -> pd.DataFrame:
    import pandas as pd

    r, c = _fill(d[row]), _fill(d[col])
    table = pd.crosstab(r, c)
    if row_order is not None:
        table = table.reindex([x for x in row_order if x in table.index]
                              + [x for x in table.index if x not in row_order])
    else:
        table = table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    table = table[table.sum(axis=0).sort_values(ascending=False, kind="stable").index]
    long = table.stack().reset_index()
    long.columns = [row, col, "count"]
    long["count"] = long["count"].astype(int)
    col_tot = long.groupby(col, sort=False)["count"].transform("sum")
    row_tot = long.groupby(row, sort=False)["count"].transform("sum")
    long[f"share_of_{col}"] = (long["count"] / col_tot.where(col_tot > 0)).fillna(0.0)
    long[f"share_of_{row}"] = (long["count"] / row_tot.where(row_tot > 0)).fillna(0.0)
    return long


def category_by_channel(frame: pd.DataFrame, *, include_review: bool = False,
                        labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Requests per category and channel (every pair, zeros included).

    Returns columns ``category, label, channel, count, share_of_channel,
    share_of_category``; categories and channels by total volume. A missing
    channel counts as ``unknown``.
    """
    import pandas as pd

    frame = _frame(frame, "category_by_channel")
    _require(frame, ["category", "channel"], "category_by_channel")
    d = decisions(frame, include_review=include_review)
    if d.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in
                             ("category", "label", "channel", "count", "share_of_channel", "share_of_category")})
    return _with_labels(_cross(d, "category", "channel"), labels)


def priority_by_channel(frame: pd.DataFrame) -> pd.DataFrame:
    """Requests per priority and channel (every pair, zeros included).

    Returns columns ``priority, channel, count, share_of_channel,
    share_of_priority``, priorities P1 → P4 first.
    """
    import pandas as pd

    frame = _frame(frame, "priority_by_channel")
    _require(frame, ["priority", "channel"], "priority_by_channel")
    d = decisions(frame)
    if d.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in
                             ("priority", "channel", "count", "share_of_channel", "share_of_priority")})
    return _cross(d, "priority", "channel", row_order=list(PRIORITIES))


def volume_by_weekday_hour(frame: pd.DataFrame, *, time_col: str = "received_at",
                           tz: str = DEFAULT_TZ) -> pd.DataFrame:
    """Requests by local weekday and hour: all 7 × 24 cells, zeros included.

    Returns columns ``weekday`` (0 = Monday), ``weekday_label`` (周一 … 周日),
    ``hour`` (0–23) and ``count``. The counts add up to the rows that have a time.
    """
    import pandas as pd

    frame = _frame(frame, "volume_by_weekday_hour")
    _require(frame, [time_col], "volume_by_weekday_hour")
    d = decisions(frame)
    times = local_times(d, time_col, tz=tz).dropna()
    grid = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    cells = pd.MultiIndex.from_arrays([times.dt.day_of_week, times.dt.hour], names=["weekday", "hour"])
    counts = pd.Series(1, index=cells).groupby(level=[0, 1]).sum().reindex(grid, fill_value=0)
    out = pd.DataFrame({"weekday": grid.get_level_values(0), "hour": grid.get_level_values(1),
                        "count": counts.to_numpy()})
    out.insert(1, "weekday_label", [WEEKDAY_LABELS[w] for w in out["weekday"]])
    out["count"] = out["count"].astype(int)
    return out


# -- SLA ---------------------------------------------------------------------------------------------------------
def sla_state_table(states: pd.DataFrame, *, by: str = "queue", metric: str | None = None,
                    decisions_frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """SLA states counted per queue, channel or category.

    ``states`` has one row per ticket and metric: columns ``ticket_id``,
    ``metric`` (``first_response``, ``resolution``, …), ``state`` (one of
    :data:`SLA_STATES`) and the grouping column ``by`` (the output of
    ``triage sla`` / :func:`triage.sla.frame.sla_frame`). Where ``states`` lacks
    ``by`` or has gaps in it, pass ``decisions_frame`` (from ``triage_frame``):
    its ``by`` column is joined on ``ticket_id`` = ``request_id``. Rows with an
    ``error`` are left out; ``metric`` keeps one metric only.

    Returns columns ``<by>, state, count, share`` (share within the group), every
    state for every group, groups with the most breaches first.
    """
    import pandas as pd

    states = _frame(states, "sla_state_table")
    _require(states, ["ticket_id", "metric", "state"], "sla_state_table")
    if "error" in states.columns:  # tickets the SLA producer could not read
        err = states["error"]
        states = states[err.isna() | (err.astype(str).str.strip() == "")]
    if by not in states.columns and decisions_frame is None:
        _require(states, [by], "sla_state_table")
    if decisions_frame is not None:
        dec = _frame(decisions_frame, "sla_state_table")
        _require(dec, ["request_id", by], "sla_state_table (decisions_frame)")
        lookup = dec.drop_duplicates("request_id").set_index("request_id")[by]
        joined = states["ticket_id"].map(lookup)
        if by in states.columns:  # keep the states' own values, fill the gaps from the decisions
            own = states[by]
            joined = own.where(own.notna() & (own.astype(str).str.strip() != ""), joined)
        states = states.assign(**{by: joined})
    if metric is not None:
        states = states[states["metric"].astype(str) == metric]
    state = states["state"].astype(str).str.strip().str.lower()
    unknown = sorted(set(state) - set(SLA_STATES))
    if unknown:
        raise InputError(f"sla_state_table: column 'state' has values {', '.join(map(repr, unknown[:5]))}; "
                         f"expected one of {', '.join(SLA_STATES)}")
    cols = [by, "state", "count", "share"]
    if states.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    table = pd.crosstab(_fill(states[by]), state).reindex(columns=list(SLA_STATES), fill_value=0)
    table = table.loc[table["breached"].sort_values(ascending=False, kind="stable").index]
    long = table.stack().reset_index()
    long.columns = [by, "state", "count"]
    long["count"] = long["count"].astype(int)
    tot = long.groupby(by, sort=False)["count"].transform("sum")
    long["share"] = (long["count"] / tot.where(tot > 0)).fillna(0.0)
    return long[cols]


# -- repeat, review, confidence ----------------------------------------------------------------------------------
def _grouped(d: pd.DataFrame, by: str | None) -> Any:
    return d.groupby(_fill(d[by]), sort=False) if by else [("all", d)]


def repeat_rate(frame: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """How often customers come back: share of requests tagged ``repeat_complaint`` / ``repeat_contact``.

    ``tags`` may hold lists (from ``triage_frame``) or strings (``"a; b"`` as
    ``triage run -o x.csv`` writes them, or JSON lists). Returns columns
    ``<by or 'group'>, requests, repeat_complaint, repeat_contact,
    repeat_complaint_rate, repeat_contact_rate``; one ``all`` row when ``by`` is None.
    """
    import pandas as pd

    frame = _frame(frame, "repeat_rate")
    _require(frame, ["tags", *([by] if by else [])], "repeat_rate")
    d = decisions(frame)
    key = by or "group"
    cols = [key, "requests", *_REPEAT_TAGS, "repeat_complaint_rate", "repeat_contact_rate"]
    if d.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    tags = d["tags"].map(_tag_list)
    flags = pd.DataFrame({t: tags.map(lambda ts, t=t: t in ts) for t in _REPEAT_TAGS}, index=d.index)
    rows = []
    for name, g in _grouped(d, by):
        f = flags.loc[g.index]
        n = len(g)
        rows.append({key: name, "requests": n, **{t: int(f[t].sum()) for t in _REPEAT_TAGS},
                     "repeat_complaint_rate": f["repeat_complaint"].mean() if n else 0.0,
                     "repeat_contact_rate": f["repeat_contact"].mean() if n else 0.0})
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values("requests", ascending=False, kind="stable", ignore_index=True)


def review_rate(frame: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Abstention: the share of requests the model sent to human review, with confidence statistics.

    Returns columns ``<by or 'group'>, requests, needs_review, review_rate,
    mean_confidence, median_confidence``; one ``all`` row when ``by`` is None.
    """
    import pandas as pd

    frame = _frame(frame, "review_rate")
    _require(frame, ["needs_review", "confidence", *([by] if by else [])], "review_rate")
    d = decisions(frame)
    key = by or "group"
    cols = [key, "requests", "needs_review", "review_rate", "mean_confidence", "median_confidence"]
    if d.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    review = _bools(d["needs_review"], "needs_review")
    conf = _numbers(d["confidence"], "confidence")
    rows = []
    for name, g in _grouped(d, by):
        r, c = review.loc[g.index], conf.loc[g.index]
        rows.append({key: name, "requests": len(g), "needs_review": int(r.sum()), "review_rate": float(r.mean()),
                     "mean_confidence": float(c.mean()), "median_confidence": float(c.median())})
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values("requests", ascending=False, kind="stable", ignore_index=True)


def confidence_histogram(frame: pd.DataFrame, *, bins: int = 10) -> pd.DataFrame:
    """The distribution of model confidence in ``bins`` equal bins over [0, 1].

    Returns columns ``bin_left, bin_right, count, needs_review`` (how many of the
    bin's requests went to review). Missing confidences are left out.
    """
    import numpy as np
    import pandas as pd

    frame = _frame(frame, "confidence_histogram")
    _require(frame, ["confidence", "needs_review"], "confidence_histogram")
    if bins < 1:
        raise InputError(f"confidence_histogram: bins must be at least 1, got {bins!r}")
    d = decisions(frame)
    conf = _numbers(d["confidence"], "confidence")
    review = _bools(d["needs_review"], "needs_review")
    ok = conf.notna()
    conf, review = conf[ok].clip(0.0, 1.0), review[ok]
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.minimum((conf.to_numpy() * bins).astype(int), bins - 1)
    count = np.bincount(idx, minlength=bins)
    rev = np.bincount(idx, weights=review.to_numpy().astype(float), minlength=bins).astype(int)
    return pd.DataFrame({"bin_left": edges[:-1], "bin_right": edges[1:], "count": count.astype(int),
                         "needs_review": rev})


# -- characteristic words ----------------------------------------------------------------------------------------
STOPWORDS = frozenset(["的", "了", "吗", "吧", "呢", "啊", "呀", "哦", "嗯", "哈", "么", "嘛", "啦", "咯", "喔", "哎", "诶", "我", "你", "您", "他", "她", "它", "我们", "你们", "他们", "她们", "咱们", "自己", "这", "那", "这个", "那个", "这些", "那些", "这样", "那样", "这么", "那么", "这边", "那边", "是", "不", "没", "没有", "有", "在", "和", "与", "跟", "及", "就", "都", "也", "还", "又", "很", "太", "更", "最", "再", "才", "只", "但", "而", "被", "把", "给", "让", "对", "从", "向", "到", "为", "于", "以", "之", "其", "或", "或者", "还是", "并", "并且", "而且", "但是", "可是", "因为", "所以", "如果", "虽然", "然后", "然而", "一下", "一个", "一些", "一点", "一直", "已经", "现在", "今天", "昨天", "明天", "刚刚", "刚才", "什么", "怎么", "怎么样", "为什么", "哪", "哪里", "哪个", "多少", "几", "可以", "能", "能不能", "能否", "要", "想", "会", "得", "地", "着", "过", "请", "请问", "问", "问下", "问一下", "你好", "您好", "在吗", "麻烦", "谢谢", "谢了", "好的", "好", "嗯嗯", "亲", "一", "二", "两", "个", "上", "下", "里", "中", "后", "前", "时候", "时", "说", "东西", "一次", "还有", "还没", "就是", "不是", "以后", "不了"])
"""Function words and greetings left out of :func:`characteristic_words`; pass ``stopwords=`` to change."""

_HAS_LETTER = re.compile(r"[^\W\d_]")


def _word_ok(word: str, stop: frozenset[str], min_len: int) -> bool:
    return (len(word) >= min_len and word not in stop and not any(c.isdigit() for c in word)
            and bool(_HAS_LETTER.search(word)))


def _cutter(tokenizer: Any) -> Callable[[str], list[str]]:
    """A ``str -> words`` function from a Triager, a triage Tokenizer, any ``.cut`` object or a callable."""
    normalizer = getattr(tokenizer, "normalizer", None)
    tok = getattr(tokenizer, "tokenizer", tokenizer)
    if tok is None:
        from ..text.normalize import Normalizer
        from ..text.tokenize import Tokenizer

        tok, normalizer = Tokenizer(), Normalizer()
    cut = tok.cut if hasattr(tok, "cut") else tok
    if not callable(cut):
        raise InputError(f"tokenizer: expected a triage Tokenizer, a Triager or a callable, got {type(tok).__name__}")
    if normalizer is None:
        return lambda text: list(cut(text))
    return lambda text: list(cut(normalizer(text).text))


def characteristic_words(frame: pd.DataFrame, *, text_col: str = "text", tokenizer: Any = None, top: int = 10,
                         min_count: int | None = None, min_len: int = 2,
                         stopwords: Iterable[str] | None = None, prior: float = 100.0,
                         include_review: bool = False, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The words most characteristic of each category, by weighted log-odds.

    Each text is normalised and segmented with the project's tokenizer
    (``tokenizer``: a loaded :class:`triage.Triager`, which brings its own
    normaliser and dictionary, a :class:`triage.text.tokenize.Tokenizer`, or any
    callable ``str -> list[str]``; default: a new ``Tokenizer`` with the shipped
    dictionary). Words are counted once per request; stopwords, punctuation,
    anything with a digit (order and tracking numbers) and words shorter than
    ``min_len`` characters are left out.

    The score is the log-odds ratio of the word in the category against all
    other categories, with an informative Dirichlet prior (the overall word
    frequencies, total weight ``prior``), divided by its standard error
    (Monroe, Colaresi & Quinn 2008): a z-score that favours words both frequent
    in and specific to the category. ``min_count`` (default: 1 below 500 requests,
    else 2) drops words seen in fewer requests of the category.

    Returns columns ``category, label, rank, word, count, share, score``:
    ``count`` requests of the category use the word, ``share`` = count / the
    category's requests; ``top`` words per category, best first.
    """
    import pandas as pd

    frame = _frame(frame, "characteristic_words")
    _require(frame, ["category", text_col], "characteristic_words")
    cols = ["category", "label", "rank", "word", "count", "share", "score"]
    d = decisions(frame, include_review=include_review)
    if d.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    if min_count is None:
        min_count = 1 if len(d) < 500 else 2
    stop = STOPWORDS if stopwords is None else frozenset(stopwords)
    cut = _cutter(tokenizer)
    per_cat: dict[str, Counter[str]] = {}
    docs: Counter[str] = Counter()
    for cat, text in zip(_fill(d["category"]), d[text_col], strict=True):
        if text is None or (isinstance(text, float) and math.isnan(text)):
            words: set[str] = set()
        else:
            words = {w.strip() for w in cut(str(text))}
            words = {w for w in words if _word_ok(w, stop, min_len)}
        per_cat.setdefault(cat, Counter()).update(words)
        docs[cat] += 1
    overall: Counter[str] = Counter()
    for c in per_cat.values():
        overall.update(c)
    grand = sum(overall.values())
    lab = _label_map(labels)
    rows: list[dict[str, Any]] = []
    if grand:
        alpha = {w: prior * n / grand for w, n in overall.items()}
        for cat in sorted(per_cat):
            counts = per_cat[cat]
            n_c = sum(counts.values())
            n_r = grand - n_c
            scored = []
            for w, y_c in counts.items():
                if y_c < min_count:
                    continue
                a = alpha[w]
                y_r = overall[w] - y_c
                delta = (math.log((y_c + a) / (n_c + prior - y_c - a))
                         - math.log((y_r + a) / (n_r + prior - y_r - a)))
                score = delta / math.sqrt(1.0 / (y_c + a) + 1.0 / (y_r + a))
                scored.append((score, y_c, w))
            scored.sort(key=lambda x: (-x[0], -x[1], x[2]))
            for rank, (score, y_c, w) in enumerate(scored[:top], 1):
                rows.append({"category": cat, "label": lab.get(cat, cat), "rank": rank, "word": w, "count": y_c,
                             "share": y_c / docs[cat], "score": score})
    return pd.DataFrame(rows, columns=cols)

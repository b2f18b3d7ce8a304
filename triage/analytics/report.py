"""One self-contained HTML report from tickets: summary, charts and tables a manager can copy.

::

    from triage.analytics.report import build_report
    html = build_report("tickets.csv", output="report.html")

or from the shell (``triage report TICKETS.csv -o report.html``, or
``python -m triage.analytics.report TICKETS.csv -o report.html``).

The input is either raw requests (``text``, ``channel``, ``received_at``, …),
which are triaged here with the default (or given) triager, or rows that were
already triaged (they have ``category`` and ``priority`` columns: the output
of ``triage run -o out.csv``, or of ``triage_frame``).

The page needs no network and no installed font: charts are PNG images in
``data:`` URLs, and the text uses Noto Sans SC embedded as a WOFF subset of
just the characters on the page (see :mod:`triage.analytics.fonts`).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import html
import io
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, TriageError
from . import tables as T

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from ..pipeline import Triager

__all__ = [
    "add_report_arguments",
    "build_report",
    "read_tickets",
    "report_command",
    "report_main",
    "summarize",
    "summary_lines",
    "triage_tickets",
]

PROGRESS_MIN_ROWS = 1000
CHUNK = 500


# -- input ------------------------------------------------------------------------------------------------------
def read_tickets(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a CSV or JSONL (``.jsonl``/``.json``/``.ndjson``) file of tickets; values are kept as written."""
    import pandas as pd

    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such file")
    suffix = p.suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(p, dtype=str, encoding="utf-8-sig")
        if suffix in (".jsonl", ".ndjson", ".json"):
            return pd.read_json(p, lines=suffix != ".json", dtype=False)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(f"{p}: cannot read it as {suffix[1:].upper()}: {exc}") from None
    raise InputError(f"{p}: expected a .csv or .jsonl file, got {suffix or 'no extension'!r}")


def is_triaged(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` already holds decisions (``category`` and ``priority`` columns)."""
    return {"category", "priority"} <= set(map(str, frame.columns))


def triage_tickets(raw: pd.DataFrame, *, triager: Triager | None = None, now: dt.datetime | None = None,
                   progress: bool | None = None) -> pd.DataFrame:
    """Triage raw requests: the input columns (``text`` and any others) joined with the decision columns.

    Decision columns win where names overlap (``channel``, ``received_at``: the
    decision's are normalised). ``progress``: a tqdm bar on stderr; by default
    only when stderr is a terminal and there are at least 1,000 rows.
    """
    import pandas as pd

    if "text" not in raw.columns:
        raise InputError(f"the tickets have no 'text' column (columns: {', '.join(map(str, raw.columns))}); "
                         "give raw requests with text, or triaged rows with category and priority")
    if triager is None:
        import triage

        triager = triage.load()
    now = now or dt.datetime.now(dt.UTC)
    if progress is None:
        progress = sys.stderr.isatty() and len(raw) >= PROGRESS_MIN_ROWS
    parts: list[pd.DataFrame] = []
    bar: Any = None
    if progress:
        from tqdm.auto import tqdm  # type: ignore[import-untyped]

        bar = tqdm(total=len(raw), desc="triage", unit="req", file=sys.stderr)
    try:
        for start in range(0, len(raw), CHUNK):
            chunk = raw.iloc[start:start + CHUNK]
            parts.append(triager.triage_frame(chunk, now=now))
            if bar is not None:
                bar.update(len(chunk))
    finally:
        if bar is not None:
            bar.close()
    from ..pipeline import FRAME_COLUMNS

    decisions = pd.concat(parts) if parts else pd.DataFrame(columns=list(FRAME_COLUMNS), index=raw.index)
    keep = [c for c in raw.columns if c not in decisions.columns]
    return raw[keep].join(decisions)


# -- summary ----------------------------------------------------------------------------------------------------
def _auto_period(times: pd.Series) -> str:
    if times.empty:
        return "week"
    return "week" if (times.max() - times.min()).days <= 70 else "month"


def summarize(frame: pd.DataFrame, *, sla_states: pd.DataFrame | None = None, tz: str = T.DEFAULT_TZ,
              period: str | None = None, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The numbers of the report's summary, as a dict.

    Keys: ``rows``, ``errors``, ``requests`` (triaged), ``needs_review``,
    ``review_rate``, ``mean_confidence``, ``start``/``end`` (local times),
    ``period`` (``week``/``month``), ``top`` (up to three dicts: category, label,
    count, share, last, previous, change), ``p1``, ``repeat_complaint_rate``,
    ``repeat_contact_rate``, ``sla`` (None, or dict: items, breached, warning,
    breach_rate).
    """
    frame = T._frame(frame, "summarize")
    T._require(frame, ["category", "priority"], "summarize")
    d = T.decisions(frame)
    out: dict[str, Any] = {"rows": len(frame), "errors": len(frame) - len(d), "requests": len(d)}
    review = T._bools(d["needs_review"], "needs_review") if "needs_review" in d.columns else None
    out["needs_review"] = int(review.sum()) if review is not None else None
    out["review_rate"] = float(review.mean()) if review is not None and len(d) else None
    conf = T._numbers(d["confidence"], "confidence") if "confidence" in d.columns else None
    out["mean_confidence"] = float(conf.mean()) if conf is not None and conf.notna().any() else None
    times = T.local_times(d, tz=tz).dropna() if "received_at" in d.columns else None
    out["start"] = times.min() if times is not None and len(times) else None
    out["end"] = times.max() if times is not None and len(times) else None
    per = period or (_auto_period(times) if times is not None else "week")
    out["period"] = per
    pareto = T.category_pareto(frame, labels=labels)
    trend = None
    if times is not None and len(times):
        trend = T.top_categories(frame, period=per, n=10**6, tz=tz, labels=labels)
    top = []
    for _, r in pareto.head(3).iterrows():
        item = {"category": r["category"], "label": r["label"], "count": int(r["count"]), "share": r["share"],
                "last": None, "previous": None, "change": None, "last_period": None}
        if trend is not None and not trend.empty:
            last_p = trend["period"].iloc[-1]
            item["last_period"] = last_p
            periods = list(dict.fromkeys(trend["period"]))
            row = trend[(trend["period"] == last_p) & (trend["category"] == r["category"])]
            item["last"] = int(row["count"].iloc[0]) if len(row) else 0
            if len(periods) > 1:
                prev = trend[(trend["period"] == periods[-2]) & (trend["category"] == r["category"])]
                item["previous"] = int(prev["count"].iloc[0]) if len(prev) else 0
                item["change"] = item["last"] - item["previous"]
        top.append(item)
    out["top"] = top
    out["p1"] = int((d["priority"].astype(str) == "P1").sum())
    if "tags" in d.columns:
        rr = T.repeat_rate(frame)
        out["repeat_complaint_rate"] = float(rr["repeat_complaint_rate"].iloc[0]) if len(rr) else None
        out["repeat_contact_rate"] = float(rr["repeat_contact_rate"].iloc[0]) if len(rr) else None
    else:
        out["repeat_complaint_rate"] = out["repeat_contact_rate"] = None
    out["sla"] = None
    if sla_states is not None:
        T._require(sla_states, ["ticket_id", "metric", "state"], "summarize (sla_states)")
        if "error" in sla_states.columns:
            err = sla_states["error"]
            sla_states = sla_states[err.isna() | (err.astype(str).str.strip() == "")]
        state = sla_states["state"].astype(str).str.strip().str.lower()
        n = len(state)
        out["sla"] = {"items": n, "breached": int((state == "breached").sum()),
                      "warning": int((state == "warning").sum()),
                      "breach_rate": float((state == "breached").mean()) if n else 0.0}
    return out


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def summary_lines(s: Mapping[str, Any]) -> list[str]:
    """The summary as short Chinese sentences (one per bullet)."""
    unit = "周" if s["period"] == "week" else "月"
    lines = []
    span = ""
    if s["start"] is not None:
        span = f"{s['start']:%Y-%m-%d} 至 {s['end']:%Y-%m-%d}，"
    head = f"{span}共 {s['rows']:,} 条请求"
    if s["errors"]:
        head += f"，其中 {s['errors']:,} 条无法分诊（见 error 列）"
    lines.append(head + "。")
    if s["top"]:
        parts = []
        for t in s["top"]:
            p = f"{t['label']} {t['count']:,} 条（{t['share']:.0%}"
            if t["change"] is not None:
                trend = (f"↑{t['change']}" if t["change"] > 0 else f"↓{-t['change']}" if t["change"] < 0
                         else "持平")
                p += f"；最近一{unit} {t['last']}，较上{unit} {trend}"
            elif t["last"] is not None:
                p += f"；仅一{unit}数据，无趋势"
            parts.append(p + "）")
        lines.append("前三类：" + "、".join(parts) + "。")
    else:
        lines.append("没有已分类的请求（全部待人工复核或无数据）。")
    lines.append(f"P1 紧急：{s['p1']:,} 条。")
    if s["sla"] is not None:
        sla = s["sla"]
        lines.append(f"SLA：{sla['items']:,} 项指标中 {sla['breached']:,} 项超时（{_pct(sla['breach_rate'])}），"
                     f"{sla['warning']:,} 项预警。")
    else:
        lines.append("SLA：未提供 SLA 状态数据。")
    if s["repeat_complaint_rate"] is not None:
        lines.append(f"重复投诉率 {_pct(s['repeat_complaint_rate'])}，重复来访率 {_pct(s['repeat_contact_rate'])}"
                     "（需要历史记录才能识别）。")
    if s["review_rate"] is not None:
        conf = f"，平均置信度 {s['mean_confidence']:.2f}" if s["mean_confidence"] is not None else ""
        lines.append(f"人工复核率 {_pct(s['review_rate'])}（{s['needs_review']:,} 条）{conf}。")
    return lines


# -- HTML -------------------------------------------------------------------------------------------------------
def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _fmt(v: Any, kind: str | None) -> str:
    import pandas as pd

    if v is None or (not isinstance(v, str) and bool(pd.isna(v))):
        return "—"
    if kind == "pct":
        return f"{float(v):.1%}"
    if kind == "signed_pct":
        return f"{float(v):+.0%}"
    if kind == "signed":
        return f"{int(v):+d}"
    if kind == "float":
        return f"{float(v):.2f}"
    if isinstance(v, bool):
        return "✓" if v else ""
    if isinstance(v, int | float) and float(v).is_integer():
        return f"{int(v):,}"
    return str(v)


def _table(df: pd.DataFrame, columns: Sequence[tuple[str, str, str | None]], *, caption: str = "") -> str:
    """An HTML table of ``df``: ``columns`` = (column, header, format)."""
    if df.empty:
        return '<p class="nodata">无数据 / no data</p>'
    head = "".join(f"<th>{_e(h)}</th>" for _, h, _ in columns)
    body = []
    for _, row in df.iterrows():
        cells = []
        for col, _, kind in columns:
            v = row[col]
            cls = ' class="num"' if kind or isinstance(v, int | float) else ""
            cells.append(f"<td{cls}>{_e(_fmt(v, kind))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return f'<table>{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _wide(long: pd.DataFrame, row: str, col: str, *, row_header: str) -> str:
    if long.empty:
        return _table(long, [])
    m = long.pivot_table(index=row, columns=col, values="count", aggfunc="sum", sort=False).fillna(0).astype(int)
    m["合计 total"] = m.sum(axis=1)
    m = m.reset_index()
    return _table(m, [(row, row_header, None)] + [(c, str(c), None) for c in m.columns[1:]])


def _img(fig: Figure, alt: str) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def _section(anchor: str, title: str, *parts: str, note: str = "") -> str:
    n = f'<p class="note">{_e(note)}</p>' if note else ""
    return f'<section id="{anchor}"><h2>{_e(title)}</h2>{n}{"".join(parts)}</section>'


CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: #1f2328;
       font-family: "%(font)s", "Noto Sans SC", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
                    "Microsoft YaHei", sans-serif; font-size: 15px; line-height: 1.6; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; color: #57606a; font-size: 13px; }
nav { margin: 14px 0 6px; font-size: 13px; }
nav a { margin-right: 12px; color: #0969da; text-decoration: none; }
h2 { font-size: 19px; margin: 30px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #d0d7de; }
.summary { background: #f6f8fa; border-left: 4px solid #4c72b0; padding: 10px 16px 10px 32px; margin: 16px 0; }
.summary li { margin: 3px 0; }
img { display: block; max-width: 100%%; height: auto; margin: 8px 0 12px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid #d0d7de; padding: 3px 9px; text-align: left; white-space: nowrap; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fafbfc; }
.scroll { overflow-x: auto; }
.note, .nodata { color: #57606a; font-size: 13px; }
footer { margin-top: 36px; color: #8c959f; font-size: 12px; }
@media print { body { background: #fff; } main { padding: 0; } section { break-inside: avoid; } }
"""


def build_report(source: pd.DataFrame | str | os.PathLike[str], *, output: str | os.PathLike[str] | None = None,
                 triager: Triager | None = None, sla_states: pd.DataFrame | str | os.PathLike[str] | None = None,
                 title: str = "客服工单分析报告 Support ticket report", tz: str = T.DEFAULT_TZ,
                 period: str | None = None, now: dt.datetime | None = None, progress: bool | None = None,
                 labels: Mapping[str, str] | None = None) -> str:
    """Build the HTML report and return it (and write it to ``output`` when given).

    Parameters
    ----------
    source:
        A DataFrame or a CSV/JSONL path: raw requests (triaged here) or triaged rows.
    triager:
        Used for raw requests (default: ``triage.load()``) and for the
        characteristic words (its tokenizer and category labels).
    sla_states:
        Optional DataFrame or CSV/JSONL of SLA states: ``ticket_id, metric, state``
        and ``queue``/``channel``/``category`` (or joined from the decisions).
    period:
        ``"week"`` or ``"month"`` for the top-N and trend; default: weeks for up
        to 10 weeks of data, else months.
    now:
        Receipt time for raw requests without ``received_at``.
    progress:
        Progress bar while triaging (default: on a terminal, for 1,000 rows or more).

    Raises
    ------
    InputError
        The input cannot be read or lacks the columns a report needs.
    """
    import pandas as pd

    from .fonts import HTML_FONT_FAMILY, font_face_css
    from .plots import (
        plot_category_channel,
        plot_characteristic_words,
        plot_pareto,
        plot_priority_channel,
        plot_repeat_rate,
        plot_review,
        plot_sla_states,
        plot_top_categories,
        plot_weekday_hour,
    )

    frame = read_tickets(source) if isinstance(source, str | os.PathLike) else source
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"build_report: expected a DataFrame or a path, got {type(source).__name__}")
    if not is_triaged(frame):
        frame = triage_tickets(frame, triager=triager, now=now, progress=progress)
    if labels is None and triager is not None:
        labels = {c: cat.label for c, cat in triager.pack.categories.items()}
    states = read_tickets(sla_states) if isinstance(sla_states, str | os.PathLike) else sla_states
    if period is not None and period not in ("week", "month"):
        raise InputError(f"period must be 'week' or 'month', got {period!r}")

    s = summarize(frame, sla_states=states, tz=tz, period=period, labels=labels)
    per = s["period"]
    unit = "周" if per == "week" else "月"
    sections: list[str] = []
    nav: list[tuple[str, str]] = []

    def add(anchor: str, heading: str, *parts: str, note: str = "") -> None:
        nav.append((anchor, heading))
        sections.append(_section(anchor, heading, *parts, note=note))

    pareto = T.category_pareto(frame, labels=labels)
    add("pareto", "类别帕累托 Category Pareto",
        _img(plot_pareto(pareto), "category Pareto"),
        _table(pareto, [("label", "类别", None), ("category", "id", None), ("count", "请求数", None),
                        ("share", "占比", "pct"), ("cumulative_share", "累计占比", "pct"),
                        ("vital_few", "前 80%", None)]),
        note="不含待人工复核的请求。深色柱为累计达到 80% 的少数类别。")

    has_time = "received_at" in frame.columns
    if has_time:
        top = T.top_categories(frame, period=per, n=3, tz=tz, labels=labels)
        add("top", f"每{unit}前三类 Top 3 per {per}",
            _img(plot_top_categories(top), "top categories per period"),
            _table(top, [("period", "周期", None), ("rank", "名次", None), ("label", "类别", None),
                         ("count", "请求数", None), ("share", "占比", "pct"), ("previous_count", f"上{unit}", None),
                         ("change", "变化", "signed"), ("change_pct", "变化率", "signed_pct")]))
    cc = T.category_by_channel(frame, labels=labels) if "channel" in frame.columns else None
    if cc is not None:
        add("channel", "类别 × 渠道 Category × channel", _img(plot_category_channel(cc), "category by channel"),
            f'<div class="scroll">{_wide(cc, "label", "channel", row_header="类别")}</div>')
        pc = T.priority_by_channel(frame)
        add("priority", "优先级 × 渠道 Priority × channel", _img(plot_priority_channel(pc), "priority by channel"),
            f'<div class="scroll">{_wide(pc, "priority", "channel", row_header="优先级")}</div>')
    if has_time:
        wh = T.volume_by_weekday_hour(frame, tz=tz)
        busiest = wh.sort_values("count", ascending=False, kind="stable").head(3)
        peaks = "、".join(f"{r['weekday_label']} {r['hour']}:00（{r['count']}）"
                         for r in busiest.to_dict("records") if r["count"])
        add("hours", "来量高峰 Volume by weekday × hour", _img(plot_weekday_hour(wh), "volume by weekday and hour"),
            note=f"时区 {tz}。最忙的时段：{peaks or '无'}。")
    if states is not None:
        parts = []
        for by, name in (("queue", "队列"), ("channel", "渠道"), ("category", "类别")):
            if by not in states.columns and by not in frame.columns:
                continue
            table = T.sla_state_table(states, by=by, decisions_frame=frame if by in frame.columns else None)
            if by == "category":
                lab = labels or T.CATEGORY_LABELS
                table[by] = [lab.get(str(c), str(c)) for c in table[by]]
            parts.append(_img(plot_sla_states(table, title=f"SLA 状态（按{name}） SLA states by {by}"),
                              f"SLA states by {by}"))
            if not table.empty:
                wide = (table.pivot_table(index=by, columns="state", values="count", aggfunc="sum", sort=False)
                        .reindex(columns=list(T.SLA_STATES), fill_value=0).fillna(0).astype(int))
                wide["breach_rate"] = wide["breached"] / wide.sum(axis=1).where(wide.sum(axis=1) > 0)
                wide = wide.reset_index()
                parts.append(_table(wide, [(by, name, None)] + [(st, st, None) for st in T.SLA_STATES]
                                    + [("breach_rate", "超时率", "pct")]))
        add("sla", "SLA 状态 SLA states", *parts)
    if "tags" in frame.columns:
        rby = "category" if "category" in frame.columns else None
        rr = T.repeat_rate(frame, by=rby)
        if rby == "category" and not rr.empty:
            lab = labels or T.CATEGORY_LABELS
            rr.insert(1, "label", [lab.get(str(c), str(c)) for c in rr["category"]])
            rr_plot = rr.drop(columns=["category"]).rename(columns={"label": "类别"})
        else:
            rr_plot = rr
        add("repeat", "重复来访 Repeat contacts", _img(plot_repeat_rate(rr_plot), "repeat rate"),
            _table(rr, [(rr.columns[0] if rby is None else "label", "类别" if rby else "", None),
                        ("requests", "请求数", None),
                        ("repeat_complaint", "重复投诉", None), ("repeat_complaint_rate", "重复投诉率", "pct"),
                        ("repeat_contact", "重复来访", None), ("repeat_contact_rate", "重复来访率", "pct")]),
            note="标签 repeat_complaint / repeat_contact 需要请求附带历史记录（history）或历史库。")
    if {"confidence", "needs_review"} <= set(frame.columns):
        hist = T.confidence_histogram(frame)
        vby = "channel" if "channel" in frame.columns else None
        rv = T.review_rate(frame, by=vby)
        add("review", "人工复核与置信度 Review and confidence",
            _img(plot_review(hist, review_rate=s["review_rate"]), "confidence histogram"),
            _table(rv, [(rv.columns[0], "渠道" if vby else "", None), ("requests", "请求数", None),
                        ("needs_review", "待复核", None), ("review_rate", "复核率", "pct"),
                        ("mean_confidence", "平均置信度", "float"), ("median_confidence", "置信度中位数", "float")]))
    if "text" in frame.columns:
        words = T.characteristic_words(frame, tokenizer=triager, labels=labels)
        if not words.empty:
            joined = (words.groupby(["category", "label"], sort=False)["word"].agg("、".join).reset_index())
        else:
            joined = words
        add("words", "各类别特征词 Characteristic words", _img(plot_characteristic_words(words), "words"),
            _table(joined, [("label", "类别", None), ("word", "特征词（按对数几率排序）", None)]),
            note="分词后按加权对数几率（log-odds, Dirichlet 先验）排序，已去除停用词、标点与数字。")

    bullets = "".join(f"<li>{_e(line)}</li>" for line in summary_lines(s))
    versions = ""
    if "model_version" in frame.columns:
        mv = [str(v) for v in frame["model_version"].dropna().unique()][:3]
        rv_ = ([str(v) for v in frame["rules_version"].dropna().unique()][:3]
               if "rules_version" in frame.columns else [])
        versions = f" · 模型 {', '.join(mv) or '—'} · 规则 {', '.join(rv_) or '—'}"
    generated = dt.datetime.now(dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M %Z")
    nav_html = "".join(f'<a href="#{a}">{_e(h.split(" ")[0])}</a>' for a, h in nav)
    body = (f"<main><header><h1>{_e(title)}</h1><p>生成于 {_e(generated)}{_e(versions)}</p></header>"
            f"<nav>{nav_html}</nav>"
            f'<section id="summary"><h2>概要 Summary</h2><ul class="summary">{bullets}</ul></section>'
            + "".join(sections)
            + "<footer>triage · 本页自包含：图表为内嵌 PNG，字体为内嵌 Noto Sans SC 子集（SIL OFL 1.1），"
              "无需联网。</footer></main>")
    font_css = font_face_css(body + title)
    doc = ("<!DOCTYPE html>\n"
           f'<html lang="zh-CN"><head><meta charset="utf-8">'
           f'<meta name="viewport" content="width=device-width, initial-scale=1">'
           f"<title>{_e(title)}</title><style>{font_css}{CSS % {'font': HTML_FONT_FAMILY}}</style></head>"
           f"<body>{body}</body></html>\n")
    if output is not None:
        Path(output).write_text(doc, encoding="utf-8")
    return doc


# -- command line ---------------------------------------------------------------------------------------------------
def add_report_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``report`` options to a parser (used by ``triage report`` and :func:`report_main`)."""
    p.add_argument("tickets", help="CSV or JSONL: raw requests (text, channel, received_at, ...) or triaged rows "
                                   "(with category and priority columns)")
    p.add_argument("-o", "--output", default="report.html", help="HTML file to write (default: report.html)")
    p.add_argument("--sla", help="CSV/JSONL of SLA states (ticket_id, metric, state, queue/channel/category)")
    p.add_argument("--title", default="客服工单分析报告 Support ticket report")
    p.add_argument("--period", choices=("week", "month"), help="period for the top-N and trend (default: auto)")
    p.add_argument("--tz", default=T.DEFAULT_TZ, help="time zone for periods, weekdays and hours")
    p.add_argument("--rules", help="rule pack for raw requests (default: the shipped pack)")
    p.add_argument("--model", help="model bundle for raw requests (default: the shipped model)")
    p.add_argument("--now", help="receipt time for requests without one (ISO 8601)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    return p


def report_command(args: argparse.Namespace) -> int:
    """Run the report for parsed arguments (see :func:`add_report_arguments`); returns the exit code.

    Errors are raised as :class:`triage.errors.TriageError` for the caller to print.
    """
    from .._parse import parse_time

    frame = read_tickets(args.tickets)
    triager = None
    if args.rules or args.model or not is_triaged(frame):  # only raw requests need a triager
        import triage

        triager = triage.load(rules=args.rules, model=args.model)
    now = parse_time(args.now, "--now") if args.now else None
    build_report(frame, output=args.output, triager=triager, sla_states=args.sla, title=args.title,
                 tz=args.tz, period=args.period, now=now, progress=False if args.quiet else None)
    if not args.quiet:
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


def report_main(argv: Iterable[str] | None = None) -> int:
    """``python -m triage.analytics.report TICKETS -o report.html``; returns the exit code."""
    parser = add_report_arguments(argparse.ArgumentParser(prog="triage report",
                                                          description="one self-contained HTML report"))
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        return report_command(args)
    except TriageError as exc:
        print(f"triage report: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(report_main())

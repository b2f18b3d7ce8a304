"""triage.analytics: tables, charts (no tofu), the HTML report, bad input."""

from __future__ import annotations

import base64
import io
import itertools
import json
import math
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest

from triage.analytics import plots as P
from triage.analytics import tables as T
from triage.analytics.fonts import cjk_font_path, font_context, missing_glyphs
from triage.errors import InputError

pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parent.parent


def frame(rows: list[dict]) -> pd.DataFrame:
    """A decision frame with the columns triage_frame produces (only those the tables read)."""
    base = {"request_id": None, "category": "logistics", "confidence": 0.9, "needs_review": False,
            "priority": "P3", "queue": "物流组", "tags": [], "channel": "wechat",
            "received_at": "2026-11-02T09:30:00+08:00", "error": None, "text": ""}
    out = [{**base, "request_id": f"r{i}", **r} for i, r in enumerate(rows)]
    return pd.DataFrame(out)


def counts(spec: dict[str, int], **extra) -> list[dict]:
    return [{"category": c, **extra} for c, n in spec.items() for _ in range(n)]


@pytest.fixture(scope="module")
def demo(triager) -> pd.DataFrame:
    """The shipped demo requests, triaged, with receipt times spread over four weeks."""
    df = pd.read_json(ROOT / "examples" / "requests.jsonl", lines=True, dtype=False)
    start = pd.Timestamp("2026-10-05 08:00", tz="Asia/Shanghai")
    df["received_at"] = [(start + pd.Timedelta(hours=19 * i + (i * 7) % 5)).isoformat() for i in range(len(df))]
    return df[["text"]].join(triager.triage_frame(df))


# -- tables ------------------------------------------------------------------------------------------------------
def test_pareto_shares_cumulate_to_one_and_mark_the_vital_few() -> None:
    table = T.category_pareto(frame(counts({"quality": 1, "logistics": 5, "payment": 3, "feedback": 1})))
    assert list(table["category"]) == ["logistics", "payment", "feedback", "quality"]  # ties by id
    assert list(table["count"]) == [5, 3, 1, 1]
    cum = table["cumulative_share"].to_list()
    assert cum[-1] == 1.0
    assert all(b >= a for a, b in itertools.pairwise(cum))
    assert cum[:2] == pytest.approx([0.5, 0.8])
    assert list(table["vital_few"]) == [True, True, False, False]  # 50% + 30% reach 80%
    assert table.loc[0, "label"] == "物流配送问题"


def test_pareto_leaves_out_review_and_error_rows() -> None:
    rows = counts({"logistics": 2}) + [{"category": "presale", "needs_review": True},
                                        {"category": None, "error": "request 3: bad time"}]
    assert T.category_pareto(frame(rows))["count"].sum() == 2
    assert T.category_pareto(frame(rows), include_review=True)["count"].sum() == 3


def test_top_categories_change_against_the_previous_period() -> None:
    week = {1: "2026-11-02T10:00:00+08:00", 2: "2026-11-09T10:00:00+08:00", 4: "2026-11-23T10:00:00+08:00"}
    rows = (counts({"logistics": 3, "payment": 1}, received_at=week[1])
            + counts({"logistics": 1, "payment": 4, "quality": 2}, received_at=week[2])
            + counts({"logistics": 2}, received_at=week[4]))  # week 3 has nothing
    table = T.top_categories(frame(rows), period="week", n=2)
    w1 = table[table["period"] == "2026-W45"]
    assert list(w1["category"]) == ["logistics", "payment"]
    assert w1["previous_count"].isna().all() and w1["change"].isna().all()
    w2 = table[table["period"] == "2026-W46"].set_index("category")
    assert list(w2.index) == ["payment", "quality"]  # top 2 only
    assert (w2.loc["payment", "previous_count"], w2.loc["payment", "change"]) == (1, 3)
    assert w2.loc["payment", "change_pct"] == pytest.approx(3.0)
    assert (w2.loc["quality", "previous_count"], w2.loc["quality", "change"]) == (0, 2)
    assert math.isnan(w2.loc["quality", "change_pct"])  # no percentage from zero
    assert w2.loc["payment", "share"] == pytest.approx(4 / 7)
    w4 = table[table["period"] == "2026-W48"].set_index("category")
    assert (w4.loc["logistics", "previous_count"], w4.loc["logistics", "change"]) == (0, 2)  # empty week 3
    assert "2026-W47" not in set(table["period"])

    months = T.top_categories(frame(rows), period="month", n=1)
    assert list(months["period"]) == ["2026-11"] and months.loc[0, "count"] == 6


def test_periods_use_local_time_not_utc() -> None:
    # Sunday 20:00 UTC is Monday 04:00 in Shanghai: the next week
    rows = [{"received_at": "2026-11-08T20:00:00Z"}]
    assert T.top_categories(frame(rows))["period"].tolist() == ["2026-W46"]
    assert T.top_categories(frame(rows), tz="UTC")["period"].tolist() == ["2026-W45"]


def test_weekday_hour_counts_sum_to_rows_across_mixed_time_zones_and_types() -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    times = ["2026-11-02T09:30:00+08:00", "2026-11-02T01:30:00Z", "2026-11-02 09:59:00",  # all Mon 9:xx local
             dt.datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")),  # Mon 17:00 local
             pd.Timestamp("2026-11-08T23:00:00", tz="Asia/Shanghai"),  # Sun 23:00
             1_793_000_000]  # epoch seconds
    table = T.volume_by_weekday_hour(frame([{"received_at": t} for t in times]))
    assert len(table) == 7 * 24
    assert table["count"].sum() == len(times)
    cell = table.set_index(["weekday", "hour"])["count"]
    assert cell[(0, 9)] == 3 and cell[(0, 17)] == 1 and cell[(6, 23)] == 1
    assert table.loc[table["weekday"] == 0, "weekday_label"].iloc[0] == "周一"


def test_cross_tables_are_complete_and_share_within_the_channel() -> None:
    rows = (counts({"logistics": 3}, channel="wechat") + counts({"payment": 1}, channel="wechat")
            + counts({"payment": 2}, channel="email", priority="P1"))
    cc = T.category_by_channel(frame(rows))
    assert len(cc) == 4 and cc["count"].sum() == 6
    got = cc.set_index(["category", "channel"])
    assert got.loc[("logistics", "wechat"), "share_of_channel"] == pytest.approx(0.75)
    assert got.loc[("logistics", "email"), "count"] == 0
    pc = T.priority_by_channel(frame(rows))
    assert pc["priority"].iloc[0] == "P1"  # P1 first
    assert pc.set_index(["priority", "channel"]).loc[("P1", "email"), "share_of_channel"] == 1.0


def test_sla_state_table_by_queue_and_joined_from_decisions() -> None:
    states = pd.DataFrame({"ticket_id": ["a", "a", "b", "c"], "metric": ["first_response", "resolution"] * 2,
                           "state": ["met", "breached", "warning", "BREACHED"], "queue": ["物流组", "物流组", "售后组", "售后组"]})
    t = T.sla_state_table(states, by="queue")
    assert set(t["state"]) == set(T.SLA_STATES) and t["count"].sum() == 4
    g = t.set_index(["queue", "state"])["count"]
    assert g[("物流组", "breached")] == 1 and g[("售后组", "breached")] == 1 and g[("售后组", "warning")] == 1
    only = T.sla_state_table(states, by="queue", metric="resolution")
    assert only["count"].sum() == 2
    dec = frame([{"request_id": "a", "channel": "phone"}, {"request_id": "b", "channel": "email"},
                 {"request_id": "c", "channel": "email"}])
    by_channel = T.sla_state_table(states.drop(columns="queue"), by="channel", decisions_frame=dec)
    assert by_channel.set_index(["channel", "state"])["count"][("email", "breached")] == 1
    with pytest.raises(InputError, match="'state'.*'late'"):
        T.sla_state_table(states.assign(state="late"), by="queue")
    with pytest.raises(InputError, match="'channel'"):
        T.sla_state_table(states, by="channel")


def test_sla_state_table_reads_the_sla_producer_output() -> None:
    """`triage sla` rows: group columns empty for untriaged tickets, an error column for unreadable ones."""
    states = pd.DataFrame({"ticket_id": ["a", "a", "b", "x"], "metric": ["first_response", "resolution"] * 2,
                           "state": ["breached", "on_track", "met", None], "queue": [None, "", "售后组", None],
                           "error": [None, None, None, "received_at: cannot read 'soon'"]})
    dec = frame([{"request_id": "a", "queue": "物流组"}, {"request_id": "b", "queue": "物流组"}])
    t = T.sla_state_table(states, by="queue", decisions_frame=dec).set_index(["queue", "state"])["count"]
    assert t.sum() == 3  # the error row is left out, not an InputError
    assert t[("物流组", "breached")] == 1 and t[("物流组", "on_track")] == 1
    assert t[("售后组", "met")] == 1  # the states' own value wins over the decisions'


def test_repeat_rate_reads_lists_and_csv_strings() -> None:
    rows = [{"tags": ["repeat_complaint", "repeat_contact"]}, {"tags": "repeat_contact; angry"},
            {"tags": '["vip"]'}, {"tags": None}]
    t = T.repeat_rate(frame(rows))
    assert t.loc[0, "requests"] == 4
    assert t.loc[0, "repeat_complaint_rate"] == pytest.approx(0.25)
    assert t.loc[0, "repeat_contact_rate"] == pytest.approx(0.5)


def test_review_rate_and_confidence_histogram() -> None:
    rows = [{"confidence": 0.05, "needs_review": True}, {"confidence": "0.95", "needs_review": "False"},
            {"confidence": 1.0, "needs_review": False}, {"confidence": 0.5, "needs_review": "true"}]
    r = T.review_rate(frame(rows))
    assert r.loc[0, "needs_review"] == 2 and r.loc[0, "review_rate"] == 0.5
    h = T.confidence_histogram(frame(rows), bins=10)
    assert h["count"].sum() == 4 and h["count"].iloc[-1] == 2 and h["needs_review"].iloc[0] == 1


def test_characteristic_words_find_the_obvious_word() -> None:
    rows = ([{"category": "logistics", "text": t} for t in
             ["我的快递一周了还没到", "快递显示已签收但没收到", "快递三天没有更新物流", "快递员态度很差"]]
            + [{"category": "payment", "text": t} for t in
               ["发票抬头开错了", "付款扣了两次钱", "发票什么时候能开", "支付失败怎么办"]])
    words = T.characteristic_words(frame(rows), top=3)
    logistics = words[words["category"] == "logistics"]
    assert logistics["word"].iloc[0] == "快递" and logistics["count"].iloc[0] == 3  # 快递员 is its own word
    assert "发票" in set(words[words["category"] == "payment"]["word"])
    assert "快递" not in set(words[words["category"] == "payment"]["word"])
    assert not words["word"].isin(T.STOPWORDS).any()
    assert not words["word"].str.contains(r"\d|[，。！？]").any()
    # any str -> words callable works as the tokenizer
    assert set(T.characteristic_words(frame(rows), tokenizer=lambda s: s.split("了"))["category"]) <= {
        "logistics", "payment"}


def test_demo_tables_are_consistent(demo: pd.DataFrame, triager) -> None:
    pareto = T.category_pareto(demo)
    assert pareto["count"].sum() == (~demo["needs_review"]).sum()
    assert T.volume_by_weekday_hour(demo)["count"].sum() == len(demo)
    words = T.characteristic_words(demo, tokenizer=triager)
    assert "快递" in set(words[words["category"] == "logistics"]["word"])


# -- bad input ---------------------------------------------------------------------------------------------------
TABLES = [
    (T.category_pareto, "category"), (T.top_categories, "received_at"), (T.category_by_channel, "channel"),
    (T.priority_by_channel, "priority"), (T.volume_by_weekday_hour, "received_at"), (T.repeat_rate, "tags"),
    (T.review_rate, "needs_review"), (T.confidence_histogram, "confidence"), (T.characteristic_words, "text"),
]


@pytest.mark.parametrize(("func", "column"), TABLES, ids=[f.__name__ for f, _ in TABLES])
def test_missing_column_is_an_input_error_naming_it(func, column) -> None:
    with pytest.raises(InputError, match=repr(column)):
        func(frame([{}]).drop(columns=column))


@pytest.mark.parametrize(("func", "column"), TABLES, ids=[f.__name__ for f, _ in TABLES])
def test_empty_and_single_row_frames(func, column) -> None:
    empty = func(frame([{}]).iloc[:0])
    assert isinstance(empty, pd.DataFrame)
    single = func(frame([{"text": "快递还没到"}]))
    assert isinstance(single, pd.DataFrame) and len(single) >= 1


def test_not_a_dataframe() -> None:
    with pytest.raises(InputError, match="DataFrame"):
        T.category_pareto([{"category": "x"}])  # type: ignore[arg-type]


def test_unreadable_time_names_the_column_and_row() -> None:
    with pytest.raises(InputError, match=r"'received_at', row 1.*yesterday"):
        T.volume_by_weekday_hour(frame([{}, {"received_at": "yesterday"}]))
    with pytest.raises(InputError, match="time zone"):
        T.volume_by_weekday_hour(frame([{}]), tz="Mars/Olympus")
    with pytest.raises(InputError, match="period"):
        T.top_categories(frame([{}]), period="day")


def test_non_numeric_confidence_names_the_column() -> None:
    with pytest.raises(InputError, match="'confidence'"):
        T.review_rate(frame([{"confidence": "high"}]))


def test_all_rows_needs_review() -> None:
    f = frame([{"needs_review": True, "confidence": 0.1}] * 3)
    assert T.category_pareto(f).empty
    assert T.review_rate(f).loc[0, "review_rate"] == 1.0
    fig = P.plot_pareto(T.category_pareto(f))
    assert P.NO_DATA in _texts(fig)


def _texts(fig) -> str:
    from matplotlib.text import Text

    return "\n".join(t.get_text() for t in fig.findobj(Text))


# -- plots -------------------------------------------------------------------------------------------------------
def _all_figures(f: pd.DataFrame, triager=None) -> dict[str, object]:
    states = pd.DataFrame({"ticket_id": f["request_id"], "metric": "first_response",
                           "state": (["on_track", "breached", "warning", "met", "paused"] * len(f))[:len(f)],
                           "queue": f["queue"]})
    return {
        "pareto": P.plot_pareto(T.category_pareto(f)),
        "top": P.plot_top_categories(T.top_categories(f)),
        "category_channel": P.plot_category_channel(T.category_by_channel(f)),
        "priority_channel": P.plot_priority_channel(T.priority_by_channel(f)),
        "weekday_hour": P.plot_weekday_hour(T.volume_by_weekday_hour(f)),
        "sla": P.plot_sla_states(T.sla_state_table(states, by="queue")),
        "repeat": P.plot_repeat_rate(T.repeat_rate(f, by="channel")),
        "review": P.plot_review(T.confidence_histogram(f), review_rate=0.1),
        "words": P.plot_characteristic_words(T.characteristic_words(f, tokenizer=triager)),
    }


def test_every_chart_draws_chinese_with_the_cjk_font(demo: pd.DataFrame, triager) -> None:
    """No tofu: every character of every text has a glyph (and pytest turns 'Glyph missing' warnings into errors)."""
    import matplotlib
    from matplotlib.font_manager import findfont
    from matplotlib.text import Text

    font = cjk_font_path()
    assert font is not None, "no CJK font: install triage[plot] (pylopdf-fonts-zh-cn)"
    before = dict(matplotlib.rcParams)
    figures = _all_figures(demo, triager)
    assert dict(matplotlib.rcParams) == before  # no global rcParams change
    for name, fig in figures.items():
        assert missing_glyphs(fig) == [], name
        fig.savefig(io.BytesIO(), format="png")  # draws for real, warnings are errors
        chinese = [t for t in fig.findobj(Text) if any("\u4e00" <= c <= "\u9fff" for c in t.get_text())]
        assert chinese, name
        for t in chinese:
            assert Path(findfont(t.get_fontproperties())) == font, (name, t.get_text())


def test_missing_glyphs_detects_tofu_outside_the_font_context() -> None:
    from matplotlib.figure import Figure

    fig = Figure()
    fig.add_subplot().set_title("物流组")  # built without font_context: DejaVu has no Chinese
    with pytest.warns(UserWarning, match="missing from font"):
        assert {c for _, c in missing_glyphs(fig)} == set("物流组")
    with font_context() as family:
        fig2 = Figure()
        fig2.add_subplot().set_title("物流组")
    assert family == "Noto Sans SC" and missing_glyphs(fig2) == []


def test_charts_for_empty_and_single_row_frames() -> None:
    empty = frame([{}]).iloc[:0]
    for name, fig in _all_figures(empty).items():
        assert P.NO_DATA in _texts(fig), name
        fig.savefig(io.BytesIO(), format="png")
    for name, fig in _all_figures(frame([{"text": "快递还没到", "tags": ["repeat_contact"]}])).items():
        assert missing_glyphs(fig) == [], name
        fig.savefig(io.BytesIO(), format="png")


def test_plot_with_wrong_table_is_an_input_error() -> None:
    with pytest.raises(InputError, match="plot_pareto.*'category'"):
        P.plot_pareto(T.repeat_rate(frame([{}])))


def test_importing_triage_and_analytics_stays_light() -> None:
    code = ("import sys, triage, triage.analytics, triage.analytics.tables, triage.analytics.plots; "
            "print(sorted(m for m in ('pandas', 'matplotlib', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# -- the report --------------------------------------------------------------------------------------------------
class _Page(HTMLParser):
    VOID: ClassVar[set[str]] = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.imgs: list[dict[str, str | None]] = []
        self.urls: list[str] = []
        self.text: list[str] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.imgs.append(a)
        for k in ("src", "href"):
            if a.get(k):
                self.urls.append(a[k])
        if tag not in self.VOID:
            self.stack.append(tag)
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data
        else:
            self.text.append(data)


def check_page(doc: str) -> _Page:
    """Well-formed, every image embedded, nothing fetched from a network, every character in the embedded font."""
    import re

    from fontTools.ttLib import TTFont

    page = _Page()
    page.feed(doc)
    page.close()
    assert page.errors == [] and page.stack == []
    assert page.imgs, "no charts"
    for img in page.imgs:
        src = img["src"] or ""
        assert src.startswith("data:image/png;base64,"), src[:40]
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
        assert img.get("alt")
    for url in page.urls:
        assert url.startswith(("#", "data:")), url
    assert not re.search(r"url\((?!data:)", page.style) and "@import" not in page.style
    m = re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", page.style)
    assert m, "no embedded font"
    cmap = TTFont(io.BytesIO(base64.b64decode(m.group(1)))).getBestCmap()
    text = "".join(page.text)
    missing = {c for c in text if not c.isspace() and ord(c) not in cmap}
    assert missing == set()
    return page


def test_report_from_a_triaged_frame_is_self_contained(demo: pd.DataFrame, triager, tmp_path: Path) -> None:
    from triage.analytics.report import build_report

    out = tmp_path / "report.html"
    states = pd.DataFrame({"ticket_id": demo["request_id"], "metric": "first_response",
                           "state": ["breached" if i % 7 == 0 else "met" for i in range(len(demo))]})
    doc = build_report(demo, output=out, triager=triager, sla_states=states)
    assert out.read_text(encoding="utf-8") == doc
    page = check_page(doc)
    text = "".join(page.text)
    assert "共 35 条请求" in text and "P1 紧急" in text and "超时" in text and "人工复核率" in text
    assert "产品质量" in text  # a top category in the summary and tables
    assert len(page.imgs) >= 9
    assert "http://" not in doc and "https://" not in doc


def test_report_from_raw_csv_and_triaged_csv(triager, tmp_path: Path) -> None:
    from triage.analytics.report import build_report, report_main

    raw = pd.read_json(ROOT / "examples" / "requests.jsonl", lines=True, dtype=False)[["id", "text", "channel"]]
    raw["received_at"] = ["2026-10-05T09:00:00+08:00", "2026-10-06 10:00:00", "2026-10-13T02:00:00Z"] * 11 + [
        "2026-10-20T09:00:00+08:00"] * 2
    raw.to_csv(tmp_path / "tickets.csv", index=False)
    doc = build_report(tmp_path / "tickets.csv", triager=triager, progress=False)
    check_page(doc)
    assert "共 35 条请求" in doc

    # what `triage run -o out.csv` writes: lists joined with "; ", booleans and times as text
    triaged = triager.triage_frame(raw)
    flat = triaged.map(lambda v: "; ".join(v) if isinstance(v, list) else v)
    flat.to_csv(tmp_path / "triaged.csv", index=False)
    code = report_main([str(tmp_path / "triaged.csv"), "-o", str(tmp_path / "r.html"), "-q"])
    assert code == 0
    check_page((tmp_path / "r.html").read_text(encoding="utf-8"))


def test_report_bad_inputs(tmp_path: Path, capsys) -> None:
    from triage.analytics.report import build_report, report_main

    (tmp_path / "x.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="'text'"):
        build_report(tmp_path / "x.csv")
    with pytest.raises(InputError, match="no such file"):
        build_report(tmp_path / "missing.csv")
    (tmp_path / "x.txt").write_text("hi", encoding="utf-8")
    assert report_main([str(tmp_path / "x.txt"), "-o", str(tmp_path / "r.html")]) == 2
    assert ".csv or .jsonl" in capsys.readouterr().err
    # an empty triaged frame still gives a page, saying there is no data
    doc = build_report(frame([{}]).iloc[:0])
    assert "无数据" in doc
    check_page(doc)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.mark.skipif(_chromium() is None, reason="no Chromium on this machine (apt-get install chromium)")
def test_report_renders_in_headless_chromium(demo: pd.DataFrame, triager, tmp_path: Path) -> None:
    """The page as a person sees it: a non-blank screenshot with charts and text."""
    import numpy as np
    from matplotlib.image import imread

    from triage.analytics.report import build_report

    html = tmp_path / "report.html"
    build_report(demo, output=html, triager=triager)
    shot = tmp_path / "shot.png"
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars", f"--screenshot={shot}",
           "--window-size=1280,2400", html.as_uri()]
    run = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    img = imread(shot)[..., :3]
    assert img.shape[:2] == (2400, 1280)
    non_white = (img < 0.94).any(axis=2).mean()
    assert non_white > 0.05, "page looks blank"
    colours = len(np.unique((img * 255).astype(np.uint8).reshape(-1, 3)[::97], axis=0))
    assert colours > 50, "page has no charts"
    # the main column is centred: both margins are the page background
    assert np.allclose(img[:, :40].mean(), img[:, -40:].mean(), atol=0.02)


def test_summary_numbers(demo: pd.DataFrame) -> None:
    from triage.analytics.report import summarize, summary_lines

    s = summarize(demo)
    assert s["requests"] == 35 and s["errors"] == 0
    assert s["p1"] == int((demo["priority"] == "P1").sum())
    assert s["review_rate"] == pytest.approx(demo["needs_review"].mean())
    assert [t["category"] for t in s["top"]] == T.category_pareto(demo)["category"].head(3).tolist()
    lines = summary_lines(s)
    assert lines[0].startswith("2026-10-05 至") and any(line.startswith("前三类") for line in lines)
    json.dumps({k: v for k, v in s.items() if k not in ("start", "end")}, default=str)

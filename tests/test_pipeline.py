"""The public contract: triage.load(), triage(), triage_many(), triage_frame(), to_dict(), properties."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import triage
from strategies import run_in_threads, texts
from triage import Customer, Decision, InputError, Order, Request

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_import_is_light() -> None:
    """`import triage` pulls in no scikit-learn, pandas, numpy or tokenizer."""
    code = ("import sys, triage; heavy = [m for m in ('sklearn', 'pandas', 'numpy', 'jieba', 'rjieba', 'opencc', "
            "'yaml', 'scipy') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_readme_example(triager: triage.Triager) -> None:
    d = triager.triage("我的快递一周了还没到")
    assert isinstance(d, Decision)
    assert d.category == "logistics"
    assert d.priority in ("P1", "P2", "P3", "P4")
    assert d.queue == "物流组"
    assert any(e.kind == "duration" and e.value == "168h" for e in d.entities)
    assert d.reasons and any(r.stage == "model" for r in d.reasons)
    assert d.model_version.startswith("default-") and d.rules_version.startswith("default@")


def test_full_request(triager: triage.Triager) -> None:
    req = Request(text="衣服质量太差了，洗一次就掉色，要求退货退款", subject="质量问题投诉", channel="email",
                  received_at=NOW, customer=Customer(id="c1", tier="vip"), order=Order(id="A1", amount=399))
    d = triager.triage(req)
    assert d.category == "quality"
    assert "wants_refund" in d.tags and "vip" in d.tags
    assert d.priority == "P2"           # VIP with a problem
    assert d.queue == "资深客服"          # green channel
    assert d.sla["first_response"].due > NOW
    assert d.received_at == NOW and d.channel_type == "async"


def test_decision_is_immutable(triager: triage.Triager) -> None:
    d = triager.triage("退款怎么还没到账")
    with pytest.raises(AttributeError):
        d.category = "presale"  # type: ignore[misc]
    with pytest.raises(TypeError):
        d.sla["x"] = None  # type: ignore[index]


def test_to_dict_is_json_safe(triager: triage.Triager) -> None:
    d = triager.triage(Request(text="订单号3921847561029384756什么时候发货", received_at=NOW))
    payload = json.loads(json.dumps(d.to_dict(), ensure_ascii=False))
    assert payload["category"] == d.category
    assert payload["entities"][0]["kind"] == "order_id"
    assert dt.datetime.fromisoformat(payload["sla"]["first_response"]["due"]) == d.sla["first_response"].due
    assert all(isinstance(r, str) for r in payload["reasons"])


@pytest.mark.parametrize("text", ["在吗", "？？？", "😭", "asdfghjkl", "", "   ", "1"])
def test_vague_messages_go_to_review(triager: triage.Triager, text: str) -> None:
    d = triager.triage(text)
    assert d.needs_review
    assert d.queue == "人工复核"
    assert any("vague" in r.message or "not sure" in r.message for r in d.reasons if r.stage == "model")


def test_triage_many_keeps_order_and_reports_bad_rows(triager: triage.Triager) -> None:
    reqs = ["我的快递一周了还没到", {"text": "APP闪退"}, Request(text="这件衣服有S码吗")]
    out = triager.triage_many(reqs, now=NOW)
    assert [d.category for d in out] == ["logistics", "technical", "presale"]  # type: ignore[union-attr]
    with pytest.raises(InputError, match="request 1"):
        triager.triage_many(["ok", {"no_text": 1}], now=NOW)
    mixed = triager.triage_many(["ok", {"no_text": 1}, 42, "退款"], now=NOW, on_error="record")
    assert [type(x).__name__ for x in mixed] == ["Decision", "RowError", "RowError", "Decision"]
    assert mixed[1].index == 1 and "text" in mixed[1].error  # type: ignore[union-attr]


def test_triage_frame(triager: triage.Triager) -> None:
    import pandas as pd

    df = pd.DataFrame({"text": ["我的快递一周了还没到", None, "账号被盗了"], "channel": ["wechat", "email", None],
                       "received_at": ["2026-09-30 17:00", None, "2026-10-01T02:00:00+08:00"]},
                      index=[10, 11, 12])
    out = triager.triage_frame(df, now=NOW)
    assert list(out.index) == [10, 11, 12]
    assert out.loc[10, "category"] == "logistics" and out.loc[10, "queue"] == "物流组"
    assert out.loc[11, "needs_review"]                     # empty text: a decision, not a dropped row
    assert out.loc[10, "received_at"].hour == 17           # naive strings are Asia/Shanghai
    assert out["error"].isna().all()
    joined = df.join(out[["category", "priority"]])
    assert len(joined) == 3
    with pytest.raises(InputError, match="no 'text' column"):
        triager.triage_frame(pd.DataFrame({"message": ["x"]}))


def test_request_validation_errors_name_the_field() -> None:
    with pytest.raises(InputError, match="received_at must be timezone-aware"):
        Request(text="x", received_at=dt.datetime(2026, 1, 1))
    with pytest.raises(InputError, match="text must be a str"):
        Request(text=None)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="order.amount"):
        Request.from_dict({"text": "x", "order_amount": "lots"})
    with pytest.raises(InputError, match="received_at"):
        Request.from_dict({"text": "x", "received_at": "yesterday-ish"})


def test_from_dict_reads_flat_and_nested_fields() -> None:
    r = Request.from_dict({"text": "x", "customer_tier": "VIP", "order": {"id": 5, "amount": "¥1,299"},
                           "request_id": "r1", "shop": "A店"})
    assert r.customer.tier == "vip" and r.order.amount == 1299 and r.id == "r1"  # type: ignore[union-attr]
    assert r.meta["shop"] == "A店"


def test_huge_text_is_truncated_with_a_reason(triager: triage.Triager) -> None:
    d = triager.triage("快递没到" * 300_000)  # 1.2 M characters
    assert any(r.source == "limit" for r in d.reasons)
    assert d.category == "logistics"


@settings(max_examples=150)
@given(texts)
def test_any_text_gives_a_decision(s: str) -> None:
    d = TRIAGER.triage(Request(text=s, received_at=NOW))
    assert isinstance(d, Decision)
    assert d.queue and d.priority in ("P1", "P2", "P3", "P4")
    assert all(t.due >= NOW for t in d.sla.values())
    json.dumps(d.to_dict())


@settings(max_examples=60)
@given(texts, st.sampled_from([None, "wechat", "email", "weibo", "marketplace", "unknown-channel"]))
def test_same_input_same_decision(s: str, channel: str | None) -> None:
    req = Request(text=s, channel=channel, received_at=NOW)
    assert TRIAGER.triage(req) == TRIAGER.triage(req)


def test_one_triager_many_threads(triager: triage.Triager) -> None:
    reqs = [Request(text=t, received_at=NOW) for t in
            ["我的快递一周了还没到", "账号被盗了，钱被转走了", "在吗", "優惠券用不了", "发票开错了", "电水壶冒烟了"] * 30]
    expected = [triager.triage(r) for r in reqs]
    results = run_in_threads(lambda: [triager.triage(r) for r in reqs])
    assert len(results) == 8 and all(r == expected for r in results)


TRIAGER = triage.load()


def test_workers_give_the_same_decisions_in_order(triager: triage.Triager) -> None:
    import datetime as dt

    import pandas as pd

    now = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    texts = ["我的快递一周了还没到", "", "APP闪退", "這個充電寶能帶上飛機嗎", "退款还没到账"] * 9
    one = triager.triage_many(texts, now=now)
    assert triager.triage_many(texts, now=now, workers=2, chunksize=7) == one
    assert triager.triage_many(texts, now=now, workers=3, chunksize=1) == one  # caller and pool interleave
    bad = [*texts[:3], 42, *texts[3:]]
    recorded = triager.triage_many(bad, now=now, on_error="record", workers=2, chunksize=2)
    assert isinstance(recorded[3], triage.RowError) and recorded[3].index == 3
    with pytest.raises(triage.InputError, match="request 3"):
        triager.triage_many(bad, now=now, workers=2, chunksize=2)
    df = pd.DataFrame({"text": texts}, index=range(100, 100 + len(texts)))
    pd.testing.assert_frame_equal(triager.triage_frame(df, now=now, workers=2, chunksize=10),
                                  triager.triage_frame(df, now=now))


def test_workers_without_fork_load_the_triager_again_in_each_process(triager: triage.Triager,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Where processes are spawned (Windows), the triager travels as its load arguments, not as itself."""
    import pickle

    import triage._workers as workers

    now = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    texts = ["我的快递一周了还没到", "APP闪退", "孩子吃了你们的饼干以后一直吐"] * 4
    monkeypatch.setattr(workers.mp, "get_all_start_methods", lambda: ["spawn"])
    assert triager.triage_many(texts, now=now, workers=2, chunksize=3) == triager.triage_many(texts, now=now)
    assert len(pickle.dumps(triager)) < 2_000  # arguments, not the model
    by_hand = triage.Triager(classifier=triager.classifier, tokenizer=triager.tokenizer, pack=triager.pack)
    with pytest.raises(TypeError, match="triage.load"):
        pickle.dumps(by_hand)


@given(n=st.integers(0, 50_000), chunksize=st.integers(1, 5_000), workers=st.integers(2, 8))
def test_worker_chunks_cover_every_row_once_and_shrink_towards_the_end(n: int, chunksize: int,
                                                                       workers: int) -> None:
    from triage._workers import _chunks

    chunks = list(_chunks(n, chunksize, workers))
    assert [i for a, b in chunks for i in range(a, b)] == list(range(n))
    sizes = [b - a for a, b in chunks]
    assert all(1 <= s <= chunksize for s in sizes)
    assert sizes == sorted(sizes, reverse=True)
    if n >= 4 * workers * chunksize:  # a big batch: full chunks first, a tail of small ones
        assert sizes[0] == chunksize and sizes[-1] <= max(1, min(chunksize, 50))


def test_a_batch_makes_no_reference_cycles_and_restores_the_collector(triager: triage.Triager) -> None:
    """triage_many pauses the cyclic collector while it runs, which is only sound if triage makes no cycles."""
    import collections
    import gc
    import types

    def from_triage(obj: object) -> bool:
        if isinstance(obj, types.FrameType):
            return "/triage/" in obj.f_code.co_filename
        if isinstance(obj, types.FunctionType):
            return str(obj.__module__).startswith("triage")
        return type(obj).__module__.startswith("triage")

    now = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    batch = ["我的快递一周了还没到", "", "x" * 30_000, 42, None, {"text": 5}, "孩子吃了果冻卡住了喘不上气",
             "密码被改了，余额里1260块没了", "上次过敏的事已经好了"] * 20
    triager.triage_many(batch, now=now, on_error="record")  # warm
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds stays in gc.garbage, to be looked at
    try:
        triager.triage_many(batch, now=now, on_error="record")
        gc.collect()
        # other tests' threads (Dask, hypothesis) may leave garbage of their own meanwhile: only ours counts
        ours = collections.Counter(type(o).__name__ for o in gc.garbage if from_triage(o))
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert not ours, ours
    triager.triage_many(batch[:3], now=now)
    assert gc.isenabled()
    gc.disable()
    try:
        triager.triage_many(batch[:3], now=now)
        assert not gc.isenabled()  # a caller who turned it off keeps it off
    finally:
        gc.enable()

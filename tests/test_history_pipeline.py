"""History in the pipeline: repeat complaints from a store, chasing language, corrections, failing stores."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path

import pytest

import triage
from triage import ConfigError, Customer, HistoryItem, InputError, Request
from triage.history import SafeStore, SQLiteStore

T0 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def with_store(triager: triage.Triager, tmp_path: Path) -> triage.Triager:
    """The shipped triager with a fresh SQLite store (sharing the loaded model and rules)."""
    return triage.Triager(classifier=triager.classifier, tokenizer=triager.tokenizer, pack=triager.pack,
                          store=SafeStore(SQLiteStore(tmp_path / "history.db")))


def ask(text: str, rid: str, when: dt.datetime, cid: str = "c-1", channel: str = "wechat") -> Request:
    return Request(id=rid, text=text, channel=channel, customer=Customer(id=cid), received_at=when)


def test_second_complaint_about_the_same_problem_is_escalated_and_cites_the_first(with_store) -> None:
    first = with_store.triage(ask("快递一个星期了还没到，单号SF1234567890123", "R1", T0, channel="phone"))
    assert first.category == "logistics" and "repeat_contact" not in first.tags
    second = with_store.triage(ask("物流一直不更新，包裹到底在哪", "R2", T0 + dt.timedelta(days=2)))
    assert {"repeat_contact", "repeat_complaint"} <= set(second.tags)
    assert second.priority == "P2" and second.queue == "投诉处理组"
    cited = [r for r in second.reasons if r.stage == "history"]
    assert any("R1" in r.message and "logistics" in r.message for r in cited), second.explain()
    assert any("via other channels" in r.message for r in cited)
    other = with_store.triage(ask("物流一直不更新，包裹到底在哪", "R3", T0 + dt.timedelta(days=2), cid="c-2"))
    assert "repeat_complaint" not in other.tags  # another customer


def test_contacts_older_than_a_week_do_not_count(with_store) -> None:
    with_store.triage(ask("快递一个星期了还没到", "R1", T0))
    later = with_store.triage(ask("物流一直不更新，包裹到底在哪", "R2", T0 + dt.timedelta(days=9)))
    assert "repeat_complaint" not in later.tags


def test_explicit_history_works_without_a_store(triager: triage.Triager) -> None:
    earlier = (HistoryItem(received_at=T0 - dt.timedelta(days=1), category="logistics", request_id="old-7",
                           open=True),)
    d = triager.triage(Request(text="物流一直不更新，包裹到底在哪", received_at=T0, history=earlier))
    assert "repeat_complaint" in d.tags and any("old-7" in r.message for r in d.reasons)


def test_chasing_language_is_a_separate_explained_signal(triager: triage.Triager) -> None:
    text = "這是我第三次聯繫你們了，退款到現在還沒到賬"
    d = triager.triage(Request(text=text, received_at=T0))
    assert {"chasing", "repeat_contact"} <= set(d.tags) and "repeat_complaint" not in d.tags
    reason = next(r for r in d.reasons if r.source == "chasing")
    assert any(text[e.start:e.end] == "第三次" for e in reason.evidence)
    plain = triager.triage(Request(text="我的快递一周了还没到", received_at=T0))
    assert "chasing" not in plain.tags


def test_corrections_are_recorded_and_validated(with_store, triager: triage.Triager) -> None:
    d = with_store.triage(ask("这个充电宝能带上飞机吗", "R9", T0))
    with_store.correct("R9", category="presale", priority="p4", agent="a-3")
    got = list(with_store.store.corrections())
    assert [(c.request_id, c.final_category) for c in got] == [("R9", "presale")]
    assert got[0].text == "这个充电宝能带上飞机吗" and d.request_id == "R9"
    with pytest.raises(InputError, match="unknown category"):
        with_store.correct("R9", category="logistic")
    with pytest.raises(InputError):
        with_store.correct("no-such-request", category="presale")
    with pytest.raises(ConfigError, match="no history store"):
        triager.correct("R9", category="presale")


def test_what_if_runs_are_not_recorded(with_store) -> None:
    with_store.triage(ask("快递一个星期了还没到", "R1", T0), record=False)
    assert with_store.store.store.count() == 0


def test_a_locked_database_does_not_stop_triage_and_is_logged_once(
        triager: triage.Triager, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "h.db"
    SQLiteStore(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    other.execute("COMMIT")  # exclusive mode keeps the lock
    caplog.set_level(logging.WARNING, "triage.history")
    try:
        t = triage.Triager(classifier=triager.classifier, tokenizer=triager.tokenizer, pack=triager.pack,
                           store=SafeStore(lambda: SQLiteStore(path, busy_timeout=0.05, retries=0)))
        decisions = [t.triage(ask("快递一个星期了还没到", f"R{i}", T0)) for i in range(5)]
    finally:
        other.close()
    assert all(d.category == "logistics" for d in decisions)
    assert all(any(r.message.startswith("history unavailable") for r in d.reasons) for d in decisions)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert 1 <= len(warnings) <= 2, [r.getMessage() for r in warnings]  # lookups and writes, once each at most


def test_load_accepts_a_path(tmp_path: Path) -> None:
    t = triage.load(store=tmp_path / "h.db")
    t.triage(ask("快递一个星期了还没到", "R1", T0))
    assert SQLiteStore(tmp_path / "h.db").count() == 1

"""The history store (SQLite), its failure guard, repeat signals and the chasing-language detector."""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import sqlite3
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage import HistoryItem, InputError, Request
from triage.history import (
    DecisionRecord,
    SafeStore,
    SchemaVersionError,
    SQLiteStore,
    StoreError,
    StoreUnavailable,
    UnknownRequestError,
    find_chasing,
    history_counter,
    is_chasing,
)
from triage.history.sqlite import APPLICATION_ID, SCHEMA_VERSION

UTC = dt.UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)
WIDE = (dt.datetime(2000, 1, 1, tzinfo=UTC), dt.datetime(2100, 1, 1, tzinfo=UTC))


def rec(rid: str, customer: str | None = "c1", *, at: dt.datetime = T0, category: str = "logistics",
        channel: str | None = "wechat", priority: str = "P3", text: str | None = "快递还没到") -> DecisionRecord:
    return DecisionRecord(request_id=rid, customer_id=customer, channel=channel, received_at=at, category=category,
                          priority=priority, queue="物流组", confidence=0.8, model_version="m1", rules_version="r1",
                          text=text, subject="催单")


@pytest.fixture
def store(tmp_path: Path):
    with SQLiteStore(tmp_path / "history.db") as s:
        yield s


# -- schema, migrations ---------------------------------------------------------------------------------
V1_SCHEMA = """
PRAGMA application_id = 1414678855;
CREATE TABLE decisions (request_id TEXT PRIMARY KEY, customer_id TEXT, channel TEXT, received_at TEXT NOT NULL,
                        category TEXT NOT NULL, priority TEXT NOT NULL, queue TEXT NOT NULL, resolved_at TEXT);
CREATE INDEX decisions_customer ON decisions (customer_id);
INSERT INTO decisions VALUES ('old-1', 'c9', 'email', '2026-08-30T01:00:00.000000+00:00', 'quality', 'P3', '售后组',
                              NULL);
INSERT INTO decisions VALUES ('old-2', 'c9', 'phone', '2026-08-31T01:00:00.000000+00:00', 'quality', 'P2', '售后组',
                              '2026-08-31T05:00:00.000000+00:00');
PRAGMA user_version = 1;
"""


def table_shape(path: Path) -> tuple[list[tuple[str, str]], list[str]]:
    conn = sqlite3.connect(path)
    try:
        cols = [(r[1], r[2]) for t in ("decisions", "corrections")
                for r in conn.execute(f"PRAGMA table_info({t})")]
        idx = sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                                "AND name NOT LIKE 'sqlite_%'"))
        return cols, idx
    finally:
        conn.close()


def test_new_file_gets_current_schema_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with SQLiteStore(path) as s:
        assert s.schema_version() == SCHEMA_VERSION
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        plan = " ".join(str(r) for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM decisions WHERE customer_id = 'c' AND received_at >= 'a'"))
        assert "decisions_customer_time" in plan
    finally:
        conn.close()


def test_v1_file_is_upgraded_in_place_keeping_its_rows(tmp_path: Path) -> None:
    old = tmp_path / "v1.db"
    conn = sqlite3.connect(old)
    conn.executescript(V1_SCHEMA)
    conn.close()
    with SQLiteStore(old) as s:
        assert s.schema_version() == SCHEMA_VERSION
        items = s.recent("c9", *WIDE)
        assert [(h.request_id, h.category, h.channel, h.open) for h in items] == [
            ("old-1", "quality", "email", True), ("old-2", "quality", "phone", False)]
        got = s.get("old-2")
        assert got is not None and got.record.text is None and got.resolved_at == dt.datetime(2026, 8, 31, 5,
                                                                                               tzinfo=UTC)
        s.correct("old-1", category="logistics", agent="a")      # the new tables work on the old rows
        s.record(rec("new-1", "c9"))
        assert s.count() == 3
    fresh = tmp_path / "fresh.db"
    SQLiteStore(fresh).close()
    assert table_shape(old) == table_shape(fresh)


def test_file_from_a_newer_triage_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA.replace("user_version = 1", f"user_version = {SCHEMA_VERSION + 1}"))
    conn.close()
    before = path.read_bytes()
    with pytest.raises(SchemaVersionError, match="newer triage"):
        SQLiteStore(path)
    with pytest.raises(SchemaVersionError):
        SafeStore(path)                                        # a deployment error: not hidden by the guard
    assert path.read_bytes() == before


def test_other_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a triage history store"):
        SQLiteStore(path)


# -- round trips ----------------------------------------------------------------------------------------
def test_round_trip_times_are_utc_and_timezone_aware(store: SQLiteStore) -> None:
    store.record(rec("r1", at=T0))
    (item,) = store.recent("c1", T0, T0)                       # both ends inclusive
    assert item.received_at == T0 and item.received_at.utcoffset() == dt.timedelta(0)
    assert (item.request_id, item.category, item.channel, item.priority, item.open) == (
        "r1", "logistics", "wechat", "P3", True)
    got = store.get("r1")
    assert got is not None and got.record == rec("r1", at=T0)  # aware datetimes compare as instants
    assert got.record.received_at.tzinfo is not None and got.recorded_at.tzinfo is not None


def test_recent_window_customer_order_and_exclude(store: SQLiteStore) -> None:
    for i in range(10):
        store.record(rec(f"r{i}", "c1" if i % 2 else "c2", at=T0 + dt.timedelta(days=i)))
    got = store.recent("c1", T0 + dt.timedelta(days=3), T0 + dt.timedelta(days=7))
    assert [h.request_id for h in got] == ["r3", "r5", "r7"]
    assert [h.request_id for h in store.recent("c1", *WIDE, exclude="r5")] == ["r1", "r3", "r7", "r9"]
    assert store.recent("nobody", *WIDE) == ()
    with pytest.raises(InputError, match="timezone-aware"):
        store.recent("c1", dt.datetime(2026, 1, 1), T0)


def test_same_request_id_twice_keeps_one_row_with_the_latest_decision(store: SQLiteStore) -> None:
    store.record(rec("r1", category="logistics"))
    store.resolve("r1", T0 + dt.timedelta(hours=1))
    store.correct("r1", priority="P2", agent="a")
    store.record(rec("r1", category="quality", priority="P4"))   # re-triaged
    assert store.count() == 1
    got = store.get("r1")
    assert got is not None and got.record.category == "quality" and got.record.priority == "P4"
    assert got.resolved_at is not None and got.corrected_priority == "P2"  # resolution and correction kept
    (item,) = store.recent("c1", *WIDE)
    assert item.category == "quality" and item.priority == "P2" and not item.open


def test_open_means_not_resolved_by_the_end_of_the_window(store: SQLiteStore) -> None:
    store.record(rec("r1"))
    store.resolve("r1", T0 + dt.timedelta(days=2))
    assert store.recent("c1", T0, T0 + dt.timedelta(days=1))[0].open
    assert not store.recent("c1", T0, T0 + dt.timedelta(days=3))[0].open
    with pytest.raises(UnknownRequestError):
        store.resolve("nope", T0)


def test_record_many_is_all_or_nothing(store: SQLiteStore) -> None:
    assert store.record_many([rec("a"), rec("b")]) == 2
    with pytest.raises(InputError):
        store.record_many([rec("c"), "not a record"])  # type: ignore[list-item]
    assert store.count() == 2


def test_memory_store_and_reopened_file(tmp_path: Path) -> None:
    with SQLiteStore(":memory:") as mem:
        mem.record(rec("r1"))
        assert mem.count() == 1
    with pytest.raises(StoreError, match="closed"):
        mem.count()
    path = tmp_path / "h.db"
    with SQLiteStore(path) as s:
        s.record(rec("r1"))
    with SQLiteStore(path) as s:
        assert [h.request_id for h in s.recent("c1", *WIDE)] == ["r1"]


def test_bad_records_are_input_errors() -> None:
    with pytest.raises(InputError, match="timezone-aware"):
        rec("r", at=dt.datetime(2026, 1, 1))
    with pytest.raises(InputError, match="priority"):
        rec("r", priority="urgent")
    with pytest.raises(InputError, match="request_id"):
        rec("")


def test_from_decision_reads_the_request_and_the_decision(triager) -> None:  # type: ignore[no-untyped-def]
    from triage import Customer

    req = Request(text="快递一周了还没到", subject="物流", channel="wechat", received_at=T0, id="R-7",
                  customer=Customer(id="c42"))
    d = triager.triage(req)
    r = DecisionRecord.from_decision(req, d)
    assert (r.request_id, r.customer_id, r.channel, r.received_at, r.text, r.subject) == (
        "R-7", "c42", "wechat", T0, "快递一周了还没到", "物流")
    assert (r.category, r.priority, r.queue, r.model_version, r.rules_version) == (
        d.category, str(d.priority), d.queue, d.model_version, d.rules_version)
    anon = DecisionRecord.from_decision(Request(text="你好"), triager.triage("你好", now=T0))
    assert anon.request_id and anon.customer_id is None


# -- corrections -----------------------------------------------------------------------------------------
def test_corrections_merge_fields_and_feed_training(store: SQLiteStore) -> None:
    store.record(rec("r1", category="logistics", text="东西坏了"))
    store.record(rec("r2"))
    store.correct("r1", category="quality", agent="alice", at=T0 + dt.timedelta(hours=1))
    store.correct("r1", priority="p2", agent="bob", at=T0 + dt.timedelta(hours=2))
    (c,) = list(store.corrections())
    assert (c.request_id, c.text, c.subject, c.channel) == ("r1", "东西坏了", "催单", "wechat")
    assert (c.predicted_category, c.category, c.priority, c.queue, c.agent) == (
        "logistics", "quality", "P2", None, "bob")
    assert c.to_row(weight=3) == {"text": "东西坏了", "subject": "催单", "category": "quality", "priority": "P2",
                                  "channel": "wechat", "weight": 3.0, "request_id": "r1"}
    assert [e["agent"] for e in store.correction_log("r1")] == ["alice", "bob"]
    assert store.recent("c1", *WIDE)[0].category == "quality"   # repeat detection uses the corrected category
    assert list(store.corrections(since=T0 + dt.timedelta(hours=3))) == []


def test_correcting_an_unknown_request_or_with_nothing_is_a_clear_error(store: SQLiteStore) -> None:
    with pytest.raises(UnknownRequestError, match="'nope'") as info:
        store.correct("nope", category="quality")
    assert isinstance(info.value, InputError) and isinstance(info.value, LookupError)
    store.record(rec("r1"))
    with pytest.raises(InputError, match="at least one"):
        store.correct("r1")
    with pytest.raises(InputError, match="priority"):
        store.correct("r1", priority="P9")
    assert list(store.corrections()) == []


def test_corrections_page_through_many(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "h.db") as s:
        s.record_many(rec(f"r{i:03d}") for i in range(25))
        for i in range(25):
            s.correct(f"r{i:03d}", category="quality", at=T0)   # same instant: the key must break ties
        assert [c.request_id for c in s.corrections(page=4)] == [f"r{i:03d}" for i in range(25)]


def test_text_storage_can_be_turned_off(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "h.db", store_text=False) as s:
        s.record(rec("r1", text="我的手机号13800000000"))
        s.correct("r1", category="quality")
        got = s.get("r1")
        assert got is not None and got.record.text is None and got.record.subject is None
        assert next(s.corrections()).text is None
    assert b"13800000000" not in b"".join(p.read_bytes() for p in tmp_path.iterdir())


# -- concurrency -----------------------------------------------------------------------------------------
def test_eight_threads_writing_at_once_lose_and_duplicate_nothing(store: SQLiteStore) -> None:
    n_threads, per_thread, shared = 8, 150, 20
    barrier = threading.Barrier(n_threads)
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                store.record(rec(f"t{t}-{i}", f"c{i % 10}", at=T0 + dt.timedelta(minutes=i)))
                if i % 10 == 0:
                    store.recent(f"c{i % 10}", *WIDE)
            for i in range(shared):                    # every thread writes the same ids too
                store.record(rec(f"shared-{i}", "cs", category=f"cat{t}"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(n_threads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert store.count() == n_threads * per_thread + shared
    ids = [h.request_id for c in range(10) for h in store.recent(f"c{c}", *WIDE)]
    assert len(ids) == len(set(ids)) == n_threads * per_thread
    assert len(store.recent("cs", *WIDE)) == shared


def _process_writer(path: str, worker: int, n: int, shared: int, barrier) -> None:  # type: ignore[no-untyped-def]
    with SQLiteStore(path) as s:
        barrier.wait()
        for i in range(n):
            s.record(rec(f"p{worker}-{i}", f"c{i % 7}", at=T0 + dt.timedelta(seconds=i)))
        for i in range(shared):
            s.record(rec(f"shared-{i}", "cs", category=f"cat{worker}"))


def test_two_processes_writing_the_same_file_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "h.db")
    SQLiteStore(path).close()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_process_writer, args=(path, w, 400, 30, barrier)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    with SQLiteStore(path) as s:
        assert s.count() == 2 * 400 + 30
        ids = [h.request_id for c in range(7) for h in s.recent(f"c{c}", *WIDE)]
        assert len(ids) == len(set(ids)) == 800


# -- failures: the guard ---------------------------------------------------------------------------------
def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "triage.history" and r.levelno >= logging.WARNING]


def test_corrupt_file_means_history_unavailable_logged_once_then_recovers(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "h.db"
    path.write_bytes(b"this is not a database, just garbage \x00\xff" * 200)
    with pytest.raises(StoreUnavailable, match="not a database"):
        SQLiteStore(path)
    caplog.set_level(logging.WARNING, "triage.history")
    with SafeStore(path, retry_after=0) as safe:
        for _ in range(20):
            lookup = safe.history("c1", *WIDE)
            assert not lookup.available and lookup.items == () and "not a database" in (lookup.reason or "")
            assert not safe.record(rec("r1")).applied
        assert len(warnings_of(caplog)) == 1 and "not a database" in warnings_of(caplog)[0]
        with pytest.raises(StoreUnavailable):
            safe.correct("r1", category="quality")              # agents' corrections are never dropped silently
        path.unlink()                                          # an operator replaces the file
        assert safe.history("c1", *WIDE).available
        assert safe.record(rec("r1")).applied and safe.available
        assert safe.store.count() == 1
    assert len(warnings_of(caplog)) == 2 and "works again" in warnings_of(caplog)[1]


def test_locked_database_skips_writes_keeps_reads_and_recovers(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "h.db"
    caplog.set_level(logging.WARNING, "triage.history")
    with SafeStore(SQLiteStore(path, busy_timeout=0.05, retries=1), retry_after=0) as safe:
        assert safe.record(rec("r0")).applied
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")                       # another program holds the write lock
        try:
            results = [safe.record(rec(f"r{i}")) for i in range(1, 6)]
            assert [r.applied for r in results] == [False] * 5
            assert results[0].reason == "database is locked"
            assert safe.history("c1", *WIDE).available          # WAL: readers are not blocked by the writer
            assert not safe.available and safe.reason == "database is locked"
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert safe.record(rec("r9")).applied
        assert [h.request_id for h in safe.history("c1", *WIDE).items] == ["r0", "r9"]  # nothing half-written
    logged = warnings_of(caplog)
    assert len(logged) == 2 and "database is locked" in logged[0] and "5 decision(s) were not recorded" in logged[1]


def test_a_held_lock_costs_one_busy_timeout_not_one_per_retry(tmp_path: Path) -> None:
    import time

    path = tmp_path / "h.db"
    with SQLiteStore(path, busy_timeout=0.3, retries=3) as store:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            start = time.monotonic()
            with pytest.raises(StoreUnavailable, match="database is locked"):
                store.record(rec("r1"))
            assert 0.25 <= time.monotonic() - start < 0.6      # 4 attempts x 0.3 s would be 1.2 s
        finally:
            other.execute("ROLLBACK")
            other.close()
        store.record(rec("r1"))
        assert store.count() == 1


def test_exclusively_locked_file_means_history_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    SQLiteStore(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    other.execute("COMMIT")                                    # exclusive mode keeps the lock after commit
    try:
        safe = SafeStore(lambda: SQLiteStore(path, busy_timeout=0.05, retries=0), retry_after=0)
        lookup = safe.history("c1", *WIDE)
        assert not lookup.available and lookup.reason == "database is locked"
    finally:
        other.close()
    assert safe.history("c1", *WIDE).available
    safe.close()


def test_full_disk_drops_the_whole_decision_and_reads_go_on(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "h.db"
    caplog.set_level(logging.WARNING, "triage.history")
    store = SQLiteStore(path, pragmas={"max_page_count": 12})   # a disk with room for 12 pages
    with SafeStore(store, retry_after=0) as safe:
        results = [safe.record(rec(f"r{i}", text="长" * 400)) for i in range(60)]
        stored = sum(r.applied for r in results)
        assert 0 < stored < 60
        failed = [r for r in results if not r.applied]
        assert all(r.reason == "database or disk is full" for r in failed)
        assert store.count() == stored                          # each decision whole or not at all
        assert all(store.get(f"r{i}") is not None for i, r in enumerate(results) if r.applied)
        assert all(store.get(f"r{i}") is None for i, r in enumerate(results) if not r.applied)
        assert safe.history("c1", *WIDE).available              # lookups still work on a full disk
    assert len(warnings_of(caplog)) == 1 and "database or disk is full" in warnings_of(caplog)[0]


def test_unreachable_folder_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    safe = SafeStore(tmp_path / "missing" / "h.db", retry_after=60)
    lookup = safe.history("c1", *WIDE)
    assert not lookup.available and "does not exist" in (lookup.reason or "")
    assert not safe.record(rec("r1")).applied
    safe.close()


def test_guard_leaves_the_store_alone_until_retry_after(tmp_path: Path) -> None:
    now = [0.0]
    calls = []

    def factory() -> SQLiteStore:
        calls.append(now[0])
        return SQLiteStore(tmp_path / "missing" / "h.db")

    safe = SafeStore(factory, retry_after=10, clock=lambda: now[0])
    for _ in range(50):
        safe.history("c1", *WIDE)
    now[0] = 11.0
    safe.history("c1", *WIDE)
    assert calls == [0.0, 11.0]


# -- signals ---------------------------------------------------------------------------------------------
def items_strategy():  # type: ignore[no-untyped-def]
    return st.lists(st.builds(
        lambda d, cat, ch, op, i: HistoryItem(received_at=T0 - dt.timedelta(hours=d), category=cat, channel=ch,
                                              open=op, request_id=f"h{i}"),
        st.integers(-48, 24 * 40), st.sampled_from(["logistics", "quality", None]),
        st.sampled_from(["wechat", "phone", None]), st.booleans(), st.integers(0, 5)), max_size=12)


def test_history_counter_known_but_empty_from_a_store() -> None:
    stats = history_counter((), received_at=T0, category="logistics", channel="wechat")(7)
    assert stats.known and stats.contacts == 0
    assert not history_counter(None, received_at=T0, category="logistics", channel=None)(7).known


record_strategy = st.tuples(st.integers(0, 15), st.sampled_from(["c1", "c2", "c3"]), st.integers(0, 24 * 30),
                            st.sampled_from(["logistics", "quality"]))


@settings(max_examples=60)
@given(records=st.lists(record_strategy, max_size=30), lo=st.integers(0, 24 * 30), span=st.integers(0, 24 * 30),
       customer=st.sampled_from(["c1", "c2", "c3"]))
def test_recent_returns_exactly_the_latest_records_in_the_window(records, lo, span, customer) -> None:  # type: ignore[no-untyped-def]
    latest: dict[str, tuple[str, dt.datetime, str]] = {}
    with SQLiteStore(":memory:") as s:
        for rid, cust, hours, cat in records:
            at = T0 + dt.timedelta(hours=hours)
            s.record(rec(f"r{rid}", cust, at=at, category=cat))
            latest[f"r{rid}"] = (cust, at, cat)
        since, until = T0 + dt.timedelta(hours=lo), T0 + dt.timedelta(hours=lo + span)
        got = s.recent(customer, since, until)
    expected = sorted((at, rid, cat) for rid, (cust, at, cat) in latest.items()
                      if cust == customer and since <= at <= until)
    assert [(h.received_at, h.request_id, h.category) for h in got] == expected


# -- chasing language ------------------------------------------------------------------------------------
CHASING = ["这是我第三次联系你们了", "已经第3次问了", "又没发货", "你们又是这样", "上次说好的退款呢", "催了好几次了",
           "说了多少次了", "一直没人回复", "到现在还没到", "還是沒有收到", "我又来问了", "上回答應三天內處理"]
NOT_CHASING = ["快递还没到", "又快又好，五星", "又贵又难用", "第一次在你们家买", "第二次买了，很满意", "你好，请问有货吗",
               "试了好几次登录不上", "李白，字太白，又称青莲居士", "物流一直没更新", "说好的续航30天呢",
               "上次杯子碎了补发了，这次又来买了", ""]


@pytest.fixture(scope="module")
def normalise():  # type: ignore[no-untyped-def]
    from triage.text.normalize import Normalizer

    return Normalizer()


@pytest.mark.parametrize("text", CHASING)
def test_chasing_phrases_are_found(text: str, normalise) -> None:  # type: ignore[no-untyped-def]
    norm = normalise(text).text
    matches = find_chasing(norm)
    assert is_chasing(matches), matches
    assert all(norm[m.start:m.end] == m.phrase for m in matches)


@pytest.mark.parametrize("text", NOT_CHASING)
def test_ordinary_words_are_not_chasing(text: str, normalise) -> None:  # type: ignore[no-untyped-def]
    assert not is_chasing(find_chasing(normalise(text).text))


def test_chasing_matches_have_kinds_and_spans(normalise) -> None:  # type: ignore[no-untyped-def]
    norm = normalise("上次說好的退款，到現在還沒到！").text
    got = [(m.phrase, m.kind, m.strong) for m in find_chasing(norm)]
    assert got == [("上次说好", "promise", True), ("到现在", "until_now", False), ("还没", "still_not", False)]
    weak = find_chasing("还没收到货")
    assert [m.kind for m in weak] == ["still_not"] and not is_chasing(weak)


@given(st.text(max_size=80))
def test_chasing_never_fails_and_spans_are_exact(text: str) -> None:
    for m in find_chasing(text):
        assert text[m.start:m.end] == m.phrase and m.start < m.end

"""History store: repeat-complaint detection on a generated stream, store throughput, concurrent writers.

The stream: ``--n`` requests (default 100,000) from ``--customers`` customers
(default 10,000) over 90 days. Each customer has problem episodes: a first
contact about a category, then follow-ups (same category; most within 7 days,
some later, some through another channel; half of the follow-ups open with
chasing language such as "第二次联系了"). Texts are the held-out evaluation
corpus (``data/corpus/eval``, category ``unclear`` left out), so the model's
mistakes are real. Ground truth (the spec's P2 trigger): a request is a
**repeat complaint** when the same customer sent a request of the same *true*
category in the 7 days before, and the category is not presale or feedback.

Measured:

1. **store + signals, true categories**: record each request, look up the 7-day
   history, count with :func:`triage.history.history_counter`. Checks the store
   and the counting: precision and recall must be 1.
2. **full triager + store**: per request, history from the store
   (``SafeStore.history``) goes into ``Request.history``, ``t.triage`` decides
   (tags ``repeat_complaint`` with the shipped rules, from *predicted*
   categories), the decision is recorded. This is the wiring the pipeline will
   do internally (``triage.load(store=...)`` does not exist yet); throughput is
   compared with ``t.triage`` alone on the same stream.
3. **chasing language alone** (no history) and **history or chasing**.
4. 8 threads, then 2 processes, writing at once to one file: records lost or duplicated.

    python benchmarks/bench_history.py [--n 100000] [--customers 10000] [--json out.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import random
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
START = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
DAYS = 90
WINDOW = dt.timedelta(days=7)
NOT_COMPLAINTS = frozenset({"presale", "feedback"})
CHANNELS = ("wechat", "app_chat", "web_chat", "phone", "email", "ticket", "weibo")
CHASERS = ("第二次联系你们了，", "又来问了，", "上次说好的处理呢？", "催了好几次了，", "到现在还没解决，",
           "这是第三次找你们了！", "一直没人处理，", "说了多少次了，")


@dataclass(slots=True)
class Item:
    rid: str
    customer: str
    at: dt.datetime
    category: str
    channel: str
    text: str
    chasing_prefix: bool
    truth: bool = False           # repeat complaint (same customer, same true category, within 7 days)
    truth_contact: bool = False   # any earlier contact of the same category within 7 days (presale too)


def load_texts() -> dict[str, list[str]]:
    by_cat: dict[str, list[str]] = defaultdict(list)
    for path in sorted((ROOT / "data" / "corpus" / "eval").glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    if row["category"] != "unclear":
                        by_cat[row["category"]].append(row["text"])
    return dict(by_cat)


def generate(n: int, customers: int, seed: int = 7) -> list[Item]:
    rng = random.Random(seed)
    texts = load_texts()
    cats = sorted(texts)
    out: list[Item] = []
    while len(out) < n:
        cust = f"c{rng.randrange(customers):05d}"
        cat = rng.choice(cats)
        at = START + dt.timedelta(seconds=rng.uniform(0, DAYS * 86400))
        channel = rng.choice(CHANNELS)
        follow_ups = min(int(rng.expovariate(1 / 0.8)), 6)
        out.append(Item("", cust, at, cat, channel, rng.choice(texts[cat]), False))
        for _ in range(follow_ups):
            if len(out) >= n:
                break
            gap = rng.uniform(0.05, 7) if rng.random() < 0.8 else rng.uniform(7.5, 20)
            at = at + dt.timedelta(days=gap)
            if rng.random() < 0.3:
                channel = rng.choice(CHANNELS)
            chase = rng.random() < 0.5
            text = rng.choice(texts[cat])
            out.append(Item("", cust, at, cat, channel, (rng.choice(CHASERS) + text) if chase else text, chase))
    out.sort(key=lambda i: i.at)
    last: dict[tuple[str, str], dt.datetime] = {}
    for k, item in enumerate(out):
        item.rid = f"r{k:07d}"
        prev = last.get((item.customer, item.category))
        item.truth_contact = prev is not None and item.at - prev <= WINDOW
        item.truth = item.truth_contact and item.category not in NOT_COMPLAINTS
        last[(item.customer, item.category)] = item.at
    return out


def prf(pred: list[bool], truth: list[bool]) -> dict[str, float | int]:
    tp = sum(p and t for p, t in zip(pred, truth, strict=True))
    fp = sum(p and not t for p, t in zip(pred, truth, strict=True))
    fn = sum(t and not p for p, t in zip(pred, truth, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "tp": tp, "fp": fp, "fn": fn}


def record_of(item: Item, category: str, priority: str = "P3", queue: str = "q") -> Any:
    from triage.history import DecisionRecord

    return DecisionRecord(request_id=item.rid, customer_id=item.customer, channel=item.channel,
                          received_at=item.at, category=category, priority=priority, queue=queue, text=item.text)


# -- 1. store + signals with the true categories -----------------------------------------------------------
def store_and_signals(stream: list[Item], folder: Path) -> dict[str, Any]:
    from triage.history import SQLiteStore, history_counter

    pred: list[bool] = []
    t_write = t_read = t_sig = 0.0
    with SQLiteStore(folder / "oracle.db") as store:
        for item in stream:
            t0 = time.perf_counter()
            items = store.recent(item.customer, item.at - WINDOW, item.at)
            t1 = time.perf_counter()
            stats = history_counter(items, received_at=item.at, category=item.category, channel=item.channel)(7)
            pred.append(stats.same_category > 0 and item.category not in NOT_COMPLAINTS)
            t2 = time.perf_counter()
            store.record(record_of(item, item.category))
            t3 = time.perf_counter()
            t_read, t_sig, t_write = t_read + t1 - t0, t_sig + t2 - t1, t_write + t3 - t2
        size = sum(p.stat().st_size for p in folder.glob("oracle.db*"))
    n = len(stream)
    return {**prf(pred, [i.truth for i in stream]), "writes_per_s": round(n / t_write),
            "queries_per_s": round(n / t_read), "signals_us": round(t_sig / n * 1e6, 2),
            "write_us": round(t_write / n * 1e6, 1), "query_us": round(t_read / n * 1e6, 1),
            "file_mb": round(size / 1e6, 1)}


# -- 2. the full triager, with and without the store --------------------------------------------------------
def full_triager(stream: list[Item], folder: Path) -> dict[str, Any]:
    import triage
    from triage import Customer, Request
    from triage.history import DecisionRecord, SafeStore, SQLiteStore

    t = triage.load()
    reqs = [Request(text=i.text, channel=i.channel, received_at=i.at, id=i.rid, customer=Customer(id=i.customer))
            for i in stream]
    for r in reqs[:200]:
        t.triage(r)
    t0 = time.perf_counter()
    plain = [t.triage(r) for r in reqs]
    t_plain = time.perf_counter() - t0

    detected: list[bool] = []
    unavailable = 0
    with SafeStore(SQLiteStore(folder / "triage.db")) as safe:
        t0 = time.perf_counter()
        for r, item in zip(reqs, stream, strict=True):
            lookup = safe.history(item.customer, item.at - dt.timedelta(days=30), item.at, exclude=item.rid)
            unavailable += not lookup.available
            d = t.triage(Request(text=r.text, channel=r.channel, received_at=r.received_at, id=r.id,
                                 customer=r.customer, history=lookup.items))
            safe.record(DecisionRecord.from_decision(r, d))
            detected.append("repeat_complaint" in d.tags)
        t_store = time.perf_counter() - t0
        stored = safe.store.count()
    truth = [i.truth for i in stream]
    n = len(stream)
    accuracy = sum(d.category == i.category for d, i in zip(plain, stream, strict=True)) / n
    return {**prf(detected, truth), "category_accuracy": round(accuracy, 4),
            "plain_per_s": round(n / t_plain), "with_store_per_s": round(n / t_store),
            "ratio": round(t_plain / t_store, 3), "recorded": stored, "lookups_unavailable": unavailable,
            "_categories": [d.category for d in plain], "_detected": detected}


# -- 3. chasing language -----------------------------------------------------------------------------------
def chasing(stream: list[Item], history_pred: list[bool] | None, categories: list[str] | None) -> dict[str, Any]:
    from triage.history import find_chasing, is_chasing
    from triage.text.normalize import Normalizer

    norm = Normalizer()
    t0 = time.perf_counter()
    flags = [is_chasing(find_chasing(norm(i.text).text)) for i in stream]
    per = (time.perf_counter() - t0) / len(stream)
    out: dict[str, Any] = {
        "vs_repeat_contact": prf(flags, [i.truth_contact for i in stream]),
        "on_plain_first_contacts_flagged": round(
            sum(f for f, i in zip(flags, stream, strict=True) if not i.truth_contact and not i.chasing_prefix)
            / max(1, sum(1 for i in stream if not i.truth_contact and not i.chasing_prefix)), 4),
        "normalise_and_detect_us": round(per * 1e6, 1),
    }
    if history_pred is not None and categories is not None:
        either = [h or (f and c not in NOT_COMPLAINTS)
                  for h, f, c in zip(history_pred, flags, categories, strict=True)]
        out["history_or_chasing"] = prf(either, [i.truth for i in stream])
    return out


# -- 4. concurrent writers ---------------------------------------------------------------------------------
def _stamp(i: int) -> dt.datetime:
    return START + dt.timedelta(seconds=i)


def _write_many(path: str, prefix: str, n: int, shared: int) -> None:
    from triage.history import DecisionRecord, SQLiteStore

    with SQLiteStore(path) as store:
        for i in range(n):
            store.record(DecisionRecord(request_id=f"{prefix}-{i}", customer_id=f"c{i % 1000}", channel="wechat",
                                        received_at=_stamp(i), category="logistics", priority="P3", queue="q"))
        for i in range(shared):
            store.record(DecisionRecord(request_id=f"shared-{i}", customer_id="cs", channel="wechat",
                                        received_at=_stamp(i), category=prefix, priority="P3", queue="q"))


def _process_entry(path: str, prefix: str, n: int, shared: int, barrier: Any) -> None:
    barrier.wait()
    _write_many(path, prefix, n, shared)


def audit(path: Path, expected: set[str]) -> dict[str, int]:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT count(*), count(DISTINCT request_id) FROM decisions").fetchone()
        present = {r[0] for r in conn.execute("SELECT request_id FROM decisions")}
    finally:
        conn.close()
    return {"expected": len(expected), "rows": rows[0], "lost": len(expected - present),
            "duplicated": rows[0] - rows[1], "unexpected": len(present - expected)}


def concurrent(folder: Path, total: int, shared: int = 500) -> dict[str, Any]:
    from triage.history import SQLiteStore

    out: dict[str, Any] = {}
    path = folder / "threads.db"
    SQLiteStore(path).close()
    per = total // 8
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            barrier.wait()
            _write_many(str(path), f"t{k}", per, shared)
        except BaseException as exc:  # noqa: BLE001 - reported
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    secs = time.perf_counter() - t0
    expected = {f"t{k}-{i}" for k in range(8) for i in range(per)} | {f"shared-{i}" for i in range(shared)}
    out["8_threads"] = {**audit(path, expected), "errors": len(errors), "writes": 8 * (per + shared),
                        "writes_per_s": round(8 * (per + shared) / secs)}

    path = folder / "procs.db"
    SQLiteStore(path).close()
    per = total // 2
    ctx = multiprocessing.get_context("spawn")
    pbarrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_process_entry, args=(str(path), f"p{k}", per, shared, pbarrier)) for k in range(2)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    secs = time.perf_counter() - t0
    expected = {f"p{k}-{i}" for k in range(2) for i in range(per)} | {f"shared-{i}" for i in range(shared)}
    out["2_processes"] = {**audit(path, expected), "exit_codes": [p.exitcode for p in procs],
                          "writes": 2 * (per + shared), "writes_per_s": round(2 * (per + shared) / secs)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--customers", type=int, default=10_000)
    ap.add_argument("--skip-triager", action="store_true", help="store + signals only (no model)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    stream = generate(args.n, args.customers)
    repeats = sum(i.truth for i in stream)
    print(f"stream: {len(stream):,} requests, {len({i.customer for i in stream}):,} customers, "
          f"{repeats:,} repeat complaints ({repeats / len(stream):.1%}), "
          f"{sum(i.chasing_prefix for i in stream):,} follow-ups opening with chasing language")
    result: dict[str, Any] = {"n": len(stream), "customers": args.customers, "repeat_complaints": repeats}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        result["store_signals"] = s = store_and_signals(stream, folder)
        print("\n1. store + signals (true categories)")
        print(f"   precision {s['precision']:.4f}  recall {s['recall']:.4f}   "
              f"write {s['write_us']} µs ({s['writes_per_s']:,}/s)  query {s['query_us']} µs "
              f"({s['queries_per_s']:,}/s)  signals {s['signals_us']} µs  file {s['file_mb']} MB")
        history_pred = categories = None
        if not args.skip_triager:
            f = full_triager(stream, folder)
            categories, history_pred = f.pop("_categories"), f.pop("_detected")
            result["full_triager"] = f
            print("\n2. full triager, history from the SQLite store (predicted categories)")
            print(f"   precision {f['precision']:.4f}  recall {f['recall']:.4f}   "
                  f"(category accuracy {f['category_accuracy']:.2%})")
            print(f"   throughput {f['plain_per_s']:,}/s without store, {f['with_store_per_s']:,}/s with "
                  f"(lookup + triage + record): ratio {f['ratio']}")
        result["chasing"] = c = chasing(stream, history_pred, categories)
        print("\n3. chasing language alone (vs any repeat contact within 7 days)")
        v = c["vs_repeat_contact"]
        print(f"   precision {v['precision']:.4f}  recall {v['recall']:.4f}   flags "
              f"{c['on_plain_first_contacts_flagged']:.2%} of contacts without history or chasing prefix; "
              f"{c['normalise_and_detect_us']} µs per text (normalise + detect)")
        if "history_or_chasing" in c:
            e = c["history_or_chasing"]
            print(f"   history or chasing (as a repeat-complaint trigger): precision {e['precision']:.4f}  "
                  f"recall {e['recall']:.4f}")
        result["concurrency"] = cc = concurrent(folder, args.n)
        print("\n4. concurrent writers to one file")
        print(f"   {'':<12}{'writes':>9}{'rows':>9}{'lost':>6}{'dup':>6}{'errors':>8}{'writes/s':>10}")
        t8, p2 = cc["8_threads"], cc["2_processes"]
        print(f"   {'8 threads':<12}{t8['writes']:>9,}{t8['rows']:>9,}{t8['lost']:>6}{t8['duplicated']:>6}"
              f"{t8['errors']:>8}{t8['writes_per_s']:>10,}")
        print(f"   {'2 processes':<12}{p2['writes']:>9,}{p2['rows']:>9,}{p2['lost']:>6}{p2['duplicated']:>6}"
              f"{sum(1 for e in p2['exit_codes'] if e):>8}{p2['writes_per_s']:>10,}")
    result["python"] = sys.version.split()[0]
    import sqlite3

    result["sqlite"] = sqlite3.sqlite_version
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

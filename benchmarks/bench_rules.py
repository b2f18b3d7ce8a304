"""The rule stage: one Aho–Corasick pass per request vs the obvious loop over keywords.

For every evaluation message, the rule stage is: find keyword hits, then run the
tags → priority → routing rules. Ours finds hits with the pack's automaton; the
baseline finds them with ``[kw for kw in keywords if kw in text]`` (what a
hand-written rule loop does) and then runs the same rules, so the difference is the
keyword matching. Two packs: the shipped one (~350 keywords) and the shipped one
plus a rule with 10,000 generated keywords.

    python benchmarks/bench_rules.py [--json out.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def big_pack(folder: Path, n: int = 10_000) -> Path:
    """The default pack plus one tag rule with ``n`` distinct generated Chinese keywords."""
    rng = random.Random(7)
    # product names, slang, shop terms: 2-4 character words over the whole common CJK block
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(2, 4))))
    kws = ", ".join(sorted(words))
    (folder / "big.yaml").write_text(f"keyword_sets:\n  big: [{kws}]\ntags:\n  - id: big_list\n"
                                     f"    when: {{text: ['@big']}}\n    then: {{add_tags: [big]}}\n", encoding="utf-8")
    (folder / "pack.yaml").write_text("name: big\nversion: '1'\nextends: default\ninclude: [big.yaml]\n",
                                      encoding="utf-8")
    return folder


def stage_inputs(t, texts):  # type: ignore[no-untyped-def]
    """Per message: the normalised text and a function building fresh Facts (the model's output is fixed)."""
    from triage.route.conditions import Facts
    from triage.types import Priority, Request

    out = []
    for text in texts:
        norm = t.normalizer(text)
        pred = t.classifier.predict(norm.text, t.tokenizer.cut(norm.text))
        req = Request(text=text, received_at=NOW)

        def facts(hits, req=req, norm=norm, pred=pred):  # type: ignore[no-untyped-def]
            return Facts(request=req, text=norm.text, subject="", hits=hits, channel=None, channel_type="async",
                         local_time=NOW, category=pred.category,
                         categories=frozenset(c.category for c in pred.categories), confidence=pred.confidence,
                         needs_review=pred.needs_review, priority=Priority.P3)
        out.append((norm, facts))
    return out


def run_stages(pack, facts):  # type: ignore[no-untyped-def]
    from triage.route.engine import StageResult

    result = StageResult(cc=[], sla_policy=None, reasons=[], fired=[])
    for stage in ("tags", "priority", "routing"):
        pack.engine.run_stage(stage, facts, result)
    return result


def measure(pack, inputs):  # type: ignore[no-untyped-def]
    keywords = pack.keywords.keywords
    ours, naive = [], []
    for norm, facts in inputs:
        t0 = time.perf_counter()
        hits: dict = {}
        pack.keywords.find(norm, "text", hits)
        run_stages(pack, facts(hits))
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        text = norm.text
        loop_hits = {kw: [("text", 0, 0)] for kw in keywords if kw in text}
        run_stages(pack, facts(loop_hits))
        naive.append(time.perf_counter() - t0)
    return statistics.median(ours) * 1e6, statistics.median(naive) * 1e6, len(keywords)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json")
    args = ap.parse_args()
    import pandas as pd

    import triage

    texts = pd.concat([pd.read_json(p, lines=True) for p in sorted((ROOT / "data/corpus/eval").glob("*.jsonl"))]
                      )["text"].tolist()
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, rules in (("default pack", None), ("default + 10,000 keywords", big_pack(Path(tmp)))):
            t = triage.load(rules=rules)
            ours, naive, n = measure(t.pack, stage_inputs(t, texts))
            rows[name] = {"keywords": n, "automaton_us": ours, "loop_us": naive, "ratio": naive / ours}
    print(f"rule stage per request (keyword hits + tags/priority/routing), median over {len(texts)} messages\n")
    print(f"{'pack':<28} {'keywords':>9} {'automaton µs':>13} {'keyword loop µs':>16} {'loop/automaton':>15}")
    print("-" * 85)
    for name, r in rows.items():
        print(f"{name:<28} {r['keywords']:>9} {r['automaton_us']:>13.1f} {r['loop_us']:>16.1f} {r['ratio']:>14.1f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

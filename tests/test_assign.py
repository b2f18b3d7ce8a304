"""Assignment from an agent roster."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from strategies import run_in_threads

import triage
from triage import Request, RuleError
from triage.route.assign import Agent, Roster

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
Q = "物流组"


def roster(strategy: str = "least_loaded") -> Roster:
    return Roster([Agent("a", frozenset({Q}), capacity=3, load=2),
                   Agent("b", frozenset({Q}), capacity=3, load=0),
                   Agent("c", frozenset({Q}), capacity=3, load=0, online=False),
                   Agent("d", frozenset({"售前组"}), capacity=3)], strategy=strategy)


def test_least_loaded_never_offline_or_full() -> None:
    r = roster()
    picks = [r.assign(Q)[0] for _ in range(4)]
    assert picks == ["b", "b", "a", "b"]          # b 0→1→2, then a (2/3) ties b (2/3): ids break the tie
    assert r.assign(Q)[0] is None                  # a and b full, c offline
    who, why = r.assign(Q)
    assert who is None and "1 offline, 2 at capacity" in why.message


def test_round_robin_skips_unavailable() -> None:
    r = roster("round_robin")
    assert [r.assign(Q)[0] for _ in range(4)] == ["a", "b", "b", "b"]


def test_weighted_prefers_heavier_weight() -> None:
    r = Roster([Agent("junior", frozenset({Q}), capacity=10), Agent("senior", frozenset({Q}), capacity=10,
                                                                      weight=2.0)], strategy="weighted")
    counts = Counter(r.assign(Q)[0] for _ in range(12))
    assert counts["senior"] == 8 and counts["junior"] == 4


def test_concurrent_assignment_never_exceeds_capacity() -> None:
    r = Roster([Agent(f"a{i}", frozenset({Q}), capacity=25) for i in range(4)])
    per_thread = run_in_threads(lambda: [r.assign(Q)[0] for _ in range(20)])
    got = [who for results in per_thread for who in results]
    assigned = [g for g in got if g]
    assert len(assigned) == 100 and got.count(None) == 60
    assert all(a.load == 25 for a in r.snapshot())


def test_decision_carries_the_assignee(triager: triage.Triager) -> None:
    r = roster()
    d = triager.triage(Request(text="我的快递一周了还没到", received_at=NOW), roster=r)
    assert d.queue == Q and d.assignee == "b"
    assert any(x.stage == "assign" and "b in 物流组" in x.message for x in d.reasons)
    nobody = triager.triage(Request(text="这件衣服有S码吗", received_at=NOW), roster=Roster([]))
    assert nobody.assignee is None and any("no agent serves it" in x.message for x in nobody.reasons)


def test_roster_from_yaml_with_errors(tmp_path: Path) -> None:
    good = tmp_path / "roster.yaml"
    good.write_text("strategy: round_robin\nagents:\n  - {id: a1, name: 小王, queues: [物流组], capacity: 2}\n",
                    encoding="utf-8")
    assert Roster.from_yaml(good).snapshot()[0].name == "小王"
    bad = tmp_path / "bad.yaml"
    bad.write_text("agents:\n  - {id: a1, queues: [物流组], online: yes}\n  - {id: a2, queue: [x]}\n",
                   encoding="utf-8")
    with pytest.raises(RuleError) as info:
        Roster.from_yaml(bad)
    msgs = [str(p) for p in info.value.problems]
    assert any(":2:" in m and "online must be true or false" in m for m in msgs)
    assert any(":3:" in m and "unknown agent key 'queue'" in m for m in msgs)

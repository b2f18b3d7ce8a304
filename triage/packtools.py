"""Tools support managers use on rule packs: example cases with expected outcomes, and diffs over past tickets.

Cases live next to the rules (``rules/cases.yaml``)::

    cases:
      - text: 收到的电水壶冒烟了，差点起火
        channel: wechat
        expect: {priority: P1, queue: 危机处理组, tags: [safety]}

``expect`` may check ``category``, ``priority``, ``queue``, ``needs_review``,
``tags`` (all listed must be present), ``no_tags`` (none may be present) and
``cc``. Each case runs through the whole pipeline, as a real request would.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import InputError, Problem, RuleError
from .types import Decision, Request

if TYPE_CHECKING:
    import pandas as pd

    from .pipeline import Triager

__all__ = ["CaseResult", "run_cases", "PackDiff", "diff_packs"]

_EXPECT_KEYS = {"category", "priority", "queue", "needs_review", "tags", "no_tags", "cc"}
_DEFAULT_NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@dataclass(frozen=True)
class CaseResult:
    """One case: where it was written, and what did not match."""

    where: str
    text: str
    failures: tuple[str, ...]
    decision: Decision

    @property
    def passed(self) -> bool:
        return not self.failures


def _check(expect: Mapping[str, Any], d: Decision) -> list[str]:
    out = []
    for key in ("category", "priority", "queue", "needs_review"):
        if key in expect and str(expect[key]) != str(getattr(d, key)):
            out.append(f"{key}: expected {expect[key]}, got {getattr(d, key)}")
    missing = [t for t in expect.get("tags", []) if t not in d.tags]
    if missing:
        out.append(f"tags: expected {', '.join(missing)} among {', '.join(d.tags) or 'none'}")
    unwanted = [t for t in expect.get("no_tags", []) if t in d.tags]
    if unwanted:
        out.append(f"tags: expected no {', '.join(unwanted)}")
    if "cc" in expect and sorted(expect["cc"]) != sorted(d.cc):
        out.append(f"cc: expected {sorted(expect['cc'])}, got {sorted(d.cc)}")
    return out


def run_cases(triager: Triager, path: str | os.PathLike[str], *, now: dt.datetime | None = None
              ) -> list[CaseResult]:
    """Run every case of a cases file; problems in the file itself raise :class:`RuleError` with locations."""
    from .route.yamlio import load_yaml

    data, marks = load_yaml(os.fspath(path))
    if not isinstance(data, Mapping) or not isinstance(data.get("cases"), list):
        raise RuleError([marks.problem((), "a cases file needs 'cases:', a list of {text, expect}")])
    problems: list[Problem] = []
    prepared = []
    for i, case in enumerate(data["cases"]):
        p = ("cases", i)
        if not isinstance(case, Mapping) or not isinstance(case.get("text"), str):
            problems.append(marks.problem(p, "each case needs 'text'"))
            continue
        expect = case.get("expect")
        if not isinstance(expect, Mapping) or not expect:
            problems.append(marks.problem((*p, "expect"), "each case needs 'expect' with what should come out"))
            continue
        for k in expect:
            if k not in _EXPECT_KEYS:
                problems.append(marks.problem((*p, "expect", k), f"unknown expectation {k!r}; expected one of "
                                                                 f"{', '.join(sorted(_EXPECT_KEYS))}"))
        fields = {k: v for k, v in case.items() if k != "expect"}
        try:
            req = Request.from_dict(fields)
        except InputError as exc:
            problems.append(marks.problem(p, str(exc)))
            continue
        line, _ = marks.at(p)
        prepared.append((f"{marks.file}:{line}", req, expect))
    if problems:
        raise RuleError(problems)
    results = []
    for where, req, expect in prepared:
        d = triager.triage(req, now=now or _DEFAULT_NOW)
        results.append(CaseResult(where, req.text, tuple(_check(expect, d)), d))
    return results


@dataclass
class PackDiff:
    """How many past tickets change category, priority or queue between two packs, with examples."""

    total: int
    changed: Counter[str] = field(default_factory=Counter)
    transitions: dict[str, Counter[tuple[str, str]]] = field(default_factory=dict)
    examples: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def text(self, examples: int = 5) -> str:
        lines = [f"{self.total} tickets replayed through both packs"]
        if self.skipped:
            lines.append(f"  {len(self.skipped)} rows could not be read: " + "; ".join(self.skipped[:3]))
        for key in ("category", "priority", "queue", "tags"):
            n = self.changed[key]
            lines.append(f"  {key:<9} changed for {n:>6} ({n / max(self.total, 1):.1%})")
            for (a, b), c in self.transitions.get(key, Counter()).most_common(5):
                lines.append(f"      {a} → {b}: {c}")
            for text, a, b in self.examples.get(key, [])[:examples]:
                lines.append(f"      e.g. {text[:40]!r}: {a} → {b}")
        return "\n".join(lines)


def diff_packs(old: Triager, new: Triager, tickets: pd.DataFrame, *, now: dt.datetime | None = None,
               progress: bool = False) -> PackDiff:
    """Replay tickets through two triagers (same model, different rule packs) and count what changes."""
    if "text" not in tickets.columns:
        raise InputError("the tickets file has no 'text' column")
    records = tickets.to_dict("records")
    it: Any = records
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(records, desc="replay", unit="ticket")
    diff = PackDiff(total=0)
    for i, rec in enumerate(it):
        try:
            req = Request.from_dict(rec)
        except InputError as exc:
            diff.skipped.append(f"row {i}: {exc}")
            continue
        a, b = old.triage(req, now=now or _DEFAULT_NOW), new.triage(req, now=now or _DEFAULT_NOW)
        diff.total += 1
        for key in ("category", "priority", "queue", "tags"):
            if key == "tags":
                va, vb = ",".join(a.tags) or "-", ",".join(b.tags) or "-"
            else:
                va, vb = str(getattr(a, key)), str(getattr(b, key))
            if va != vb:
                diff.changed[key] += 1
                diff.transitions.setdefault(key, Counter())[(va, vb)] += 1
                diff.examples.setdefault(key, []).append((req.text, va, vb))
    return diff

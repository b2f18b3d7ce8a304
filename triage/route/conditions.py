"""The condition language of rules and SLA policies, compiled to predicates at load time.

A condition is a mapping; every key in it must hold (``all`` is implicit)::

    when:
      text: {any: ["@safety", 冒烟], none: [不是]}   # keywords; "@name" is a keyword set
      # not_within: an any/all match overlapping one of these does not count (嗓子冒烟)
      channel_type: social
      not: {tags: {any: [praise]}}

Keys (see ``docs/rules.md`` for the full table): ``text``, ``subject``,
``regex``, ``channel``, ``channel_type``, ``tier``, ``customer_id``,
``amount``, ``lifetime_value``, ``order_status``, ``category``,
``categories``, ``confidence``, ``needs_review``, ``predicted_priority``, ``tags``, ``entities``,
``priority``, ``queue``, ``hour``, ``weekday``, ``history``, and the
combinators ``all``, ``any``, ``not``.

A compiled predicate takes :class:`Facts` and returns ``None`` when the
condition does not hold, or the evidence (matched words with positions) when
it does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..types import Entity, Evidence, Priority, Request
from .regexes import RegexIndex
from .yamlio import Marks

__all__ = ["Facts", "Predicate", "ConditionCompiler", "HistoryStats", "KEYS"]

Predicate = Callable[["Facts"], "tuple[Evidence, ...] | None"]
_NOTHING: tuple[Evidence, ...] = ()
_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
             "周一": 0, "周二": 1, "周三": 2, "周四": 3, "周五": 4, "周六": 5, "周日": 6}
_CMP = {"gt": lambda a, b: a > b, "gte": lambda a, b: a >= b, "lt": lambda a, b: a < b,
        "lte": lambda a, b: a <= b, "eq": lambda a, b: a == b, "ne": lambda a, b: a != b}


@dataclass(frozen=True, slots=True)
class HistoryStats:
    """What the customer's earlier contacts say, within a window of ``days``."""

    contacts: int = 0
    same_category: int = 0
    open: int = 0
    other_channels: int = 0
    known: bool = False


@dataclass(slots=True)
class Facts:
    """Everything rules can look at for one request. Built once per request by the engine."""

    request: Request
    text: str                                   # normalised text
    subject: str                                # normalised subject
    hits: Mapping[str, Sequence[tuple[str, int, int]]]   # keyword -> [(field, start, end)] in original text
    channel: str | None
    channel_type: str
    local_time: dt.datetime
    category: str | None = None
    categories: frozenset[str] = frozenset()
    confidence: float = 0.0
    needs_review: bool = False
    entities: frozenset[str] = frozenset()
    tags: list[str] = field(default_factory=list)
    priority: Priority = Priority.P3
    queue: str | None = None
    history: Callable[[int], HistoryStats] | None = None
    urgency: Mapping[str, float] = field(default_factory=dict)          # P1..P4 -> probability (model)
    urgency_thresholds: Mapping[str, float] = field(default_factory=dict)  # tuned cumulative thresholds
    urgency_drivers: tuple[str, ...] = ()
    extracted: tuple[Entity, ...] = ()     # the entities themselves, with values and positions
    text_utf8: bytes | None = None         # ``text`` encoded once for the regular expressions (on first use)
    regex_hits: frozenset[int] | None = None   # which of the pack's patterns match ``text`` (on first use)


KEYS = frozenset({
    "text", "subject", "regex", "channel", "channel_type", "tier", "customer_id", "amount", "lifetime_value",
    "order_status", "category", "categories", "confidence", "needs_review", "predicted_priority", "tags",
    "entities", "priority", "queue", "hour", "weekday", "history", "all", "any", "not",
})


class ConditionCompiler:
    """Compiles condition mappings into predicates, collecting problems with their positions.

    ``known`` gives the names a condition may refer to (categories, channels,
    channel types, tags, queues, entity kinds, keyword sets); ``keywords`` is
    filled with every keyword used, for the pack's automaton.
    """

    def __init__(self, *, marks: Marks, known: Mapping[str, frozenset[str]],
                 keyword_sets: Mapping[str, tuple[str, ...]], normalize: Callable[[str], str],
                 regexes: RegexIndex) -> None:
        self.marks = marks
        self.known = known
        self.keyword_sets = keyword_sets
        self.normalize = normalize
        self.regexes = regexes
        self.keywords: set[str] = set()
        self.problems: list[Any] = []
        self.rule: str | None = None

    # -- helpers -----------------------------------------------------------------------------------
    def _err(self, path: tuple[str | int, ...], msg: str) -> None:
        self.problems.append(self.marks.problem(path, msg, self.rule))

    def _strings(self, value: Any, path: tuple[str | int, ...], what: str) -> list[str] | None:
        items = value if isinstance(value, list) else [value]
        out = []
        for i, v in enumerate(items):
            p = (*path, i) if isinstance(value, list) else path
            if isinstance(v, bool) or not isinstance(v, str | int) or (isinstance(v, str) and not v.strip()):
                self._err(p, f"{what} must be text, got {v!r} ({type(v).__name__})")
                return None
            out.append(str(v))
        return out

    def _names(self, value: Any, path: tuple[str | int, ...], kind: str) -> frozenset[str] | None:
        names = self._strings(value, path, f"a {kind} name")
        if names is None:
            return None
        known = self.known.get(kind)
        if known is not None:
            for i, n in enumerate(names):
                if n not in known:
                    p = (*path, i) if isinstance(value, list) else path
                    self._err(p, f"unknown {kind} {n!r}; expected one of: {', '.join(sorted(known))}")
                    return None
        return frozenset(names)

    def _keywords(self, value: Any, path: tuple[str | int, ...]) -> tuple[str, ...] | None:
        raw = self._strings(value, path, "a keyword")
        if raw is None:
            return None
        out: list[str] = []
        for i, kw in enumerate(raw):
            if kw.startswith("@"):
                name = kw[1:]
                if name not in self.keyword_sets:
                    p = (*path, i) if isinstance(value, list) else path
                    known = ", ".join(sorted(self.keyword_sets)) or "none defined"
                    self._err(p, f"unknown keyword set {kw!r} (keyword_sets: {known})")
                    return None
                out.extend(self.keyword_sets[name])
            else:
                norm = self.normalize(kw)
                if norm:
                    out.append(norm)
        self.keywords.update(out)
        return tuple(dict.fromkeys(out))

    def _compare(self, value: Any, path: tuple[str | int, ...], *, number: bool = True
                 ) -> Callable[[Any], bool] | None:
        if not isinstance(value, Mapping) or not value:
            self._err(path, "expected a comparison such as {gte: 5000} (gt, gte, lt, lte, eq, ne)")
            return None
        tests = []
        for op, operand in value.items():
            if op not in _CMP:
                self._err((*path, op), f"unknown comparison {op!r}; expected gt, gte, lt, lte, eq or ne")
                return None
            if number and (isinstance(operand, bool) or not isinstance(operand, int | float)):
                self._err((*path, op), f"{op} needs a number, got {operand!r}")
                return None
            tests.append((_CMP[op], operand))
        return lambda x: x is not None and all(f(x, b) for f, b in tests)

    # -- entry point -------------------------------------------------------------------------------
    def compile(self, cond: Any, path: tuple[str | int, ...]) -> Predicate | None:
        if cond is None:
            return lambda facts: _NOTHING
        if isinstance(cond, list):
            return self._all([self.compile(c, (*path, i)) for i, c in enumerate(cond)])
        if not isinstance(cond, Mapping):
            self._err(path, f"a condition must be a mapping of tests, got {cond!r}")
            return None
        if not cond:
            self._err(path, "empty condition; omit 'when' to match every request")
            return None
        parts: list[Predicate | None] = []
        for key, value in cond.items():
            p = (*path, key)
            if key not in KEYS:
                self._err(p, f"unknown condition {key!r}; expected one of: {', '.join(sorted(KEYS))}")
                parts.append(None)
                continue
            parts.append(getattr(self, f"_c_{key}")(value, p))
        return self._all(parts)

    @staticmethod
    def _all(parts: list[Predicate | None]) -> Predicate | None:
        if any(p is None for p in parts):
            return None
        preds: list[Predicate] = [p for p in parts if p is not None]
        if len(preds) == 1:
            return preds[0]

        def all_of(facts: Facts) -> tuple[Evidence, ...] | None:
            evidence: tuple[Evidence, ...] = ()
            for pred in preds:
                ev = pred(facts)
                if ev is None:
                    return None
                evidence += ev
            return evidence

        return all_of

    # -- combinators -------------------------------------------------------------------------------
    def _c_all(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        if not isinstance(value, list) or not value:
            self._err(path, "'all' takes a non-empty list of conditions")
            return None
        return self._all([self.compile(c, (*path, i)) for i, c in enumerate(value)])

    def _c_any(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        if not isinstance(value, list) or not value:
            self._err(path, "'any' takes a non-empty list of conditions")
            return None
        parts = [self.compile(c, (*path, i)) for i, c in enumerate(value)]
        if any(p is None for p in parts):
            return None
        preds = [p for p in parts if p is not None]

        def any_of(facts: Facts) -> tuple[Evidence, ...] | None:
            for pred in preds:
                ev = pred(facts)
                if ev is not None:
                    return ev
            return None

        return any_of

    def _c_not(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        inner = self.compile(value, path)
        if inner is None:
            return None
        return lambda facts: _NOTHING if inner(facts) is None else None

    # -- text --------------------------------------------------------------------------------------
    def _keyword_test(self, value: Any, path: tuple[str | int, ...], fields: tuple[str, ...]) -> Predicate | None:
        spec = {"any": value} if isinstance(value, list | str) else value
        if not isinstance(spec, Mapping) or not spec:
            self._err(path, "expected a keyword list, or {any: [...], all: [...], none: [...], not_within: [...]}")
            return None
        groups: dict[str, tuple[str, ...]] = {}
        for mode, kws in spec.items():
            if mode not in ("any", "all", "none", "not_within"):
                self._err((*path, mode), f"unknown keyword test {mode!r}; expected any, all, none or not_within")
                return None
            got = self._keywords(kws, (*path, mode))
            if got is None:
                return None
            groups[mode] = got
        if "not_within" in groups and not ("any" in groups or "all" in groups):
            self._err((*path, "not_within"), "not_within needs an any or all list whose matches it can discount")
            return None
        any_kw = frozenset(groups["any"]) if "any" in groups else None
        all_kw, none_kw = groups.get("all", ()), frozenset(groups.get("none", ()))
        within_kw = frozenset(groups.get("not_within", ()))

        def found(occurrences: Sequence[tuple[str, int, int]], kw: str,
                  masks: Sequence[tuple[str, int, int]] = ()) -> list[Evidence]:
            # a match that overlaps a not_within match in the same field does not count (辣到原地爆炸: 爆炸)
            return [Evidence(kw, s, e, f) for f, s, e in occurrences if f in fields
                    and not any(mf == f and ms < e and s < me for mf, ms, me in masks)]

        def keyword_test(facts: Facts) -> tuple[Evidence, ...] | None:
            # iterate over the request's hits (few), not over the rule's keywords (maybe thousands)
            hits = facts.hits
            if any_kw is not None and any_kw.isdisjoint(hits):  # most tests end here, without a Python loop
                return None
            masks = [occ for kw, occurrences in hits.items() if kw in within_kw for occ in occurrences] \
                if within_kw else ()
            evidence: list[Evidence] = []
            if any_kw is not None:
                for kw, occurrences in hits.items():
                    if kw in any_kw:
                        evidence.extend(found(occurrences, kw, masks))
                if not evidence:
                    return None
            for kw in all_kw:
                ev = found(hits.get(kw, ()), kw, masks)
                if not ev:
                    return None
                evidence.extend(ev)
            if none_kw:
                for kw, occurrences in hits.items():
                    if kw in none_kw and found(occurrences, kw):
                        return None
            return tuple(sorted(set(evidence), key=lambda e: (e.field, e.start, e.end, e.text)))

        return keyword_test

    def _c_text(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        return self._keyword_test(value, path, ("text", "subject"))

    def _c_subject(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        return self._keyword_test(value, path, ("subject",))

    def _c_regex(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        patterns = self._strings(value, path, "a regular expression")
        if patterns is None:
            return None
        compiled = []
        regexes = self.regexes
        for i, pat in enumerate(patterns):
            try:
                # compiled from UTF-8 and run on the text encoded once per request: RE2's Python wrapper
                # otherwise encodes the text again for every pattern (2.5x the cost of the search itself)
                compiled.append(regexes.add(pat.encode("utf-8")))
            except Exception as exc:  # noqa: BLE001 - re2 raises its own error type without details
                p = (*path, i) if isinstance(value, list) else path
                self._err(p, f"regular expression {pat!r} cannot run on the linear-time engine (RE2: no "
                             f"backreferences or look-around): {exc}")
                return None

        def regex_test(facts: Facts) -> tuple[Evidence, ...] | None:
            data = facts.text_utf8
            if data is None:
                data = facts.text_utf8 = facts.text.encode("utf-8")
            hits = facts.regex_hits
            if hits is None:  # every pattern of the pack at once, the first time any is asked for
                hits = facts.regex_hits = regexes.hits(data)
            for index, rx in compiled:
                if index in hits:
                    m = rx.search(data)  # again, for the position
                    start = len(data[:m.start()].decode("utf-8"))
                    found = m.group(0).decode("utf-8")
                    return (Evidence(found, start, start + len(found), "text~"),)
            return None

        return regex_test

    # -- request fields ----------------------------------------------------------------------------
    def _in(self, value: Any, path: tuple[str | int, ...], kind: str, get: Callable[[Facts], Any]
            ) -> Predicate | None:
        names = self._names(value, path, kind)
        if names is None:
            return None
        return lambda facts: _NOTHING if get(facts) in names else None

    def _c_channel(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        return self._in(value, path, "channel", lambda f: f.channel)

    def _c_channel_type(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        return self._in(value, path, "channel_type", lambda f: f.channel_type)

    def _c_tier(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        names = self._strings(value, path, "a customer tier")
        if names is None:
            return None
        tiers = frozenset(n.lower() for n in names)
        return lambda f: _NOTHING if f.request.customer is not None and f.request.customer.tier in tiers else None

    def _c_customer_id(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        ids = self._strings(value, path, "a customer id")
        if ids is None:
            return None
        idset = frozenset(ids)
        return lambda f: _NOTHING if f.request.customer is not None and f.request.customer.id in idset else None

    def _c_amount(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        test = self._compare(value, path)
        if test is None:
            return None

        def amount(f: Facts) -> tuple[Evidence, ...] | None:
            order = f.request.order
            if order is not None and order.amount is not None:
                return _NOTHING if test(order.amount) else None
            # no order amount given: the largest sum the customer states ("两万八的镜头", "订单金额23999")
            sums = [e for e in f.extracted if e.kind == "amount"]
            if not sums:
                return None
            top = max(sums, key=lambda e: float(e.value))
            return (Evidence(top.text, top.start, top.end),) if test(float(top.value)) else None

        return amount

    def _c_lifetime_value(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        test = self._compare(value, path)
        if test is None:
            return None
        return lambda f: (_NOTHING if f.request.customer is not None and test(f.request.customer.lifetime_value)
                          else None)

    def _c_order_status(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        names = self._strings(value, path, "an order status")
        if names is None:
            return None
        statuses = frozenset(names)
        return lambda f: _NOTHING if f.request.order is not None and f.request.order.status in statuses else None

    # -- decision so far ---------------------------------------------------------------------------
    def _c_category(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        return self._in(value, path, "category", lambda f: f.category)

    def _set_test(self, value: Any, path: tuple[str | int, ...], kind: str,
                  get: Callable[[Facts], Any]) -> Predicate | None:
        spec = {"any": value} if isinstance(value, list | str) else value
        if not isinstance(spec, Mapping) or not spec:
            self._err(path, f"expected a list of {kind} names, or {{any: [...], all: [...], none: [...]}}")
            return None
        tests: list[tuple[str, frozenset[str]]] = []
        for mode, names in spec.items():
            if mode not in ("any", "all", "none"):
                self._err((*path, mode), f"unknown test {mode!r}; expected any, all or none")
                return None
            got = self._names(names, (*path, mode), kind)
            if got is None:
                return None
            tests.append((mode, got))

        def set_test(facts: Facts) -> tuple[Evidence, ...] | None:
            have = get(facts)
            for mode, names in tests:
                if mode == "any" and names.isdisjoint(have):
                    return None
                if mode == "all" and not names.issubset(have):
                    return None
                if mode == "none" and not names.isdisjoint(have):
                    return None
            return _NOTHING

        return set_test

    def _c_categories(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        return self._set_test(value, path, "category", lambda f: f.categories)

    def _c_tags(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        return self._set_test(value, path, "tag", lambda f: f.tags)

    def _c_confidence(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        test = self._compare(value, path)
        if test is None:
            return None
        return lambda f: _NOTHING if test(f.confidence) else None

    def _c_predicted_priority(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        """The model's urgency head: ``P1``, ``{at_least: P2}``, optionally ``probability: 0.6``.

        Holds when the probability of the level or anything more urgent reaches
        ``probability``, or by default the threshold tuned when the model was
        trained. Never holds with a model that has no urgency head.
        """
        spec = {"at_least": value} if isinstance(value, str) else value
        if not isinstance(spec, Mapping) or "at_least" not in spec:
            self._err(path, "expected a priority such as P1, or {at_least: P2, probability: 0.6}")
            return None
        for key in spec:
            if key not in ("at_least", "probability"):
                self._err((*path, key), f"unknown predicted_priority test {key!r}; expected at_least or probability")
                return None
        try:
            level = Priority.parse(spec["at_least"])
        except ValueError:
            self._err((*path, "at_least"), f"expected P1 or P2, got {spec['at_least']!r}")
            return None
        if level.rank > 2:
            self._err((*path, "at_least"), f"the urgency signal covers P1 and P2, got {level}")
            return None
        prob = spec.get("probability")
        if prob is not None and (isinstance(prob, bool) or not isinstance(prob, int | float) or not 0 < prob <= 1):
            self._err((*path, "probability"), f"expected a probability in (0, 1], got {prob!r}")
            return None
        covered = ("P1",) if level.rank == 1 else ("P1", "P2")
        name = str(level)

        def predicted(f: Facts) -> tuple[Evidence, ...] | None:
            if not f.urgency:
                return None
            p = sum(f.urgency.get(lv, 0.0) for lv in covered)
            threshold = prob if prob is not None else f.urgency_thresholds.get(name)
            if threshold is None or p < threshold:
                return None
            words = f"; {', '.join(f.urgency_drivers)}" if f.urgency_drivers else ""
            return (Evidence(f"urgency model ≤{name} {p:.2f} ≥ {threshold:.2f}{words}", 0, 0, "model"),)

        return predicted

    def _c_needs_review(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        if not isinstance(value, bool):
            self._err(path, f"needs_review must be true or false, got {value!r}")
            return None
        return lambda f: _NOTHING if f.needs_review is value else None

    def _c_entities(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        spec = {"present": value} if isinstance(value, list | str) else value
        if not isinstance(spec, Mapping) or not spec:
            self._err(path, "expected {present: [...], missing: [...]}")
            return None
        tests = []
        for mode, names in spec.items():
            if mode not in ("present", "missing"):
                self._err((*path, mode), f"unknown entity test {mode!r}; expected present or missing")
                return None
            got = self._names(names, (*path, mode), "entity")
            if got is None:
                return None
            tests.append((mode == "present", got))

        def entity_test(facts: Facts) -> tuple[Evidence, ...] | None:
            for present, names in tests:
                if present and not any(n in facts.entities for n in names):
                    return None
                if not present and any(n in facts.entities for n in names):
                    return None
            return _NOTHING

        return entity_test

    def _c_priority(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        if isinstance(value, Mapping):
            bounds = {}
            for op, level in value.items():
                if op not in ("at_least", "at_most"):
                    self._err((*path, op), f"unknown priority test {op!r}; expected at_least or at_most")
                    return None
                try:
                    bounds[op] = Priority.parse(level).rank
                except ValueError:
                    self._err((*path, op), f"expected a priority P1..P4, got {level!r}")
                    return None
            # "at_least P2" is P1 or P2 (rank <= 2); "at_most P3" is P3 or P4 (rank >= 3)
            max_rank, min_rank = bounds.get("at_least", 4), bounds.get("at_most", 1)
            return lambda f: _NOTHING if min_rank <= f.priority.rank <= max_rank else None
        names = self._strings(value, path, "a priority")
        if names is None:
            return None
        try:
            levels = frozenset(Priority.parse(n) for n in names)
        except ValueError:
            self._err(path, f"expected priorities P1..P4, got {value!r}")
            return None
        return lambda f: _NOTHING if f.priority in levels else None

    def _c_queue(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        return self._in(value, path, "queue", lambda f: f.queue)

    # -- time and history --------------------------------------------------------------------------
    def _c_hour(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        if isinstance(value, Mapping) and "between" in value:
            b = value["between"]
            if not (isinstance(b, list) and len(b) == 2 and all(isinstance(x, int) and 0 <= x <= 24 for x in b)):
                self._err((*path, "between"), "between takes [start_hour, end_hour], e.g. [22, 7]")
                return None
            lo, hi = b
            if lo <= hi:
                return lambda f: _NOTHING if lo <= f.local_time.hour < hi else None
            return lambda f: _NOTHING if f.local_time.hour >= lo or f.local_time.hour < hi else None
        test = self._compare(value, path)
        if test is None:
            return None
        return lambda f: _NOTHING if test(f.local_time.hour) else None

    def _c_weekday(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        items = value if isinstance(value, list) else [value]
        days = set()
        for i, d in enumerate(items):
            key = str(d).lower()[:3] if isinstance(d, str) and d.isascii() else d
            if key not in _WEEKDAYS:
                self._err((*path, i) if isinstance(value, list) else path,
                          f"unknown weekday {d!r}; expected mon..sun or 周一..周日")
                return None
            days.add(_WEEKDAYS[key])
        return lambda f: _NOTHING if f.local_time.weekday() in days else None

    def _c_history(self, value: Any, path: tuple[str | int, ...]) -> Predicate | None:
        if not isinstance(value, Mapping):
            self._err(path, "expected {days: 7, same_category: {gte: 1}, ...}")
            return None
        days = value.get("days", 7)
        if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
            self._err((*path, "days"), f"days must be a positive whole number, got {days!r}")
            return None
        tests = []
        for key, spec in value.items():
            if key == "days":
                continue
            if key not in ("contacts", "same_category", "open", "other_channels"):
                self._err((*path, key), f"unknown history count {key!r}; expected contacts, same_category, "
                                        "open or other_channels")
                return None
            test = self._compare(spec, (*path, key))
            if test is None:
                return None
            tests.append((key, test))

        def history_test(facts: Facts) -> tuple[Evidence, ...] | None:
            if facts.history is None:
                return None
            stats = facts.history(days)
            if not stats.known:
                return None
            return _NOTHING if all(test(getattr(stats, key)) for key, test in tests) else None

        return history_test

"""Rule packs: the YAML a support manager edits, loaded, validated and compiled in one step.

A pack is a directory with a ``pack.yaml``::

    name: my-shop
    version: "1.0"
    extends: default          # optional: the shipped pack, or a path to another pack
    include: [taxonomy.yaml, keywords.yaml, tags.yaml, priority.yaml, routing.yaml, sla.yaml]
    disable: [p2_high_value]  # optional: rule ids of the base pack to switch off

Each included file holds one or more sections: ``categories``, ``queues``,
``review_queue``, ``channel_types``, ``channels``, ``default_channel_type``,
``timezone``, ``cc_secondary``, ``tag_names``, ``keyword_sets``, ``tags``,
``priority``, ``routing``, ``calendars``, ``holidays``, ``sla_policies``,
``sla_defaults``.
When a pack extends another, mappings are merged key by key (yours win) and
a rule with the id of a base rule replaces it in place; new rules are
appended after the base rules of their stage.

Everything is checked before anything runs, and every problem is reported at
once, each with file, line, column and rule id (:class:`~triage.errors.RuleError`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import Problem, RuleError
from .route.conditions import ConditionCompiler
from .route.engine import KeywordIndex, RuleEngine
from .route.regexes import RegexIndex
from .route.rules import STAGES, Rule, compile_rule
from .route.yamlio import Marks, load_yaml
from .sla.calendar import Calendar, HolidayData, parse_duration, parse_hours
from .sla.escalation import EscalationLevel
from .sla.policy import METRICS, SlaBook, SlaPolicy
from .text.normalize import Normalizer
from .types import Priority

__all__ = ["RulePack", "load_pack", "default_pack_path", "ENTITY_KINDS"]

ENTITY_KINDS = frozenset({"order_id", "tracking_number", "phone", "amount", "date", "duration"})
_PACK_KEYS = frozenset({"name", "version", "extends", "include", "disable", "description"})
_SECTIONS = frozenset({"categories", "queues", "review_queue", "review_priority", "channel_types", "channels", "default_channel_type",
                       "timezone", "cc_secondary", "tag_names", "keyword_sets", "tags", "priority", "routing",
                       "calendars", "holidays", "sla_policies", "sla_defaults"})
_MAPPING_SECTIONS = ("categories", "queues", "channels", "keyword_sets", "calendars", "holidays")
_WEEKDAY_KEYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def default_pack_path() -> Path:
    """Where the shipped default rule pack lives (package data, or ``rules/`` in a source checkout)."""
    packaged = resources.files("triage").joinpath("_data", "rules")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "rules"


@dataclass(frozen=True, eq=False)
class Category:
    id: str
    label: str
    queue: str
    priority: str


@dataclass(frozen=True, eq=False)
class RulePack:
    """A loaded, validated and compiled rule pack. Immutable; share it between threads."""

    name: str
    version: str
    digest: str
    path: str
    categories: Mapping[str, Category]
    queues: tuple[str, ...]
    review_queue: str
    review_priority: Priority
    channels: Mapping[str, str]
    default_channel_type: str
    timezone: ZoneInfo
    cc_secondary: bool
    engine: RuleEngine
    keywords: KeywordIndex
    sla: SlaBook

    @property
    def tag(self) -> str:
        """``name@version+digest``: names the exact content that produced a decision."""
        return f"{self.name}@{self.version}+{self.digest[:8]}"

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self.engine.rules

    def channel_type(self, channel: str | None) -> str:
        return self.channels.get(channel or "", self.default_channel_type)


# -- reading ---------------------------------------------------------------------------------------------
@dataclass
class _Item:
    """A value with the file marks and path it came from (to report problems where they were written)."""

    value: Any
    marks: Marks
    path: tuple[str | int, ...]


def _read_pack(path: Path, problems: list[Problem], seen: tuple[str, ...], hasher: Any
               ) -> tuple[dict[str, Any], dict[str, list[_Item]], dict[str, _Item]]:
    """Read a pack directory (following ``extends``) into merged sections."""
    pack_file = path / "pack.yaml" if path.is_dir() else path
    root = pack_file.parent
    if str(pack_file.resolve()) in seen:
        problems.append(Problem(str(pack_file), 0, 0, "extends loops back to itself"))
        return {}, {s: [] for s in STAGES}, {}
    if not pack_file.is_file():
        problems.append(Problem(str(pack_file), 0, 0, "no pack.yaml here; a rule pack is a folder with pack.yaml"))
        return {}, {s: [] for s in STAGES}, {}
    meta, marks = load_yaml(pack_file)
    hasher.update(pack_file.read_bytes())
    if not isinstance(meta, Mapping):
        problems.append(marks.problem((), "pack.yaml must be a mapping with name, version and include"))
        return {}, {s: [] for s in STAGES}, {}
    for key in meta:
        if key not in _PACK_KEYS:
            problems.append(marks.problem((key,), f"unknown key {key!r} in pack.yaml; expected one of: "
                                                  f"{', '.join(sorted(_PACK_KEYS))}"))
    sections: dict[str, _Item] = {}
    rules: dict[str, list[_Item]] = {s: [] for s in STAGES}
    info: dict[str, Any] = {"name": meta.get("name"), "version": meta.get("version")}
    for key in ("name", "version"):
        if not isinstance(meta.get(key), str | int | float) or isinstance(meta.get(key), bool):
            problems.append(marks.problem((key,) if key in meta else (), f"pack.yaml needs {key!r} (text)"))
    base = meta.get("extends")
    if base is not None:
        if not isinstance(base, str):
            problems.append(marks.problem(("extends",), "extends takes 'default' or a path to a pack folder"))
        else:
            base_path = default_pack_path() if base == "default" else (root / base)
            _, base_rules, base_sections = _read_pack(base_path, problems, (*seen, str(pack_file.resolve())), hasher)
            sections.update(base_sections)
            rules = base_rules
    disabled = meta.get("disable") or []
    if not isinstance(disabled, list):
        problems.append(marks.problem(("disable",), "disable takes a list of rule ids"))
        disabled = []
    for stage in STAGES:
        rules[stage] = [r for r in rules[stage] if not (isinstance(r.value, Mapping)
                                                       and r.value.get("id") in disabled)]
    base_slots = {stage: {r.value.get("id"): k for k, r in enumerate(rules[stage]) if isinstance(r.value, Mapping)}
                  for stage in STAGES}
    include = meta.get("include")
    if not isinstance(include, list) or not all(isinstance(f, str) for f in include):
        problems.append(marks.problem(("include",) if "include" in meta else (),
                                      "include must list the pack's YAML files, e.g. [taxonomy.yaml, rules.yaml]"))
        include = []
    for i, name in enumerate(include):
        file = (root / name)
        if not file.is_file():
            problems.append(marks.problem(("include", i), f"included file {name!r} does not exist"))
            continue
        try:
            data, fmarks = load_yaml(file)
        except RuleError as exc:
            problems.extend(exc.problems)
            continue
        hasher.update(file.read_bytes())
        if data is None or data == {}:
            continue
        if not isinstance(data, Mapping):
            problems.append(fmarks.problem((), "a rule file must be a mapping of sections "
                                               f"({', '.join(sorted(_SECTIONS))})"))
            continue
        for key, value in data.items():
            if key not in _SECTIONS:
                problems.append(fmarks.problem((key,), f"unknown section {key!r}; expected one of: "
                                                       f"{', '.join(sorted(_SECTIONS))}"))
            elif key in STAGES:
                if not isinstance(value, list):
                    problems.append(fmarks.problem((key,), f"section {key!r} must be a list of rules"))
                    continue
                for j, rule in enumerate(value):
                    item = _Item(rule, fmarks, (key, j))
                    rid = rule.get("id") if isinstance(rule, Mapping) else None
                    slot = base_slots[key].pop(rid, None) if rid is not None else None
                    if slot is not None:  # overrides the base pack's rule of that id, in its place
                        rules[key][slot] = item
                    else:
                        rules[key].append(item)
            elif key in _MAPPING_SECTIONS:
                if not isinstance(value, Mapping):
                    problems.append(fmarks.problem((key,), f"section {key!r} must be a mapping"))
                    continue
                merged: dict[str, _Item] = dict(sections[key].value) if key in sections else {}
                for k, v in value.items():
                    merged[k] = _Item(v, fmarks, (key, k))
                sections[key] = _Item(merged, fmarks, (key,))
            else:
                sections[key] = _Item(value, fmarks, (key,))
    return info, rules, sections


def _str_list(item: _Item, problems: list[Problem], what: str) -> list[str]:
    v = item.value
    if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
        problems.append(item.marks.problem(item.path, f"expected a list of {what} (text)"))
        return []
    return list(v)


def load_pack(path: str | os.PathLike[str] | None = None) -> RulePack:
    """Load, validate and compile a rule pack directory (default: the shipped pack).

    Raises
    ------
    RuleError
        With every problem found, each with file, line, column and rule id.
    """
    root = Path(path) if path is not None else default_pack_path()
    problems: list[Problem] = []
    hasher = hashlib.sha256()
    info, rule_items, sections = _read_pack(root, problems, (), hasher)
    if problems:
        raise RuleError(problems)
    normalizer = Normalizer()
    anchor = Marks(str(root / "pack.yaml"))

    def need(key: str) -> _Item | None:
        if key not in sections:
            problems.append(anchor.problem((), f"the pack defines no {key!r} section"))
            return None
        return sections[key]

    # queues
    queues: list[str] = []
    q = need("queues")
    if q is not None:
        queues = list(q.value) if isinstance(q.value, Mapping) else _str_list(q, problems, "queue names")
    queue_set = frozenset(queues)
    review_queue = "人工复核"
    rq = need("review_queue")
    if rq is not None:
        if not isinstance(rq.value, str) or rq.value not in queue_set:
            problems.append(rq.marks.problem(rq.path, f"review_queue must be one of the queues, got {rq.value!r}"))
        else:
            review_queue = rq.value

    review_priority = Priority.P3
    rp = sections.get("review_priority")
    if rp is not None:
        try:
            review_priority = Priority.parse(rp.value)
        except ValueError:
            problems.append(rp.marks.problem(rp.path, f"review_priority must be P1..P4, got {rp.value!r}"))

    # categories
    categories: dict[str, Category] = {}
    cats = need("categories")
    for cid, item in (cats.value.items() if cats is not None else ()):
        spec = item.value
        if not isinstance(spec, Mapping):
            problems.append(item.marks.problem(item.path, "a category needs {label, queue, priority}"))
            continue
        for k in spec:
            if k not in ("label", "queue", "priority", "description"):
                problems.append(item.marks.problem((*item.path, k), f"unknown category key {k!r}; expected "
                                                                    "label, queue, priority or description"))
        queue = spec.get("queue")
        if queue not in queue_set:
            problems.append(item.marks.problem((*item.path, "queue"), f"category {cid!r}: unknown queue {queue!r}"))
        prio = spec.get("priority", "P3")
        if prio not in ("P1", "P2", "P3", "P4"):
            problems.append(item.marks.problem((*item.path, "priority"),
                                               f"category {cid!r}: priority must be P1..P4, got {prio!r}"))
        categories[cid] = Category(cid, str(spec.get("label", cid)), str(queue), str(prio))

    # channels
    channel_types: list[str] = []
    ct = need("channel_types")
    if ct is not None:
        channel_types = _str_list(ct, problems, "channel types")
    channels: dict[str, str] = {}
    ch = need("channels")
    for name, item in (ch.value.items() if ch is not None else ()):
        if item.value not in channel_types:
            problems.append(item.marks.problem(item.path, f"channel {name!r}: unknown channel type {item.value!r}; "
                                                          f"expected one of {', '.join(channel_types)}"))
        channels[name] = str(item.value)
    default_type = "async"
    dct = sections.get("default_channel_type")
    if dct is not None:
        if dct.value not in channel_types:
            problems.append(dct.marks.problem(dct.path, f"default_channel_type must be one of {channel_types}"))
        default_type = str(dct.value)
    tz = ZoneInfo("Asia/Shanghai")
    tzi = sections.get("timezone")
    if tzi is not None:
        try:
            tz = ZoneInfo(str(tzi.value))
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(tzi.marks.problem(tzi.path, f"unknown time zone {tzi.value!r}"))
    cc_secondary = True
    ccs = sections.get("cc_secondary")
    if ccs is not None:
        if not isinstance(ccs.value, bool):
            problems.append(ccs.marks.problem(ccs.path, "cc_secondary must be true or false"))
        else:
            cc_secondary = ccs.value

    # keyword sets
    keyword_sets: dict[str, tuple[str, ...]] = {}
    ks = sections.get("keyword_sets")
    for name, item in (ks.value.items() if ks is not None else ()):
        if isinstance(item.value, list):  # numbers such as 12315 are keywords too
            item.value = [str(w) if isinstance(w, int) and not isinstance(w, bool) else w for w in item.value]
        words = _str_list(item, problems, "keywords")
        keyword_sets[name] = tuple(dict.fromkeys(w for w in (normalizer.text(x) for x in words) if w))

    # SLA: holidays, calendars, policy ids (compiled after rules so conditions share the compiler)
    holidays: dict[str, HolidayData] = {}
    hs = sections.get("holidays")
    for name, item in (hs.value.items() if hs is not None else ()):
        holidays[name] = _holidays(name, item, problems)
    calendars: dict[str, Calendar] = {}
    cs = sections.get("calendars")
    for cid, item in (cs.value.items() if cs is not None else ()):
        cal = _calendar(cid, item, holidays, tz, problems)
        if cal is not None:
            calendars[cid] = cal
    policy_items = sections.get("sla_policies")
    policy_ids = frozenset(str(p["id"]) for p in (policy_items.value if policy_items and
                                                  isinstance(policy_items.value, list) else [])
                           if isinstance(p, Mapping) and isinstance(p.get("id"), str))

    # tags known: produced by rules, or declared
    produced: set[str] = set()
    for stage in STAGES:
        for it in rule_items[stage]:
            then = it.value.get("then") if isinstance(it.value, Mapping) else None
            if isinstance(then, Mapping):
                t = then.get("add_tags")
                produced.update([t] if isinstance(t, str) else [x for x in (t or []) if isinstance(x, str)])
    tn = sections.get("tag_names")
    if tn is not None:
        produced.update(_str_list(tn, problems, "tag names"))

    known = {"category": frozenset(categories), "channel": frozenset(channels),
             "channel_type": frozenset(channel_types), "queue": queue_set, "tag": frozenset(produced),
             "entity": ENTITY_KINDS}
    all_keywords: set[str] = set()
    compiled: list[Rule] = []
    seen_ids: dict[str, tuple[str, int]] = {}

    regexes = RegexIndex()  # one prefilter over every pattern of the pack (rules and SLA policies)

    def compiler(marks: Marks) -> ConditionCompiler:
        return ConditionCompiler(marks=marks, known=known, keyword_sets=keyword_sets,
                                 normalize=normalizer.text, regexes=regexes)

    for stage in STAGES:
        for it in rule_items[stage]:
            cc = compiler(it.marks)
            rule = compile_rule(it.value, stage, it.path, cc, queue_set, policy_ids)
            problems.extend(cc.problems)
            all_keywords |= cc.keywords
            rid = it.value.get("id") if isinstance(it.value, Mapping) else None
            if isinstance(rid, str):
                if rid in seen_ids:
                    f, line = seen_ids[rid]
                    problems.append(it.marks.problem((*it.path, "id"),
                                                     f"duplicate rule id {rid!r} (first at {f}:{line})", rid))
                else:
                    seen_ids[rid] = (it.marks.file, it.marks.at(it.path)[0])
            if rule is not None:
                compiled.append(rule)

    sla_defaults = _sla_defaults(sections.get("sla_defaults"), problems)
    policies: list[SlaPolicy] = []
    if policy_items is not None:
        if not isinstance(policy_items.value, list):
            problems.append(policy_items.marks.problem(policy_items.path, "sla_policies must be a list"))
        else:
            for i, spec in enumerate(policy_items.value):
                cc = compiler(policy_items.marks)
                pol = _policy(spec, (*policy_items.path, i), cc, calendars, problems, sla_defaults)
                problems.extend(cc.problems)
                all_keywords |= cc.keywords
                if pol is not None:
                    policies.append(pol)
    if problems:
        raise RuleError(problems)
    regexes.freeze()
    return RulePack(
        name=str(info["name"]), version=str(info["version"]), digest=hasher.hexdigest(), path=str(root),
        categories=categories, queues=tuple(queues), review_queue=review_queue, review_priority=review_priority,
        channels=channels,
        default_channel_type=default_type, timezone=tz, cc_secondary=cc_secondary,
        engine=RuleEngine(compiled), keywords=KeywordIndex(all_keywords),
        sla=SlaBook(calendars=calendars, policies=tuple(policies)),
    )


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _holidays(name: str, item: _Item, problems: list[Problem]) -> HolidayData:
    spec = item.value
    rest: set[dt.date] = set()
    work: set[dt.date] = set()
    years: set[int] = set()
    if not isinstance(spec, Mapping) or not isinstance(spec.get("years"), Mapping):
        problems.append(item.marks.problem(item.path, "holidays need {source, years: {YEAR: {rest: [...], "
                                                      "work: [...]}}}"))
        return HolidayData(name, frozenset(), frozenset(), frozenset())
    for year, days in spec["years"].items():
        p = (*item.path, "years", year)
        year = int(year) if isinstance(year, str) and year.isdigit() else year
        if not isinstance(year, int) or not isinstance(days, Mapping):
            problems.append(item.marks.problem(p, "each year needs {rest: [dates], work: [dates]}"))
            continue
        years.add(year)
        for kind, target in (("rest", rest), ("work", work)):
            for j, d in enumerate(days.get(kind) or []):
                parsed = _date(d)
                if parsed is None or parsed.year != year:
                    problems.append(item.marks.problem((*p, kind, j), f"expected a date in {year} "
                                                                      f"(YYYY-MM-DD), got {d!r}"))
                else:
                    target.add(parsed)
    return HolidayData(name, frozenset(rest), frozenset(work), frozenset(years), str(spec.get("source", "")))


def _calendar(cid: str, item: _Item, holidays: Mapping[str, HolidayData], default_tz: ZoneInfo,
              problems: list[Problem]) -> Calendar | None:
    spec = item.value
    if not isinstance(spec, Mapping):
        problems.append(item.marks.problem(item.path, "a calendar needs {timezone, hours, holidays}"))
        return None
    allowed = {"timezone", "hours", "holidays", "missing_year", "makeup_hours", "dates", "description"}
    for k in spec:
        if k not in allowed:
            problems.append(item.marks.problem((*item.path, k), f"unknown calendar key {k!r}; expected one of: "
                                                                f"{', '.join(sorted(allowed))}"))
    tz = default_tz
    if "timezone" in spec:
        try:
            tz = ZoneInfo(str(spec["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(item.marks.problem((*item.path, "timezone"), f"unknown time zone {spec['timezone']!r}"))
    hours = spec.get("hours")
    weekly: dict[int, tuple[tuple[int, int], ...]] | None = {}
    try:
        if hours == "24x7":
            weekly = None
        elif isinstance(hours, Mapping):
            for key, value in hours.items():
                if key in ("weekdays", "mon-fri"):
                    for d in range(5):
                        weekly[d] = parse_hours(value)  # type: ignore[index]
                elif key in _WEEKDAY_KEYS:
                    weekly[_WEEKDAY_KEYS[key]] = parse_hours(value)  # type: ignore[index]
                else:
                    problems.append(item.marks.problem((*item.path, "hours", key),
                                                       f"unknown day {key!r}; expected weekdays or mon..sun"))
        else:
            problems.append(item.marks.problem((*item.path, "hours"),
                                               "hours must be 24x7 or {weekdays: [\"09:00-18:00\"], sat: [...]}"))
            return None
        makeup = parse_hours(spec["makeup_hours"]) if "makeup_hours" in spec else None
        dates = {}
        for d, v in (spec.get("dates") or {}).items():
            parsed = _date(d)
            if parsed is None:
                raise ValueError(f"dates: expected YYYY-MM-DD keys, got {d!r}")
            dates[parsed] = parse_hours(v) if v else ()
    except ValueError as exc:
        problems.append(item.marks.problem(item.path, f"calendar {cid!r}: {exc}"))
        return None
    hol = spec.get("holidays")
    if hol is not None and hol not in holidays:
        problems.append(item.marks.problem((*item.path, "holidays"), f"unknown holiday data {hol!r}; defined: "
                                                                     f"{', '.join(sorted(holidays)) or 'none'}"))
        return None
    missing = spec.get("missing_year", "estimate")
    if missing not in ("estimate", "strict"):
        problems.append(item.marks.problem((*item.path, "missing_year"), "missing_year must be estimate or strict"))
    return Calendar(id=cid, tz=tz, weekly=weekly, holidays=holidays.get(hol) if hol else None,
                    makeup_hours=makeup, dates=dates, missing_year=str(missing))


_Levels = dict[str, tuple[EscalationLevel, ...]]
_LEVEL_KEYS = frozenset({"level", "after", "elapsed", "notify"})


def _warning_at(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        return None
    return float(value)


def _escalation(value: Any, path: tuple[str | int, ...], marks: Marks, problems: list[Problem],
                rule: str | None, targets: Mapping[str, Any] | None) -> _Levels | None:
    """``{all|METRIC: [{level, after|elapsed, notify}, ...]}`` (a bare list means ``all``)."""
    if isinstance(value, list):
        value = {"all": value}
        listed = True  # the list itself stands at ``path``
    else:
        listed = False
    if not isinstance(value, Mapping):
        problems.append(marks.problem(path, "escalation must map a metric (or all) to a list of levels, e.g. "
                                            "{all: [{level: L1, after: 0m, notify: [agent]}]}", rule))
        return None
    out: _Levels = {}
    ok = True
    for metric, levels in value.items():
        mp = path if listed else (*path, metric)
        if metric != "all" and metric not in METRICS:
            problems.append(marks.problem(mp, f"unknown metric {metric!r}; expected all or one of: "
                                              f"{', '.join(METRICS)}", rule))
            ok = False
            continue
        if targets is not None and metric != "all" and metric not in targets:
            problems.append(marks.problem(mp, f"escalation for {metric!r}, but the policy sets no {metric} "
                                              "target", rule))
            ok = False
        if not isinstance(levels, list) or not levels:
            problems.append(marks.problem(mp, "expected a list of levels like {level: L1, after: 0m, "
                                              "notify: [agent]}", rule))
            ok = False
            continue
        parsed: list[EscalationLevel] = []
        for j, lv in enumerate(levels):
            lp = (*mp, j)
            if not isinstance(lv, Mapping):
                problems.append(marks.problem(lp, "a level needs {level, after or elapsed, notify}", rule))
                ok = False
                continue
            bad = [k for k in lv if k not in _LEVEL_KEYS]
            for k in bad:
                problems.append(marks.problem((*lp, k), f"unknown escalation key {k!r}; expected one of: "
                                                        f"{', '.join(sorted(_LEVEL_KEYS))}", rule))
            name = lv.get("level")
            if not isinstance(name, str) or not name.strip():
                problems.append(marks.problem((*lp, "level") if "level" in lv else lp,
                                              f"level needs a name such as L1, got {name!r}", rule))
                ok = False
                continue
            if any(p.level == name for p in parsed):
                problems.append(marks.problem((*lp, "level"), f"level {name!r} appears twice", rule))
                ok = False
            notify = lv.get("notify")
            if isinstance(notify, str):
                notify = [notify]
            if not isinstance(notify, list) or not notify or not all(isinstance(x, str) and x for x in notify):
                problems.append(marks.problem((*lp, "notify") if "notify" in lv else lp,
                                              f"level {name!r}: notify must list who to tell, e.g. [supervisor]",
                                              rule))
                ok = False
                continue
            if ("after" in lv) == ("elapsed" in lv):
                problems.append(marks.problem(lp, f"level {name!r} needs exactly one of after (time past the "
                                                  "breach) or elapsed (time since the clock started)", rule))
                ok = False
                continue
            key = "after" if "after" in lv else "elapsed"
            try:
                dur = parse_duration(lv[key])
            except ValueError as exc:
                problems.append(marks.problem((*lp, key), f"level {name!r}: {exc}", rule))
                ok = False
                continue
            prev = next((p for p in reversed(parsed) if getattr(p, key) is not None), None)
            prev_dur = getattr(prev, key) if prev is not None else None
            if prev is not None and prev_dur is not None and prev_dur.unit == dur.unit \
                    and dur.amount < prev_dur.amount:
                problems.append(marks.problem((*lp, key), f"level {name!r} comes after {prev.level!r} but fires "
                                                          f"earlier ({dur} < {prev_dur}); list levels in order",
                                              rule))
                ok = False
            parsed.append(EscalationLevel(level=name, notify=tuple(notify), **{key: dur}))
        out[str(metric)] = tuple(parsed)
    return out if ok else None


@dataclass(frozen=True)
class _SlaDefaults:
    warning_at: float = 0.8
    escalation: Mapping[str, tuple[EscalationLevel, ...]] | None = None


def _sla_defaults(item: _Item | None, problems: list[Problem]) -> _SlaDefaults:
    """``sla_defaults: {warning_at: 0.8, escalation: {...}}``: what a policy gets when it sets neither."""
    if item is None:
        return _SlaDefaults()
    spec = item.value
    if not isinstance(spec, Mapping):
        problems.append(item.marks.problem(item.path, "sla_defaults must be a mapping with warning_at and/or "
                                                      "escalation"))
        return _SlaDefaults()
    for k in spec:
        if k not in ("warning_at", "escalation"):
            problems.append(item.marks.problem((*item.path, k), f"unknown sla_defaults key {k!r}; expected "
                                                                "warning_at or escalation"))
    warning_at = _warning_at(spec.get("warning_at", 0.8))
    if warning_at is None:
        problems.append(item.marks.problem((*item.path, "warning_at"), "warning_at must be a fraction in (0, 1]"))
        warning_at = 0.8
    levels = None
    if "escalation" in spec:
        levels = _escalation(spec["escalation"], (*item.path, "escalation"), item.marks, problems, None, None)
    return _SlaDefaults(warning_at, levels)


def _policy(spec: Any, path: tuple[str | int, ...], cc: ConditionCompiler, calendars: Mapping[str, Calendar],
            problems: list[Problem], defaults: _SlaDefaults = _SlaDefaults()) -> SlaPolicy | None:
    marks = cc.marks
    if not isinstance(spec, Mapping) or not isinstance(spec.get("id"), str):
        problems.append(marks.problem(path, "an SLA policy needs an id, a calendar and targets"))
        return None
    pid = spec["id"]
    allowed = {"id", "description", "when", "calendar", "targets", "warning_at", "escalation"}
    ok = True
    for k in spec:
        if k not in allowed:
            problems.append(marks.problem((*path, k), f"unknown policy key {k!r}; expected one of: "
                                                      f"{', '.join(sorted(allowed))}", pid))
            ok = False
    cal = spec.get("calendar")
    if cal not in calendars:
        problems.append(marks.problem((*path, "calendar"), f"unknown calendar {cal!r}; defined: "
                                                           f"{', '.join(sorted(calendars))}", pid))
        ok = False
    targets = {}
    raw = spec.get("targets")
    if not isinstance(raw, Mapping) or not raw:
        problems.append(marks.problem((*path, "targets"), "targets must map metrics to durations, e.g. "
                                                          "{first_response: 30m, resolution: 3wd}", pid))
        ok = False
    else:
        for metric, value in raw.items():
            if metric not in METRICS:
                problems.append(marks.problem((*path, "targets", metric), f"unknown metric {metric!r}; expected "
                                                                          f"one of: {', '.join(METRICS)}", pid))
                ok = False
                continue
            try:
                targets[metric] = parse_duration(value)
            except ValueError as exc:
                problems.append(marks.problem((*path, "targets", metric), str(exc), pid))
                ok = False
    warning_at = _warning_at(spec.get("warning_at", defaults.warning_at))
    if warning_at is None:
        problems.append(marks.problem((*path, "warning_at"), "warning_at must be a fraction in (0, 1]", pid))
        ok = False
    # Escalation: the policy's levels for a metric, else its `all`, else the defaults' (metric, then all).
    levels: _Levels = dict(defaults.escalation or {})
    if "escalation" in spec:
        own = _escalation(spec["escalation"], (*path, "escalation"), marks, problems, pid, targets if ok else None)
        if own is None:
            ok = False
        else:
            if "all" in own:
                levels = {}
            levels.update(own)
    cc.rule = pid
    when = cc.compile(spec.get("when"), (*path, "when"))
    cc.rule = None
    if not ok or when is None:
        return None
    return SlaPolicy(id=pid, when=when, calendar=str(cal), targets=targets,
                     description=str(spec.get("description", "")), warning_at=float(warning_at or 0.8),
                     escalation=MappingProxyType(levels))

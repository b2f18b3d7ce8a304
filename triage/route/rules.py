"""Rules: a condition (``when``) and what to do (``then``), grouped in stages.

Stages run in a fixed order, ``tags`` → ``priority`` → ``routing``; within a
stage, rules run in file order. Every matching rule applies its actions (a
later ``queue:`` overrides an earlier one) until a rule says ``stop: true``.
Each rule that fires is recorded in the decision's reasons with the words it
matched.

Actions (``then``): ``priority`` (set), ``raise_to``, ``lower_to``,
``add_tags``, ``remove_tags``, ``queue``, ``cc``, ``needs_review``,
``sla_policy``, ``stop``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..types import Priority
from .conditions import ConditionCompiler, Predicate

__all__ = ["Action", "Rule", "STAGES", "compile_rule", "ACTION_KEYS"]

STAGES = ("tags", "priority", "routing")
ACTION_KEYS = frozenset({"priority", "raise_to", "lower_to", "add_tags", "remove_tags", "queue", "cc",
                         "needs_review", "sla_policy", "stop"})
RULE_KEYS = frozenset({"id", "description", "when", "then", "enabled"})


@dataclass(frozen=True, slots=True)
class Action:
    """What a rule does when it fires."""

    priority: Priority | None = None
    raise_to: Priority | None = None
    lower_to: Priority | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    queue: str | None = None
    cc: tuple[str, ...] = ()
    needs_review: bool | None = None
    sla_policy: str | None = None
    stop: bool = False


@dataclass(frozen=True, slots=True)
class Rule:
    """A compiled rule."""

    id: str
    stage: str
    when: Predicate
    then: Action
    description: str
    file: str
    line: int


def _action(spec: Any, path: tuple[str | int, ...], cc: ConditionCompiler, known_queues: frozenset[str],
            known_policies: frozenset[str] | None) -> Action | None:
    if not isinstance(spec, Mapping) or not spec:
        cc._err(path, "'then' must be a mapping of actions, e.g. {raise_to: P2, add_tags: [angry]}")
        return None
    fields: dict[str, Any] = {}
    ok = True
    for key, value in spec.items():
        p = (*path, key)
        if key not in ACTION_KEYS:
            cc._err(p, f"unknown action {key!r}; expected one of: {', '.join(sorted(ACTION_KEYS))}")
            ok = False
        elif key in ("priority", "raise_to", "lower_to"):
            try:
                fields[key] = Priority.parse(value)
            except ValueError:
                cc._err(p, f"{key} must be one of P1, P2, P3, P4; got {value!r} ({type(value).__name__})")
                ok = False
        elif key in ("add_tags", "remove_tags"):
            names = cc._strings(value, p, "a tag")
            if names is None:
                ok = False
            else:
                fields[key] = tuple(names)
        elif key in ("queue", "cc"):
            names = cc._strings(value, p, "a queue name")
            if names is None:
                ok = False
                continue
            for i, n in enumerate(names):
                if n not in known_queues:
                    cc._err((*p, i) if isinstance(value, list) else p,
                            f"unknown queue {n!r}; declared queues: {', '.join(sorted(known_queues))}")
                    ok = False
            if key == "queue":
                if len(names) != 1:
                    cc._err(p, "queue takes one queue name")
                    ok = False
                else:
                    fields["queue"] = names[0]
            else:
                fields["cc"] = tuple(names)
        elif key in ("needs_review", "stop"):
            if not isinstance(value, bool):
                cc._err(p, f"{key} must be true or false, got {value!r} ({type(value).__name__})")
                ok = False
            else:
                fields[key] = value
        elif key == "sla_policy":
            if not isinstance(value, str):
                cc._err(p, f"sla_policy must be a policy id, got {value!r}")
                ok = False
            elif known_policies is not None and value not in known_policies:
                cc._err(p, f"unknown SLA policy {value!r}; defined: {', '.join(sorted(known_policies))}")
                ok = False
            else:
                fields[key] = value
    return Action(**fields) if ok else None


def compile_rule(spec: Any, stage: str, path: tuple[str | int, ...], cc: ConditionCompiler,
                 known_queues: frozenset[str], known_policies: frozenset[str] | None) -> Rule | None:
    """Compile one rule mapping; problems go to ``cc.problems``."""
    if not isinstance(spec, Mapping):
        cc._err(path, f"a rule must be a mapping with id, when and then; got {spec!r}")
        return None
    rid = spec.get("id")
    cc.rule = rid if isinstance(rid, str) else None
    ok = True
    if not isinstance(rid, str) or not rid.strip():
        cc._err((*path, "id") if "id" in spec else path, f"every rule needs an id (text), got {rid!r}")
        ok = False
    for key in spec:
        if key not in RULE_KEYS:
            cc._err((*path, key), f"unknown rule key {key!r}; expected one of: {', '.join(sorted(RULE_KEYS))}")
            ok = False
    enabled = spec.get("enabled", True)
    if not isinstance(enabled, bool):
        cc._err((*path, "enabled"), f"enabled must be true or false, got {enabled!r}")
        ok = False
    desc = spec.get("description", "")
    if not isinstance(desc, str):
        cc._err((*path, "description"), "description must be text")
        ok = False
    if "then" not in spec:
        cc._err(path, "rule has no 'then' (what to do when it matches)")
        ok = False
    when = cc.compile(spec.get("when"), (*path, "when"))
    then = _action(spec.get("then"), (*path, "then"), cc, known_queues, known_policies) if "then" in spec else None
    cc.rule = None
    if not ok or not isinstance(rid, str) or when is None or then is None or not enabled:
        return None
    line, _ = cc.marks.at(path)
    return Rule(id=rid, stage=stage, when=when, then=then, description=desc, file=cc.marks.file, line=line)

"""Reading YAML written by people, with positions for every value.

* Safe loading only (no tags that build objects).
* Aliases and anchors are refused (they make "billion laughs" expansions).
* Duplicate keys are errors, not "last one wins".
* Only ``true``/``false`` are booleans: ``yes``, ``no``, ``on``, ``off``
  (YAML 1.1's implicit booleans: the "Norway problem") stay strings, so
  ``tier: NO`` means the string "NO".
* Files larger than :data:`MAX_BYTES` are refused.

:func:`load_yaml` returns plain Python data plus :class:`Marks`, which maps a
path inside the data (``("priority", 3, "then", "raise_to")``) to the line and
column where it was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem, RuleError

__all__ = ["load_yaml", "load_yaml_text", "Marks", "MAX_BYTES"]

MAX_BYTES = 1 << 20
# libyaml's parser when PyYAML was built with it (the PyPI wheels are): the same events and nodes, ten times
# faster than the pure-Python scanner, which was a fifth of a cold start. Values are still built by _build.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INT = re.compile(r"[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"[-+]?([0-9][0-9_]*)?\.[0-9]+([eE][-+]?[0-9]+)?$")

Path_ = tuple[str | int, ...]


@dataclass
class Marks:
    """Where each value of a loaded YAML document stands (1-based line and column)."""

    file: str
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def at(self, path: Path_) -> tuple[int, int]:
        """Position of ``path``, or of its nearest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), (1, 1))

    def problem(self, path: Path_, message: str, rule: str | None = None) -> Problem:
        line, col = self.at(path)
        return Problem(self.file, line, col, message, rule)


def _scalar(node: yaml.ScalarNode) -> Any:
    v = node.value
    if node.style:  # quoted or block scalar: always a string (plain is None in PyYAML, '' in libyaml)
        return v
    if node.tag == "tag:yaml.org,2002:str":  # plain text, or explicitly tagged !!str
        return v
    if v in ("true", "True", "TRUE"):
        return True
    if v in ("false", "False", "FALSE"):
        return False
    if v in ("null", "Null", "NULL", "~", ""):
        return None
    if _INT.match(v):
        return int(v.replace("_", ""))
    if _FLOAT.match(v):
        return float(v.replace("_", ""))
    return v


def _build(node: yaml.Node, path: Path_, marks: Marks, problems: list[Problem]) -> Any:
    marks.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        if node.tag.startswith("tag:yaml.org,2002:") or node.tag == "!":
            return _scalar(node)
        problems.append(marks.problem(path, f"YAML tag {node.tag!r} is not allowed"))
        return None
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, (*path, i), marks, problems) for i, child in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(marks.file, key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                        "mapping keys must be plain text"))
                continue
            key = key_node.value
            if key == "<<":
                problems.append(Problem(marks.file, key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                        "merge keys (<<) are not allowed; write the values out"))
                continue
            if key in out:
                first = marks.positions.get((*path, key), (0, 0))[0]
                problems.append(Problem(marks.file, key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                        f"duplicate key {key!r} (first defined on line {first})"))
                continue
            marks.positions[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            value = _build(value_node, (*path, key), marks, problems)
            marks.positions[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = value
        return out
    problems.append(marks.problem(path, f"unsupported YAML node {type(node).__name__}"))
    return None


def load_yaml_text(text: str, file: str = "<string>") -> tuple[Any, Marks]:
    """Parse YAML text. Raises :class:`RuleError` with every problem found."""
    marks = Marks(file)
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                m = event.start_mark
                line, col = (m.line + 1, m.column + 1) if m is not None else (0, 0)
                raise RuleError([Problem(file, line, col,
                                         "YAML anchors and aliases (&name, *name) are not allowed; "
                                         "share keyword lists with keyword_sets instead")])
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        m = exc.problem_mark or exc.context_mark
        line, col = (m.line + 1, m.column + 1) if m else (0, 0)
        raise RuleError([Problem(file, line, col, f"not valid YAML: {exc.problem or exc.context}")]) from None
    except yaml.YAMLError as exc:
        raise RuleError([Problem(file, 0, 0, f"not valid YAML: {exc}")]) from None
    if node is None:
        return {}, marks
    problems: list[Problem] = []
    data = _build(node, (), marks, problems)
    if problems:
        raise RuleError(problems)
    return data, marks


def load_yaml(path: str | Path) -> tuple[Any, Marks]:
    """Read and parse a YAML file (see the module docstring for what is refused)."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise RuleError([Problem(str(p), 0, 0, f"cannot read: {exc.strerror}")]) from None
    if size > MAX_BYTES:
        raise RuleError([Problem(str(p), 0, 0, f"file is {size} bytes; the limit is {MAX_BYTES}")])
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RuleError([Problem(str(p), 0, 0, f"not UTF-8 text (byte {exc.start})")]) from None
    return load_yaml_text(text, str(p))

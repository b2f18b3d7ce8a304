"""The one error tree of ``triage``.

::

    TriageError                       (base of everything raised on purpose)
    ├── ConfigError(ValueError)       a rule pack, calendar or policy file is wrong
    │   └── RuleError                 ... with every problem found, each with file:line:column
    ├── ModelError(ValueError)        a model bundle is missing, changed, or incompatible
    │   └── ModelIntegrityError       a file's SHA-256 differs from its manifest
    ├── InputError(ValueError)        a request (or a row of a file or frame) is not usable
    └── CalendarDataMissing(ConfigError)  a deadline needs a year the calendar has no data for
                                          (only raised when the calendar is ``strict``)

Each subclasses :class:`ValueError` where a caller would expect one, so existing
``except ValueError`` clauses keep working.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "TriageError",
    "ConfigError",
    "RuleError",
    "Problem",
    "ModelError",
    "ModelIntegrityError",
    "InputError",
    "CalendarDataMissing",
]


class TriageError(Exception):
    """Base class of every error ``triage`` raises on purpose."""


class ConfigError(TriageError, ValueError):
    """A configuration file (rules, channels, calendars, SLA policies) is not valid."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found while loading a configuration file.

    ``line`` and ``column`` are 1-based; ``0`` means the position is unknown.
    """

    file: str
    line: int
    column: int
    message: str
    rule: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        who = f" rule {self.rule!r}:" if self.rule else ""
        return f"{where}:{who} {self.message}"


class RuleError(ConfigError):
    """A rule pack has mistakes. ``problems`` lists all of them, each with its location."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in rule pack:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class ModelError(TriageError, ValueError):
    """A model bundle cannot be used: missing files, wrong format, incompatible tokenizer."""


class ModelIntegrityError(ModelError):
    """A model file does not match the SHA-256 its manifest records; it was not loaded."""


class InputError(TriageError, ValueError):
    """A request, or a row of a batch, cannot be triaged as given."""


class CalendarDataMissing(ConfigError):
    """A strict calendar was asked about a year it has no holiday data for."""

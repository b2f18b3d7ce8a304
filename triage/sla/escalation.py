"""Escalation levels: who is told when an SLA clock runs late.

A level fires either a given time **after the breach** (``after: 4bh``: the
clock's counted time passes the target by that much) or once the clock has
**counted a given time since it started** (``elapsed: 48h``: "unresolved for 48
hours", which may come before the breach). Both are measured like the target
itself: pauses (waiting on the customer) do not count, and ``bh``/``wd`` count
open time on the policy's calendar while ``m``/``h``/``d`` count wall-clock time.

Levels are per policy and per metric (``all`` covers the metrics a policy does
not list); ``sla_defaults`` gives the levels for policies that set none.
"""

from __future__ import annotations

from dataclasses import dataclass

from .calendar import Duration

__all__ = ["EscalationLevel"]


@dataclass(frozen=True, slots=True, kw_only=True)
class EscalationLevel:
    """One escalation step, e.g. ``L2``: notify the supervisor 4 business hours after a breach.

    Exactly one of ``after`` (past the breach) and ``elapsed`` (since the clock
    started) is set.
    """

    level: str
    notify: tuple[str, ...]
    after: Duration | None = None
    elapsed: Duration | None = None

    def __post_init__(self) -> None:
        if (self.after is None) == (self.elapsed is None):
            raise ValueError(f"escalation level {self.level!r} needs exactly one of after / elapsed")

    def __str__(self) -> str:
        when = f"{self.after} after breach" if self.after is not None else f"after {self.elapsed} elapsed"
        return f"{self.level} ({when}) → {', '.join(self.notify)}"

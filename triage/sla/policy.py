"""SLA policies: which targets apply to a request, on which calendar.

Combination rule
----------------
Every policy whose ``when`` holds applies. For each metric, each applicable
policy's target is turned into a deadline on that policy's calendar, and the
**earliest deadline wins** (the strictest target); on a tie the policy listed
first in the file wins. The winning policy also supplies that metric's
calendar, warning threshold (``warning_at``) and escalation levels. The winning
policy and calendar are reported with the deadline, and the reasons list the
others. A rule action ``sla_policy: ID`` adds that policy even if its ``when``
does not hold.

The same rule holds when a ticket is replayed over its events
(:mod:`triage.sla.ticket`): there the deadlines compared are the ones with the
ticket's pauses taken into account, for the facts (priority, category, tags)
in force when the metric's clock stopped, or at ``now`` while it runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from ..route.conditions import Facts, Predicate
from ..types import Reason, SlaTarget
from .calendar import Calendar, Duration
from .escalation import EscalationLevel

__all__ = ["METRICS", "SlaBook", "SlaPolicy"]

METRICS = ("first_response", "next_response", "periodic_update", "resolution")
_NO_LEVELS: Mapping[str, tuple[EscalationLevel, ...]] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """Targets for requests a condition selects.

    ``warning_at`` is the fraction of a target after which a running clock is in
    ``warning`` (default 0.8). ``escalation`` maps a metric (or ``all``) to its
    escalation levels, in order (see :mod:`triage.sla.escalation`).
    """

    id: str
    when: Predicate
    calendar: str
    targets: Mapping[str, Duration]
    description: str = ""
    warning_at: float = 0.8
    escalation: Mapping[str, tuple[EscalationLevel, ...]] = field(default_factory=lambda: _NO_LEVELS)

    def levels(self, metric: str) -> tuple[EscalationLevel, ...]:
        """The escalation levels for ``metric`` (its own, else the policy's ``all``)."""
        own = self.escalation.get(metric)
        return own if own is not None else self.escalation.get("all", ())


@dataclass(frozen=True)
class SlaBook:
    """The calendars and policies of a rule pack."""

    calendars: Mapping[str, Calendar]
    policies: Sequence[SlaPolicy]

    def matching(self, facts: Facts, forced: str | tuple[str, ...] | None = None) -> tuple[SlaPolicy, ...]:
        """The policies that apply to ``facts``, in file order (``forced`` ids apply regardless)."""
        ids = (forced,) if isinstance(forced, str) else (forced or ())
        return tuple(p for p in self.policies if p.id in ids or p.when(facts) is not None)

    def deadlines(self, facts: Facts, received_at: dt.datetime, forced: str | None = None
                  ) -> tuple[dict[str, SlaTarget], list[Reason]]:
        """Deadlines per metric for one request (see the module docstring for how policies combine)."""
        best: dict[str, tuple[dt.datetime, SlaTarget]] = {}
        losers: dict[str, list[str]] = {}
        for policy in self.matching(facts, forced):
            cal = self.calendars[policy.calendar]
            for metric, duration in policy.targets.items():
                due, estimated, missing = cal.add(received_at, duration)
                note = "; ".join(cal.missing_note(y) for y in missing) or None
                target = SlaTarget(metric=metric, due=due, target=str(duration), policy=policy.id,
                                   calendar=cal.id, estimated=estimated, note=note)
                current = best.get(metric)
                if current is None or due < current[0]:
                    if current is not None:
                        losers.setdefault(metric, []).append(f"{current[1].policy} {current[1].target}")
                    best[metric] = (due, target)
                else:
                    losers.setdefault(metric, []).append(f"{policy.id} {duration}")
        reasons = []
        ordered = {m: best[m][1] for m in METRICS if m in best}
        for metric, target in ordered.items():
            msg = (f"{metric} {target.target} on {target.calendar} → due {target.due:%Y-%m-%d %H:%M} "
                   f"(policy {target.policy}")
            if losers.get(metric):
                msg += "; stricter than " + ", ".join(losers[metric])
            msg += ")"
            if target.estimated:
                msg += f"; ESTIMATED: {target.note}"
            reasons.append(Reason("sla", target.policy, msg))
        return ordered, reasons

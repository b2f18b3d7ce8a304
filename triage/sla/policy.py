"""SLA policies: which targets apply to a request, on which calendar.

Every policy whose ``when`` holds applies. For each metric, each applicable
policy's target is turned into a deadline on that policy's calendar, and the
**earliest deadline wins** (the strictest target). The winning policy and
calendar are reported with the deadline, and the reasons list the others.
A rule action ``sla_policy: ID`` adds that policy even if its ``when`` does
not hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..route.conditions import Facts, Predicate
from ..types import Reason, SlaTarget
from .calendar import Calendar, Duration

__all__ = ["SlaPolicy", "SlaBook", "METRICS"]

METRICS = ("first_response", "next_response", "periodic_update", "resolution")


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """Targets for requests a condition selects."""

    id: str
    when: Predicate
    calendar: str
    targets: Mapping[str, Duration]
    description: str = ""
    warning_at: float = 0.8


@dataclass(frozen=True)
class SlaBook:
    """The calendars and policies of a rule pack."""

    calendars: Mapping[str, Calendar]
    policies: Sequence[SlaPolicy]

    def deadlines(self, facts: Facts, received_at: dt.datetime, forced: str | None = None
                  ) -> tuple[dict[str, SlaTarget], list[Reason]]:
        """Deadlines per metric for one request (see the module docstring for how policies combine)."""
        best: dict[str, tuple[dt.datetime, SlaTarget]] = {}
        losers: dict[str, list[str]] = {}
        for policy in self.policies:
            if policy.id != forced and policy.when(facts) is None:
                continue
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

"""What happened to a ticket: the events an SLA replay reads.

An event is a type, a timezone-aware time and, for changes, a value::

    TicketEvent("agent_reply", at)
    TicketEvent("priority_changed", at, "P1")
    TicketEvent.from_dict({"type": "status", "at": "2026-10-08T10:00:00+08:00", "value": "waiting_on_customer"})

Types (aliases in brackets):

``created``
    The ticket was opened (optional: :class:`~triage.sla.ticket.Ticket` has ``created_at``).
``agent_reply`` [``reply``, ``first_reply``, ``first_agent_reply``, ``agent_update``]
    An agent answered the customer; it stops ``first_response`` and ``next_response``
    and counts as a ``periodic_update``.
``customer_reply`` [``customer_message``]
    The customer wrote; it starts a ``next_response`` clock, ends a wait on the customer,
    and reopens a resolved ticket.
``waiting_on_customer`` [``waiting``, ``pending``, ``on_hold``]
    Pauses the resolution, next-response and periodic-update clocks.
``resumed`` [``back``, ``open``]
    Ends the wait.
``priority_changed`` (value ``P1``–``P4``), ``category_changed`` (value: category id),
``tag_added`` / ``tag_removed`` (value: tag)
    Change the facts policies are chosen by.
``resolved`` [``solved``, ``closed``], ``reopened`` [``reopen``]
    Stop and restart the resolution clock; the time in between does not count.
``status`` with value ``waiting_on_customer``, ``open``, ``resolved`` …
    The same as the event type the value names, for helpdesks that log status changes.

Events may come in any order: they are sorted by time, and events at the same
instant by a fixed order of types (changes of facts first, then customer
replies, reopenings and resumptions, then agent replies, waits and resolutions),
then by their position in the input. A status event that changes nothing (a
``resumed`` while not waiting, a second ``resolved``) is a no-op.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import InputError
from ..types import Priority

__all__ = ["EVENT_TYPES", "TicketEvent", "parse_events"]

EVENT_TYPES = ("created", "priority_changed", "category_changed", "tag_added", "tag_removed", "customer_reply",
               "reopened", "resumed", "agent_reply", "waiting_on_customer", "resolved")
_RANK = {t: i for i, t in enumerate(EVENT_TYPES)}
_ALIASES = {
    "reply": "agent_reply", "first_reply": "agent_reply", "first_agent_reply": "agent_reply",
    "first_response": "agent_reply", "agent_update": "agent_reply", "customer_message": "customer_reply",
    "waiting": "waiting_on_customer", "pending": "waiting_on_customer", "on_hold": "waiting_on_customer",
    "back": "resumed", "open": "resumed", "solved": "resolved", "closed": "resolved", "reopen": "reopened",
}
_NEEDS_VALUE = frozenset({"priority_changed", "category_changed", "tag_added", "tag_removed"})
_SHANGHAI = ZoneInfo("Asia/Shanghai")


def _canonical(kind: object, value: object, where: str) -> str:
    if not isinstance(kind, str) or not kind.strip():
        raise InputError(f"{where}.type must be an event type such as agent_reply; got {kind!r}")
    k = kind.strip().lower().replace("-", "_").replace(" ", "_")
    if k == "status":
        if not isinstance(value, str):
            raise InputError(f"{where}.value: a status event needs the new status (waiting_on_customer, open, "
                             f"resolved, reopened), got {value!r}")
        k = value.strip().lower().replace("-", "_").replace(" ", "_")
        if k in ("customer_reply", "agent_reply"):
            raise InputError(f"{where}.value: {value!r} is not a status")
    k = _ALIASES.get(k, k)
    if k not in _RANK:
        raise InputError(f"{where}.type: unknown event type {kind!r}" + (f" (status {value!r})" if kind == "status"
                                                                       else "")
                         + f"; expected one of: {', '.join(EVENT_TYPES)}, status")
    return k


@dataclass(frozen=True, slots=True)
class TicketEvent:
    """One thing that happened to a ticket at a timezone-aware instant.

    ``type`` is one of :data:`EVENT_TYPES` (aliases are accepted and stored in
    their canonical form); ``value`` is the new priority, category or tag for
    change events and ``None`` otherwise.
    """

    type: str
    at: dt.datetime
    value: str | None = None

    def __post_init__(self) -> None:
        self._check("event")

    def _check(self, where: str) -> None:
        kind = _canonical(self.type, self.value, where)
        if self.type == "status" or kind != self.type:
            object.__setattr__(self, "type", kind)
            if kind not in _NEEDS_VALUE:
                object.__setattr__(self, "value", None)
        if not isinstance(self.at, dt.datetime):
            raise InputError(f"{where}.at must be a datetime, got {type(self.at).__name__} {self.at!r}")
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise InputError(f"{where}.at must be timezone-aware (got naive {self.at.isoformat()}); attach a "
                             "zone, e.g. .replace(tzinfo=ZoneInfo('Asia/Shanghai'))")
        if kind in _NEEDS_VALUE:
            if not isinstance(self.value, str) or not self.value.strip():
                raise InputError(f"{where}.value: a {kind} event needs the new "
                                 f"{'priority' if kind == 'priority_changed' else kind.split('_')[0]}, "
                                 f"got {self.value!r}")
            if kind == "priority_changed":
                try:
                    object.__setattr__(self, "value", str(Priority.parse(self.value)))
                except InputError:
                    raise InputError(f"{where}.value: priority must be one of P1, P2, P3, P4; "
                                     f"got {self.value!r}") from None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "event",
                  default_tz: dt.tzinfo | None = None) -> TicketEvent:
        """Build an event from ``{"type", "at" (or "time"), "value"}``.

        ``at`` may be a datetime, a pandas Timestamp or an ISO 8601 string; a
        string without an offset is read in ``default_tz`` (Asia/Shanghai unless
        given). A naive datetime object is an error (its zone is unknowable).

        Raises
        ------
        InputError
            Naming the field (``events[3].at``) and what was expected.
        """
        if not isinstance(data, Mapping):
            raise InputError(f"{where} must be a TicketEvent or a mapping with type and at; got "
                             f"{type(data).__name__}")
        unknown = set(data) - {"type", "at", "time", "value"}
        if unknown:
            raise InputError(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}; expected type, "
                             "at (or time) and value")
        if "at" not in data and "time" not in data:
            raise InputError(f"{where}.at is missing: every event needs its time")
        at = parse_time(data.get("at", data.get("time")), f"{where}.at", default_tz)
        value = data.get("value")
        if value is not None and not isinstance(value, str):
            if isinstance(value, float) and math.isnan(value):  # NaN from a DataFrame
                value = None
            else:
                value = str(value)
        ev = object.__new__(cls)
        object.__setattr__(ev, "type", data.get("type"))
        object.__setattr__(ev, "at", at)
        object.__setattr__(ev, "value", value)
        ev._check(where)
        return ev


def parse_time(value: object, where: str, default_tz: dt.tzinfo | None = None) -> dt.datetime:
    """A timezone-aware datetime from a datetime, pandas Timestamp or ISO string; ``InputError`` otherwise."""
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise InputError(f"{where}: expected an ISO 8601 time like 2026-10-08T10:00:00+08:00, "
                             f"got {value!r}") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=default_tz or _SHANGHAI)
        return parsed
    to_py = getattr(value, "to_pydatetime", None)  # pandas Timestamp (a datetime subclass with nanoseconds)
    if callable(to_py):
        value = to_py(warn=False)
    if not isinstance(value, dt.datetime):
        raise InputError(f"{where}: expected a timezone-aware datetime, got {type(value).__name__} {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"{where} must be timezone-aware (got naive {value.isoformat()}); attach a zone, "
                         "e.g. .replace(tzinfo=ZoneInfo('Asia/Shanghai'))")
    return value


def parse_events(events: Iterable[TicketEvent | Mapping[str, Any]], *, default_tz: dt.tzinfo | None = None
                 ) -> tuple[TicketEvent, ...]:
    """Events as :class:`TicketEvent`, in replay order (time, then type order, then input order)."""
    out: list[tuple[dt.datetime, int, int, TicketEvent]] = []
    for i, ev in enumerate(events):
        if not isinstance(ev, TicketEvent):
            ev = TicketEvent.from_dict(ev, where=f"events[{i}]", default_tz=default_tz)
        out.append((ev.at, _RANK[ev.type], i, ev))
    out.sort(key=lambda x: (x[0], x[1], x[2]))
    return tuple(x[3] for x in out)

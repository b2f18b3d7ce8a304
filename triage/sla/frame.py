"""SLA states for a DataFrame of tickets: one row per ticket and metric, for breach reports.

    from triage.sla.frame import sla_frame
    states = sla_frame(tickets, now=now, events=events)        # rules: the shipped pack by default
    states.query("state == 'breached'").groupby(["channel", "metric"]).size()

``tickets`` has one row per ticket. Recognised columns:

* ``ticket_id`` (or ``id``/``request_id``; otherwise the index),
* ``created_at`` (or ``received_at``): timezone-aware, or ISO strings (an ISO string
  without an offset is read in the pack's zone; a naive datetime column is an error),
* facts policies select on: ``priority``, ``category``, ``channel``, ``channel_type``
  (mapped from ``channel`` when absent), ``tags`` (list or ``"a,b"``), ``tier``
  (or ``customer_tier``), ``queue``, ``customer_id``, ``order_amount``,
* optional event times: ``first_reply_at`` (also ``first_response_at``,
  ``first_agent_reply_at``), ``resolved_at`` (or ``closed_at``), ``reopened_at``.

``events`` (optional) is a long DataFrame with ``ticket_id``, ``at`` (or
``time``), ``type`` and optionally ``value`` (see :mod:`triage.sla.events`).

The result has ``ticket_id, metric, state, policy, calendar, target, started_at,
due, stopped_at, elapsed_s, remaining_s, warning_at, escalation_level, notify,
estimated, breaches, error`` and the pass-through columns ``channel,
channel_type, queue, category, priority``. A row that cannot be used gets one
output row with its message in ``error`` (``on_error="record"``, the default) or
raises :class:`~triage.errors.InputError` naming the row and column
(``on_error="raise"``); no row is dropped silently.

pandas is imported when this function runs, never by ``import triage``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..types import Priority
from .events import TicketEvent, parse_time
from .ticket import Ticket, TicketFacts, _Context, _ticket_sla, _unpack

if TYPE_CHECKING:
    import pandas as pd

    from ..pack import RulePack
    from .policy import SlaBook

__all__ = ["OUTPUT_COLUMNS", "sla_frame"]

OUTPUT_COLUMNS = ("ticket_id", "metric", "state", "policy", "calendar", "target", "started_at", "due",
                  "stopped_at", "elapsed_s", "remaining_s", "warning_at", "escalation_level", "notify",
                  "estimated", "breaches", "error")
PASSTHROUGH = ("channel", "channel_type", "queue", "category", "priority")
_WIDE_EVENTS = {"first_reply_at": "agent_reply", "first_response_at": "agent_reply",
                "first_agent_reply_at": "agent_reply", "resolved_at": "resolved", "closed_at": "resolved",
                "reopened_at": "reopened"}
_ALIASES = {"received_at": "created_at", "customer_tier": "tier", "id": "ticket_id", "request_id": "ticket_id"}


def _missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return type(v).__name__ in ("NaTType", "NAType")


def _text(row: Mapping[str, Any], col: str) -> str | None:
    v = row.get(col)
    return None if _missing(v) else str(v)


def _tags(v: Any) -> tuple[str, ...]:
    if _missing(v):
        return ()
    if isinstance(v, str):
        return tuple(t.strip() for t in v.split(",") if t.strip())
    try:
        return tuple(str(t) for t in v)
    except TypeError:
        raise InputError(f"tags: expected a list or 'a,b' text, got {v!r}") from None


def _ticket(row: Mapping[str, Any], ticket_id: Any, events: list[TicketEvent], tz: dt.tzinfo) -> Ticket:
    created = row.get("created_at")
    if _missing(created):
        raise InputError("created_at is missing (every ticket needs its creation time)")
    created = parse_time(created, "created_at", tz)
    evs = list(events)
    for col, kind in _WIDE_EVENTS.items():
        v = row.get(col)
        if not _missing(v):
            evs.append(TicketEvent(kind, parse_time(v, col, tz)))
    amount: Any = row.get("order_amount")
    try:
        amount = None if _missing(amount) else float(amount)
    except (TypeError, ValueError):
        raise InputError(f"order_amount: expected a number, got {amount!r}") from None
    prio = row.get("priority")
    facts = TicketFacts(priority=Priority.parse("P3" if _missing(prio) else prio), category=_text(row, "category"),
                        tags=_tags(row.get("tags")), channel=_text(row, "channel"),
                        channel_type=_text(row, "channel_type"), tier=_text(row, "tier"),
                        queue=_text(row, "queue"), customer_id=_text(row, "customer_id"), order_amount=amount)
    return Ticket(created_at=created, facts=facts, events=tuple(evs),
                  id=None if _missing(ticket_id) else str(ticket_id))


def _events_by_ticket(events: pd.DataFrame, tz: dt.tzinfo, on_error: str
                      ) -> tuple[dict[str, list[TicketEvent]], dict[str, str]]:
    cols = {str(c) for c in events.columns}
    time_col = "at" if "at" in cols else "time" if "time" in cols else None
    if "ticket_id" not in cols or "type" not in cols or time_col is None:
        raise InputError("the events DataFrame needs ticket_id, type and at (or time) columns; it has: "
                         + ", ".join(sorted(cols)))
    has_value = "value" in cols
    out: dict[str, list[TicketEvent]] = {}
    errors: dict[str, str] = {}
    ids = events["ticket_id"].tolist()
    kinds = events["type"].tolist()
    times = events[time_col].tolist()
    values = events["value"].tolist() if has_value else [None] * len(ids)
    for pos, (tid, kind, at, value) in enumerate(zip(ids, kinds, times, values, strict=True)):
        key = str(tid)
        where = f"events row {events.index[pos]!r} (ticket {key})"
        try:
            if _missing(at):
                raise InputError(f"{where}: {time_col} is missing")
            ev = TicketEvent.from_dict({"type": kind, "at": parse_time(at, f"{where}: {time_col}", tz),
                                        "value": None if _missing(value) else value}, where=where)
        except InputError as exc:
            if on_error == "raise":
                raise
            errors.setdefault(key, str(exc))
            continue
        out.setdefault(key, []).append(ev)
    return out, errors


def sla_frame(tickets: pd.DataFrame, now: dt.datetime, rules: RulePack | SlaBook | None = None, *,
              events: pd.DataFrame | None = None, on_error: str = "record", breakdown: bool = False
              ) -> pd.DataFrame:
    """SLA state of every ticket at ``now``: one row per ticket and metric (see the module docstring).

    Parameters
    ----------
    tickets:
        One row per ticket.
    now:
        The timezone-aware moment to evaluate at (a report date, or the present).
    rules:
        A rule pack (default: the shipped one) or its ``sla`` book (then give ``channel_type``).
    events:
        Optional long-form events: ``ticket_id``, ``at``/``time``, ``type``, ``value``.
    on_error:
        ``"record"`` (a row with the message in ``error``) or ``"raise"``.
    breakdown:
        Add a ``breakdown`` column with the readable segments (slower).

    Raises
    ------
    InputError
        ``now`` is naive, a needed column is missing, or a row is bad and ``on_error="raise"``.
    """
    import pandas as pd

    if on_error not in ("record", "raise"):
        raise InputError(f"on_error must be 'record' or 'raise', got {on_error!r}")
    if rules is None:
        from ..pack import load_pack

        rules = load_pack()
    now = parse_time(now, "now")
    book, mapper, tz = _unpack(rules, None)
    ctx = _Context(book, mapper, tz)
    frame = tickets.rename(columns={k: v for k, v in _ALIASES.items()
                                    if k in tickets.columns and v not in tickets.columns})
    if "created_at" not in frame.columns:
        raise InputError("the tickets DataFrame needs a created_at (or received_at) column; it has: "
                         + ", ".join(map(str, tickets.columns)))
    by_ticket, event_errors = _events_by_ticket(events, tz, on_error) if events is not None else ({}, {})
    ids = frame["ticket_id"].tolist() if "ticket_id" in frame.columns else list(frame.index)
    records: list[dict[str, Any]] = [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]
    columns = [*OUTPUT_COLUMNS, *PASSTHROUGH] + (["breakdown"] if breakdown else [])
    rows: list[dict[str, Any]] = []
    for pos, (row, tid) in enumerate(zip(records, ids, strict=True)):
        key = None if _missing(tid) else str(tid)
        passthrough = {c: (None if _missing(row.get(c)) else row.get(c)) for c in PASSTHROUGH}
        try:
            if key is not None and key in event_errors:
                raise InputError(event_errors[key])
            ticket = _ticket(row, tid, by_ticket.get(key, []) if key is not None else [], tz)
            result = _ticket_sla(ctx, ticket, now, breakdown)
        except InputError as exc:
            msg = f"row {frame.index[pos]!r} (ticket {key}): {exc}"
            if on_error == "raise":
                raise InputError(msg) from exc
            rows.append({"ticket_id": key, "error": msg, **passthrough})
            continue
        if passthrough["channel_type"] is None and ticket.facts.channel_type is None and mapper is not None:
            passthrough["channel_type"] = mapper(ticket.facts.channel)
        for metric, m in result.metrics.items():
            out = {
                "ticket_id": key, "metric": metric, "state": m.state, "policy": m.policy, "calendar": m.calendar,
                "target": m.target, "started_at": m.started_at, "due": m.due, "stopped_at": m.stopped_at,
                "elapsed_s": m.elapsed.total_seconds(), "remaining_s": m.remaining.total_seconds(),
                "warning_at": m.warning_at, "escalation_level": m.escalation, "notify": ",".join(m.notify) or None,
                "estimated": m.estimated, "breaches": m.breaches, "error": None, **passthrough,
            }
            if breakdown:
                out["breakdown"] = "\n".join(map(str, m.breakdown))
            rows.append(out)
    out_df = pd.DataFrame(rows, columns=columns)
    for col in ("started_at", "due", "stopped_at"):  # one zone per column: the pack's
        out_df[col] = pd.to_datetime(out_df[col], utc=True).dt.tz_convert(tz)
    out_df["breaches"] = out_df["breaches"].astype("Int64")
    out_df["estimated"] = out_df["estimated"].astype("boolean")
    return out_df

"""SLA clocks with pauses: counted time, deadlines, and a breakdown a manager can read.

A clock starts at an instant and counts time in one of two measures:

* **wall clock** for targets in ``m``, ``h`` and ``d``, and for any target on a
  24x7 calendar;
* **open time** on the policy's calendar for ``bh`` and ``wd`` targets (nights,
  lunch breaks, weekends and holidays do not count). A ``wd`` target is the open
  time from the start to close of business on the N-th working day, so a pause
  moves a ``wd`` deadline by the open time spent paused.

Pauses (waiting on the customer, resolved until reopened) never count. All
functions here are pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .calendar import Calendar, DayInfo, Duration

__all__ = ["Pause", "Segment", "amount", "breakdown", "counted", "format_duration", "format_span", "is_wall", "reach"]

_WALL_SECONDS = {"m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class Pause:
    """A stretch during which a clock stops; ``reason`` is shown in breakdowns."""

    start: dt.datetime
    end: dt.datetime
    reason: str = "waiting on customer"


@dataclass(frozen=True, slots=True, kw_only=True)
class Segment:
    """One line of a breakdown.

    ``kind`` is ``counted`` (time that counts), ``break`` (a gap between two opening
    intervals of one day, e.g. lunch), ``closed`` (nights, weekends, holidays) or
    ``paused``. ``counted`` is the time it adds to the clock; for a pause, ``lost``
    is the time that would have counted had the clock run.
    """

    kind: str
    start: dt.datetime
    end: dt.datetime
    counted: dt.timedelta
    note: str = ""
    lost: dt.timedelta = dt.timedelta(0)

    def __str__(self) -> str:
        span = format_span(self.start, self.end)
        if self.kind == "counted":
            text = f"counted {span} ({format_duration(self.counted)})"
        elif self.kind == "paused":
            text = f"paused {span} {self.note}".rstrip()
            if self.lost:
                text += f" ({format_duration(self.lost)} not counted)"
            return text
        elif self.kind == "break":
            text = f"{self.note or 'break'} {span}"
            return text
        else:
            text = f"closed {span}"
        return f"{text}: {self.note}" if self.note else text


def format_span(a: dt.datetime, b: dt.datetime) -> str:
    """``10/08 09:00–12:00`` within a day, ``09/30 18:00 – 10/08 09:00`` across days."""
    if a.date() == b.date() or (b - a <= dt.timedelta(days=1) and b.time() == dt.time(0) and
                                a.date() + dt.timedelta(days=1) == b.date()):
        end = "24:00" if b.time() == dt.time(0) and b.date() != a.date() else f"{b:%H:%M}"
        return f"{a:%m/%d %H:%M}–{end}"
    return f"{a:%m/%d %H:%M} – {b:%m/%d %H:%M}"


def format_duration(d: dt.timedelta) -> str:
    """``2 h``, ``1 h 30 min``, ``45 min``, ``20 s``; negative durations get a minus sign."""
    secs = d.total_seconds()
    sign = "-" if secs < 0 else ""
    secs = abs(secs)
    if secs < 60:
        return f"{sign}{secs:.0f} s"
    minutes = round(secs / 60)
    h, m = divmod(minutes, 60)
    if not h:
        return f"{sign}{m} min"
    return f"{sign}{h} h" + (f" {m} min" if m else "")


def is_wall(cal: Calendar, unit: str) -> bool:
    """Whether a target in ``unit`` on ``cal`` counts wall-clock time (else open time)."""
    return unit in _WALL_SECONDS or cal.always_open


def _span(cal: Calendar, wall: bool, a: dt.datetime, b: dt.datetime, missing: set[int]) -> float:
    if b <= a:
        return 0.0
    if wall:
        return (b - a).total_seconds()
    secs, years = cal.business_seconds(a, b)
    missing.update(years)
    return secs


def counted(cal: Calendar, unit: str, start: dt.datetime, end: dt.datetime, pauses: Sequence[Pause] = ()
            ) -> tuple[float, tuple[int, ...]]:
    """Seconds the clock counted between ``start`` and ``end`` (pauses excluded), and estimated years."""
    wall = is_wall(cal, unit)
    missing: set[int] = set()
    total = 0.0
    cursor = start
    for p in pauses:
        if p.end <= cursor:
            continue
        if p.start >= end:
            break
        total += _span(cal, wall, cursor, p.start, missing)
        cursor = max(cursor, p.end)
        if cursor >= end:
            return total, tuple(sorted(missing))
    total += _span(cal, wall, cursor, end, missing)
    return total, tuple(sorted(missing))


def amount(cal: Calendar, start: dt.datetime, duration: Duration) -> tuple[float, dt.datetime, tuple[int, ...]]:
    """A target in the clock's measure (seconds), its deadline without pauses, and estimated years."""
    due, _, missing = cal.add(start, duration)
    if duration.unit in _WALL_SECONDS:
        return duration.amount * _WALL_SECONDS[duration.unit], due, missing
    if duration.unit == "bh" or cal.always_open:
        secs = duration.amount * 3600 if duration.unit == "bh" else (due - start).total_seconds()
        return secs, due, missing
    secs, years = cal.business_seconds(start, due)  # wd: open time up to close of business on day N
    return secs, due, tuple(sorted(set(missing) | set(years)))


def reach(cal: Calendar, unit: str, start: dt.datetime, seconds: float, pauses: Sequence[Pause] = ()
          ) -> tuple[dt.datetime, tuple[int, ...]]:
    """The first instant at which the clock started at ``start`` has counted ``seconds``."""
    wall = is_wall(cal, unit)
    missing: set[int] = set()
    remaining = seconds
    cursor = start
    for p in pauses:
        if p.end <= cursor:
            continue
        if p.start > cursor:
            avail = _span(cal, wall, cursor, p.start, missing)
            if remaining <= avail:
                break
            remaining -= avail
        cursor = max(cursor, p.end)
    if wall:
        return (cursor.astimezone(dt.UTC) + dt.timedelta(seconds=remaining)).astimezone(cal.tz), \
            tuple(sorted(missing))
    at, _, years = cal.add_business_seconds(cursor, remaining)
    return at, tuple(sorted(missing | set(years)))


# -- breakdown ---------------------------------------------------------------------------------------------
_DAY_OFF = {"weekend": "weekend", "holiday": "public holiday", "closed": "closed (date override)"}


def _pieces(cal: Calendar, wall: bool, a: dt.datetime, b: dt.datetime
            ) -> list[tuple[str, dt.datetime, dt.datetime, DayInfo | None]]:
    """Open and closed stretches covering ``[a, b)`` in the calendar's zone."""
    a, b = cal.local(a), cal.local(b)
    if wall:
        return [("open", a, b, None)]
    out: list[tuple[str, dt.datetime, dt.datetime, DayInfo | None]] = []
    day = a.date()
    while day <= b.date():
        info = cal.describe_day(day)
        start_of_day = cal._at(day, 0)
        cursor = max(a, start_of_day)
        ivs = info.intervals
        for i, (lo, hi) in enumerate(ivs):
            s, e = max(cal._at(day, lo), a), min(cal._at(day, hi), b)
            if e <= s:
                continue
            if s > cursor:
                kind = "break" if i > 0 and cursor >= cal._at(day, ivs[i - 1][1]) else "closed"
                out.append((kind, cursor, s, info))
            out.append(("open", s, e, info))
            cursor = e
        end_of_day = min(cal._at(day, 1440), b)
        if end_of_day > cursor:
            out.append(("closed", cursor, end_of_day, info))
        day += dt.timedelta(days=1)
    return out


def _day_runs(days: list[DayInfo]) -> list[str]:
    """``public holiday 10/01–10/07``, ``weekend 11/21–11/22`` for runs of days off."""
    runs: list[tuple[str, dt.date, dt.date]] = []
    for info in days:
        label = _DAY_OFF.get(info.kind)
        if label is None or info.intervals:
            continue
        if runs and runs[-1][0] == label and runs[-1][2] + dt.timedelta(days=1) == info.day:
            runs[-1] = (label, runs[-1][1], info.day)
        else:
            runs.append((label, info.day, info.day))
    out = []
    for label, first, last in runs:
        span = f"{first:%m/%d}" if first == last else f"{first:%m/%d}–{last:%m/%d}"
        out.append(f"{label} {span} skipped")
    return out


def breakdown(cal: Calendar, unit: str, start: dt.datetime, end: dt.datetime, pauses: Sequence[Pause] = ()
              ) -> tuple[Segment, ...]:
    """The stretches between ``start`` and ``end``: counted, lunch/breaks, closed (with the days off), paused."""
    wall = is_wall(cal, unit)
    if end <= start:
        return ()
    zero = dt.timedelta(0)
    # split the calendar's pieces at pause boundaries and mark the paused parts
    marked: list[tuple[str, dt.datetime, dt.datetime, DayInfo | None, str]] = []
    for kind, s, e, info in _pieces(cal, wall, start, end):
        cursor = s
        for p in pauses:
            if p.end <= cursor or p.start >= e:
                continue
            if p.start > cursor:
                marked.append((kind, cursor, p.start, info, ""))
            pe = min(p.end, e)
            marked.append(("paused", max(cursor, p.start), pe, info, p.reason + ("|open" if kind == "open" else "")))
            cursor = pe
        if cursor < e:
            marked.append((kind, cursor, e, info, ""))
    segments: list[Segment] = []
    i = 0
    while i < len(marked):
        kind, s, e, info, reason = marked[i]
        j = i + 1
        if kind == "paused":
            why = reason.split("|")[0]
            lost = (e - s) if reason.endswith("|open") else zero
            while j < len(marked) and marked[j][0] == "paused" and marked[j][4].split("|")[0] == why:
                if marked[j][4].endswith("|open"):
                    lost += marked[j][2] - marked[j][1]
                e = marked[j][2]
                j += 1
            segments.append(Segment(kind="paused", start=s, end=e, counted=zero, note=why, lost=lost))
        elif kind == "open":
            notes = []
            while j < len(marked) and marked[j][0] == "open":
                e = marked[j][2]
                j += 1
            if info is not None and info.kind == "makeup":
                notes.append("make-up working day (调休)")
            if info is not None and info.kind == "override":
                notes.append("special hours for this date")
            if info is not None and info.estimated:
                notes.append(f"estimated: no {info.day.year} holiday data")
            segments.append(Segment(kind="counted", start=s, end=e, counted=e - s, note="; ".join(notes)))
        elif kind == "break":
            local = cal.local(s)
            label = "lunch" if 11 * 60 <= local.hour * 60 + local.minute < 14 * 60 else "break"
            segments.append(Segment(kind="break", start=s, end=e, counted=zero, note=label))
        else:
            days = [info] if info is not None else []
            while j < len(marked) and marked[j][0] == "closed":
                nxt = marked[j][3]
                if nxt is not None and (not days or days[-1].day != nxt.day):
                    days.append(nxt)
                e = marked[j][2]
                j += 1
            runs = _day_runs(days)
            segments.append(Segment(kind="closed", start=s, end=e, counted=zero,
                                    note=", ".join(runs) if runs else "outside opening hours"))
        i = j
    return tuple(segments)

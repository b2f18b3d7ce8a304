"""Business calendars: opening hours per weekday, public holidays and 调休 make-up days.

A :class:`Calendar` answers "when are we open on this date" and adds
durations to a start time:

``m``, ``h``, ``d``
    Wall-clock minutes, hours and days (on a 24x7 calendar this is plain time).
``bh``
    Business hours: only open time counts (lunch breaks, nights, weekends
    and holidays are skipped).
``wd``
    Working days: close of business on the N-th working day *after* the day
    of receipt.

It also measures open time between two instants (:meth:`Calendar.business_seconds`)
and describes each day (:meth:`Calendar.describe_day`) for readable breakdowns.

Opening hours may hold several intervals per day (a lunch break is the gap
between ``09:00-12:00`` and ``13:30-18:00``), differ per weekday (``sat:``),
be overridden per date (half days, one-off closures) or be ``24x7``.

Holiday data comes per year. For a year the data does not cover, a calendar
with ``missing_year: estimate`` uses the fallback below and marks the result
``estimated``; with ``missing_year: strict`` it raises
:class:`~triage.errors.CalendarDataMissing`. A missing year is never silently
treated as 24x7 or as a year without holidays.

Fallback for a year without data: Monday–Friday are working days, Saturday
and Sunday are not, and the fixed-date statutory holidays are days off
(元旦 1 January, 劳动节 1–2 May, 国庆 1–3 October). Lunar holidays (Spring
Festival, 清明, 端午, 中秋) and 调休 swaps cannot be known before the State
Council publishes them, so an estimated deadline may move when the data arrives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from ..errors import CalendarDataMissing, ConfigError

__all__ = ["FALLBACK_REST", "Calendar", "DayInfo", "Duration", "HolidayData", "parse_duration", "parse_hours"]

FALLBACK_REST = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))
_MAX_DAYS_SCANNED = 3700  # ten years: a calendar with no open time in that span is a configuration error
_UNITS = {"m": "m", "min": "m", "h": "h", "d": "d", "bh": "bh", "wd": "wd"}


@dataclass(frozen=True, slots=True)
class Duration:
    """An SLA target such as ``30m``, ``8bh`` or ``3wd``."""

    amount: float
    unit: str  # m, h, d, bh, wd

    def __str__(self) -> str:
        n = int(self.amount) if float(self.amount).is_integer() else self.amount
        return f"{n}{self.unit}"


def parse_duration(text: object) -> Duration:
    """Parse ``"30m"``, ``"24h"``, ``"7d"``, ``"8bh"``, ``"3wd"``; raise ``ValueError`` otherwise."""
    if not isinstance(text, str):
        raise ValueError(f"expected a duration like 30m, 24h, 8bh or 3wd; got {text!r}")
    s = text.strip().lower()
    i = 0
    while i < len(s) and (s[i].isdigit() or s[i] == "."):
        i += 1
    num, unit = s[:i], s[i:].strip()
    if not num or unit not in _UNITS:
        raise ValueError(f"expected a duration like 30m, 24h, 7d, 8bh or 3wd; got {text!r}")
    amount = float(num)
    if amount < 0 or (unit == "wd" and not amount.is_integer()):
        raise ValueError(f"{text!r}: working days must be a whole, non-negative number")
    return Duration(amount, _UNITS[unit])


@dataclass(frozen=True, slots=True)
class HolidayData:
    """Days off and make-up working days for the years a source covers."""

    name: str
    rest: frozenset[dt.date]
    work: frozenset[dt.date]
    years: frozenset[int]
    source: str = ""


Interval = tuple[int, int]  # minutes from midnight, [start, end)


@dataclass(frozen=True, slots=True)
class DayInfo:
    """What a calendar says about one date.

    ``kind`` is ``working`` (ordinary opening hours), ``makeup`` (a weekend day
    that is a 调休 make-up working day), ``override`` (hours set for this date
    in ``dates:``), ``weekend``, ``holiday`` (a public holiday or a day moved
    into one), ``closed`` (closed by a date override) or ``always`` (24x7).
    """

    day: dt.date
    intervals: tuple[Interval, ...]
    kind: str
    estimated: bool = False


@dataclass(frozen=True)
class Calendar:
    """A business calendar in one time zone.

    Parameters
    ----------
    id:
        Name used in policies and reported in deadlines.
    tz:
        IANA time zone.
    weekly:
        Opening intervals per weekday (0 = Monday), in minutes from midnight.
        ``None`` means open around the clock (24x7).
    holidays:
        Holiday data; ``None`` for a calendar that ignores public holidays.
    makeup_hours:
        Opening intervals on 调休 make-up working days (default: Monday's).
    dates:
        Per-date overrides (half days, extra closures): date → intervals (empty = closed).
    missing_year:
        ``"estimate"`` or ``"strict"``.
    """

    id: str
    tz: ZoneInfo
    weekly: Mapping[int, tuple[Interval, ...]] | None
    holidays: HolidayData | None = None
    makeup_hours: tuple[Interval, ...] | None = None
    dates: Mapping[dt.date, tuple[Interval, ...]] = field(default_factory=dict)
    missing_year: str = "estimate"
    # Memo of pure per-day and per-year lookups (the calendar's data never changes). Writes are
    # idempotent, so concurrent use from several threads is safe.
    _memo: dict[object, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def always_open(self) -> bool:
        return self.weekly is None

    # -- days ----------------------------------------------------------------------------------------
    def _year_known(self, year: int) -> bool:
        return self.holidays is None or year in self.holidays.years

    def missing_note(self, year: int) -> str:
        return (f"no official {year} holiday schedule in calendar {self.id!r}: assumed Mon–Fri working days "
                "with the fixed-date statutory holidays (1/1, 5/1–5/2, 10/1–10/3); lunar holidays and 调休 "
                "not known yet")

    def describe_day(self, day: dt.date) -> DayInfo:
        """Opening intervals of ``day`` and why (see :class:`DayInfo`).

        Raises :class:`~triage.errors.CalendarDataMissing` for a year without
        data on a ``strict`` calendar.
        """
        info = self._memo.get(day)
        if info is None:
            info = self._describe(day)
            self._memo[day] = info
        return info  # type: ignore[return-value]

    def _describe(self, day: dt.date) -> DayInfo:
        if self.weekly is None:
            return DayInfo(day, ((0, 1440),), "always")
        if day in self.dates:
            hours = self.dates[day]
            return DayInfo(day, hours, "override" if hours else "closed")
        weekday_hours = self.weekly.get(day.weekday(), ())
        plain = "working" if weekday_hours else "weekend"
        h = self.holidays
        if h is None:
            return DayInfo(day, weekday_hours, plain)
        if day.year not in h.years:
            if self.missing_year == "strict":
                covered = f"it covers {min(h.years)}–{max(h.years)}" if h.years else "it has no years"
                raise CalendarDataMissing(f"calendar {self.id!r} has no holiday data for {day.year} "
                                          f"({covered}); add the year to the holiday file or set "
                                          "missing_year: estimate")
            if day.weekday() >= 5:
                return DayInfo(day, (), "weekend", True)
            if (day.month, day.day) in FALLBACK_REST:
                return DayInfo(day, (), "holiday", True)
            return DayInfo(day, weekday_hours or self.weekly.get(0, ()), "working", True)
        if day in h.rest:
            return DayInfo(day, (), "holiday")
        if day in h.work:
            hours = self.makeup_hours if self.makeup_hours is not None else self.weekly.get(0, ())
            return DayInfo(day, hours, "makeup")
        return DayInfo(day, weekday_hours, plain)

    def day_intervals(self, day: dt.date) -> tuple[tuple[Interval, ...], bool]:
        """Opening intervals on ``day`` and whether they are estimated (year without data)."""
        info = self.describe_day(day)
        return info.intervals, info.estimated

    def is_working_day(self, day: dt.date) -> bool:
        return bool(self.day_intervals(day)[0])

    # -- arithmetic ----------------------------------------------------------------------------------
    def local(self, when: dt.datetime) -> dt.datetime:
        return when.astimezone(self.tz)

    def _at(self, day: dt.date, minute: int) -> dt.datetime:
        if minute >= 1440:
            return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), self.tz)
        return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), self.tz)

    def add(self, start: dt.datetime, duration: Duration) -> tuple[dt.datetime, bool, tuple[int, ...]]:
        """``start + duration`` on this calendar.

        Returns the deadline (in the calendar's zone), whether it is estimated,
        and the years without data that were crossed.
        """
        start = self.local(start)
        if duration.unit in ("m", "h", "d"):
            secs = duration.amount * {"m": 60, "h": 3600, "d": 86400}[duration.unit]
            due = (start.astimezone(dt.UTC) + dt.timedelta(seconds=secs)).astimezone(self.tz)
            return due, False, ()
        if self.weekly is None:  # 24x7: business hours are hours, working days are days
            if duration.unit == "bh":
                return self.add(start, Duration(duration.amount, "h"))
            end_day = start.date() + dt.timedelta(days=int(duration.amount))
            return self._at(end_day, 1440), False, ()
        if duration.unit == "wd":
            return self._add_working_days(start, int(duration.amount))
        return self._add_business_minutes(start, duration.amount * 60)

    def _add_working_days(self, start: dt.datetime, n: int) -> tuple[dt.datetime, bool, tuple[int, ...]]:
        day = start.date()
        missing: list[int] = []
        if n == 0:
            intervals, est = self.day_intervals(day)
            if est:
                missing.append(day.year)
            if intervals and start.hour * 60 + start.minute < intervals[-1][1]:
                return self._at(day, intervals[-1][1]), bool(missing), tuple(missing)
            n = 1
        counted = 0
        for _ in range(_MAX_DAYS_SCANNED):
            day += dt.timedelta(days=1)
            intervals, est = self.day_intervals(day)
            if est and day.year not in missing:
                missing.append(day.year)
            if intervals:
                counted += 1
                if counted == n:
                    return self._at(day, intervals[-1][1]), bool(missing), tuple(missing)
        raise ConfigError(f"calendar {self.id!r} has no working day within {_MAX_DAYS_SCANNED} days")

    def _add_business_minutes(self, start: dt.datetime, minutes: float) -> tuple[dt.datetime, bool,
                                                                                  tuple[int, ...]]:
        day = start.date()
        now_min = start.hour * 60 + start.minute + start.second / 60 + start.microsecond / 60e6
        remaining = minutes
        missing: list[int] = []
        for _ in range(_MAX_DAYS_SCANNED):
            intervals, est = self.day_intervals(day)
            if est and intervals and day.year not in missing:
                missing.append(day.year)
            for a, b in intervals:
                lo = max(a, now_min)
                if lo >= b:
                    continue
                if remaining <= b - lo + 1e-9:  # float minutes: a target ending at a close stays on that day
                    at = min(lo + remaining, b)
                    due = (dt.datetime.combine(day, dt.time(0), self.tz) + dt.timedelta(minutes=at)
                           if at < 1440 else self._at(day, 1440))
                    return due, bool(missing), tuple(missing)
                remaining -= b - lo
            day += dt.timedelta(days=1)
            now_min = 0
        raise ConfigError(f"calendar {self.id!r} has no open time within {_MAX_DAYS_SCANNED} days")

    def add_business_seconds(self, start: dt.datetime, seconds: float
                             ) -> tuple[dt.datetime, bool, tuple[int, ...]]:
        """The instant at which ``seconds`` of open time have passed since ``start``.

        On a 24x7 calendar this is plain elapsed time. Returns the instant, whether
        it is estimated, and the years without data that were crossed.
        """
        if seconds < 0:
            raise ValueError(f"seconds must not be negative, got {seconds!r}")
        if self.weekly is None:
            return (start.astimezone(dt.UTC) + dt.timedelta(seconds=seconds)).astimezone(self.tz), False, ()
        return self._add_business_minutes(self.local(start), seconds / 60)

    def business_seconds(self, start: dt.datetime, end: dt.datetime) -> tuple[float, tuple[int, ...]]:
        """Open time between two instants, in seconds (0 when ``end <= start``).

        Whole days in between are summed from a per-year table, so a span of
        months costs about as much as a span of hours. Returns the seconds and the
        years without holiday data (estimated) the span touched.
        """
        if end <= start:
            return 0.0, ()
        if self.weekly is None:
            return (end - start).total_seconds(), ()
        a, b = self.local(start), self.local(end)
        da, db = a.date(), b.date()
        ma, mb = _minute_of_day(a), _minute_of_day(b)
        missing: set[int] = set()
        if da == db:
            minutes = self._open_minutes(da, ma, mb, missing)
        else:
            minutes = self._open_minutes(da, ma, 1440, missing) + self._open_minutes(db, 0, mb, missing)
            minutes += self._whole_days(da + dt.timedelta(days=1), db, missing)
        return minutes * 60, tuple(sorted(missing))

    def _open_minutes(self, day: dt.date, lo: float, hi: float, missing: set[int]) -> float:
        info = self.describe_day(day)
        if info.estimated:
            missing.add(day.year)
        total = 0.0
        for a, b in info.intervals:
            s, e = max(a, lo), min(b, hi)
            if e > s:
                total += e - s
        return total

    def _year_table(self, year: int) -> tuple[tuple[int, ...], bool]:
        """Cumulative open minutes before each day of ``year`` (index 0 = 1 January), and estimated."""
        key = ("year", year)
        table = self._memo.get(key)
        if table is None:
            day, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
            cum, total, est = [0], 0, False
            while day < end:
                info = self.describe_day(day)
                est = est or info.estimated
                total += sum(b - a for a, b in info.intervals)
                cum.append(total)
                day += dt.timedelta(days=1)
            table = (tuple(cum), est)
            self._memo[key] = table
        return table  # type: ignore[return-value]

    def _whole_days(self, first: dt.date, stop: dt.date, missing: set[int]) -> float:
        """Open minutes on the days ``first`` .. ``stop`` (exclusive)."""
        total = 0.0
        day = first
        while day < stop:
            cum, est = self._year_table(day.year)
            start_i = day.timetuple().tm_yday - 1
            if stop.year == day.year:
                end_i = stop.timetuple().tm_yday - 1
                nxt = stop
            else:
                end_i = len(cum) - 1
                nxt = dt.date(day.year + 1, 1, 1)
            if est:
                missing.add(day.year)
            total += cum[end_i] - cum[start_i]
            day = nxt
        return total

    def open_segments(self, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
        """The open stretches between ``start`` and ``end`` (for readable breakdowns and elapsed time)."""
        start, end = self.local(start), self.local(end)
        out: list[tuple[dt.datetime, dt.datetime]] = []
        day = start.date()
        while day <= end.date():
            intervals, _ = self.day_intervals(day)
            for a, b in intervals:
                s, e = max(self._at(day, a), start), min(self._at(day, b), end)
                if s < e:
                    out.append((s, e))
            day += dt.timedelta(days=1)
        return out


def _minute_of_day(t: dt.datetime) -> float:
    return t.hour * 60 + t.minute + t.second / 60 + t.microsecond / 60e6


def parse_hours(spec: object) -> tuple[Interval, ...]:
    """``["09:00-12:00", "13:30-18:00"]`` → ((540, 720), (810, 1080)); raises ``ValueError``."""
    items: Sequence[object] = spec if isinstance(spec, list) else [spec]
    out: list[Interval] = []
    for item in items:
        if not isinstance(item, str) or "-" not in item:
            raise ValueError(f"expected opening hours like \"09:00-18:00\", got {item!r}")
        a, b = (p.strip() for p in item.split("-", 1))
        try:
            ta, tb = dt.time.fromisoformat(a), (dt.time(0) if b == "24:00" else dt.time.fromisoformat(b))
        except ValueError:
            raise ValueError(f"expected opening hours like \"09:00-18:00\", got {item!r}") from None
        ma, mb = ta.hour * 60 + ta.minute, (1440 if b == "24:00" else tb.hour * 60 + tb.minute)
        if mb <= ma:
            raise ValueError(f"opening hours {item!r} end before they start")
        if out and ma < out[-1][1]:
            raise ValueError(f"opening hours {item!r} overlap or are out of order")
        out.append((ma, mb))
    return tuple(out)

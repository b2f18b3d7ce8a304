"""SLA engine speed: all deadlines for one request, one ticket replay, and 100,000 tickets in a DataFrame.

The baseline for one request is the obvious hand-written code: the same policies
and holiday data, with business hours found by stepping through the calendar a
minute at a time and working days a day at a time (plain ``datetime`` arithmetic,
no per-day interval table). Both must give the same deadlines; the benchmark
checks that before timing.

    python benchmarks/bench_sla.py [--tickets 100000] [--json benchmarks/results/sla.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=SH)


def naive_deadline(cal, start: dt.datetime, duration) -> dt.datetime:  # type: ignore[no-untyped-def]
    """Deadline by stepping: minutes for ``bh``, days for ``wd``; ``timedelta`` for wall-clock units."""
    start = start.astimezone(cal.tz)
    if duration.unit in ("m", "h", "d") or cal.weekly is None and duration.unit == "bh":
        secs = duration.amount * {"m": 60, "h": 3600, "d": 86400, "bh": 3600}[duration.unit]
        return (start.astimezone(dt.UTC) + dt.timedelta(seconds=secs)).astimezone(cal.tz)
    h = cal.holidays

    def hours(day: dt.date):  # type: ignore[no-untyped-def]
        if day in h.rest:
            return ()
        if day in h.work:
            return cal.weekly.get(0, ())
        if day.year not in h.years and ((day.month, day.day) in ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))):
            return ()
        return cal.weekly.get(day.weekday(), ())

    if duration.unit == "wd":
        day, n = start.date(), int(duration.amount)
        if n == 0 and hours(day) and start.hour * 60 + start.minute < hours(day)[-1][1]:
            end = hours(day)[-1][1]
            return dt.datetime.combine(day, dt.time(end // 60, end % 60), cal.tz)
        while n > 0 or not hours(day):
            day += dt.timedelta(days=1)
            if hours(day):
                n -= 1
            if n == 0 and hours(day):
                break
        end = hours(day)[-1][1]
        return dt.datetime.combine(day, dt.time(end // 60, end % 60), cal.tz)
    t = start.replace(second=0, microsecond=0)
    left = int(duration.amount * 60)
    while True:
        m = t.hour * 60 + t.minute
        if any(a <= m < b for a, b in hours(t.date())):
            if left == 0:
                return t
            left -= 1
            if left == 0:
                return t + dt.timedelta(minutes=1)
        t += dt.timedelta(minutes=1)


def naive_deadlines(book, facts, received):  # type: ignore[no-untyped-def]
    best: dict[str, dt.datetime] = {}
    for p in book.policies:
        if p.when(facts) is None:
            continue
        cal = book.calendars[p.calendar]
        for metric, duration in p.targets.items():
            due = naive_deadline(cal, received, duration)
            if metric not in best or due < best[metric]:
                best[metric] = due
    return best


def timeit(fn, *, repeat: int = 7, number: int = 200) -> float:  # type: ignore[no-untyped-def]
    """Best-of-``repeat`` mean seconds per call."""
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - t0) / number)
    return min(runs)


def tickets_frame(n: int, seed: int = 7):  # type: ignore[no-untyped-def]
    import pandas as pd

    rng = random.Random(seed)
    base = dt.datetime(2026, 1, 1, tzinfo=SH)
    created = [base + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 330)) for _ in range(n)]
    return pd.DataFrame({
        "ticket_id": [f"T{i:06d}" for i in range(n)],
        "created_at": created,
        "channel": [rng.choice(["email", "wechat", "weibo", "app_chat", "ticket", "marketplace", "form"])
                    for _ in range(n)],
        "category": [rng.choice(["return_refund", "logistics", "quality", "service_complaint", "presale",
                                 "payment"]) for _ in range(n)],
        "priority": [rng.choice(["P1", "P2", "P3", "P3", "P3", "P4"]) for _ in range(n)],
        "tags": [rng.choice(["wants_refund", "", None, "wants_exchange", ""]) for _ in range(n)],
        "queue": [rng.choice(["售后组", "物流组", "订单组", "投诉处理组"]) for _ in range(n)],
        "first_reply_at": [c + dt.timedelta(minutes=rng.randrange(1, 3000)) if rng.random() < 0.9 else None
                           for c in created],
        "resolved_at": [c + dt.timedelta(minutes=rng.randrange(60, 20000)) if rng.random() < 0.8 else None
                        for c in created],
    })


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "sla.json")
    args = parser.parse_args(argv)

    from triage.pack import load_pack
    from triage.route.conditions import Facts
    from triage.sla.events import TicketEvent
    from triage.sla.frame import sla_frame
    from triage.sla.ticket import Ticket, ticket_sla
    from triage.types import Priority, Request

    pack = load_pack()
    book = pack.sla
    cases = {  # (received, channel, category, priority, tags)
        "refund email before National Day": (dt.datetime(2026, 9, 30, 17, 0, tzinfo=SH), "email", "return_refund",
                                             Priority.P3, ["wants_refund"]),
        "P1 WeChat at night on a holiday": (dt.datetime(2026, 10, 1, 2, 0, tzinfo=SH), "wechat", "quality",
                                            Priority.P1, []),
        "complaint into 2027 (estimated)": (dt.datetime(2026, 12, 30, 10, 0, tzinfo=SH), "email",
                                            "service_complaint", Priority.P2, []),
    }
    rows = []
    for name, (received, channel, category, priority, tags) in cases.items():
        facts = Facts(request=Request(text="", channel=channel), text="", subject="", hits={}, channel=channel,
                      channel_type=pack.channel_type(channel), local_time=received, category=category,
                      categories=frozenset({category}), tags=list(tags), priority=priority)
        ours = {m: t.due for m, t in book.deadlines(facts, received)[0].items()}
        base = naive_deadlines(book, facts, received)
        if ours != base:
            print(f"MISMATCH for {name}: {ours} vs {base}", file=sys.stderr)
            return 1
        book.calendars["business"]._memo.clear()  # time the first, uncached, request too
        t0 = time.perf_counter()
        book.deadlines(facts, received)
        cold = time.perf_counter() - t0
        t_ours = timeit(lambda f=facts, r=received: book.deadlines(f, r))
        t_base = timeit(lambda f=facts, r=received: naive_deadlines(book, f, r), number=20, repeat=3)
        rows.append({"case": name, "metrics": len(ours), "ours_us": t_ours * 1e6, "cold_us": cold * 1e6,
                     "baseline_us": t_base * 1e6, "speedup": t_base / t_ours})

    events = [TicketEvent("agent_reply", dt.datetime(2026, 10, 8, 10, tzinfo=SH)),
              TicketEvent("waiting_on_customer", dt.datetime(2026, 10, 8, 10, tzinfo=SH)),
              TicketEvent("customer_reply", dt.datetime(2026, 10, 9, 11, tzinfo=SH)),
              TicketEvent("priority_changed", dt.datetime(2026, 10, 9, 12, tzinfo=SH), "P2")]
    ticket = Ticket.from_fields(created_at=dt.datetime(2026, 9, 30, 17, tzinfo=SH), channel="email",
                                category="return_refund", tags=["wants_refund"], events=events)
    now = dt.datetime(2026, 10, 12, 15, tzinfo=SH)
    t_replay = timeit(lambda: ticket_sla(ticket, now, pack, breakdown=False), number=100)
    t_replay_bd = timeit(lambda: ticket_sla(ticket, now, pack), number=100)

    df = tickets_frame(args.tickets)
    t0 = time.perf_counter()
    out = sla_frame(df, NOW, pack)
    t_frame = time.perf_counter() - t0
    errors = int(out["error"].notna().sum())
    states = out["state"].value_counts().to_dict()

    print(f"SLA engine — Python {platform.python_version()}, {platform.machine()}\n")
    print(f"{'all deadlines for one request':<36} {'ours':>9} {'1st call':>9} {'baseline':>10} {'speed-up':>9}")
    for r in rows:
        print(f"{r['case']:<36} {r['ours_us']:>7.1f}µs {r['cold_us']:>7.0f}µs {r['baseline_us']:>8.0f}µs "
              f"{r['speedup']:>8.1f}x")
    print("  (baseline: the same policies stepping through the calendar minute by minute / day by day)\n")
    print(f"{'one ticket replay (4 events)':<36} {t_replay * 1e6:>7.0f}µs   with breakdown {t_replay_bd * 1e6:.0f}µs")
    print(f"{f'{args.tickets:,} tickets → sla_frame':<36} {t_frame:>7.1f} s    "
          f"{args.tickets / t_frame:,.0f} tickets/s, {len(out):,} rows, {errors} error rows")
    print(f"  states: {', '.join(f'{k} {v:,}' for k, v in sorted(states.items()))}")

    result = {
        "python": platform.python_version(), "machine": platform.machine(),
        "one_request": rows,
        "ticket_replay_us": t_replay * 1e6, "ticket_replay_breakdown_us": t_replay_bd * 1e6,
        "frame": {"tickets": args.tickets, "seconds": t_frame, "tickets_per_s": args.tickets / t_frame,
                  "rows": len(out), "error_rows": errors, "states": states,
                  "median_row_elapsed_h": statistics.median(out["elapsed_s"].dropna()) / 3600},
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""SLA over a ticket's events: pauses, warnings, escalation, priority changes, breakdowns, batch."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import triage
from triage import Request
from triage.errors import InputError, RuleError
from triage.pack import load_pack
from triage.sla import clock
from triage.sla.calendar import HolidayData
from triage.sla.events import TicketEvent
from triage.sla.ticket import Ticket, ticket_sla

SH = ZoneInfo("Asia/Shanghai")
PACK = load_pack()
BUSINESS = PACK.sla.calendars["business"]


def at(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SH)


def ticket(created: dt.datetime, events: list = (), **fields) -> Ticket:  # type: ignore[assignment]
    fields.setdefault("channel", "email")
    return Ticket.from_fields(created_at=created, events=list(events), **fields)


def make_pack(tmp_path: Path, rules: str) -> Path:
    (tmp_path / "rules.yaml").write_text(textwrap.dedent(rules), encoding="utf-8")
    (tmp_path / "pack.yaml").write_text("name: t\nversion: '1'\nextends: default\ninclude: [rules.yaml]\n",
                                        encoding="utf-8")
    return tmp_path


# -- the examples, through the ticket path ------------------------------------------------------------
def test_refund_by_email_over_national_day() -> None:
    t = ticket(at(9, 30, 17), category="return_refund", tags=["wants_refund"])
    res = ticket_sla(t, at(9, 30, 17), PACK)["resolution"]
    assert res.due == at(10, 10, 18) and res.policy == "refund" and not res.estimated
    assert res.state == "on_track"


def test_p1_at_night_on_a_holiday_email_and_wechat() -> None:
    email = ticket_sla(ticket(at(10, 1, 2), priority="P1", category="quality"), at(10, 1, 2), PACK)
    assert email["first_response"].due == at(10, 1, 2, 30)
    chat = ticket_sla(ticket(at(10, 1, 2), priority="P1", category="quality", channel="wechat"), at(10, 1, 2), PACK)
    assert chat["first_response"].due == at(10, 1, 2, 1)
    assert chat["first_response"].policy == "instant_channel"


def test_complaint_over_new_year_is_estimated_and_says_which_year() -> None:
    t = ticket(at(12, 30, 10), priority="P2", category="service_complaint")
    res = ticket_sla(t, at(12, 30, 10), PACK)["resolution"]
    assert res.due.year == 2027 and res.estimated and "2027" in (res.note or "")


def test_complaint_over_new_year_is_exact_once_2027_data_is_present() -> None:
    h = BUSINESS.holidays
    assert h is not None
    h2027 = HolidayData(h.name, h.rest | {dt.date(2027, 1, 1)}, h.work, h.years | {2027}, h.source)
    cal = dataclasses.replace(BUSINESS, holidays=h2027)
    book = dataclasses.replace(PACK.sla, calendars={**PACK.sla.calendars, "business": cal})
    t = ticket(at(12, 30, 10), priority="P2", category="service_complaint", channel_type="async")
    res = ticket_sla(t, at(12, 30, 10), book)["resolution"]
    assert res.due == at(1, 4, 18, year=2027) and not res.estimated and res.note is None


def test_a_fresh_ticket_from_a_decision_has_the_decisions_deadlines(triager: triage.Triager) -> None:
    for text, channel in [("退货已经寄回去了，麻烦尽快给我退款", "email"), ("热水器漏电，孩子被电到了", "wechat"),
                          ("你们客服态度太差了，我要投诉", "weibo")]:
        d = triager.triage(Request(text=text, channel=channel, received_at=at(9, 30, 17)))
        s = ticket_sla(Ticket.from_decision(d, rules=triager.pack), d.received_at, triager.pack)
        assert {m: (x.due, x.policy) for m, x in s.metrics.items()} == \
            {m: (x.due, x.policy) for m, x in d.sla.items()}


# -- pauses ---------------------------------------------------------------------------------------------------
def test_waiting_on_customer_pauses_resolution_but_not_first_response() -> None:
    created = at(11, 23, 9)                       # Monday
    events = [TicketEvent("waiting_on_customer", at(11, 23, 10)), TicketEvent("resumed", at(11, 23, 12))]
    plain = ticket_sla(ticket(created, category="logistics"), at(11, 23, 15), PACK)
    paused = ticket_sla(ticket(created, events, category="logistics"), at(11, 23, 15), PACK)
    assert plain["resolution"].due == at(11, 30, 18)           # p3: 5wd
    assert paused["resolution"].due == at(12, 1, 11)           # + 2 business hours
    assert paused["resolution"].elapsed == dt.timedelta(hours=4)
    assert paused["first_response"].due == plain["first_response"].due == at(11, 23, 13)


def test_state_is_paused_while_waiting_and_the_deadline_moves_with_the_wait() -> None:
    t = ticket(at(11, 23, 9), [{"type": "status", "value": "waiting_on_customer", "at": at(11, 23, 10)}],
               category="logistics")
    s1 = ticket_sla(t, at(11, 23, 11), PACK)["resolution"]
    s2 = ticket_sla(t, at(11, 24, 11), PACK)["resolution"]
    assert s1.state == s2.state == "paused"
    assert s1.elapsed == s2.elapsed == dt.timedelta(hours=1)
    assert s2.due - s1.due >= dt.timedelta(hours=9)


def test_a_customer_reply_ends_the_wait() -> None:
    t = ticket(at(11, 23, 9), [TicketEvent("waiting", at(11, 23, 10)), TicketEvent("customer_reply", at(11, 23, 11))],
               category="logistics")
    s = ticket_sla(t, at(11, 23, 12), PACK)["resolution"]
    assert s.state == "on_track" and s.elapsed == dt.timedelta(hours=2)


# -- warning, breach, escalation -----------------------------------------------------------------------------
def test_warning_at_80_percent_of_the_target() -> None:
    t = ticket(at(11, 23, 9), category="logistics")               # p3 first response 4bh → 13:00
    assert ticket_sla(t, at(11, 23, 12, 11), PACK)["first_response"].state == "on_track"
    assert ticket_sla(t, at(11, 23, 12, 12), PACK)["first_response"].state == "warning"   # 3h12 = 80%
    assert ticket_sla(t, at(11, 23, 13), PACK)["first_response"].state == "breached"


def test_escalation_levels_over_time() -> None:
    t = ticket(at(11, 23, 9), category="logistics")               # due Mon 13:00 (4bh)

    def level(now: dt.datetime) -> tuple[str | None, tuple[str, ...]]:
        m = ticket_sla(t, now, PACK, breakdown=False)["first_response"]
        return m.escalation, m.notify
    assert level(at(11, 23, 12, 59)) == (None, ())
    assert level(at(11, 23, 13)) == ("L1", ("agent",))
    assert level(at(11, 23, 16, 59)) == ("L1", ("agent",))
    assert level(at(11, 23, 17)) == ("L2", ("supervisor",))        # 4 business hours past the breach
    assert level(at(11, 24, 17, 59)) == ("L2", ("supervisor",))
    assert level(at(11, 24, 18)) == ("L3", ("manager",))           # close of business, 1 working day on


def test_complaint_escalates_after_48_hours_unresolved_before_any_breach() -> None:
    t = ticket(at(11, 23, 9), priority="P2", category="service_complaint")
    before = ticket_sla(t, at(11, 25, 8, 59), PACK)["resolution"]
    after = ticket_sla(t, at(11, 25, 9), PACK)["resolution"]
    assert before.escalation is None and after.state == "on_track"
    assert after.escalation == "L1" and after.notify == ("supervisor",)
    assert after.escalations[0].policy == "complaint"


def test_a_late_reply_is_counted_as_a_breach_and_stops_the_clock() -> None:
    t = ticket(at(11, 23, 9), [TicketEvent("agent_reply", at(11, 23, 14))], category="logistics")
    m = ticket_sla(t, at(11, 30, 9), PACK)["first_response"]
    assert m.state == "breached" and m.stopped_at == at(11, 23, 14)
    assert m.remaining == dt.timedelta(hours=-1) and m.escalation == "L1"


def test_next_response_cycles_count_breaches(tmp_path: Path) -> None:
    pack_rules = """\
    sla_policies:
      - id: all
        when: {channel_type: async}
        calendar: always
        targets: {first_response: 1h, next_response: 1h, resolution: 7d}
    """
    events = [TicketEvent("agent_reply", at(11, 23, 9, 30)),
              TicketEvent("customer_reply", at(11, 23, 10)), TicketEvent("agent_reply", at(11, 23, 12)),   # late
              TicketEvent("customer_reply", at(11, 23, 13)), TicketEvent("agent_reply", at(11, 23, 13, 30))]
    pack = load_pack(make_pack(tmp_path, pack_rules))
    m = ticket_sla(ticket(at(11, 23, 9), events), at(11, 23, 15), pack)["next_response"]
    assert m.state == "met" and m.cycles == 2 and m.breaches == 1


# -- priority and category changes, reopen -----------------------------------------------------------------
def test_priority_change_recomputes_from_creation_with_the_new_policy() -> None:
    created = at(11, 23, 9)
    up = [TicketEvent("priority_changed", at(11, 23, 10), "P1")]
    s = ticket_sla(ticket(created, up, category="quality"), at(11, 23, 10), PACK)
    assert s["first_response"].policy == "p1" and s["first_response"].due == at(11, 23, 9, 30)
    assert s["first_response"].state == "breached"
    assert s["resolution"].due == at(11, 24, 9)                    # 24 h from creation, 24x7


def test_a_met_first_response_stays_met_after_an_upgrade() -> None:
    events = [TicketEvent("agent_reply", at(11, 23, 10)), TicketEvent("priority_changed", at(11, 23, 11), "P1")]
    s = ticket_sla(ticket(at(11, 23, 9), events, category="quality"), at(11, 23, 12), PACK)
    assert s["first_response"].state == "met" and s["first_response"].policy == "p3"
    assert s["resolution"].policy == "p1"


def test_category_change_to_complaint_brings_the_complaint_escalation() -> None:
    events = [TicketEvent("category_changed", at(11, 23, 10), "service_complaint"),
              TicketEvent("priority_changed", at(11, 23, 10), "P2")]
    s = ticket_sla(ticket(at(11, 23, 9), events, category="logistics"), at(11, 25, 10), PACK)
    assert any(e.policy == "complaint" for e in s["resolution"].escalations)


def test_time_between_resolved_and_reopened_does_not_count() -> None:
    events = [TicketEvent("resolved", at(11, 23, 11)), TicketEvent("reopened", at(11, 24, 11))]
    s = ticket_sla(ticket(at(11, 23, 9), events, category="logistics"), at(11, 24, 12), PACK)["resolution"]
    assert s.stopped_at is None and s.state == "on_track"
    assert s.elapsed == dt.timedelta(hours=3)                      # 9–11 and 11–12
    resolved = ticket_sla(ticket(at(11, 23, 9), events[:1], category="logistics"), at(11, 24, 12), PACK)
    assert resolved["resolution"].state == "met" and resolved["resolution"].stopped_at == at(11, 23, 11)


def test_a_customer_reply_reopens_a_resolved_ticket() -> None:
    events = [TicketEvent("resolved", at(11, 23, 11)), TicketEvent("customer_reply", at(11, 23, 15))]
    s = ticket_sla(ticket(at(11, 23, 9), events, category="logistics"), at(11, 23, 16), PACK)["resolution"]
    assert s.stopped_at is None and s.elapsed == dt.timedelta(hours=3)


def test_events_after_now_are_ignored_so_history_can_be_replayed() -> None:
    events = [TicketEvent("agent_reply", at(11, 23, 14))]
    s = ticket_sla(ticket(at(11, 23, 9), events, category="logistics"), at(11, 23, 12), PACK)["first_response"]
    assert s.state == "on_track" and s.stopped_at is None


# -- breakdown ------------------------------------------------------------------------------------------------
def test_breakdown_reads_like_a_managers_account(tmp_path: Path) -> None:
    pack = load_pack(make_pack(tmp_path, """\
    calendars:
      office:
        timezone: Asia/Shanghai
        hours: {weekdays: ["09:00-12:00", "13:30-18:00"]}
        holidays: cn
    sla_policies:
      - id: office
        when: {channel_type: async}
        calendar: office
        targets: {resolution: 20bh}
    """))
    events = [TicketEvent("waiting_on_customer", at(10, 9, 14)), TicketEvent("customer_reply", at(10, 9, 16))]
    m = ticket_sla(ticket(at(9, 30, 10), events), at(10, 9, 17), pack)["resolution"]
    lines = [str(s) for s in m.breakdown]
    assert lines[0] == "counted 09/30 10:00–12:00 (2 h)"
    assert lines[1] == "lunch 09/30 12:00–13:30"
    assert any("public holiday 10/01–10/07 skipped" in x for x in lines)
    assert "paused 10/09 14:00–16:00 waiting on customer (2 h not counted)" in lines
    assert lines[-1] == "counted 10/09 16:00–17:00 (1 h)"
    assert sum((s.counted for s in m.breakdown), dt.timedelta(0)) == m.elapsed
    assert "RESOLUTION" in m.explain() or "resolution" in m.explain()


def test_breakdown_marks_make_up_working_days() -> None:
    m = ticket_sla(ticket(at(10, 9, 17), category="return_refund", tags=["wants_refund"]), at(10, 10, 10),
                   PACK)["resolution"]
    assert any("make-up working day" in str(s) for s in m.breakdown)


# -- bad input --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("event", "message"), [
    ({"type": "agent_reply", "at": dt.datetime(2026, 11, 23, 10)}, r"events\[0\]\.at must be timezone-aware"),
    ({"type": "teleported", "at": "2026-11-23T10:00:00+08:00"}, r"events\[0\]\.type: unknown event type"),
    ({"type": "priority_changed", "at": "2026-11-23T10:00:00+08:00", "value": "urgent"}, r"events\[0\]\.value"),
    ({"type": "agent_reply"}, r"events\[0\]\.at is missing"),
    ({"type": "agent_reply", "at": "yesterday"}, r"events\[0\]\.at: expected an ISO 8601 time"),
    ({"type": "agent_reply", "at": "2026-11-23T08:00:00+08:00"}, "before the ticket was created"),
    ({"type": "agent_reply", "when": "2026-11-23T10:00:00+08:00"}, r"unknown field\(s\) when"),
])
def test_bad_events_are_errors_naming_the_field(event: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        ticket(at(11, 23, 9), [event])


def test_naive_times_are_refused() -> None:
    with pytest.raises(InputError, match="created_at must be timezone-aware"):
        Ticket.from_fields(created_at=dt.datetime(2026, 11, 23, 9))
    with pytest.raises(InputError, match="now must be timezone-aware"):
        ticket_sla(ticket(at(11, 23, 9)), dt.datetime(2026, 11, 23, 10), PACK)


def test_events_out_of_order_give_the_same_result_as_sorted() -> None:
    events = [TicketEvent("resumed", at(11, 23, 12)), TicketEvent("agent_reply", at(11, 23, 10)),
              TicketEvent("waiting_on_customer", at(11, 23, 10))]
    a = ticket_sla(ticket(at(11, 23, 9), events, category="logistics"), at(11, 23, 15), PACK)
    b = ticket_sla(ticket(at(11, 23, 9), events[::-1], category="logistics"), at(11, 23, 15), PACK)
    assert a == b
    assert a["resolution"].elapsed == dt.timedelta(hours=4)    # reply then wait at 10:00, both honoured


@pytest.mark.parametrize(("yaml_text", "message"), [
    ("escalation: {all: [{level: L1, notify: [agent]}]}", "needs exactly one of after"),
    ("escalation: {all: [{level: L1, after: 0m}]}", "notify must list who to tell"),
    ("escalation: {resolution: [{level: L1, after: 0m, notify: [x]}]}", "sets no resolution target"),
    ("escalation: {all: [{level: L1, after: soon, notify: [x]}]}", "expected a duration"),
    ("escalation: {all: [{level: L1, after: 2h, notify: [x]}, {level: L2, after: 1h, notify: [y]}]}",
     "fires earlier"),
    ("warning_at: 1.5", r"warning_at must be a fraction"),
])
def test_bad_escalation_yaml_is_reported_with_its_line(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = make_pack(tmp_path, f"""\
    sla_policies:
      - id: x
        when: {{priority: P1}}
        calendar: always
        targets: {{first_response: 30m}}
        {yaml_text}
    """)
    with pytest.raises(RuleError) as info:
        load_pack(path)
    [problem] = [p for p in info.value.problems if re.search(message, p.message)]
    assert problem.file.endswith("rules.yaml") and problem.line == 6 and problem.rule == "x"


# -- batch ------------------------------------------------------------------------------------------------------
def test_frame_of_tickets_gives_one_row_per_ticket_and_metric() -> None:
    pd = pytest.importorskip("pandas")
    from triage.sla.frame import sla_frame

    df = pd.DataFrame({
        "ticket_id": ["r1", "c1", "bad"],
        "created_at": [pd.Timestamp("2026-09-30 17:00", tz="Asia/Shanghai"),
                       pd.Timestamp("2026-11-23 09:00", tz="Asia/Shanghai"), None],
        "channel": ["email", "wechat", "email"], "category": ["return_refund", "logistics", "quality"],
        "priority": ["P3", "P2", "P3"], "tags": ["wants_refund", None, ""], "queue": ["售后组", "物流组", "售后组"],
        "first_reply_at": [None, pd.Timestamp("2026-11-23 09:05", tz="Asia/Shanghai"), None],
    })
    events = pd.DataFrame({"ticket_id": ["r1", "r1"], "type": ["agent_reply", "waiting_on_customer"],
                           "at": ["2026-10-08T10:00:00+08:00", "2026-10-08T10:00:00+08:00"]})
    out = sla_frame(df, at(10, 8, 11), PACK, events=events)
    r1 = out[out.ticket_id == "r1"].set_index("metric")
    assert r1.loc["resolution", "state"] == "paused" and r1.loc["first_response", "state"] == "met"
    assert r1.loc["resolution", "channel"] == "email" and r1.loc["resolution", "queue"] == "售后组"
    assert r1.loc["resolution", "channel_type"] == "async"
    bad = out[out.ticket_id == "bad"]
    assert len(bad) == 1 and "created_at is missing" in bad.iloc[0]["error"]
    c1 = out[out.ticket_id == "c1"]                              # created after `now`: an error row, not a drop
    assert len(c1) == 1 and "before the ticket was created" in c1.iloc[0]["error"]
    with pytest.raises(InputError, match=r"row 2 \(ticket bad\): created_at"):
        sla_frame(df, at(12, 1), PACK, events=events, on_error="raise")


def test_frame_reports_naive_timestamps_by_column() -> None:
    pd = pytest.importorskip("pandas")
    from triage.sla.frame import sla_frame

    df = pd.DataFrame({"ticket_id": [1], "created_at": [pd.Timestamp("2026-11-23 09:00", tz="Asia/Shanghai")],
                       "channel": ["email"], "resolved_at": [pd.Timestamp("2026-11-23 10:00")]})
    out = sla_frame(df, at(11, 24), PACK)
    assert "resolved_at must be timezone-aware" in out.iloc[0]["error"]


def test_importing_the_sla_modules_does_not_import_pandas() -> None:
    code = ("import sys, triage, triage.sla.ticket, triage.sla.frame; "
            "print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# -- properties -------------------------------------------------------------------------------------------------
instants = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2026, 12, 31),
                        timezones=st.just(SH))
facts = st.fixed_dictionaries({
    "channel": st.sampled_from(["email", "wechat", "weibo", "marketplace", "form"]),
    "category": st.sampled_from(["logistics", "return_refund", "service_complaint", "presale", "quality"]),
    "tags": st.sampled_from([(), ("wants_refund",), ("wants_exchange",)]),
})


@settings(max_examples=60)
@given(instants, facts, st.sampled_from(["P1", "P2", "P3", "P4"]))
def test_a_deadline_is_never_before_receipt(created: dt.datetime, f: dict, priority: str) -> None:
    s = ticket_sla(ticket(created, priority=priority, **f), created, PACK, breakdown=False)
    assert s.metrics and all(m.due >= created for m in s.metrics.values())


@settings(max_examples=60)
@given(instants, facts)
def test_a_higher_priority_never_gets_a_later_deadline(created: dt.datetime, f: dict) -> None:
    dues = [ticket_sla(ticket(created, priority=p, **f), created, PACK, breakdown=False)
            for p in ("P1", "P2", "P3", "P4")]
    for higher, lower in itertools.pairwise(dues):
        for metric in ("first_response", "resolution"):
            assert higher[metric].due <= lower[metric].due


pauses_st = st.lists(st.tuples(st.integers(0, 20 * 24 * 60), st.integers(1, 3 * 24 * 60)), max_size=3)


def _pauses(start: dt.datetime, spec: list[tuple[int, int]]) -> list[clock.Pause]:
    out: list[clock.Pause] = []
    cursor = start
    for offset, length in spec:
        s = cursor + dt.timedelta(minutes=offset)
        out.append(clock.Pause(s, s + dt.timedelta(minutes=length)))
        cursor = s + dt.timedelta(minutes=length)
    return out


@settings(max_examples=80)
@given(instants, st.integers(0, 300), st.integers(0, 300), st.sampled_from(["h", "bh"]), pauses_st)
def test_a_longer_target_never_gives_an_earlier_deadline(start: dt.datetime, a: int, b: int, unit: str,
                                                         spec: list[tuple[int, int]]) -> None:
    lo, hi = sorted((a, b))
    pauses = _pauses(start, spec)
    d_lo, _ = clock.reach(BUSINESS, unit, start, lo * 600.0, pauses)
    d_hi, _ = clock.reach(BUSINESS, unit, start, hi * 600.0, pauses)
    assert start <= d_lo <= d_hi


@settings(max_examples=60)
@given(instants, facts, st.sampled_from(["P2", "P3", "P4"]), st.integers(0, 5 * 24 * 60), st.integers(1, 2 * 24 * 60))
def test_waiting_on_the_customer_never_makes_a_deadline_earlier(created: dt.datetime, f: dict, priority: str,
                                                               offset: int, length: int) -> None:
    wait = [TicketEvent("waiting_on_customer", created + dt.timedelta(minutes=offset)),
            TicketEvent("resumed", created + dt.timedelta(minutes=offset + length))]
    now = created + dt.timedelta(minutes=offset + length)
    plain = ticket_sla(ticket(created, priority=priority, **f), now, PACK, breakdown=False)
    waited = ticket_sla(ticket(created, wait, priority=priority, **f), now, PACK, breakdown=False)
    for metric, m in plain.metrics.items():
        assert waited[metric].due >= m.due


@settings(max_examples=80)
@given(instants, st.integers(0, 40 * 24 * 60), st.integers(0, 40 * 24 * 60))
def test_open_time_adds_up_and_inverts(a: dt.datetime, m1: int, m2: int) -> None:
    b = a + dt.timedelta(minutes=m1)
    c = b + dt.timedelta(minutes=m2)
    ab, _ = BUSINESS.business_seconds(a, b)
    bc, _ = BUSINESS.business_seconds(b, c)
    ac, _ = BUSINESS.business_seconds(a, c)
    assert abs(ab + bc - ac) < 1e-3
    assert ac == pytest.approx(sum((e - s).total_seconds() for s, e in BUSINESS.open_segments(a, c)), abs=1e-3)
    if ac > 0:
        reached, _, _ = BUSINESS.add_business_seconds(a, ac)
        assert BUSINESS.business_seconds(a, reached)[0] == pytest.approx(ac, abs=1e-3) and reached <= c


def test_results_do_not_depend_on_the_machine_time_zone() -> None:
    code = textwrap.dedent("""
        import os, time, datetime as dt
        os.environ["TZ"] = os.environ["CHECK_TZ"]; time.tzset()
        from triage.pack import load_pack
        from triage.sla.ticket import Ticket, ticket_sla
        utc = dt.timezone.utc
        t = Ticket.from_fields(created_at=dt.datetime(2026, 9, 30, 9, tzinfo=utc), channel="email",
                               category="return_refund", tags=["wants_refund"],
                               events=[{"type": "waiting", "at": "2026-10-08T03:00:00+00:00"},
                                       {"type": "customer_reply", "at": "2026-10-09T02:00:00"}])
        print(ticket_sla(t, dt.datetime(2026, 10, 12, 6, tzinfo=utc), load_pack()).explain())
    """)
    outputs = set()
    for tz in ("UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"):
        env = {**os.environ, "CHECK_TZ": tz}
        outputs.add(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                   check=True).stdout)
    assert len(outputs) == 1 and "resolution" in outputs.pop()

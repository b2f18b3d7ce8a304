"""SLA deadlines over Chinese business calendars."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import os
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import triage
from triage import Request
from triage.errors import CalendarDataMissing
from triage.pack import load_pack
from triage.sla.calendar import Duration, parse_duration

SH = ZoneInfo("Asia/Shanghai")
PACK = load_pack()
BUSINESS = PACK.sla.calendars["business"]
ALWAYS = PACK.sla.calendars["always"]


def test_refund_by_email_over_national_day(triager: triage.Triager) -> None:
    """Received 2026-09-30 17:00: 10/1–10/7 off, Saturday 10/10 is a make-up working day."""
    d = triager.triage(Request(text="退货已经寄回去了，麻烦尽快给我退款", channel="email",
                               received_at=dt.datetime(2026, 9, 30, 17, 0, tzinfo=SH)))
    assert "wants_refund" in d.tags
    res = d.sla["resolution"]
    assert res.due == dt.datetime(2026, 10, 10, 18, 0, tzinfo=SH)
    assert res.policy == "refund" and res.calendar == "business" and not res.estimated


def test_p1_at_night_on_a_holiday(triager: triage.Triager) -> None:
    text = "热水器漏电，我家孩子被电到了，现在在医院"
    when = dt.datetime(2026, 10, 1, 2, 0, tzinfo=SH)
    email = triager.triage(Request(text=text, channel="email", received_at=when))
    assert email.priority == "P1"
    assert email.sla["first_response"].due == dt.datetime(2026, 10, 1, 2, 30, tzinfo=SH)
    assert email.sla["periodic_update"].due == dt.datetime(2026, 10, 1, 3, 0, tzinfo=SH)
    chat = triager.triage(Request(text=text, channel="wechat", received_at=when))
    assert chat.sla["first_response"].due == dt.datetime(2026, 10, 1, 2, 1, tzinfo=SH)
    assert chat.sla["first_response"].policy == "instant_channel"


def test_deadline_in_a_year_without_data_is_estimated_and_says_why(triager: triage.Triager) -> None:
    d = triager.triage(Request(text="你们客服态度太差了，一直不回复，我要投诉", channel="email",
                               received_at=dt.datetime(2026, 12, 30, 10, 0, tzinfo=SH)))
    res = d.sla["resolution"]
    assert res.due.year == 2027 and res.estimated
    assert "2027" in (res.note or "")
    assert any("ESTIMATED" in r.message and "2027" in r.message for r in d.reasons if r.stage == "sla")
    # 12/31 (1), 1/1 statutory holiday, weekend, 1/4 (2), 1/5 (3)... the 2 working-day P2 target is strictest
    assert res.due == dt.datetime(2027, 1, 4, 18, 0, tzinfo=SH)


def test_strict_calendar_refuses_a_missing_year() -> None:
    strict = dataclasses.replace(BUSINESS, missing_year="strict")
    with pytest.raises(CalendarDataMissing, match="2027"):
        strict.add(dt.datetime(2026, 12, 30, 10, tzinfo=SH), parse_duration("5wd"))


def test_business_hours_skip_nights_weekends_and_holidays() -> None:
    fri = dt.datetime(2026, 11, 20, 17, 0, tzinfo=SH)          # Friday
    assert BUSINESS.add(fri, parse_duration("2bh"))[0] == dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)
    before_holiday = dt.datetime(2026, 9, 30, 17, 30, tzinfo=SH)
    assert BUSINESS.add(before_holiday, parse_duration("1bh"))[0] == dt.datetime(2026, 10, 8, 9, 30, tzinfo=SH)
    makeup_sunday = dt.datetime(2026, 9, 20, 9, 0, tzinfo=SH)   # 调休: Sunday 9/20 is a working day
    assert BUSINESS.add(makeup_sunday, parse_duration("3bh"))[0] == dt.datetime(2026, 9, 20, 12, 0, tzinfo=SH)


def test_working_days_end_at_close_of_business() -> None:
    mon = dt.datetime(2026, 11, 23, 23, 59, tzinfo=SH)
    assert BUSINESS.add(mon, parse_duration("1wd"))[0] == dt.datetime(2026, 11, 24, 18, 0, tzinfo=SH)
    assert BUSINESS.add(mon, parse_duration("5wd"))[0] == dt.datetime(2026, 11, 30, 18, 0, tzinfo=SH)


@pytest.mark.parametrize("text", ["30m", "24h", "7d", "8bh", "3wd", "1.5h"])
def test_durations_parse(text: str) -> None:
    assert str(parse_duration(text)) == text


@pytest.mark.parametrize("text", ["3 weeks", "wd", "-1h", "2.5wd", "", None, 5])
def test_bad_durations_are_errors(text: object) -> None:
    with pytest.raises(ValueError, match="duration|working days"):
        parse_duration(text)


instants = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2027, 6, 30),
                        timezones=st.just(SH))
durations = st.builds(Duration, st.integers(0, 400).map(float), st.sampled_from(["m", "h", "bh"])) | \
    st.builds(Duration, st.integers(0, 30).map(float), st.sampled_from(["wd", "d"]))


@settings(max_examples=300)
@given(instants, durations, st.sampled_from([BUSINESS, ALWAYS]))
def test_deadline_never_precedes_receipt(start: dt.datetime, dur: Duration, cal) -> None:
    assert cal.add(start, dur)[0] >= start


@settings(max_examples=300)
@given(instants, st.integers(0, 200), st.integers(0, 200), st.sampled_from(["m", "h", "bh", "wd", "d"]))
def test_longer_target_never_gives_an_earlier_deadline(start: dt.datetime, a: int, b: int, unit: str) -> None:
    if unit in ("wd", "d"):  # keep day counts realistic
        a, b = a % 20, b % 20
    lo, hi = sorted((a, b))
    assert BUSINESS.add(start, Duration(float(lo), unit))[0] <= BUSINESS.add(start, Duration(float(hi), unit))[0]


@settings(max_examples=200)
@given(instants, st.sampled_from(["email", "wechat", "weibo", "marketplace", None]),
       st.sampled_from(["logistics", "return_refund", "service_complaint", "presale"]),
       st.sampled_from([(), ("wants_refund",), ("wants_exchange",)]))
def test_higher_priority_never_gets_a_later_deadline(received: dt.datetime, channel, category, tags) -> None:
    from triage.route.conditions import Facts
    from triage.types import Priority

    def due(priority: Priority) -> dict[str, dt.datetime]:
        facts = Facts(request=Request(text="x", channel=channel), text="", subject="", hits={}, channel=channel,
                      channel_type=PACK.channel_type(channel), local_time=received, category=category,
                      categories=frozenset({category}), tags=list(tags), priority=priority)
        targets, _ = PACK.sla.deadlines(facts, received)
        return {m: t.due for m, t in targets.items()}

    levels = [due(p) for p in (Priority.P1, Priority.P2, Priority.P3, Priority.P4)]
    for higher, lower in itertools.pairwise(levels):
        for metric in ("first_response", "resolution"):
            assert higher[metric] <= lower[metric]


def test_results_do_not_depend_on_the_machine_time_zone() -> None:
    code = ("import datetime as dt, triage; t = triage.load(); "
            "d = t.triage(triage.Request(text='退款还没到账', channel='email', "
            "received_at=dt.datetime(2026, 9, 30, 9, 0, tzinfo=dt.timezone.utc))); "
            "print({k: v.due.isoformat() for k, v in d.sla.items()})")
    outputs = set()
    for tz in ("UTC", "America/New_York", "Asia/Kolkata"):
        env = {**os.environ, "TZ": tz}
        outputs.add(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                   check=True).stdout)
    assert len(outputs) == 1


def test_holiday_data_agrees_with_chinesecalendar() -> None:
    chinese_calendar = pytest.importorskip("chinese_calendar")
    day = dt.date(2024, 1, 1)
    while day.year <= 2026:
        assert BUSINESS.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


def test_shipped_holiday_file_is_what_the_generator_writes() -> None:
    pytest.importorskip("chinese_calendar")
    from triage.pack import default_pack_path
    from triage.sla.holidays_data import render

    assert (default_pack_path() / "holidays" / "cn.yaml").read_text(encoding="utf-8") == render(2020)

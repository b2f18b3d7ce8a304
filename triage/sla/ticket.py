"""SLA status of a ticket at any moment, replayed from its events.

:func:`ticket_sla` is a pure function of a :class:`Ticket` (its facts at
creation and its events), a time ``now`` and the rule pack's SLA policies and
calendars. It serves the live question ("is this ticket on track, and who must be
told?") and history ("what would last quarter look like under the new calendar?")
with the same code: replay the events up to ``now``, nothing is stored.

The clocks
----------
``first_response``
    From creation to the first agent reply (or to the resolution, if the ticket was
    resolved without one). **It is not paused** while waiting on the customer: until
    the customer has had an answer there is nothing they could be waited on for.
``next_response``
    From each customer message that follows an agent reply to the next agent reply
    (one cycle per message; ``breaches`` counts the late cycles). Paused while waiting
    on the customer.
``periodic_update``
    From creation, and again from each agent reply, to the next agent reply (P1: every
    hour). Paused while waiting on the customer; ends at resolution.
``resolution``
    From creation to resolution. Paused while waiting on the customer (a
    ``waiting_on_customer`` event until ``resumed`` or the customer's reply), and
    between ``resolved`` and ``reopened`` (a customer reply reopens a resolved ticket).

State: ``met`` (stopped in time), ``breached`` (past the deadline, running or
stopped late), ``paused`` (waiting on the customer and not yet breached),
``warning`` (counted at least ``warning_at`` of the target, default 80%) or
``on_track``. While a clock is paused, ``due`` is the deadline if it resumed at
``now``, so it moves later the longer the wait lasts.

Priority and category changes
-----------------------------
A change of priority, category or tags **recomputes every running clock from the
new policy, counted from the clock's original start** (ticket creation for
first response and resolution), as Zendesk and Freshdesk do: upgrading a
two-day-old ticket to P1 makes it breached at once, because the customer has
waited that long. Time already spent waiting on the customer still does not
count. A clock that has stopped keeps the policy in force when it stopped: a first
response given under P3 stays met when the ticket later becomes P1.

Policies combine as in :mod:`triage.sla.policy`: the earliest deadline (with
pauses) wins and brings its calendar, ``warning_at`` and escalation levels. One
addition: ``elapsed`` escalation levels of the other applicable policies also
apply ("complaint unresolved 48 h → escalate" holds even when a stricter P2
resolution target sets the deadline).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ..errors import InputError
from ..route.conditions import Facts
from ..types import Customer, Decision, Order, Priority, Request
from . import clock
from .clock import Pause, Segment
from .events import TicketEvent, parse_events, parse_time
from .policy import METRICS, SlaBook, SlaPolicy

if TYPE_CHECKING:
    from ..pack import RulePack

__all__ = ["STATES", "Escalation", "MetricStatus", "Ticket", "TicketFacts", "TicketSla", "ticket_sla"]

STATES = ("on_track", "warning", "breached", "met", "paused")
_SHANGHAI = ZoneInfo("Asia/Shanghai")
_WAITING = "waiting on customer"
_RESOLVED = "resolved (until reopened)"


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketFacts:
    """What SLA policies select on: the same names as the rule conditions.

    Build it from a :class:`~triage.types.Decision` (:meth:`Ticket.from_decision`)
    or from plain fields (:meth:`Ticket.from_fields`). Text conditions (keywords,
    regexes) never hold here: a ticket carries no text.
    """

    priority: Priority = Priority.P3
    category: str | None = None
    categories: frozenset[str] = frozenset()
    tags: tuple[str, ...] = ()
    channel: str | None = None
    channel_type: str | None = None
    tier: str | None = None
    customer_id: str | None = None
    queue: str | None = None
    order_amount: float | None = None
    needs_review: bool = False
    confidence: float = 1.0
    entities: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "priority", Priority.parse(self.priority))
        tags = (self.tags,) if isinstance(self.tags, str) else tuple(self.tags)
        if not all(isinstance(t, str) for t in tags):
            raise InputError(f"tags must be text, got {self.tags!r}")
        object.__setattr__(self, "tags", tags)
        cats = frozenset(self.categories)
        if self.category and self.category not in cats:
            cats = cats | {self.category}
        object.__setattr__(self, "categories", cats)
        if self.channel is not None:
            object.__setattr__(self, "channel", str(self.channel).strip().lower() or None)
        if self.tier is not None:
            object.__setattr__(self, "tier", str(self.tier).strip().lower() or None)

    def key(self) -> tuple[Any, ...]:
        return (self.priority, self.category, self.categories, frozenset(self.tags), self.channel,
                self.channel_type, self.tier, self.customer_id, self.queue, self.order_amount, self.needs_review,
                self.confidence, self.entities)

    def to_facts(self, local_time: dt.datetime) -> Facts:
        """The :class:`~triage.route.conditions.Facts` policy conditions read."""
        customer = Customer(id=self.customer_id, tier=self.tier) if self.customer_id or self.tier else None
        order = Order(amount=self.order_amount) if self.order_amount is not None else None
        request = Request(text="", channel=self.channel, customer=customer, order=order)
        return Facts(request=request, text="", subject="", hits={}, channel=self.channel,
                     channel_type=self.channel_type or "", local_time=local_time, category=self.category,
                     categories=self.categories, confidence=self.confidence, needs_review=self.needs_review,
                     entities=self.entities, tags=list(self.tags), priority=self.priority, queue=self.queue)


@dataclass(frozen=True, slots=True, kw_only=True)
class Ticket:
    """A ticket for SLA purposes: when it was created, its facts then, and what happened since.

    ``events`` may be :class:`~triage.sla.events.TicketEvent` objects or mappings
    (``{"type": "agent_reply", "at": "2026-10-08T10:00:00+08:00"}``); they are
    validated and sorted into replay order. ``forced_policies`` are policies that
    apply whatever the facts say (a rule's ``sla_policy:`` action).

    Raises
    ------
    InputError
        A naive ``created_at``, a bad event (naming it and the field), or an event
        before creation.
    """

    created_at: dt.datetime
    facts: TicketFacts = field(default_factory=TicketFacts)
    events: tuple[TicketEvent, ...] = ()
    id: str | None = None
    forced_policies: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        created = parse_time(self.created_at, "created_at")
        object.__setattr__(self, "created_at", created)
        if not isinstance(self.facts, TicketFacts):
            raise InputError(f"facts must be a TicketFacts, got {type(self.facts).__name__}")
        events = parse_events(self.events, default_tz=created.tzinfo)
        for ev in events:
            if ev.at < created:
                raise InputError(f"event {ev.type} at {ev.at.isoformat()} is before the ticket was created "
                                 f"({created.isoformat()})")
            if ev.type == "created" and ev.at != created:
                raise InputError(f"a created event at {ev.at.isoformat()} disagrees with created_at "
                                 f"{created.isoformat()}")
        object.__setattr__(self, "events", events)
        object.__setattr__(self, "forced_policies", tuple(self.forced_policies))

    @classmethod
    def from_decision(cls, decision: Decision, events: Iterable[TicketEvent | Mapping[str, Any]] = (), *,
                      id: str | None = None, customer_tier: str | None = None,
                      rules: RulePack | SlaBook | None = None,
                      forced_policies: Sequence[str] | None = None) -> Ticket:
        """A ticket created by a triage decision (its priority, category, tags, channel, queue).

        Pass the rule pack as ``rules`` so that policies the decision used but the
        facts alone would not select (a rule's ``sla_policy:`` action, a text
        condition) stay in force; or name them in ``forced_policies``. Then the
        ticket's deadlines with no events equal ``decision.sla``.
        """
        facts = TicketFacts(priority=decision.priority, category=decision.category,
                            categories=frozenset(c.category for c in decision.categories), tags=decision.tags,
                            channel=decision.channel, channel_type=decision.channel_type, tier=customer_tier,
                            queue=decision.queue, needs_review=decision.needs_review,
                            confidence=decision.confidence, entities=frozenset(e.kind for e in decision.entities))
        forced: tuple[str, ...] = tuple(forced_policies or ())
        if forced_policies is None and rules is not None:
            book, _, tz = _unpack(rules, None)
            local = decision.received_at.astimezone(tz)
            matched = {p.id for p in book.matching(facts.to_facts(local))}
            forced = tuple(dict.fromkeys(t.policy for t in decision.sla.values() if t.policy not in matched))
        return cls(created_at=decision.received_at, facts=facts,
                   events=parse_events(events, default_tz=decision.received_at.tzinfo),
                   id=id if id is not None else decision.request_id, forced_policies=forced)

    @classmethod
    def from_fields(cls, *, created_at: dt.datetime | str, priority: str | Priority = "P3",
                    category: str | None = None, channel: str | None = None, channel_type: str | None = None,
                    tags: Iterable[str] | str = (), tier: str | None = None, queue: str | None = None,
                    customer_id: str | None = None, order_amount: float | None = None,
                    events: Iterable[TicketEvent | Mapping[str, Any]] = (), id: str | None = None,
                    forced_policies: Sequence[str] = ()) -> Ticket:
        """A ticket from plain fields (a row of historical tickets).

        ``tags`` may be a list or a comma-separated string. ``channel_type`` may be
        left out when :func:`ticket_sla` gets a rule pack: the pack maps the channel.
        """
        if isinstance(tags, str):
            tags = [t.strip() for t in tags.split(",") if t.strip()]
        facts = TicketFacts(priority=Priority.parse(priority), category=category, tags=tuple(tags),
                            channel=channel, channel_type=channel_type, tier=tier, queue=queue,
                            customer_id=customer_id, order_amount=order_amount)
        created = parse_time(created_at, "created_at")
        return cls(created_at=created, facts=facts, events=parse_events(events, default_tz=created.tzinfo), id=id,
                   forced_policies=tuple(forced_policies))


@dataclass(frozen=True, slots=True, kw_only=True)
class Escalation:
    """An escalation level that fired: when, and whom it tells."""

    level: str
    at: dt.datetime
    notify: tuple[str, ...]
    policy: str

    def __str__(self) -> str:
        return f"{self.level} at {self.at:%m/%d %H:%M} → {', '.join(self.notify)} (policy {self.policy})"


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricStatus:
    """One SLA metric of a ticket at ``now``.

    ``elapsed`` is the time the clock counted (pauses, and for ``bh``/``wd``
    targets nights, breaks, weekends and holidays, excluded); ``remaining`` is the
    target minus that, negative once overdue. ``escalation`` is the highest level
    reached (``None`` before any) and ``notify`` whom it tells; ``escalations``
    lists every level that fired, in time order. For ``next_response`` and
    ``periodic_update`` the fields describe the latest cycle, ``cycles`` counts
    them and ``breaches`` counts the late ones.
    """

    metric: str
    state: str
    target: str
    policy: str
    calendar: str
    started_at: dt.datetime
    due: dt.datetime
    stopped_at: dt.datetime | None
    elapsed: dt.timedelta
    remaining: dt.timedelta
    warning_at: float
    escalation: str | None = None
    notify: tuple[str, ...] = ()
    escalations: tuple[Escalation, ...] = ()
    estimated: bool = False
    note: str | None = None
    cycles: int = 1
    breaches: int = 0
    breakdown: tuple[Segment, ...] = ()

    def explain(self) -> str:
        """A few lines a manager can read: state, deadline, policy, escalation, then the breakdown."""
        from .clock import format_duration

        head = (f"{self.metric}: {self.state.upper()} — due {self.due:%Y-%m-%d %H:%M} "
                f"({self.target}, policy {self.policy}, calendar {self.calendar}); counted "
                f"{format_duration(self.elapsed)}, ")
        head += (f"{format_duration(self.remaining)} left" if self.remaining >= dt.timedelta(0)
                 else f"{format_duration(-self.remaining)} over")
        if self.stopped_at is not None:
            head += f"; stopped {self.stopped_at:%m/%d %H:%M}"
        if self.cycles > 1:
            head += f"; cycle {self.cycles}, {self.breaches} late"
        lines = [head]
        if self.escalation:
            lines.append(f"  escalation {self.escalation} → notify {', '.join(self.notify)}")
            lines.extend(f"    {e}" for e in self.escalations)
        if self.estimated:
            lines.append(f"  ESTIMATED: {self.note}")
        lines.extend(f"  {s}" for s in self.breakdown)
        return "\n".join(lines)


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketSla:
    """Every SLA metric of one ticket at ``now`` (metrics without a target are absent)."""

    ticket_id: str | None
    now: dt.datetime
    metrics: Mapping[str, MetricStatus]

    def __getitem__(self, metric: str) -> MetricStatus:
        return self.metrics[metric]

    def explain(self) -> str:
        head = f"ticket {self.ticket_id or '-'} at {self.now:%Y-%m-%d %H:%M %Z}"
        return "\n".join([head, *(m.explain() for m in self.metrics.values())])


# -- replay ------------------------------------------------------------------------------------------------
@dataclass
class _Replay:
    """The clocks' cycles and pauses after replaying the events up to ``now``."""

    facts: list[tuple[dt.datetime, TicketFacts]]
    pauses: list[Pause]
    paused_now: bool
    cycles: dict[str, list[tuple[dt.datetime, dt.datetime | None]]]

    def facts_at(self, when: dt.datetime) -> TicketFacts:
        current = self.facts[0][1]
        for at, f in self.facts:
            if at > when:
                break
            current = f
        return current


def _replay(ticket: Ticket, now: dt.datetime) -> _Replay:
    created = ticket.created_at
    facts = ticket.facts
    timeline = [(created, facts)]
    pauses: list[Pause] = []
    waiting: dt.datetime | None = None
    resolved: dt.datetime | None = None
    first_stop: dt.datetime | None = None
    pending: dt.datetime | None = None
    periodic: dt.datetime | None = created
    next_cycles: list[tuple[dt.datetime, dt.datetime | None]] = []
    periodic_cycles: list[tuple[dt.datetime, dt.datetime | None]] = []
    replied = False

    def reopen(at: dt.datetime) -> None:
        nonlocal resolved, periodic
        assert resolved is not None
        pauses.append(Pause(resolved, at, _RESOLVED))
        resolved, periodic = None, at

    for ev in ticket.events:
        t = ev.at
        if t > now:
            break
        kind = ev.type
        if kind in ("priority_changed", "category_changed", "tag_added", "tag_removed"):
            v = str(ev.value)
            if kind == "priority_changed":
                facts = dataclasses.replace(facts, priority=Priority(v))
            elif kind == "category_changed":
                cats = (facts.categories - {facts.category}) if facts.category else facts.categories
                facts = dataclasses.replace(facts, category=v, categories=cats | {v})
            elif kind == "tag_added" and v not in facts.tags:
                facts = dataclasses.replace(facts, tags=(*facts.tags, v))
            elif kind == "tag_removed":
                facts = dataclasses.replace(facts, tags=tuple(x for x in facts.tags if x != v))
            timeline.append((t, facts))
        elif kind == "customer_reply":
            if resolved is not None:
                reopen(t)
            if waiting is not None:
                pauses.append(Pause(waiting, t, _WAITING))
                waiting = None
            if replied and pending is None:
                pending = t
        elif kind == "reopened":
            if resolved is not None:
                reopen(t)
        elif kind == "resumed":
            if waiting is not None:
                pauses.append(Pause(waiting, t, _WAITING))
                waiting = None
        elif kind == "agent_reply":
            if resolved is not None:
                continue  # a note on a resolved ticket changes no clock
            replied = True
            if first_stop is None:
                first_stop = t
            if pending is not None:
                next_cycles.append((pending, t))
                pending = None
            if periodic is not None:
                periodic_cycles.append((periodic, t))
                periodic = t
        elif kind == "waiting_on_customer":
            if waiting is None and resolved is None:
                waiting = t
        elif kind == "resolved" and resolved is None:
            resolved = t
            if waiting is not None:
                pauses.append(Pause(waiting, t, _WAITING))
                waiting = None
            if first_stop is None:
                first_stop = t
            if pending is not None:
                next_cycles.append((pending, t))
                pending = None
            if periodic is not None:
                periodic_cycles.append((periodic, t))
                periodic = None
    paused_now = waiting is not None
    if waiting is not None:
        pauses.append(Pause(waiting, now, _WAITING))
    if pending is not None:
        next_cycles.append((pending, None))
    if periodic is not None:
        periodic_cycles.append((periodic, None))
    cycles = {
        "first_response": [(created, first_stop)],
        "next_response": next_cycles,
        "periodic_update": periodic_cycles,
        "resolution": [(created, resolved)],
    }
    return _Replay(timeline, pauses, paused_now, cycles)


# -- evaluation --------------------------------------------------------------------------------------------
def _unpack(rules: RulePack | SlaBook, tz: dt.tzinfo | None) -> tuple[SlaBook, Any, dt.tzinfo]:
    if isinstance(rules, SlaBook):
        return rules, None, tz or _SHANGHAI
    book = getattr(rules, "sla", None)
    if not isinstance(book, SlaBook):
        raise InputError(f"rules must be a RulePack or an SlaBook, got {type(rules).__name__}")
    return book, rules.channel_type, tz or rules.timezone


@dataclass
class _Context:
    """What one call (or one batch) shares: the book, channel mapping, zone and a memo of policy matches."""

    book: SlaBook
    channel_type: Any
    tz: dt.tzinfo
    matches: dict[tuple[Any, ...], tuple[SlaPolicy, ...]] = field(default_factory=dict)

    def policies(self, facts: TicketFacts, created: dt.datetime, forced: tuple[str, ...]) -> tuple[SlaPolicy, ...]:
        local = created.astimezone(self.tz)
        key = (facts.key(), local.hour, local.weekday(), forced)
        found = self.matches.get(key)
        if found is None:
            if facts.channel_type is None:
                if self.channel_type is None:
                    raise InputError("the ticket has no channel_type; give one, or pass the rule pack (not only "
                                     "its SlaBook) so the channel can be mapped")
                facts = dataclasses.replace(facts, channel_type=self.channel_type(facts.channel))
            found = self.book.matching(facts.to_facts(local), forced)
            self.matches[key] = found
        return found


def _evaluate(ctx: _Context, metric: str, start: dt.datetime, stop: dt.datetime | None, now: dt.datetime,
              policies: tuple[SlaPolicy, ...], pauses: Sequence[Pause], paused_now: bool, want_breakdown: bool
              ) -> MetricStatus | None:
    candidates = [p for p in policies if metric in p.targets]
    if not candidates:
        return None
    end = stop if stop is not None else now
    best: tuple[dt.datetime, SlaPolicy, float, tuple[int, ...]] | None = None
    for p in candidates:
        cal = ctx.book.calendars[p.calendar]
        dur = p.targets[metric]
        amt, due, missing = clock.amount(cal, start, dur)
        if pauses and any(q.end > start for q in pauses):
            due, more = clock.reach(cal, dur.unit, start, amt, pauses)
            missing = tuple(sorted(set(missing) | set(more)))
        if best is None or due < best[0]:
            best = (due, p, amt, missing)
    assert best is not None
    due, policy, amt, missing = best
    cal = ctx.book.calendars[policy.calendar]
    unit = policy.targets[metric].unit
    elapsed_s, more = clock.counted(cal, unit, start, end, pauses)
    years = set(missing) | set(more)
    if stop is not None:
        state = "met" if stop <= due else "breached"
    elif now >= due:
        state = "breached"
    elif paused_now and pauses:
        state = "paused"
    elif elapsed_s >= policy.warning_at * amt:
        state = "warning"
    else:
        state = "on_track"

    # escalation: the winner's levels, plus `elapsed` levels of the other applicable policies
    fired: list[tuple[int, dt.datetime, str, tuple[str, ...], str]] = []
    levels = [(policy, i, lv) for i, lv in enumerate(policy.levels(metric))]
    levels += [(p, i, lv) for p in candidates if p is not policy
               for i, lv in enumerate(p.levels(metric)) if lv.elapsed is not None]
    for p, rank, lv in levels:
        lcal = ctx.book.calendars[p.calendar]
        ldur = lv.after if lv.after is not None else lv.elapsed
        origin = due if lv.after is not None else start
        if ldur is None or (lv.after is not None and end < due):
            continue
        lamt, _, _ = clock.amount(lcal, origin, ldur)
        at, _ = clock.reach(lcal, ldur.unit, origin, lamt, pauses)
        if at <= end:
            fired.append((rank, at, lv.level, lv.notify, p.id))
    top = max(fired, key=lambda f: (f[0], f[1])) if fired else None
    escalations = tuple(Escalation(level=f[2], at=f[1], notify=f[3], policy=f[4])
                        for f in sorted(fired, key=lambda f: (f[1], f[0])))
    note = "; ".join(cal.missing_note(y) for y in sorted(years)) or None
    segs = clock.breakdown(cal, unit, start, end, pauses) if want_breakdown else ()
    return MetricStatus(
        metric=metric, state=state, target=str(policy.targets[metric]), policy=policy.id, calendar=cal.id,
        started_at=start, due=due, stopped_at=stop, elapsed=dt.timedelta(seconds=elapsed_s),
        remaining=dt.timedelta(seconds=amt - elapsed_s), warning_at=policy.warning_at,
        escalation=top[2] if top else None, notify=top[3] if top else (), escalations=escalations,
        estimated=bool(years), note=note, breakdown=segs)


def _ticket_sla(ctx: _Context, ticket: Ticket, now: dt.datetime, want_breakdown: bool) -> TicketSla:
    now = parse_time(now, "now")
    if now < ticket.created_at:
        raise InputError(f"now ({now.isoformat()}) is before the ticket was created "
                         f"({ticket.created_at.isoformat()})")
    rp = _replay(ticket, now)
    out: dict[str, MetricStatus] = {}
    for metric in METRICS:
        cycles = rp.cycles[metric]
        pauses = () if metric == "first_response" else rp.pauses
        results: list[MetricStatus] = []
        for k, (start, stop) in enumerate(cycles):
            last = k == len(cycles) - 1
            facts = rp.facts_at(stop if stop is not None else now)
            policies = ctx.policies(facts, ticket.created_at, ticket.forced_policies)
            status = _evaluate(ctx, metric, start, stop, now, policies, pauses,
                               rp.paused_now and stop is None, want_breakdown and last)
            if status is not None:
                results.append(status)
        if results:
            breaches = sum(r.state == "breached" for r in results)
            latest = results[-1]
            if len(cycles) > 1 or breaches:
                latest = dataclasses.replace(latest, cycles=len(cycles), breaches=breaches)
            out[metric] = latest
    return TicketSla(ticket_id=ticket.id, now=now, metrics=MappingProxyType(out))


def ticket_sla(ticket: Ticket, now: dt.datetime, rules: RulePack | SlaBook, *, breakdown: bool = True,
               timezone: dt.tzinfo | None = None) -> TicketSla:
    """Every SLA metric of ``ticket`` at ``now``: target, deadline, elapsed, remaining, state, escalation.

    Parameters
    ----------
    ticket:
        The ticket and its events; events after ``now`` are ignored, so the same
        ticket can be asked about any moment of its history.
    now:
        A timezone-aware instant (never read from the machine's clock).
    rules:
        The rule pack (``triage.load_pack()`` or ``triager.pack``) or its ``sla`` book.
    breakdown:
        Also build the segment-by-segment breakdown of each metric's latest cycle.
    timezone:
        The zone for ``hour``/``weekday`` policy conditions (default: the pack's).

    Raises
    ------
    InputError
        ``now`` is naive or before creation, or the ticket's channel type is unknown.
    CalendarDataMissing
        A ``strict`` calendar was asked about a year it has no data for.

    Examples
    --------
    >>> t = Ticket.from_fields(created_at="2026-09-30T17:00:00+08:00", channel="email",
    ...                        category="return_refund", tags=["wants_refund"])
    >>> s = ticket_sla(t, dt.datetime(2026, 10, 8, 9, 0, tzinfo=_SHANGHAI), load_pack())  # doctest: +SKIP
    >>> s["resolution"].due, s["resolution"].state                                        # doctest: +SKIP
    (datetime.datetime(2026, 10, 10, 18, 0, tzinfo=...), 'on_track')
    """
    book, mapper, tz = _unpack(rules, timezone)
    return _ticket_sla(_Context(book, mapper, tz), ticket, now, breakdown)

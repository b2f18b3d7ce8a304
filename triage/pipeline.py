"""The pipeline: one loaded :class:`Triager` turns requests into decisions.

A request travels left to right, once::

    normalise → tokenise → entities → classify → history signals → tags → priority → routing → SLA → Decision

History comes from ``request.history`` when the caller gives it, else from the
triager's store (:mod:`triage.history`), looked up by customer id; with a store,
every decision is recorded whole or not at all. A store that fails never stops
triage: the decision is made without history and the reasons say so.

Each stage reads what the earlier ones produced and adds its part and its
reasons. The triager is immutable after loading and serves many threads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, InputError, TriageError
from .history.signals import describe_contacts, find_chasing, history_counter, in_window, is_chasing
from .route.conditions import Facts
from .route.engine import StageResult
from .text.entities import extract_entities
from .text.normalize import Normalized, Normalizer
from .types import Decision, Evidence, HistoryItem, Priority, Reason, Request

if TYPE_CHECKING:
    import pandas as pd

    from .classify.model import Classifier
    from .history import HistoryStore, SafeStore
    from .pack import RulePack
    from .route.assign import Roster
    from .sla.ticket import Ticket, TicketSla
    from .text.tokenize import Tokenizer

__all__ = ["Triager", "load", "default_model_path", "RowError", "model_text"]

DEFAULT_MAX_CHARS = 20_000


def default_model_path() -> Path:
    """Where the shipped model bundle lives (package data, or ``models/default`` in a source checkout)."""
    from importlib import resources

    packaged = resources.files("triage").joinpath("_data", "models", "default")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "models" / "default"


def model_text(text: str, subject: str | None) -> str:
    """The (normalised) text the classifier reads: subject, then body."""
    return f"{subject} {text}" if subject and text else (subject or text)


@dataclass(frozen=True, slots=True)
class RowError:
    """Stands in for a decision when one input of a batch could not be triaged."""

    index: int
    error: str

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "error": self.error}


class Triager:
    """Triage requests with a loaded model and rule pack.

    Build it with :func:`triage.load`. It is immutable and thread-safe: one
    instance serves every thread of a bot or a web server.
    """

    def __init__(self, *, classifier: Classifier, tokenizer: Tokenizer, pack: RulePack,
                 normalizer: Normalizer | None = None, max_chars: int = DEFAULT_MAX_CHARS,
                 store: SafeStore | None = None, history_days: int = 30) -> None:
        missing = [lab for lab in classifier.labels if lab not in pack.categories]
        if missing:
            raise ConfigError(f"rule pack {pack.tag} has no category entry (queue, priority) for the model's "
                              f"labels: {', '.join(missing)}; add them under 'categories:'")
        self.classifier = classifier
        self.tokenizer = tokenizer.warm_up()
        self.pack = pack
        self.normalizer = normalizer or Normalizer()
        self.max_chars = max_chars
        self.store = store
        self.history_days = history_days  # store lookup window; covers the largest `history: {days:}` in rules
        self.normalizer("預熱")  # build the t2s converter now, not on the first request
        self._origin: dict[str, Any] | None = None  # set by load(): how to load this triager again elsewhere

    def __reduce__(self) -> tuple[Any, ...]:
        # Sent to another process (workers=N without fork, e.g. on Windows) as the arguments it was
        # loaded with, the model pinned to the same manifest: loaded there once, never pickled whole.
        if self._origin is None:
            raise TypeError("only a Triager from triage.load() without a history store can be sent to another "
                            "process (it is loaded again there, from the same files)")
        return (_load_again, (self._origin,))

    def __repr__(self) -> str:
        return (f"Triager(model={self.classifier.tag!r}, rules={self.pack.tag!r}, "
                f"tokenizer={self.tokenizer.backend!r})")

    @property
    def model_version(self) -> str:
        return self.classifier.tag

    @property
    def rules_version(self) -> str:
        return self.pack.tag

    # -- one request ---------------------------------------------------------------------------------------
    def triage(self, request: Request | str | Mapping[str, Any], *, now: dt.datetime | None = None,
               roster: Roster | None = None, record: bool = True) -> Decision:
        """Decide about one request.

        Parameters
        ----------
        request:
            A :class:`Request`, a plain string (the text), or a mapping as accepted
            by :meth:`Request.from_dict`.
        now:
            The receipt time to use when the request has none (timezone-aware).
            Defaults to the current time, read once here.
        roster:
            Agents to assign from (:class:`triage.route.assign.Roster`). The roster is
            shared, mutable state: assigning counts the request on the agent's load.
        record:
            With a history store, record the decision (default). ``False`` for
            what-if runs that must not count as a contact.
        """
        if isinstance(request, str):
            request = Request(text=request)
        elif isinstance(request, Mapping):
            request = Request.from_dict(request)
        elif not isinstance(request, Request):
            raise InputError(f"expected a triage.Request, a str or a mapping; got {type(request).__name__}")
        received = request.received_at or now or dt.datetime.now(dt.UTC)
        if received.tzinfo is None:
            raise InputError("now must be timezone-aware")
        pack = self.pack
        reasons: list[Reason] = []

        text = request.text
        if len(text) > self.max_chars:
            reasons.append(Reason("text", "limit", f"text is {len(text):,} characters; the first "
                                                   f"{self.max_chars:,} were analysed"))
            text = text[: self.max_chars]
        norm = self.normalizer(text)
        subject = self.normalizer(request.subject[: self.max_chars]) if request.subject else None
        clf_text = model_text(norm.text, subject.text if subject else None)
        words = self.tokenizer.cut(clf_text)
        entities = extract_entities(norm)
        if entities:
            reasons.append(Reason("text", "entities", "found " + ", ".join(
                f"{e.kind} {e.value}" + (f" ({e.carrier})" if e.carrier else "") for e in entities)))

        pred = self.classifier.predict(clf_text, words)
        reasons.append(Reason("model", self.classifier.tag, pred.why))

        hits: dict[str, list[tuple[str, int, int]]] = {}
        pack.keywords.find(norm, "text", hits)
        if subject is not None:
            pack.keywords.find(subject, "subject", hits)
        kinds = {e.kind for e in entities}
        if request.order is not None and request.order.id:
            kinds.add("order_id")
        category = pred.category
        cat_cfg = pack.categories[category]
        start_priority = pack.review_priority if pred.vague else Priority(cat_cfg.priority)
        start_queue = pack.review_queue if pred.vague else cat_cfg.queue
        channel_type = pack.channel_type(request.channel)
        facts = Facts(
            request=request, text=norm.text, subject=subject.text if subject else "", hits=hits,
            channel=request.channel, channel_type=channel_type, local_time=received.astimezone(pack.timezone),
            category=category, categories=frozenset(c.category for c in pred.categories),
            confidence=pred.confidence, needs_review=pred.needs_review, entities=frozenset(kinds),
            priority=start_priority,
            urgency=pred.urgency, urgency_thresholds=self.classifier.urgency_thresholds,
            urgency_drivers=pred.urgency_drivers, extracted=entities,
        )
        result = StageResult(cc=[], sla_policy=None, reasons=reasons, fired=[])
        items, source = self._history_items(request, received, reasons)
        facts.history = history_counter(items, received_at=received, category=category, channel=request.channel,
                                        exclude=request.id)
        self._history_signals(facts, items, source, received, norm, reasons)

        engine = pack.engine
        engine.run_stage("tags", facts, result)
        if pred.vague:
            reasons.append(Reason("priority", "review", f"start at {facts.priority} (too vague for a category)"))
        else:
            reasons.append(Reason("priority", "category", f"start at {facts.priority} ({category} default)"))
        engine.run_stage("priority", facts, result)
        facts.queue = start_queue
        reasons.append(Reason("routing", "review" if pred.vague else "category",
                              f"start in {start_queue} " + ("(too vague for a category)" if pred.vague
                                                            else f"({category} → {start_queue})")))
        engine.run_stage("routing", facts, result)
        cc = result.cc
        if pack.cc_secondary:
            for c in pred.categories[1:]:
                q = pack.categories[c.category].queue
                if q != facts.queue and q not in cc:
                    cc.append(q)
                    reasons.append(Reason("routing", "compound", f"cc {q}: also {c.category} "
                                                                 f"({c.confidence:.2f})"))
        cc[:] = [q for q in cc if q != facts.queue]

        queue = facts.queue or pack.review_queue
        assignee = None
        if roster is not None:
            assignee, why = roster.assign(queue)
            reasons.append(why)

        sla, sla_reasons = pack.sla.deadlines(facts, received, result.sla_policy)
        reasons.extend(sla_reasons)

        decision = Decision(
            request_id=request.id, category=category, categories=pred.categories, confidence=pred.confidence,
            needs_review=facts.needs_review, tags=tuple(facts.tags), entities=entities, priority=facts.priority,
            queue=queue, cc=tuple(cc), assignee=assignee, sla=MappingProxyType(sla),
            reasons=tuple(reasons), received_at=received, channel=request.channel, channel_type=channel_type,
            model_version=self.classifier.tag, rules_version=pack.tag,
        )
        if self.store is not None and record:
            from .history import DecisionRecord

            written = self.store.record(DecisionRecord.from_decision(request, decision))
            if not written.applied:
                decision = dataclasses.replace(decision, reasons=(
                    *decision.reasons, Reason("history", "store", f"decision not recorded: {written.reason}")))
        return decision

    # -- history -------------------------------------------------------------------------------------------
    def _history_items(self, request: Request, received: dt.datetime, reasons: list[Reason]
                       ) -> tuple[tuple[HistoryItem, ...] | None, str]:
        """Earlier contacts: the request's own, else the store's; ``None`` when unknown."""
        if request.history:
            return request.history, "request.history"
        cid = request.customer.id if request.customer is not None else None
        if self.store is None or not cid:
            return None, ""
        lookup = self.store.history(cid, received - dt.timedelta(days=self.history_days), received,
                                    exclude=request.id)
        if not lookup.available:
            reasons.append(Reason("history", "store", f"history unavailable: {lookup.reason}"))
            return None, "store"
        return tuple(lookup.items), "store"

    @staticmethod
    def _history_signals(facts: Facts, items: tuple[HistoryItem, ...] | None, source: str, received: dt.datetime,
                         norm: Normalized, reasons: list[Reason]) -> None:
        """Tags from earlier contacts (repeat_contact, repeat_complaint) and from chasing language."""
        if items and facts.history is not None:
            stats = facts.history(7)
            recent = in_window(items, received, 7, exclude=facts.request.id)
            if stats.contacts:
                facts.tags.append("repeat_contact")
                reasons.append(Reason("history", source, f"{stats.contacts} earlier contact(s) in 7 days"
                                      + (f", {stats.open} still open" if stats.open else "")
                                      + (f", {stats.other_channels} via other channels" if stats.other_channels
                                         else "")
                                      + f": {describe_contacts(recent)}"))
            if stats.same_category and facts.category not in ("presale", "feedback"):
                facts.tags.append("repeat_complaint")
                same = [h for h in recent if h.category == facts.category]
                reasons.append(Reason("history", source, f"{stats.same_category} earlier contact(s) about "
                                                         f"{facts.category} in 7 days: {describe_contacts(same)}"))
        chasing = find_chasing(norm.text)
        if is_chasing(chasing):
            spans = [norm.span(m.start, m.end) for m in chasing]
            evidence = tuple(Evidence(norm.original[a:b], a, b) for a, b in spans)
            facts.tags.append("chasing")
            if "repeat_contact" not in facts.tags:
                facts.tags.append("repeat_contact")
            reasons.append(Reason("history", "chasing", "the customer says this is not the first contact",
                                  evidence))

    def ticket_sla(self, ticket: Ticket | Decision, now: dt.datetime, *, events: Iterable[Any] = (),
                   breakdown: bool = True) -> TicketSla:
        """SLA state of a ticket (or of a decision plus its events) at ``now``, with this triager's rule pack.

        See :mod:`triage.sla.ticket`: per metric the target, deadline, elapsed and
        remaining business time, state, escalation level and a readable breakdown.
        """
        from .sla.ticket import Ticket, ticket_sla

        if isinstance(ticket, Decision):
            ticket = Ticket.from_decision(ticket, events, rules=self.pack)
        return ticket_sla(ticket, now, self.pack, breakdown=breakdown)

    def correct(self, request_id: str, *, category: str | None = None, priority: str | None = None,
                queue: str | None = None, agent: str | None = None, at: dt.datetime | None = None) -> None:
        """Record an agent's correction of an earlier decision in the history store.

        ``triage train --with-corrections STORE`` learns from them; ``triage
        evaluate --corrected STORE`` measures the model on them.

        Raises
        ------
        ConfigError
            This triager has no store.
        InputError
            Unknown category, priority, queue or request id.
        triage.history.StoreUnavailable
            The store cannot be written now (an agent's action is never dropped silently).
        """
        if self.store is None:
            raise ConfigError("this triager has no history store; load it with triage.load(store='history.db')")
        if category is not None and category not in self.pack.categories:
            raise InputError(f"unknown category {category!r}; expected one of: "
                             f"{', '.join(sorted(self.pack.categories))}")
        if priority is not None:
            try:
                priority = str(Priority.parse(priority))
            except ValueError:
                raise InputError(f"unknown priority {priority!r}; expected P1, P2, P3 or P4") from None
        if queue is not None and queue not in self.pack.queues and queue != self.pack.review_queue:
            raise InputError(f"unknown queue {queue!r}; expected one of: {', '.join(self.pack.queues)}")
        self.store.correct(request_id, category=category, priority=priority, queue=queue, agent=agent, at=at)

    # -- many ----------------------------------------------------------------------------------------------
    def triage_many(self, requests: Iterable[Request | str | Mapping[str, Any]], *, now: dt.datetime | None = None,
                    on_error: str = "raise", roster: Roster | None = None, workers: int = 1,
                    chunksize: int = 2000) -> list[Decision | RowError]:
        """Triage many requests; one output per input, in input order.

        ``on_error="raise"`` (default) stops at the first unusable input with an
        :class:`InputError` naming its index; ``on_error="record"`` puts a
        :class:`RowError` in that position and carries on.

        ``workers=N`` (N > 1) spreads the requests over N processes, this one and
        N - 1 pool processes, in chunks of at most ``chunksize`` (see :mod:`triage._workers`);
        the decisions are the same as with one. Not with a ``roster`` or a history
        store, whose state lives in this process. The cyclic garbage collector is
        paused while the batch runs (:func:`triage._workers.gc_paused` says why).
        """
        from ._workers import gc_paused

        if on_error not in ("raise", "record"):
            raise ValueError("on_error must be 'raise' or 'record'")
        with gc_paused():
            if workers > 1:
                return self._parallel(list(requests), _triage_chunk_decisions, now=now, on_error=on_error,
                                      roster=roster, workers=workers, chunksize=chunksize)
            return list(self.iter_triage(requests, now=now, on_error=on_error, roster=roster))

    def _parallel(self, rows: list[Any], fn: Callable[..., list[Any]], *, now: dt.datetime | None, on_error: str,
                  roster: Roster | None, workers: int, chunksize: int) -> list[Any]:
        from ._workers import parallel_map

        if roster is not None or self.store is not None:
            raise ConfigError("workers > 1 cannot share a roster or a history store between processes; "
                              "use workers=1 (threads may share one triager)")
        if chunksize < 1:
            raise ValueError("chunksize must be at least 1")
        now = now or dt.datetime.now(dt.UTC)
        out = list(parallel_map(self, fn, rows, now, workers=workers, chunksize=chunksize))
        if on_error == "raise":
            for item in out:
                if isinstance(item, RowError):
                    raise InputError(f"request {item.index}: {item.error}")
        return out

    def iter_triage(self, requests: Iterable[Request | str | Mapping[str, Any]], *, now: dt.datetime | None = None,
                    on_error: str = "raise", roster: Roster | None = None) -> Iterator[Decision | RowError]:
        """Like :meth:`triage_many`, lazily."""
        now = now or dt.datetime.now(dt.UTC)
        for i, req in enumerate(requests):
            try:
                yield self.triage(req, now=now, roster=roster)
            except TriageError as exc:
                if on_error == "raise":
                    raise InputError(f"request {i}: {exc}") from exc
                yield RowError(i, str(exc))

    def triage_frame(self, df: pd.DataFrame, *, text_col: str = "text", now: dt.datetime | None = None,
                     workers: int = 1, chunksize: int = 2000) -> pd.DataFrame:
        """Triage every row of a DataFrame; returns the decision columns, on the same index.

        Recognised input columns: ``text`` (required), ``subject``, ``channel``,
        ``received_at``, ``id``/``request_id``, ``customer_id``, ``customer_tier``,
        ``order_id``, ``order_amount``, ``order_status``. A row that cannot be
        triaged gets its message in the ``error`` column and empty decision columns;
        no row is dropped. Join with ``df.join(t.triage_frame(df))``. ``workers=N``
        uses N processes, and the garbage collector is paused, as in :meth:`triage_many`.
        """
        import pandas as pd

        from ._workers import gc_paused

        if text_col not in df.columns:
            raise InputError(f"the DataFrame has no {text_col!r} column (columns: {', '.join(map(str, df.columns))})")
        frame = df.rename(columns={text_col: "text"}) if text_col != "text" else df
        records: list[Mapping[str, Any]] = [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]
        with gc_paused():
            if workers > 1:
                rows = self._parallel(records, _triage_chunk_rows, now=now, on_error="record", roster=None,
                                      workers=workers, chunksize=chunksize)
            else:
                rows = [decision_row(d) for d in self.iter_triage(records, now=now, on_error="record")]
            return pd.DataFrame(rows, index=df.index, columns=list(FRAME_COLUMNS))


def _triage_chunk_decisions(triager: Triager, offset: int, rows: list[Any], now: dt.datetime
                            ) -> list[Decision | RowError]:
    out: list[Decision | RowError] = []
    for i, d in enumerate(triager.iter_triage(rows, now=now, on_error="record")):
        out.append(RowError(offset + i, d.error) if isinstance(d, RowError) else d)
    return out


def _triage_chunk_rows(triager: Triager, offset: int, rows: list[Any], now: dt.datetime) -> list[dict[str, Any]]:
    return [decision_row(d) for d in triager.iter_triage(rows, now=now, on_error="record")]


FRAME_COLUMNS = ("request_id", "category", "confidence", "needs_review", "categories", "priority", "queue", "cc",
                 "assignee", "tags", "entities", "channel", "channel_type", "received_at",
                 "first_response_due", "next_response_due", "periodic_update_due", "resolution_due",
                 "sla_estimated", "reasons", "model_version", "rules_version", "error")


def decision_row(d: Decision | RowError) -> dict[str, Any]:
    """A flat dict for one DataFrame row (lists stay lists; times stay datetimes)."""
    if isinstance(d, RowError):
        return {"error": d.error}
    row: dict[str, Any] = {
        "request_id": d.request_id, "category": d.category, "confidence": d.confidence,
        "needs_review": d.needs_review, "categories": [c.category for c in d.categories],
        "priority": str(d.priority), "queue": d.queue, "cc": list(d.cc), "assignee": d.assignee,
        "tags": list(d.tags), "entities": [f"{e.kind}:{e.value}" for e in d.entities], "channel": d.channel,
        "channel_type": d.channel_type, "received_at": d.received_at,
        "sla_estimated": any(t.estimated for t in d.sla.values()),
        "reasons": [str(r) for r in d.reasons], "model_version": d.model_version,
        "rules_version": d.rules_version, "error": None,
    }
    for metric in ("first_response", "next_response", "periodic_update", "resolution"):
        row[f"{metric}_due"] = d.sla[metric].due if metric in d.sla else None
    return row


def load(*, rules: str | os.PathLike[str] | None = None, model: str | os.PathLike[str] | None = None,
         model_sha256: str | None = None, tokenizer_backend: str | None = None,
         min_confidence: float | None = None, min_margin: float | None = None,
         max_chars: int = DEFAULT_MAX_CHARS, store: SafeStore | HistoryStore | str | os.PathLike[str] | None = None,
         history_days: int = 30) -> Triager:
    """Load a model and a rule pack and return a ready :class:`Triager`.

    Parameters
    ----------
    rules:
        A rule pack folder (with ``pack.yaml``); default: the shipped pack.
    model:
        A model bundle folder; default: the shipped model.
    model_sha256:
        Pin the bundle: the expected SHA-256 of its ``manifest.json``.
    tokenizer_backend:
        Serve the model with another tokenizer backend than it was trained with (not recommended).
    min_confidence, min_margin:
        Override the model's abstention thresholds.
    store:
        A customer-history store: a SQLite file path (created and migrated), ``":memory:"``,
        or a :class:`triage.history.HistoryStore`. Wrapped in :class:`triage.history.SafeStore`:
        a locked, corrupt or full database never stops triage.
    history_days:
        How far back the store is asked for a customer's earlier contacts.

    Raises
    ------
    RuleError
        The rule pack has mistakes (all of them listed, with file and line).
    ModelError
        The model bundle is missing, changed or incompatible.
    """
    from .classify.bundle import load_bundle
    from .pack import load_pack

    pack = load_pack(rules)
    classifier, tokenizer = load_bundle(model if model is not None else default_model_path(),
                                        expected_sha256=model_sha256, tokenizer_backend=tokenizer_backend)
    if min_confidence is not None or min_margin is not None:
        classifier = classifier.with_thresholds(min_confidence=min_confidence, min_margin=min_margin)
    safe = None
    if store is not None:
        from .history import SafeStore

        safe = store if isinstance(store, SafeStore) else SafeStore(store)
    triager = Triager(classifier=classifier, tokenizer=tokenizer, pack=pack, max_chars=max_chars, store=safe,
                      history_days=history_days)
    if store is None:
        triager._origin = portable_load_arguments(
            rules=rules, model=model, model_sha256=model_sha256, tokenizer_backend=tokenizer_backend,
            min_confidence=min_confidence, min_margin=min_margin, max_chars=max_chars, history_days=history_days)
    return triager


def portable_load_arguments(**load_kwargs: Any) -> dict[str, Any]:
    """Arguments of :func:`load` that load the same triager in another process.

    ``None`` values are left out (the defaults apply), paths become absolute strings
    (they must exist at the same place there), and unless ``model_sha256`` is given the
    model is pinned to the hash of its ``manifest.json`` as it is here.
    """
    args = {k: v for k, v in load_kwargs.items() if v is not None}
    for name in ("rules", "model"):
        if name in args and isinstance(args[name], str | os.PathLike):
            args[name] = os.path.abspath(os.fspath(args[name]))
    if "model_sha256" not in args:
        manifest = Path(args.get("model") or default_model_path()) / "manifest.json"
        if manifest.is_file():
            args["model_sha256"] = hashlib.sha256(manifest.read_bytes()).hexdigest()
    return args


def _load_again(origin: Mapping[str, Any]) -> Triager:
    return load(**origin)

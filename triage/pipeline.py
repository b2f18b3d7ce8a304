"""The pipeline: one loaded :class:`Triager` turns requests into decisions.

A request travels left to right, once::

    normalise → tokenise → entities → history signals → classify → tags → priority → routing → SLA → Decision

Each stage reads what the earlier ones produced and adds its part and its
reasons. The triager is immutable after loading and serves many threads.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, InputError, TriageError
from .route.conditions import Facts, HistoryStats
from .route.engine import StageResult
from .text.entities import extract_entities
from .text.normalize import Normalizer
from .types import Decision, Priority, Reason, Request

if TYPE_CHECKING:
    import pandas as pd

    from .classify.model import Classifier
    from .pack import RulePack
    from .route.assign import Roster
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


def _history_counter(request: Request, received_at: dt.datetime, category: str | None
                     ) -> Callable[[int], HistoryStats]:
    """Counts over ``request.history`` within a window; unknown (not zero) when no history was given."""
    items = request.history

    def stats(days: int) -> HistoryStats:
        if not items:
            return HistoryStats(known=False)
        since = received_at - dt.timedelta(days=days)
        recent = [h for h in items if since <= h.received_at <= received_at]
        return HistoryStats(
            contacts=len(recent),
            same_category=sum(1 for h in recent if category is not None and h.category == category),
            open=sum(1 for h in recent if h.open),
            other_channels=sum(1 for h in recent if h.channel and h.channel != request.channel),
            known=True,
        )

    return stats


class Triager:
    """Triage requests with a loaded model and rule pack.

    Build it with :func:`triage.load`. It is immutable and thread-safe: one
    instance serves every thread of a bot or a web server.
    """

    def __init__(self, *, classifier: Classifier, tokenizer: Tokenizer, pack: RulePack,
                 normalizer: Normalizer | None = None, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        missing = [lab for lab in classifier.labels if lab not in pack.categories]
        if missing:
            raise ConfigError(f"rule pack {pack.tag} has no category entry (queue, priority) for the model's "
                              f"labels: {', '.join(missing)}; add them under 'categories:'")
        self.classifier = classifier
        self.tokenizer = tokenizer.warm_up()
        self.pack = pack
        self.normalizer = normalizer or Normalizer()
        self.max_chars = max_chars
        self.normalizer("預熱")  # build the t2s converter now, not on the first request

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
               roster: Roster | None = None) -> Decision:
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
            priority=start_priority, history=_history_counter(request, received, category),
            urgency=pred.urgency, urgency_thresholds=self.classifier.urgency_thresholds,
            urgency_drivers=pred.urgency_drivers,
        )
        result = StageResult(cc=[], sla_policy=None, reasons=reasons, fired=[])
        self._history_signals(facts, request, reasons)

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

        return Decision(
            request_id=request.id, category=category, categories=pred.categories, confidence=pred.confidence,
            needs_review=facts.needs_review, tags=tuple(facts.tags), entities=entities, priority=facts.priority,
            queue=queue, cc=tuple(cc), assignee=assignee, sla=MappingProxyType(sla),
            reasons=tuple(reasons), received_at=received, channel=request.channel, channel_type=channel_type,
            model_version=self.classifier.tag, rules_version=pack.tag,
        )

    @staticmethod
    def _history_signals(facts: Facts, request: Request, reasons: list[Reason]) -> None:
        if facts.history is None or not request.history:
            return
        stats = facts.history(7)
        if stats.contacts:
            facts.tags.append("repeat_contact")
            reasons.append(Reason("history", "request.history",
                                  f"{stats.contacts} earlier contact(s) in 7 days"
                                  + (f", {stats.open} still open" if stats.open else "")
                                  + (f", {stats.other_channels} via other channels" if stats.other_channels
                                     else "")))
        if stats.same_category and facts.category not in ("presale", "feedback"):
            facts.tags.append("repeat_complaint")
            reasons.append(Reason("history", "request.history",
                                  f"{stats.same_category} earlier contact(s) about {facts.category} in 7 days"))

    # -- many ----------------------------------------------------------------------------------------------
    def triage_many(self, requests: Iterable[Request | str | Mapping[str, Any]], *, now: dt.datetime | None = None,
                    on_error: str = "raise", roster: Roster | None = None) -> list[Decision | RowError]:
        """Triage many requests; one output per input, in input order.

        ``on_error="raise"`` (default) stops at the first unusable input with an
        :class:`InputError` naming its index; ``on_error="record"`` puts a
        :class:`RowError` in that position and carries on.
        """
        if on_error not in ("raise", "record"):
            raise ValueError("on_error must be 'raise' or 'record'")
        return list(self.iter_triage(requests, now=now, on_error=on_error, roster=roster))

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

    def triage_frame(self, df: pd.DataFrame, *, text_col: str = "text", now: dt.datetime | None = None
                     ) -> pd.DataFrame:
        """Triage every row of a DataFrame; returns the decision columns, on the same index.

        Recognised input columns: ``text`` (required), ``subject``, ``channel``,
        ``received_at``, ``id``/``request_id``, ``customer_id``, ``customer_tier``,
        ``order_id``, ``order_amount``, ``order_status``. A row that cannot be
        triaged gets its message in the ``error`` column and empty decision columns;
        no row is dropped. Join with ``df.join(t.triage_frame(df))``.
        """
        import pandas as pd

        if text_col not in df.columns:
            raise InputError(f"the DataFrame has no {text_col!r} column (columns: {', '.join(map(str, df.columns))})")
        frame = df.rename(columns={text_col: "text"}) if text_col != "text" else df
        records: list[Mapping[str, Any]] = [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]
        rows = [decision_row(d) for d in self.iter_triage(records, now=now, on_error="record")]
        return pd.DataFrame(rows, index=df.index, columns=list(FRAME_COLUMNS))


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
         max_chars: int = DEFAULT_MAX_CHARS) -> Triager:
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
    return Triager(classifier=classifier, tokenizer=tokenizer, pack=pack, max_chars=max_chars)

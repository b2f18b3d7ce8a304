"""The history store interface: what a store keeps and the operations on it.

A store records one row per decided request (:class:`DecisionRecord`), answers
"what did this customer send between ``since`` and ``until``" with
:class:`~triage.types.HistoryItem` values, marks requests resolved, and keeps the
agents' corrections for retraining (:class:`Correction`).

**Request text is stored** by default, together with the subject and channel,
because a correction is only useful for training when the text it corrects is
known. Pass ``store_text=False`` to a store to keep no text or subject at all
(privacy); corrections then come back with ``text=None`` and cannot be trained on.

Errors (all :class:`~triage.errors.TriageError`)::

    StoreError                        the store cannot do what was asked
    ├── StoreUnavailable              locked, corrupt, full disk, unreachable: a
    │                                 condition outside the caller's control;
    │                                 ``.reason`` is a short text such as
    │                                 "database is locked"
    ├── SchemaVersionError            the file was written by a newer triage
    └── UnknownRequestError(InputError, LookupError)
                                      resolve/correct named a request id the store
                                      has never recorded
"""

from __future__ import annotations

import abc
import datetime as _dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from ..errors import InputError, TriageError
from ..types import HistoryItem, Priority

if TYPE_CHECKING:
    from ..types import Decision, Request

__all__ = [
    "Correction",
    "DecisionRecord",
    "HistoryStore",
    "SchemaVersionError",
    "StoreError",
    "StoreUnavailable",
    "StoredDecision",
    "UnknownRequestError",
]


class StoreError(TriageError):
    """The history store cannot do what was asked."""


class StoreUnavailable(StoreError):
    """The store cannot be read or written right now (locked, corrupt, disk full, unreachable).

    ``reason`` is a short, lower-case description fit for a decision's reasons,
    e.g. ``"database is locked"``.
    """

    def __init__(self, reason: str, *, where: str = "") -> None:
        self.reason = reason
        self.where = where
        super().__init__(f"history store {where + ' ' if where else ''}unavailable: {reason}")


class SchemaVersionError(StoreError):
    """The database was created by a newer version of triage; it is left untouched."""


class UnknownRequestError(StoreError, InputError, LookupError):
    """``resolve`` or ``correct`` named a request id that was never recorded."""


def _aware(value: Any, name: str) -> _dt.datetime:
    if not isinstance(value, _dt.datetime):
        raise InputError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"{name} must be timezone-aware (got naive {value.isoformat()})")
    return value


def _opt_str(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{name} must be a str or None, got {type(value).__name__}")
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionRecord:
    """One decided request, as a store keeps it.

    Build it from a request and its decision with :meth:`from_decision`.
    ``text`` and ``subject`` are the customer's original words (not normalised);
    a store created with ``store_text=False`` drops them.
    """

    request_id: str
    customer_id: str | None
    channel: str | None
    received_at: _dt.datetime
    category: str
    priority: str
    queue: str
    confidence: float = 0.0
    model_version: str = ""
    rules_version: str = ""
    text: str | None = None
    subject: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.request_id, str) or not self.request_id:
            raise InputError(f"request_id must be a non-empty str, got {self.request_id!r}")
        for name in ("customer_id", "channel", "text", "subject"):
            _opt_str(getattr(self, name), name)
        _aware(self.received_at, "received_at")
        if not isinstance(self.category, str) or not self.category:
            raise InputError(f"category must be a non-empty str, got {self.category!r}")
        object.__setattr__(self, "priority", str(Priority.parse(self.priority)))
        if not isinstance(self.queue, str):
            raise InputError(f"queue must be a str, got {type(self.queue).__name__}")
        if isinstance(self.confidence, bool) or not isinstance(self.confidence, int | float):
            raise InputError(f"confidence must be a number, got {self.confidence!r}")

    @classmethod
    def from_decision(cls, request: Request, decision: Decision) -> DecisionRecord:
        """The record of ``decision`` made for ``request``.

        The request id is ``decision.request_id``; when the request had none, a
        random one (``uuid4().hex``) is made up, so the contact still counts as
        history but cannot be corrected later by id: give requests ids if agents
        are to correct them.
        """
        import uuid

        customer = request.customer
        return cls(
            request_id=decision.request_id or uuid.uuid4().hex,
            customer_id=customer.id if customer is not None else None,
            channel=decision.channel,
            received_at=decision.received_at,
            category=decision.category,
            priority=str(decision.priority),
            queue=decision.queue,
            confidence=float(decision.confidence),
            model_version=decision.model_version,
            rules_version=decision.rules_version,
            text=request.text,
            subject=request.subject,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredDecision:
    """What a store holds about one request: the decision, its resolution, its latest correction.

    ``category``/``priority``/``queue`` are what the pipeline decided;
    ``corrected_*`` what an agent said instead (``None`` when not corrected).
    """

    record: DecisionRecord
    recorded_at: _dt.datetime
    resolved_at: _dt.datetime | None = None
    corrected_category: str | None = None
    corrected_priority: str | None = None
    corrected_queue: str | None = None
    corrected_by: str | None = None
    corrected_at: _dt.datetime | None = None

    @property
    def open(self) -> bool:
        return self.resolved_at is None


@dataclass(frozen=True, slots=True, kw_only=True)
class Correction:
    """An agent's correction of a decision, with the request it corrects (for training).

    ``category``/``priority``/``queue`` are the corrected values, merged over all
    corrections of the request (the latest non-empty value of each field wins);
    ``None`` means the agent left that field as the pipeline decided.
    ``predicted_*`` are the pipeline's values. ``text`` is ``None`` when the store
    keeps no text.
    """

    request_id: str
    text: str | None
    subject: str | None
    channel: str | None
    received_at: _dt.datetime
    predicted_category: str
    predicted_priority: str
    predicted_queue: str
    model_version: str
    category: str | None
    priority: str | None
    queue: str | None
    agent: str | None
    corrected_at: _dt.datetime

    @property
    def final_category(self) -> str:
        """The category to train on: the correction's, or the prediction it confirmed."""
        return self.category or self.predicted_category

    @property
    def final_priority(self) -> str:
        return self.priority or self.predicted_priority

    def to_row(self, *, weight: float = 1.0) -> dict[str, Any]:
        """A row for :func:`triage.train` (``text``, ``subject``, ``category``, ``priority``, ``channel``,
        ``weight``), e.g. ``pd.DataFrame([c.to_row(weight=3) for c in store.corrections()])``."""
        return {"text": self.text, "subject": self.subject, "category": self.final_category,
                "priority": self.final_priority, "channel": self.channel, "weight": float(weight),
                "request_id": self.request_id}


class HistoryStore(abc.ABC):
    """A customer-history store. Implementations: :class:`triage.history.SQLiteStore`.

    Every method is safe to call from several threads at once. A store is a
    context manager; leaving the ``with`` block closes it.
    """

    #: whether the store keeps request text and subject (for training on corrections)
    store_text: bool = True

    @abc.abstractmethod
    def record(self, record: DecisionRecord) -> None:
        """Store one decision, whole or not at all (one transaction).

        Recording a request id again replaces the earlier decision (the latest
        wins; one row per request id); its resolution and corrections are kept.
        """

    def record_many(self, records: Iterable[DecisionRecord]) -> int:
        """Store several decisions; returns how many. The default records them one by one."""
        n = 0
        for r in records:
            self.record(r)
            n += 1
        return n

    @abc.abstractmethod
    def recent(self, customer_id: str, since: _dt.datetime, until: _dt.datetime, *,
               exclude: str | None = None) -> tuple[HistoryItem, ...]:
        """The customer's contacts received in ``[since, until]``, oldest first.

        Each item carries the request id, channel, and the category and priority
        as corrected by an agent if they were; ``open`` is true when the request
        was not resolved by ``until``. ``exclude`` leaves out one request id (the
        request being triaged, when it was recorded before). Times are UTC.
        """

    @abc.abstractmethod
    def resolve(self, request_id: str, at: _dt.datetime) -> None:
        """Mark a request resolved (closed) at ``at``. Raises :class:`UnknownRequestError`."""

    @abc.abstractmethod
    def correct(self, request_id: str, *, category: str | None = None, priority: str | None = None,
                queue: str | None = None, agent: str | None = None, at: _dt.datetime | None = None) -> None:
        """Record an agent's correction of a decision (at least one of category, priority, queue).

        Raises :class:`UnknownRequestError` for a request id never recorded and
        :class:`~triage.errors.InputError` for an unusable value.
        """

    @abc.abstractmethod
    def corrections(self, *, since: _dt.datetime | None = None) -> Iterator[Correction]:
        """Every corrected request (one :class:`Correction` each, merged), oldest correction first."""

    @abc.abstractmethod
    def get(self, request_id: str) -> StoredDecision | None:
        """Everything stored about one request, or ``None``."""

    @abc.abstractmethod
    def count(self) -> int:
        """How many requests are recorded."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the store's connections. Further calls raise :class:`StoreError`."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def check_correction(category: str | None, priority: str | None, queue: str | None, agent: str | None,
                     at: _dt.datetime | None) -> tuple[str | None, str | None, str | None, str | None, _dt.datetime]:
    """Validate the arguments of :meth:`HistoryStore.correct`; returns them cleaned, ``at`` defaulting to now."""
    for name, value in (("category", category), ("queue", queue), ("agent", agent)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise InputError(f"{name} must be a non-empty str or None, got {value!r}")
    prio = str(Priority.parse(priority)) if priority is not None else None
    if category is None and prio is None and queue is None:
        raise InputError("a correction needs at least one of category, priority or queue")
    when = _aware(at, "at") if at is not None else _dt.datetime.now(_dt.UTC)
    return category, prio, queue, agent, when

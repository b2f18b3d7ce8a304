"""Keep triaging when the history store fails.

:class:`SafeStore` wraps a store for the per-request path. When the store is
locked, corrupt, out of disk or unreachable:

* a history lookup returns :class:`HistoryLookup` with ``available=False`` and a
  ``reason`` such as ``"database is locked"`` (for the decision's reasons:
  ``f"history unavailable: {lookup.reason}"``);
* a decision is not recorded (:class:`WriteResult` says so) — never half-written;
* the failure is logged **once** on the ``triage.history`` logger, at WARNING,
  and once more when the store works again (with how many decisions were not
  recorded meanwhile), never per request. Opening, lookups and writes are
  watched separately, because they fail separately (a full disk stops writes;
  lookups still work), so one outage logs at most one warning for each;
* for ``retry_after`` seconds after a failure that operation does not touch the
  store at all, so a locked file does not cost every request a ``busy_timeout``
  wait; the first call after that tries again.

Corrections and resolutions are deliberate acts of an agent, not part of the
per-request path: :meth:`SafeStore.correct` and :meth:`SafeStore.resolve` raise
:class:`~triage.history.store.StoreUnavailable` instead of dropping them silently.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from ..types import HistoryItem
from .store import (
    Correction,
    DecisionRecord,
    HistoryStore,
    StoreError,
    StoreUnavailable,
)

__all__ = ["LOGGER_NAME", "HistoryLookup", "SafeStore", "WriteResult", "guarded", "open_store"]

LOGGER_NAME = "triage.history"


@dataclass(frozen=True, slots=True)
class HistoryLookup:
    """The answer to a history lookup: the items, or why there are none.

    ``available`` is false when the store could not be asked; ``items`` is then
    empty and ``reason`` says why (``"database is locked"``).
    """

    items: tuple[HistoryItem, ...]
    available: bool = True
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class WriteResult:
    """Whether a write reached the store; ``reason`` says why not."""

    applied: bool
    reason: str | None = None


def open_store(target: str | os.PathLike[str] | HistoryStore, *, store_text: bool = True) -> HistoryStore:
    """A store from a path (``.db`` file or ``":memory:"``: :class:`SQLiteStore`) or a store itself."""
    if isinstance(target, HistoryStore):
        return target
    if isinstance(target, str | os.PathLike):
        from .sqlite import SQLiteStore

        return SQLiteStore(target, store_text=store_text)
    raise StoreError(f"expected a history store or a path to a SQLite file, got {type(target).__name__}")


_FAILURES = (StoreUnavailable, OSError)  # OSError covers ConnectionError of network stores


def _reason(exc: BaseException) -> str:
    if isinstance(exc, StoreUnavailable):
        return exc.reason
    return str(exc).strip().lower() or type(exc).__name__


class _Circuit:
    """The health of one kind of operation (open, lookup, record) and whether its outage was logged."""

    __slots__ = ("down_since", "next_try", "reason", "skipped", "what")

    def __init__(self, what: str) -> None:
        self.what = what
        self.down_since: float | None = None
        self.next_try = 0.0
        self.reason: str | None = None
        self.skipped = 0


class SafeStore:
    """A history store that never stops triage (see the module docstring).

    Opening, lookups and writes are watched separately (a full disk stops writes
    while lookups still work): each logs at most one warning when it starts
    failing and one when it works again.

    Parameters
    ----------
    store:
        A :class:`HistoryStore`, a path (opened with :func:`open_store`), or a
        function returning a store. With a path or a function, a store that
        cannot be opened now (corrupt file, missing disk) is retried later
        instead of failing; a file from a newer triage still raises at once.
    retry_after:
        Seconds to leave a failed operation alone before trying it again.
    logger:
        Where failures and recoveries go; default ``logging.getLogger("triage.history")``.
    clock:
        Monotonic seconds (for tests).
    """

    def __init__(self, store: HistoryStore | str | os.PathLike[str] | Callable[[], HistoryStore], *,
                 retry_after: float = 5.0, logger: logging.Logger | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if isinstance(store, HistoryStore):
            self._factory: Callable[[], HistoryStore] | None = None
            self._store: HistoryStore | None = store
        elif isinstance(store, str | os.PathLike):
            target = store
            self._factory, self._store = (lambda: open_store(target)), None
        elif callable(store):
            self._factory, self._store = store, None
        else:
            raise StoreError(f"expected a history store, a path or a function, got {type(store).__name__}")
        self.retry_after = float(retry_after)
        self.log = logger or logging.getLogger(LOGGER_NAME)
        self._clock = clock
        self._lock = threading.Lock()
        self._open = _Circuit("opening the history store")
        self._read = _Circuit("history lookups")
        self._write = _Circuit("recording decisions")
        self._closed = False
        if self._store is None:
            self._ensure()  # open now; failures are remembered and retried, SchemaVersionError raises

    def __repr__(self) -> str:
        state = "available" if self.available else f"unavailable: {self.reason}"
        return f"SafeStore({self._store!r}, {state})"

    # -- state ------------------------------------------------------------------------------------------
    @property
    def available(self) -> bool:
        """False while opening, lookups or writes are failing."""
        return all(c.down_since is None for c in (self._open, self._read, self._write))

    @property
    def reason(self) -> str | None:
        """Why the store is (partly) unavailable; ``None`` when it is available."""
        for c in (self._open, self._read, self._write):
            if c.down_since is not None:
                return c.reason
        return None

    @property
    def store(self) -> HistoryStore:
        """The wrapped store; raises :class:`StoreUnavailable` when it could not be opened."""
        return self._strict()

    def _ensure(self) -> HistoryStore | None:
        store = self._store
        if store is not None:
            return store
        if self._closed:
            raise StoreError("the history store is closed")
        if self._factory is None or self._skip(self._open) is not None:
            return None
        with self._lock:
            if self._store is None:
                try:
                    self._store = self._factory()
                except _FAILURES as exc:
                    self._failed_locked(self._open, exc)
                    return None
        self._succeeded(self._open)
        return self._store

    def _failed(self, circuit: _Circuit, exc: BaseException) -> str:
        with self._lock:
            return self._failed_locked(circuit, exc)

    def _failed_locked(self, circuit: _Circuit, exc: BaseException) -> str:
        reason = _reason(exc)
        now = self._clock()
        circuit.next_try = now + self.retry_after
        if circuit.down_since is None:
            circuit.down_since = now
            circuit.reason = reason
            self.log.warning("%s failed: %s; triage goes on without history (next try in %.0f s, "
                             "no further warnings until it works again)", circuit.what, reason, self.retry_after)
        elif reason != circuit.reason:
            circuit.reason = reason
            self.log.debug("%s still failing: %s", circuit.what, reason)
        return reason

    def _succeeded(self, circuit: _Circuit) -> None:
        if circuit.down_since is None:
            return
        with self._lock:
            if circuit.down_since is None:
                return
            outage = self._clock() - circuit.down_since
            skipped, circuit.skipped = circuit.skipped, 0
            circuit.down_since, circuit.reason = None, None
        extra = f"; {skipped} decision(s) were not recorded meanwhile" if circuit is self._write else ""
        self.log.warning("%s works again after %.1f s%s", circuit.what, outage, extra)

    def _skip(self, circuit: _Circuit) -> str | None:
        """The reason to leave the store alone now (inside ``retry_after`` of a failure), or None to try."""
        if circuit.down_since is not None and self._clock() < circuit.next_try:
            return circuit.reason or "unavailable"
        return None

    def _not_open(self) -> str:
        return self._open.reason or "the history store is not open"

    # -- per-request path: never raises for store failures ------------------------------------------------
    def history(self, customer_id: str, since: _dt.datetime, until: _dt.datetime, *,
                exclude: str | None = None) -> HistoryLookup:
        """The customer's contacts in ``[since, until]`` (see :meth:`HistoryStore.recent`), or why not."""
        skip = self._skip(self._read)
        if skip is not None:
            return HistoryLookup((), False, skip)
        store = self._ensure()
        if store is None:
            return HistoryLookup((), False, self._not_open())
        try:
            items = store.recent(customer_id, since, until, exclude=exclude)
        except _FAILURES as exc:
            return HistoryLookup((), False, self._failed(self._read, exc))
        self._succeeded(self._read)
        return HistoryLookup(items, True, None)

    def record(self, record: DecisionRecord) -> WriteResult:
        """Record a decision, or say why it was not recorded (nothing of it is written then)."""
        reason = self._skip(self._write)
        store = self._ensure() if reason is None else None
        if store is None:
            reason = reason or self._not_open()
        else:
            try:
                store.record(record)
            except _FAILURES as exc:
                reason = self._failed(self._write, exc)
            else:
                self._succeeded(self._write)
                return WriteResult(True)
        with self._lock:
            self._write.skipped += 1
        return WriteResult(False, reason)

    # -- deliberate acts: raise, do not drop ------------------------------------------------------------
    def _strict(self) -> HistoryStore:
        store = self._ensure()
        if store is None:
            raise StoreUnavailable(self._not_open())
        return store

    def correct(self, request_id: str, *, category: str | None = None, priority: str | None = None,
                queue: str | None = None, agent: str | None = None, at: _dt.datetime | None = None) -> None:
        """Record an agent's correction; raises :class:`StoreUnavailable` if it cannot be stored."""
        self._strict().correct(request_id, category=category, priority=priority, queue=queue, agent=agent, at=at)

    def resolve(self, request_id: str, at: _dt.datetime) -> None:
        """Mark a request resolved; raises :class:`StoreUnavailable` if it cannot be stored."""
        self._strict().resolve(request_id, at)

    def corrections(self, *, since: _dt.datetime | None = None) -> Iterator[Correction]:
        """The store's corrections (raises when the store is unavailable: training must not silently skip)."""
        return self._strict().corrections(since=since)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            store, self._store = self._store, None
        if store is not None:
            store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def guarded(store: HistoryStore | str | os.PathLike[str] | Callable[[], HistoryStore], *,
            retry_after: float = 5.0) -> SafeStore:
    """Shorthand for :class:`SafeStore` ``(store, retry_after=...)``."""
    return SafeStore(store, retry_after=retry_after)

"""The SQLite history store: one file (or ``:memory:``), created and migrated by triage.

Concurrency
-----------
* **Threads**: each thread gets its own connection to the file (created on its
  first call). WAL mode lets readers run while another thread or process writes,
  so a request's history lookup never waits behind a writer; and a writer
  waiting for another *process*'s lock (up to ``busy_timeout``) holds no lock of
  ours, so the other threads keep triaging. One shared connection behind a
  mutex would serialise all of that. A ``:memory:`` database exists only inside
  one connection, so there a single connection is shared behind a lock.
* **Processes**: SQLite's file locks. Writes are short ``BEGIN IMMEDIATE``
  transactions (the write lock is taken up front, so a transaction never fails
  half-way on lock upgrade); SQLITE_BUSY waits inside SQLite, and is retried
  with a jittered back-off, within one ``busy_timeout`` budget in all (so a
  held lock costs a call about ``busy_timeout``, at most twice it, not
  ``retries`` times it). After a
  ``fork`` the child opens its own connections (SQLite connections must not
  cross a fork).

Schema
------
``PRAGMA user_version`` holds the schema version and ``PRAGMA application_id``
marks the file as a triage history store. Opening an older file upgrades it in
place, in one transaction (data kept); a file from a newer triage raises
:class:`~triage.history.store.SchemaVersionError` and is not touched; a SQLite
file that is not a triage store raises :class:`~triage.history.store.StoreError`.
Times are stored as fixed-width UTC ISO-8601 text and returned timezone-aware (UTC).

Duplicates
----------
Recording a request id again replaces its decision (latest write wins, one row
per request id); resolution and corrections of that request are kept.
"""

from __future__ import annotations

import datetime as _dt
import os
import random
import re
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from ..errors import InputError
from ..types import HistoryItem
from .store import (
    Correction,
    DecisionRecord,
    HistoryStore,
    SchemaVersionError,
    StoredDecision,
    StoreError,
    StoreUnavailable,
    UnknownRequestError,
    check_correction,
)

__all__ = ["APPLICATION_ID", "SCHEMA_VERSION", "SQLiteStore"]

SCHEMA_VERSION = 2
APPLICATION_ID = 0x54524947  # "TRIG"
_UTC = _dt.UTC
_BUSY_CODES = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED (primary result codes)
T = TypeVar("T")


def _ts(value: _dt.datetime) -> str:
    """Fixed-width UTC text: sorts like the instants it names."""
    return value.astimezone(_UTC).isoformat(timespec="microseconds")


def _dt_or_none(value: str | None) -> _dt.datetime | None:
    return None if value is None else _dt.datetime.fromisoformat(value)


# -- migrations: step n upgrades a version-n database to n+1 -------------------------------------------
def _to_v1(conn: sqlite3.Connection) -> None:
    """The first layout: decisions with their resolution."""
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("""
        CREATE TABLE decisions (
            request_id  TEXT PRIMARY KEY,
            customer_id TEXT,
            channel     TEXT,
            received_at TEXT NOT NULL,
            category    TEXT NOT NULL,
            priority    TEXT NOT NULL,
            queue       TEXT NOT NULL,
            resolved_at TEXT
        )""")
    conn.execute("CREATE INDEX decisions_customer ON decisions (customer_id)")


def _to_v2(conn: sqlite3.Connection) -> None:
    """Versions, confidence, text for training, corrections; index on (customer_id, received_at)."""
    for column in ("confidence REAL NOT NULL DEFAULT 0", "model_version TEXT NOT NULL DEFAULT ''",
                   "rules_version TEXT NOT NULL DEFAULT ''", "text TEXT", "subject TEXT",
                   "recorded_at TEXT NOT NULL DEFAULT ''", "corrected_category TEXT", "corrected_priority TEXT",
                   "corrected_queue TEXT", "corrected_by TEXT", "corrected_at TEXT"):
        conn.execute(f"ALTER TABLE decisions ADD COLUMN {column}")
    conn.execute("UPDATE decisions SET recorded_at = received_at WHERE recorded_at = ''")
    conn.execute("DROP INDEX IF EXISTS decisions_customer")
    conn.execute("CREATE INDEX decisions_customer_time ON decisions (customer_id, received_at)")
    conn.execute("CREATE INDEX decisions_corrected ON decisions (corrected_at) WHERE corrected_at IS NOT NULL")
    conn.execute("""
        CREATE TABLE corrections (
            id           INTEGER PRIMARY KEY,
            request_id   TEXT NOT NULL REFERENCES decisions (request_id),
            category     TEXT,
            priority     TEXT,
            queue        TEXT,
            agent        TEXT,
            corrected_at TEXT NOT NULL
        )""")
    conn.execute("CREATE INDEX corrections_request ON corrections (request_id)")


_MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_to_v1, _to_v2)  # one per version

_DECISION_COLUMNS = ("request_id, customer_id, channel, received_at, category, priority, queue, confidence, "
                     "model_version, rules_version, text, subject, recorded_at")
_UPSERT = (f"INSERT INTO decisions ({_DECISION_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
           "ON CONFLICT (request_id) DO UPDATE SET customer_id = excluded.customer_id, "
           "channel = excluded.channel, received_at = excluded.received_at, category = excluded.category, "
           "priority = excluded.priority, queue = excluded.queue, confidence = excluded.confidence, "
           "model_version = excluded.model_version, rules_version = excluded.rules_version, "
           "text = excluded.text, subject = excluded.subject, recorded_at = excluded.recorded_at")
_RECENT = ("SELECT request_id, received_at, coalesce(corrected_category, category), channel, "
           "coalesce(corrected_priority, priority), resolved_at FROM decisions "
           "WHERE customer_id = ? AND received_at >= ? AND received_at <= ? ORDER BY received_at, request_id")
_GET = (f"SELECT {_DECISION_COLUMNS}, resolved_at, corrected_category, corrected_priority, corrected_queue, "
        "corrected_by, corrected_at FROM decisions WHERE request_id = ?")
_CORRECTIONS = ("SELECT request_id, text, subject, channel, received_at, category, priority, queue, model_version, "
                "corrected_category, corrected_priority, corrected_queue, corrected_by, corrected_at "
                "FROM decisions WHERE corrected_at IS NOT NULL AND (corrected_at, request_id) > (?, ?) "
                "ORDER BY corrected_at, request_id LIMIT ?")


def _is_busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _BUSY_CODES
    msg = str(exc).lower()
    return "locked" in msg or "busy" in msg


class SQLiteStore(HistoryStore):
    """A :class:`~triage.history.store.HistoryStore` in a SQLite file.

    Parameters
    ----------
    path:
        A file path (created if missing; its folder must exist) or ``":memory:"``.
    store_text:
        Keep the request text and subject (default). They are needed to train on
        corrections; ``False`` stores neither (privacy).
    busy_timeout:
        Seconds an operation may wait, in all, for another connection's lock
        before it fails with "database is locked" (default 2).
    retries:
        Further attempts after a busy/locked error that came back before the
        ``busy_timeout`` budget was spent, with a short jittered back-off.
    synchronous:
        ``"NORMAL"`` (default: in WAL mode a crash of the process loses nothing;
        a power cut may lose the last commits) or ``"FULL"`` (fsync every commit).
    pragmas:
        Further ``PRAGMA name = value`` settings for every connection, e.g.
        ``{"cache_size": -20000, "mmap_size": 2**28}`` (names: letters and ``_``;
        values: integers or simple words).

    Raises
    ------
    StoreUnavailable
        The file cannot be opened or read (unreachable folder, not a database,
        corrupt, locked for longer than the retries allow).
    SchemaVersionError
        The file was written by a newer triage.
    StoreError
        The file is a SQLite database of something else.
    """

    def __init__(self, path: str | os.PathLike[str] = ":memory:", *, store_text: bool = True,
                 busy_timeout: float = 2.0, retries: int = 3, synchronous: str = "NORMAL",
                 pragmas: Mapping[str, int | str] | None = None) -> None:
        if synchronous.upper() not in ("NORMAL", "FULL"):
            raise InputError(f"synchronous must be 'NORMAL' or 'FULL', got {synchronous!r}")
        self.pragmas: tuple[tuple[str, int | str], ...] = ()
        for name, value in (pragmas or {}).items():
            if not re.fullmatch(r"[a-z_]+", str(name)) or isinstance(value, bool) or not (
                    isinstance(value, int) or re.fullmatch(r"[A-Za-z0-9_]+", str(value))):
                raise InputError(f"pragma {name!r} = {value!r}: expected a name of letters and '_' and an "
                                 "integer or a simple word")
            self.pragmas += ((str(name), value),)
        if busy_timeout < 0 or retries < 0:
            raise InputError("busy_timeout and retries must not be negative")
        self.path = str(path)
        self.memory = self.path == ":memory:"
        self.store_text = bool(store_text)
        self.busy_timeout = float(busy_timeout)
        self.retries = int(retries)
        self.synchronous = synchronous.upper()
        self._local = threading.local()
        self._lock = threading.Lock()          # guards the registry below (and the connection, in memory mode)
        self._conns: list[tuple[weakref.ref[threading.Thread], int, sqlite3.Connection]] = []
        self._inherited: list[sqlite3.Connection] = []   # connections of a parent process, never used again
        self._shared: sqlite3.Connection | None = None
        self._closed = False
        self._open()

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r}, store_text={self.store_text})"

    # -- connections -------------------------------------------------------------------------------------
    def _where(self) -> str:
        return "in memory" if self.memory else f"at {self.path}"

    def _unavailable(self, exc: BaseException) -> StoreUnavailable:
        reason = str(exc).strip().lower() or type(exc).__name__
        err = StoreUnavailable(reason, where=self._where())
        err.__cause__ = exc
        return err

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as exc:
            raise self._unavailable(exc) from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            conn.execute(f"PRAGMA synchronous = {self.synchronous}")
            for name, value in self.pragmas:
                conn.execute(f"PRAGMA {name} = {value}")
        except sqlite3.Error as exc:
            conn.close()
            raise self._unavailable(exc) from exc
        return conn

    def _thread_conn(self) -> sqlite3.Connection:
        pid = os.getpid()
        held = getattr(self._local, "conn", None)
        if held is not None and held[0] == pid:
            return held[1]  # type: ignore[no-any-return]
        conn = self._connect()
        me = threading.current_thread()
        with self._lock:
            if self._closed:
                conn.close()
                raise StoreError(f"the history store {self._where()} is closed")
            keep = []
            for ref, owner_pid, c in self._conns:
                thread = ref()
                if owner_pid != pid:
                    self._inherited.append(c)      # opened before a fork: leave it alone
                elif thread is None or not thread.is_alive():
                    c.close()                      # its thread ended
                else:
                    keep.append((ref, owner_pid, c))
            keep.append((weakref.ref(me), pid, conn))
            self._conns = keep
        self._local.conn = (pid, conn)
        return conn

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        if self._closed:
            raise StoreError(f"the history store {self._where()} is closed")
        if self.memory:
            with self._lock:
                if self._shared is None:
                    raise StoreError("the history store in memory is closed")
                yield self._shared
        else:
            yield self._thread_conn()

    def _run(self, work: Callable[[sqlite3.Connection], T], *, write: bool) -> T:
        """Run ``work`` on this thread's connection, in one ``BEGIN IMMEDIATE`` transaction when ``write``;
        retry on busy; turn SQLite failures into :class:`StoreUnavailable`."""
        attempt = 0
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                with self._connection() as conn:
                    if not write:
                        return work(conn)
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        result = work(conn)
                        conn.execute("COMMIT")
                    except BaseException:
                        if conn.in_transaction:
                            try:
                                conn.execute("ROLLBACK")
                            except sqlite3.Error:
                                pass
                        raise
                    return result
            except sqlite3.OperationalError as exc:
                # SQLite's busy handler has already waited; retry only while the busy_timeout budget lasts
                # (SQLITE_BUSY can also come at once, without waiting: a stale WAL snapshot, a checkpoint)
                if _is_busy(exc) and attempt < self.retries and time.monotonic() < deadline:
                    attempt += 1
                    time.sleep(random.uniform(0.005, 0.05) * attempt)
                    continue
                raise self._unavailable(exc) from exc
            except sqlite3.ProgrammingError as exc:
                raise StoreError(f"the history store {self._where()} cannot be used: {exc}") from exc
            except sqlite3.Error as exc:        # DatabaseError: not a database, malformed image, I/O error
                raise self._unavailable(exc) from exc

    # -- opening and migrating ---------------------------------------------------------------------------
    def _open(self) -> None:
        if self.memory:
            self._shared = self._connect()
        elif not Path(self.path).parent.exists():
            raise StoreUnavailable(f"folder {Path(self.path).parent} does not exist", where=self._where())
        try:
            version = self._run(self._check, write=False)  # before anything changes the file
            if not self.memory:
                self._run(self._wal, write=False)
            if version < SCHEMA_VERSION:
                self._run(self._migrate, write=True)
        except BaseException:
            self.close()
            raise

    @staticmethod
    def _wal(conn: sqlite3.Connection) -> None:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"cannot switch to WAL journal mode (got {mode})")

    def _check(self, conn: sqlite3.Connection) -> int:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        app = int(conn.execute("PRAGMA application_id").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise SchemaVersionError(
                f"the history store {self._where()} has schema version {version}, written by a newer triage; "
                f"this triage reads versions up to {SCHEMA_VERSION}. Upgrade triage; the file was not changed.")
        if app not in (0, APPLICATION_ID) or (
                version == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]):
            raise StoreError(f"{self.path} is a SQLite database but not a triage history store "
                             f"(application_id {app:#x}, user_version {version}); use another file")
        return version

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = self._check(conn)  # again, under the write lock: another process may have migrated
        for step in range(version, SCHEMA_VERSION):
            _MIGRATIONS[step](conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def schema_version(self) -> int:
        """The file's schema version (``SCHEMA_VERSION`` once opened)."""
        return self._run(lambda c: int(c.execute("PRAGMA user_version").fetchone()[0]), write=False)

    # -- HistoryStore ------------------------------------------------------------------------------------
    def _row(self, r: DecisionRecord, now: str) -> tuple[Any, ...]:
        keep = self.store_text
        return (r.request_id, r.customer_id, r.channel, _ts(r.received_at), r.category, r.priority, r.queue,
                float(r.confidence), r.model_version, r.rules_version, r.text if keep else None,
                r.subject if keep else None, now)

    def record(self, record: DecisionRecord) -> None:
        if not isinstance(record, DecisionRecord):
            raise InputError(f"record() takes a DecisionRecord, got {type(record).__name__}")
        row = self._row(record, _ts(_dt.datetime.now(_UTC)))
        self._run(lambda c: c.execute(_UPSERT, row), write=True)

    def record_many(self, records: Iterable[DecisionRecord]) -> int:
        """Store several decisions in one transaction: all of them or none."""
        now = _ts(_dt.datetime.now(_UTC))
        rows = []
        for r in records:
            if not isinstance(r, DecisionRecord):
                raise InputError(f"record_many() takes DecisionRecords, got {type(r).__name__}")
            rows.append(self._row(r, now))
        if rows:
            self._run(lambda c: c.executemany(_UPSERT, rows), write=True)
        return len(rows)

    def recent(self, customer_id: str, since: _dt.datetime, until: _dt.datetime, *,
               exclude: str | None = None) -> tuple[HistoryItem, ...]:
        for name, value in (("since", since), ("until", until)):
            if not isinstance(value, _dt.datetime) or value.utcoffset() is None:
                raise InputError(f"{name} must be a timezone-aware datetime, got {value!r}")
        lo, hi = _ts(since), _ts(until)
        rows = self._run(lambda c: c.execute(_RECENT, (customer_id, lo, hi)).fetchall(), write=False)
        parse = _dt.datetime.fromisoformat
        return tuple(
            HistoryItem(received_at=parse(received), category=category, channel=channel, priority=priority,
                        open=resolved is None or resolved > hi, request_id=rid)
            for rid, received, category, channel, priority, resolved in rows if rid != exclude)

    def resolve(self, request_id: str, at: _dt.datetime) -> None:
        if not isinstance(at, _dt.datetime) or at.utcoffset() is None:
            raise InputError(f"at must be a timezone-aware datetime, got {at!r}")
        when = _ts(at)

        def work(c: sqlite3.Connection) -> None:
            if c.execute("UPDATE decisions SET resolved_at = ? WHERE request_id = ?", (when, request_id)
                         ).rowcount == 0:
                raise UnknownRequestError(f"no decision recorded for request id {request_id!r}; "
                                          "only recorded requests can be resolved")
        self._run(work, write=True)

    def correct(self, request_id: str, *, category: str | None = None, priority: str | None = None,
                queue: str | None = None, agent: str | None = None, at: _dt.datetime | None = None) -> None:
        category, priority, queue, agent, when = check_correction(category, priority, queue, agent, at)
        stamp = _ts(when)

        def work(c: sqlite3.Connection) -> None:
            if c.execute("UPDATE decisions SET corrected_category = coalesce(?, corrected_category), "
                         "corrected_priority = coalesce(?, corrected_priority), "
                         "corrected_queue = coalesce(?, corrected_queue), corrected_by = ?, corrected_at = ? "
                         "WHERE request_id = ?", (category, priority, queue, agent, stamp, request_id)
                         ).rowcount == 0:
                raise UnknownRequestError(f"no decision recorded for request id {request_id!r}; "
                                          "only recorded requests can be corrected")
            c.execute("INSERT INTO corrections (request_id, category, priority, queue, agent, corrected_at) "
                      "VALUES (?,?,?,?,?,?)", (request_id, category, priority, queue, agent, stamp))
        self._run(work, write=True)

    def corrections(self, *, since: _dt.datetime | None = None, page: int = 1000) -> Iterator[Correction]:
        """Every corrected request, oldest correction first, read in pages (no long-held read transaction)."""
        # (corrected_at, request_id) > (since, "") keeps corrections made exactly at ``since``
        key: tuple[str, str] = (_ts(since) if since is not None else "", "")
        def fetch(c: sqlite3.Connection) -> list[Any]:
            return c.execute(_CORRECTIONS, (*key, page)).fetchall()

        while True:
            rows = self._run(fetch, write=False)
            for (rid, text, subject, channel, received, cat, prio, queue, model, c_cat, c_prio, c_queue,
                 agent, corrected) in rows:
                yield Correction(
                    request_id=rid, text=text, subject=subject, channel=channel,
                    received_at=_dt.datetime.fromisoformat(received), predicted_category=cat,
                    predicted_priority=prio, predicted_queue=queue, model_version=model, category=c_cat,
                    priority=c_prio, queue=c_queue, agent=agent,
                    corrected_at=_dt.datetime.fromisoformat(corrected))
            if len(rows) < page:
                return
            key = (rows[-1][13], rows[-1][0])

    def correction_log(self, request_id: str) -> list[dict[str, Any]]:
        """Every correction of one request as recorded (the audit trail), oldest first."""
        rows = self._run(lambda c: c.execute(
            "SELECT category, priority, queue, agent, corrected_at FROM corrections WHERE request_id = ? "
            "ORDER BY id", (request_id,)).fetchall(), write=False)
        return [{"category": r[0], "priority": r[1], "queue": r[2], "agent": r[3],
                 "at": _dt.datetime.fromisoformat(r[4])} for r in rows]

    def get(self, request_id: str) -> StoredDecision | None:
        row = self._run(lambda c: c.execute(_GET, (request_id,)).fetchone(), write=False)
        if row is None:
            return None
        (rid, cid, channel, received, cat, prio, queue, conf, model, rules, text, subject, recorded,
         resolved, c_cat, c_prio, c_queue, c_by, c_at) = row
        rec = DecisionRecord(request_id=rid, customer_id=cid, channel=channel,
                             received_at=_dt.datetime.fromisoformat(received), category=cat, priority=prio,
                             queue=queue, confidence=conf, model_version=model, rules_version=rules, text=text,
                             subject=subject)
        return StoredDecision(record=rec, recorded_at=_dt.datetime.fromisoformat(recorded),
                              resolved_at=_dt_or_none(resolved), corrected_category=c_cat,
                              corrected_priority=c_prio, corrected_queue=c_queue, corrected_by=c_by,
                              corrected_at=_dt_or_none(c_at))

    def count(self) -> int:
        return int(self._run(lambda c: c.execute("SELECT count(*) FROM decisions").fetchone()[0], write=False))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            conns = [c for _, pid, c in self._conns if pid == os.getpid()]
            self._conns = []
            if self._shared is not None:
                conns.append(self._shared)
                self._shared = None
        for c in conns:
            try:
                c.close()
            except sqlite3.Error:
                pass

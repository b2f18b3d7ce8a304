"""Customer history: a store of decisions, repeat-contact signals, agents' corrections.

::

    from triage.history import SQLiteStore, SafeStore, DecisionRecord

    with SafeStore("history.db") as store:             # a locked/corrupt/full file never stops triage
        lookup = store.history("c-42", since, until)   # HistoryLookup(items, available, reason)
        store.record(DecisionRecord.from_decision(request, decision))
        store.correct("r-1", category="logistics", agent="alice")

Submodules load on first use: ``import triage.history`` itself imports neither
``sqlite3`` nor the rule engine.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .store import (
    Correction,
    DecisionRecord,
    HistoryStore,
    SchemaVersionError,
    StoredDecision,
    StoreError,
    StoreUnavailable,
    UnknownRequestError,
)

if TYPE_CHECKING:
    from .guard import HistoryLookup, SafeStore, WriteResult, guarded, open_store
    from .signals import (
        ChasingMatch,
        find_chasing,
        history_counter,
        history_stats,
        is_chasing,
    )
    from .sqlite import SQLiteStore

__all__ = [
    "ChasingMatch",
    "Correction",
    "DecisionRecord",
    "HistoryLookup",
    "HistoryStore",
    "SQLiteStore",
    "SafeStore",
    "SchemaVersionError",
    "StoreError",
    "StoreUnavailable",
    "StoredDecision",
    "UnknownRequestError",
    "WriteResult",
    "find_chasing",
    "guarded",
    "history_counter",
    "history_stats",
    "is_chasing",
    "open_store",
]

_LAZY = {"SQLiteStore": "sqlite", "SafeStore": "guard", "HistoryLookup": "guard", "WriteResult": "guard",
         "guarded": "guard", "open_store": "guard", "history_stats": "signals", "history_counter": "signals",
         "find_chasing": "signals", "is_chasing": "signals", "ChasingMatch": "signals"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'triage.history' has no attribute {name!r}")

"""triage: decide what a Chinese customer-service request is about, how urgent it is,
who should handle it and by when, with the reasons.

>>> import triage
>>> t = triage.load()                              # doctest: +SKIP
>>> t.triage("我的快递一周了还没到").category        # doctest: +SKIP
'logistics'

Importing this package is cheap: scikit-learn, pandas and the tokenizer load in
:func:`load`, not here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    CalendarDataMissing,
    ConfigError,
    InputError,
    ModelError,
    ModelIntegrityError,
    Problem,
    RuleError,
    TriageError,
)
from .types import (
    CategoryScore,
    Customer,
    Decision,
    Entity,
    HistoryItem,
    Order,
    Priority,
    Reason,
    Request,
    SlaTarget,
)

if TYPE_CHECKING:
    from .classify.train import TrainedModel
    from .pack import RulePack, load_pack
    from .pipeline import RowError, Triager, load
    from .sla.events import TicketEvent
    from .sla.frame import sla_frame
    from .sla.ticket import Ticket, TicketSla, ticket_sla

__all__ = [
    "load", "load_pack", "train", "Triager", "RulePack", "RowError",
    "Request", "Customer", "Order", "HistoryItem", "Decision", "CategoryScore", "Entity", "Reason", "SlaTarget",
    "Priority", "Ticket", "TicketEvent", "TicketSla", "ticket_sla", "sla_frame",
    "TriageError", "ConfigError", "RuleError", "Problem", "ModelError", "ModelIntegrityError", "InputError",
    "CalendarDataMissing",
    "__version__",
]

_LAZY = {"load": "pipeline", "Triager": "pipeline", "RowError": "pipeline", "load_pack": "pack",
         "RulePack": "pack", "Ticket": "sla.ticket", "TicketSla": "sla.ticket", "ticket_sla": "sla.ticket",
         "TicketEvent": "sla.events", "sla_frame": "sla.frame"}


def train(data: Any, **kwargs: Any) -> TrainedModel:
    """Train a classifier on labelled requests; see :func:`triage.classify.train.train`."""
    from .classify.train import train as _train

    return _train(data, **kwargs)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("triage")
        except PackageNotFoundError:
            return "0+unknown"
    raise AttributeError(f"module 'triage' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)

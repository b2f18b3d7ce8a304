"""Triage a Dask DataFrame: the same decisions as :meth:`Triager.triage_frame`, on many cores or machines.

>>> import dask.dataframe as dd, triage.dask                      # doctest: +SKIP
>>> from distributed import Client                                 # doctest: +SKIP
>>> client = Client("tcp://scheduler:8786")                        # doctest: +SKIP
>>> ddf = dd.read_parquet("s3://bucket/requests/")                 # doctest: +SKIP
>>> out = triage.dask.triage_dask(ddf, rules="/srv/triage/rules", client=client)  # doctest: +SKIP
>>> ddf.join(out).to_parquet("s3://bucket/triaged/")               # doctest: +SKIP

Install with ``pip install "triage[dask]"``; ``import triage.dask`` itself does not
import Dask (so :mod:`triage.spark` can share the output schema without it).

How the model and rules reach the workers — once per worker, not per partition
------------------------------------------------------------------------------
A loaded :class:`~triage.Triager` cannot be pickled (compiled rule closures, the
tokenizer), and should not be: it is tens of megabytes. What travels in the task
graph is only the *arguments* of :func:`triage.load` (paths, ``model_sha256``,
thresholds) and a key derived from them. Each worker loads the triager itself:

* **distributed** — :func:`register` (called by :func:`triage_dask` when a client is
  given or active) installs a :class:`TriagerPlugin` (a ``WorkerPlugin``). Its
  ``setup`` runs once on every worker, including workers that join later, and loads
  the triager into a small store kept *on the worker object* (``worker._triage``),
  keyed by the load arguments. Every partition on that worker looks it up there. If no
  plugin was registered (a graph built without a client), the first partition on a
  worker loads it into the same store, under a lock, so concurrent worker threads
  still load it once. A load error (missing files, wrong ``model_sha256``) raises on
  the client at :func:`register` time, not halfway through a job.
* **local schedulers** — the graph holds one :class:`_Loader` object. The threads and
  synchronous schedulers share it by reference, so the first partition loads the
  triager and every thread uses that one instance (the Triager is immutable and
  thread-safe). The local *processes* scheduler pickles each task on its own, so it
  would load once per partition; use threads, or a ``distributed.LocalCluster``.

Why not a module-level cache (``functools.lru_cache``)? It would be hidden mutable
state in the library: it lives as long as the interpreter, can't be inspected or
freed per job, and is keyed implicitly. The worker store is explicit, visible
(:func:`worker_stats`), dropped when the plugin is unregistered, and dies with the
worker.

The same triage version everywhere: the plugin carries the client's
``triage.__version__`` and a worker with another version refuses to load. When the
model bundle is readable on the client and ``model_sha256`` is not given, it is pinned
to the client's ``manifest.json`` hash, so a worker with different model files fails
loudly instead of deciding differently.

Output types
------------
Dask needs one schema for every partition (``meta``), and Parquet and Spark need it
too, but :meth:`Triager.triage_frame` lets pandas infer dtypes per call (a partition
whose rows all lack an assignee gets ``object``, a partition with mixed-zone receipt
times gets ``object`` instead of ``datetime64``). :func:`conform` gives every frame the
same dtypes: strings as pandas' default string dtype, ``confidence`` float64,
``needs_review``/``sla_estimated`` nullable ``boolean``, list columns as Python lists
(``object``), times as ``datetime64[us, UTC]`` (the same instants; convert with
``.dt.tz_convert("Asia/Shanghai")``). The columns and their order come from
:data:`triage.pipeline.FRAME_COLUMNS`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
import sys
import threading
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client

    from .pipeline import Triager

# TriagerPlugin is public too, built on first access (it subclasses distributed's WorkerPlugin).
__all__ = ["conform", "frame_dtypes", "frame_meta", "load_arguments", "register", "triage_dask", "unregister",
           "worker_stats"]

# The kind of each column of triage_frame's output that is not a plain string. Columns of FRAME_COLUMNS
# not named here are strings; tests/test_dask.py checks every name here is still a frame column.
_LIST_COLUMNS = frozenset({"categories", "cc", "tags", "entities", "reasons"})
_FLOAT_COLUMNS = frozenset({"confidence"})
_BOOL_COLUMNS = frozenset({"needs_review", "sla_estimated"})
_TIME_COLUMNS = frozenset({"received_at", "first_response_due", "next_response_due", "periodic_update_due",
                           "resolution_due"})
_STATE_ATTR = "_triage"


# -- the output schema -------------------------------------------------------------------------------------
def _column_kind(name: str) -> str:
    if name in _LIST_COLUMNS:
        return "list"
    if name in _FLOAT_COLUMNS:
        return "float"
    if name in _BOOL_COLUMNS:
        return "bool"
    if name in _TIME_COLUMNS:
        return "time"
    return "str"


def frame_dtypes() -> dict[str, Any]:
    """The dtype of every output column, in :data:`~triage.pipeline.FRAME_COLUMNS` order.

    Strings use the dtype pandas itself infers for text (``str`` on pandas 3,
    ``object`` on pandas 2), so a conformed frame looks like one pandas built.
    """
    import pandas as pd

    from .pipeline import FRAME_COLUMNS

    text = pd.Series(["x"]).dtype
    kinds = {"list": pd.api.types.pandas_dtype(object), "float": pd.api.types.pandas_dtype("float64"),
             "bool": pd.BooleanDtype(), "time": pd.DatetimeTZDtype("us", "UTC"), "str": text}
    return {c: kinds[_column_kind(c)] for c in FRAME_COLUMNS}


def frame_meta() -> pd.DataFrame:
    """An empty frame with the output columns and dtypes: Dask's ``meta`` for :func:`triage_dask`."""
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in frame_dtypes().items()})


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (a :meth:`Triager.triage_frame` result) with the dtypes of :func:`frame_dtypes`.

    Values are unchanged except for their representation: a missing string is ``NaN``
    (pandas' string missing value), a missing flag ``<NA>``, times are UTC instants.
    """
    import pandas as pd

    out = {}
    for col, dtype in frame_dtypes().items():
        s = frame[col]
        if isinstance(dtype, pd.DatetimeTZDtype):
            s = pd.to_datetime(s, utc=True).astype(dtype)
        elif s.dtype != dtype:
            s = s.astype(dtype)
        out[col] = s
    return pd.DataFrame(out, index=frame.index)


# -- load arguments and the per-process store --------------------------------------------------------------
def load_arguments(**load_kwargs: Any) -> dict[str, Any]:
    """Check ``load_kwargs`` against :func:`triage.load` and make them safe to ship.

    Paths become absolute strings (they must exist at the same place on every worker).
    When ``model_sha256`` is not given and the model bundle's ``manifest.json`` is
    readable here, it is pinned to that file's hash.
    """
    from . import __version__
    from .pipeline import load, portable_load_arguments

    params = inspect.signature(load).parameters
    unknown = sorted(set(load_kwargs) - set(params))
    if unknown:
        raise TypeError(f"triage.load() has no argument(s) {', '.join(unknown)}; "
                        f"expected some of {', '.join(params)}")
    args = portable_load_arguments(**load_kwargs)
    args["_version"] = __version__
    return args


def _key(args: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(args, sort_keys=True, default=str).encode()).hexdigest()[:16]


class _Store:
    """Loaded triagers of one process, keyed by load arguments, with load and partition counts."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.triagers: dict[str, Triager] = {}
        self.loads: dict[str, int] = {}
        self.partitions: dict[str, int] = {}

    def get(self, key: str, args: Mapping[str, Any]) -> Triager:
        triager = self.triagers.get(key)
        if triager is None:
            with self.lock:
                triager = self.triagers.get(key)
                if triager is None:
                    triager = _load(args)
                    self.triagers[key] = triager
                    self.loads[key] = self.loads.get(key, 0) + 1
        return triager

    def count(self, key: str) -> None:
        with self.lock:
            self.partitions[key] = self.partitions.get(key, 0) + 1

    def drop(self, key: str) -> None:
        with self.lock:
            self.triagers.pop(key, None)

    def stats(self) -> dict[str, dict[str, int]]:
        with self.lock:
            return {k: {"loads": self.loads.get(k, 0), "partitions": self.partitions.get(k, 0),
                        "loaded": int(k in self.triagers)} for k in self.loads.keys() | self.partitions.keys()}


def _load(args: Mapping[str, Any]) -> Triager:
    from . import __version__
    from .pipeline import load

    kwargs = dict(args)
    wanted = kwargs.pop("_version", None)
    if wanted is not None and wanted != __version__:
        raise ConfigError(f"this worker has triage {__version__} but the client has {wanted}; "
                          "install the same version everywhere")
    return load(**kwargs)


def _worker_store(worker: Any) -> _Store:
    store: _Store | None = vars(worker).get(_STATE_ATTR)
    if store is None:
        # dict.setdefault is atomic, so two threads racing here end up sharing one store.
        store = vars(worker).setdefault(_STATE_ATTR, _Store())
    return store


def _current_worker() -> Any:
    if "distributed" not in sys.modules:
        return None
    from distributed import get_worker

    try:
        return get_worker()
    except ValueError:
        return None


class _Loader:
    """What the task graph carries: the load arguments, and (locally) the one loaded triager.

    Pickles to its arguments only; a copy that arrives in another process loads afresh.
    """

    def __init__(self, args: Mapping[str, Any]) -> None:
        self.args = dict(args)
        self.key = _key(self.args)
        self._store = _Store()

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Loader, (self.args,))

    def __dask_tokenize__(self) -> tuple[str, str]:
        return ("triage-loader", self.key)

    def store(self) -> _Store:
        worker = _current_worker()
        return _worker_store(worker) if worker is not None else self._store

    def get(self) -> Triager:
        store = self.store()
        store.count(self.key)
        return store.get(self.key, self.args)


# -- distributed ---------------------------------------------------------------------------------------------
def _plugin_base() -> type:
    try:
        from distributed.diagnostics.plugin import WorkerPlugin
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError('triage.dask needs distributed for register(); pip install "triage[dask]"') from exc
    return WorkerPlugin


def _make_plugin_class() -> type:
    base = _plugin_base()

    class TriagerPlugin(base):  # type: ignore[valid-type, misc]
        """Loads the triager once when a worker starts (or when registered) and keeps it on the worker."""

        idempotent = True  # registering the same load arguments twice is a no-op

        def __init__(self, args: Mapping[str, Any]) -> None:
            self.args = dict(args)
            self.key = _key(self.args)
            self.name = f"triage-{self.key}"

        def setup(self, worker: Any) -> None:
            _worker_store(worker).get(self.key, self.args)

        def teardown(self, worker: Any) -> None:
            _worker_store(worker).drop(self.key)

    TriagerPlugin.__module__ = __name__
    TriagerPlugin.__qualname__ = "TriagerPlugin"
    return TriagerPlugin


def __getattr__(name: str) -> Any:
    # The plugin class subclasses distributed's WorkerPlugin, so it is built on first use, not at import.
    if name == "TriagerPlugin":
        cls = _make_plugin_class()
        globals()[name] = cls  # the class object, built once; pickled by reference as triage.dask.TriagerPlugin
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def register(client: Client, **load_kwargs: Any) -> str:
    """Load the triager on every worker of ``client`` now (and on workers that join later).

    ``load_kwargs`` are those of :func:`triage.load`. Returns the plugin name (pass it
    to :func:`unregister` to free the workers' memory). Raises on the client if any
    worker fails to load (missing files, another triage version, a wrong ``model_sha256``).
    Registering the same arguments again does nothing.
    """
    return _register(client, load_arguments(**load_kwargs))


def _register(client: Client, args: Mapping[str, Any]) -> str:
    plugin = __getattr__("TriagerPlugin")(args)
    try:
        client.register_plugin(plugin)
    except Exception:
        # don't leave a plugin behind that would fail again on every worker that joins later
        try:
            client.unregister_worker_plugin(plugin.name)
        except Exception:  # noqa: BLE001, S110 - the original error is the one to report
            pass
        raise
    return str(plugin.name)


def unregister(client: Client, name: str) -> None:
    """Remove a plugin added by :func:`register`; workers drop that triager."""
    client.unregister_worker_plugin(name)


def worker_stats(client: Client) -> dict[str, dict[str, dict[str, int]]]:
    """Per worker address: per load key, how many times the triager was loaded and partitions triaged."""

    def stats(dask_worker: Any) -> dict[str, dict[str, int]]:
        store = vars(dask_worker).get(_STATE_ATTR)
        return store.stats() if store is not None else {}

    return dict(client.run(stats))


# -- the Dask entry point ------------------------------------------------------------------------------------
# Request fields that hold an object or a list (see triage._parse): a text column of that name is never usable.
_NESTED_FIELDS = ("customer", "order", "history")


def _warn_stringified(ddf: dd.DataFrame) -> None:
    import pandas as pd

    texty = [c for c in _NESTED_FIELDS if c in ddf.columns and pd.api.types.is_string_dtype(ddf[c].dtype)
             and ddf[c].dtype != object]
    if texty:
        warnings.warn(f"column(s) {', '.join(texty)} hold text in this Dask DataFrame, but triage reads them as "
                      "objects (dicts/lists): rows with a value will get an error. Dask's "
                      "'dataframe.convert-string' option turns object columns into strings; build the frame under "
                      "dask.config.set({'dataframe.convert-string': False}), or use flat columns such as "
                      "order_id, order_amount, customer_tier.", UserWarning, stacklevel=3)


def _triage_partition(part: pd.DataFrame, loader: _Loader, text_col: str, now: dt.datetime) -> pd.DataFrame:
    return conform(loader.get().triage_frame(part, text_col=text_col, now=now))


def triage_dask(ddf: dd.DataFrame, *, text_col: str = "text", now: dt.datetime | None = None,
                client: Client | None = None, **load_kwargs: Any) -> dd.DataFrame:
    """Triage every row of a Dask DataFrame; a lazy frame of the decision columns, on the same index.

    Parameters
    ----------
    ddf:
        Requests, with the columns :meth:`Triager.triage_frame` recognises.
    text_col, now:
        As for :meth:`Triager.triage_frame`. ``now`` (the receipt time of rows without
        ``received_at``) is read once here, so every partition uses the same instant.
    client:
        A ``distributed.Client``: the triager is loaded on its workers now, once per
        worker (see :func:`register`). Default: the active client, if there is one;
        without one the graph runs on any scheduler (see the module notes).
    **load_kwargs:
        Arguments of :func:`triage.load` (``rules``, ``model``, ``model_sha256``, ...).
        Paths must exist at the same place on every worker.

    Returns
    -------
    dask.dataframe.DataFrame
        The columns of :data:`~triage.pipeline.FRAME_COLUMNS` with the dtypes of
        :func:`frame_dtypes`; ``out.compute()`` equals
        ``conform(triager.triage_frame(df, now=now))``. Rows that cannot be triaged
        have their message in ``error``; no row is dropped.
    """
    try:
        import dask.dataframe  # noqa: F401
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError('triage.dask needs Dask: pip install "triage[dask]"') from exc
    if text_col not in ddf.columns:
        from .errors import InputError

        raise InputError(f"the DataFrame has no {text_col!r} column (columns: {', '.join(map(str, ddf.columns))})")
    _warn_stringified(ddf)
    if now is None:
        now = dt.datetime.now(dt.UTC)
    elif now.tzinfo is None:
        from .errors import InputError

        raise InputError("now must be timezone-aware")
    args = load_arguments(**load_kwargs)
    if client is None and "distributed" in sys.modules:
        from distributed import default_client

        try:
            client = default_client()
        except ValueError:
            client = None
    if client is not None:
        _register(client, args)
    loader = _Loader(args)
    return ddf.map_partitions(_triage_partition, loader, text_col, now, meta=frame_meta())

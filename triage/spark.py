"""Triage a Spark DataFrame with ``mapInPandas``: the same decisions as :meth:`Triager.triage_frame`.

>>> import triage.spark                                                      # doctest: +SKIP
>>> fn = triage.spark.mapper(rules="/shared/triage/rules")                   # doctest: +SKIP
>>> out = requests.mapInPandas(fn, schema=triage.spark.schema())             # doctest: +SKIP

No pyspark import here: :func:`schema` is a DDL string and :func:`spark_map` only
sees pandas frames, so both are testable (and importable) without Spark.

Loading: Spark calls the mapped function once per task (one partition), with an
iterator over Arrow batches of that partition. :func:`spark_map` loads the triager
once at the start of that call and reuses it for every batch, so the cost (about a
second) is per partition, not per batch or row. Keep partitions large (tens of
thousands of rows or more) so loading is amortised. The triager is not cached across
tasks in a module global on purpose (see :mod:`triage.dask`); what travels in the
closure is the load arguments only, never a live triager (it cannot be pickled, and
Spark Connect has no broadcast variables).

Output rows are in input order, one per input row, but Spark drops the pandas index:
join back on ``request_id`` (taken from an ``id`` or ``request_id`` input column).
Times arrive as Spark timestamps (UTC instants shown in the session time zone).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .dask import _column_kind, _load, conform, load_arguments

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["mapper", "schema", "spark_map"]

_SPARK_TYPES = {"str": "string", "float": "double", "bool": "boolean", "list": "array<string>",
                "time": "timestamp"}


def schema() -> str:
    """The output schema as a Spark DDL string, derived from the frame columns (see :func:`triage.dask.frame_dtypes`)."""
    from .pipeline import FRAME_COLUMNS

    return ", ".join(f"{c} {_SPARK_TYPES[_column_kind(c)]}" for c in FRAME_COLUMNS)


def spark_map(batches: Iterable[pd.DataFrame], *, text_col: str = "text", now: dt.datetime | None = None,
              _args: Mapping[str, Any] | None = None, **load_kwargs: Any) -> Iterator[pd.DataFrame]:
    """Triage each pandas batch; for ``DataFrame.mapInPandas`` (bind the options with :func:`mapper`).

    ``load_kwargs`` are those of :func:`triage.load`; the triager is loaded once per call
    (once per Spark task), before the first batch. Each output frame has the columns and
    types of :func:`schema`, one row per input row, in order.
    """
    args = _args if _args is not None else load_arguments(**load_kwargs)
    now = now or dt.datetime.now(dt.UTC)
    triager = _load(args)
    for batch in batches:
        yield conform(triager.triage_frame(batch, text_col=text_col, now=now)).reset_index(drop=True)


def mapper(*, text_col: str = "text", now: dt.datetime | None = None,
           **load_kwargs: Any) -> Callable[[Iterable[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """The function to pass to ``mapInPandas``, with the options fixed on the driver.

    ``now`` is read here once (so every task uses the same receipt time for rows
    without ``received_at``), and the load arguments are checked and pinned here (see
    :func:`triage.dask.load_arguments`): paths must exist at the same place on every
    executor; the model is pinned to the driver's ``manifest.json`` hash when readable.
    """
    return functools.partial(spark_map, text_col=text_col, now=now or dt.datetime.now(dt.UTC),
                             _args=load_arguments(**load_kwargs))
